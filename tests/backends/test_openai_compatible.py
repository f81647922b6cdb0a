"""OpenAICompatibleBackend end to end over HTTP against the test server: answers, streams, every fault."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr

from kaifong.backends.base import BackendError, Completion, CompletionRequest, StreamingBackend
from kaifong.backends.openai_compatible import OpenAICompatibleBackend
from kaifong.settings import LLMSettings
from kaifong.testing import check_backend, make_passage
from kaifong.testing.llm_server import (
    LLMTestServer,
    ServerReply,
    garbage,
    http_error,
    malformed_json,
    raw_stream,
    reply,
    timeout,
    truncated,
    unexpected_shape,
)
from kaifong.types import Detection, ScoredPassage

KEY = "sk-very-secret-0123456789"
EN = Detection("en", "Latn")
PASSAGES = tuple(
    ScoredPassage(p, score=1.0, coverage=1.0)
    for p in (
        make_passage("prh:en", "Apply online or by post.", heading="How to apply", title="Public housing"),
        make_passage(
            "prh:en", "You must be 18 or over.", heading="Who can apply", title="Public housing", position=1
        ),
        make_passage("passport:en", "Bring your old passport.", title="Passport renewal"),
    )
)
REQUEST = CompletionRequest("How do I apply for public housing? My ID is [HKID].", EN, PASSAGES)
ANSWER = "1. Apply online or by post [1].\n2. You must be 18 or over [2]. See https://evil.example/ [9]."


class Clock:
    """A clock the test moves by hand (for the breaker's cool-down)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def server() -> Iterator[LLMTestServer]:
    with LLMTestServer() as running:
        yield running


def make_backend(
    server: LLMTestServer, clock: Clock | None = None, **overrides: Any
) -> OpenAICompatibleBackend:
    options: dict[str, Any] = {
        "backend": "openai-compatible",
        "base_url": server.base_url,
        "model": "test-model",
        "api_key": SecretStr(KEY),
        "backoff_s": 0.001,
        "timeout_s": 2.0,
    }
    options.update(overrides)
    return OpenAICompatibleBackend(LLMSettings(**options), clock=clock or Clock(), rng=random.Random(7))


def complete(backend: OpenAICompatibleBackend, request: CompletionRequest = REQUEST) -> Completion:
    return asyncio.run(backend.complete(request))


def stream(backend: OpenAICompatibleBackend, request: CompletionRequest = REQUEST) -> list[Completion]:
    async def collect() -> list[Completion]:
        return [delta async for delta in backend.stream(request)]

    return asyncio.run(collect())


def failure(call: Any, *args: Any) -> BackendError:
    with pytest.raises(BackendError) as caught:
        call(*args)
    return caught.value


# --- answers ---------------------------------------------------------------------------------------------


def test_an_answer_is_grounded_mapped_and_names_its_prompt(server: LLMTestServer) -> None:
    server.queue(ANSWER)
    result = complete(make_backend(server))
    assert result == Completion(
        "1. Apply online or by post [1].\n2. You must be 18 or over [1]. See.", ("prh:en",), "grounded-en-v1"
    )


def test_the_request_carries_the_prompt_passages_question_and_key(server: LLMTestServer) -> None:
    server.queue(ANSWER)
    complete(make_backend(server, temperature=0.3, max_tokens=200))
    (sent,) = server.requests
    assert sent.path == "/v1/chat/completions"
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    body = sent.json
    assert (body["model"], body["temperature"], body["max_tokens"], body["stream"]) == (
        "test-model",
        0.3,
        200,
        False,
    )
    system, user = body["messages"]
    assert system["role"] == "system" and "only from the numbered" in system["content"]
    assert "[1] Public housing — How to apply\nApply online or by post." in user["content"]
    assert "[3] Passport renewal\nBring your old passport." in user["content"]
    assert "My ID is [HKID]." in user["content"]  # the redacted question, as given


def test_without_a_key_no_authorization_header_is_sent(server: LLMTestServer) -> None:
    server.queue(ANSWER)
    complete(make_backend(server, api_key=None))
    assert "authorization" not in server.requests[0].headers


def test_a_request_without_passages_asks_nothing_and_cites_nothing(server: LLMTestServer) -> None:
    backend = make_backend(server)
    empty = CompletionRequest("Anything?", EN, ())
    assert complete(backend, empty) == Completion("", (), "grounded-en-v1")
    assert stream(backend, empty) == []
    assert server.requests == []


def test_a_streamed_answer_is_the_whole_answer_in_mapped_pieces(server: LLMTestServer) -> None:
    server.queue(reply(ANSWER, chunk_chars=3), ANSWER)
    backend = make_backend(server)
    deltas = stream(backend)
    whole = complete(backend)
    assert len(deltas) > 5
    assert "".join(d.text for d in deltas).strip() == whole.text
    assert tuple(d for delta in deltas for d in delta.cited_doc_ids) == whole.cited_doc_ids
    assert deltas[0].prompt_id == "grounded-en-v1"
    assert all(d.prompt_id == "" for d in deltas[1:])
    assert server.requests[0].json["stream"] is True
    assert isinstance(backend, StreamingBackend)


def _event(content: str, finish: str | None = None) -> str:
    choice = {"index": 0, "delta": {"content": content}, "finish_reason": finish}
    return "data: " + json.dumps({"object": "chat.completion.chunk", "choices": [choice]}, ensure_ascii=False)


@pytest.mark.parametrize(
    "pieces",
    [
        # U+2028, U+2029 and U+0085 left unescaped inside the JSON (as json.dumps(ensure_ascii=False) does)
        (_event("Apply online\u2028or by post [1].") + "\n\n", _event("\u2029\x85", "stop") + "\n\n"),
        # CRLF line ends, one of them cut between two pieces; the end without [DONE] after a finish_reason
        (
            _event("Apply online") + "\r",
            "\n\r\n" + _event("\u2028or by post [1].\u2029\x85", "stop") + "\r\n",
        ),
        # bare CR line ends
        (_event("Apply online\u2028or by post [1].") + "\r\r", _event("\u2029\x85", "stop") + "\r\r"),
    ],
)
def test_stream_lines_end_only_where_server_sent_events_end_them(
    server: LLMTestServer, pieces: tuple[str, ...]
) -> None:
    server.queue(raw_stream(*pieces, chunk_delay_s=0.01))
    deltas = stream(make_backend(server))
    text = "".join(d.text for d in deltas)
    assert text.startswith("Apply online") and "or by post [1]." in text
    assert [d for delta in deltas for d in delta.cited_doc_ids] == ["prh:en"]


@pytest.mark.parametrize(
    ("detection", "answer", "expected"),
    [
        (Detection("zh", "Hans"), "網上遞交申請表[1]。", "网上递交申请表[1]。"),
        (Detection("yue", "Hant"), "网上递交申请表就得[1]。", "網上遞交申請表就得[1]。"),
    ],
)
def test_the_answer_is_put_in_the_questions_script(
    server: LLMTestServer, detection: Detection, answer: str, expected: str
) -> None:
    server.queue(answer, answer)
    request = CompletionRequest("申請公屋", detection, PASSAGES)
    backend = make_backend(server)
    assert complete(backend, request).text == expected
    assert "".join(d.text for d in stream(backend, request)) == expected


def test_it_passes_the_backend_contract(server: LLMTestServer) -> None:
    server.default = reply("Apply online or by post [1].")
    completion = asyncio.run(check_backend(make_backend(server), REQUEST))
    assert completion.cited_doc_ids == ("prh:en",)


# --- connections -------------------------------------------------------------------------------------------


def test_each_call_outside_a_connections_block_has_its_own_connection(server: LLMTestServer) -> None:
    server.queue(ANSWER, ANSWER)
    backend = make_backend(server)
    complete(backend)
    complete(backend)
    first, second = server.requests
    assert first.peer and first.peer != second.peer


def test_inside_a_connections_block_calls_share_one_kept_alive_connection(server: LLMTestServer) -> None:
    server.queue(ANSWER, reply(ANSWER, chunk_chars=3), "Hello.", http_error(503), ANSWER)
    backend = make_backend(server)

    async def calls() -> list[object]:
        async with backend.connections():
            whole = await backend.complete(REQUEST)
            deltas = [d async for d in backend.stream(REQUEST)]
            said = await backend.generate([{"role": "user", "content": "Say hello."}])
            retried = await backend.complete(REQUEST)  # a 503, retried on the same connection
        return [whole.cited_doc_ids, "".join(d.text for d in deltas).strip() == whole.text, said, retried]

    assert asyncio.run(calls()) == [("prh:en",), True, "Hello.", Completion(*complete_parts())]
    assert len({r.peer for r in server.requests}) == 1
    server.queue(ANSWER)
    complete(backend)  # after the block: a client of its own again, on a new connection
    assert server.requests[-1].peer != server.requests[0].peer


def complete_parts() -> tuple[str, tuple[str, ...], str]:
    text = "1. Apply online or by post [1].\n2. You must be 18 or over [1]. See."
    return text, ("prh:en",), "grounded-en-v1"


def test_a_broken_or_abandoned_connection_is_not_reused(server: LLMTestServer) -> None:
    server.queue(
        truncated(ANSWER, after=2, abrupt=True), reply(ANSWER, chunk_chars=2), ANSWER, ANSWER, ANSWER
    )
    backend = make_backend(server, max_retries=0)

    async def calls() -> list[str]:
        outcomes: list[str] = []
        async with backend.connections():
            try:
                await backend.complete(REQUEST)
            except BackendError as exc:
                outcomes.append(exc.reason)
            deltas = backend.stream(REQUEST)
            outcomes.append((await anext(deltas)).text)  # the reader leaves after the first piece
            await deltas.aclose()
            for _ in range(3):
                outcomes.append(" ".join((await backend.complete(REQUEST)).cited_doc_ids))
        return outcomes

    reason, piece, *answers = asyncio.run(calls())
    assert (reason, answers) == ("truncated", ["prh:en"] * 3)
    assert piece
    dropped, left, after, *rest = [r.peer for r in server.requests]
    assert dropped != left and left != after  # neither the dropped nor the half-read connection came back
    assert rest == [after, after]  # the next good one is kept
    assert backend.breaker.state == "closed"


def test_a_kept_alive_connection_to_a_server_that_restarted_is_not_a_failure() -> None:
    first = LLMTestServer([ANSWER]).start()
    port = first.port
    backend = make_backend(first, max_retries=0)

    async def calls() -> list[tuple[str, ...]]:
        async with backend.connections():
            before = await backend.complete(REQUEST)
            first.stop()  # closes the kept-alive connection from its side
            with LLMTestServer([ANSWER], port=port) as second:
                after = await backend.complete(REQUEST)
                assert len(second.requests) == 1
        return [before.cited_doc_ids, after.cited_doc_ids]

    try:
        assert asyncio.run(calls()) == [("prh:en",), ("prh:en",)]
    finally:
        first.stop()
    assert backend.breaker.state == "closed"


def test_connections_blocks_on_one_loop_nest_and_each_loop_gets_its_own(server: LLMTestServer) -> None:
    server.default = reply(ANSWER)
    backend = make_backend(server)

    async def nested() -> None:
        async with backend.connections():
            await backend.complete(REQUEST)
            async with backend.connections():
                await backend.complete(REQUEST)
            await backend.complete(REQUEST)  # the inner block's end closed nothing

    asyncio.run(nested())
    asyncio.run(nested())
    peers = [r.peer for r in server.requests]
    assert peers[0] == peers[1] == peers[2] and peers[3] == peers[4] == peers[5]
    assert peers[0] != peers[3]


# --- retries -----------------------------------------------------------------------------------------------


def test_server_errors_are_retried_until_an_answer_comes(server: LLMTestServer) -> None:
    server.queue(http_error(500), http_error(503), ANSWER)
    assert complete(make_backend(server, max_retries=2)).cited_doc_ids == ("prh:en",)
    assert len(server.requests) == 3


def test_retries_are_bounded(server: LLMTestServer, caplog: pytest.LogCaptureFixture) -> None:
    server.queue(http_error(502), http_error(502), ANSWER)
    with caplog.at_level(logging.WARNING):
        error = failure(complete, make_backend(server, max_retries=1))
    assert error.reason == "http_502"
    assert "HTTP 502" in str(error) and "after 2 attempts" in str(error)
    assert len(server.requests) == 2
    assert "attempt 1 of 2; retrying" in caplog.text


def test_a_streamed_answer_is_retried_before_it_starts(server: LLMTestServer) -> None:
    server.queue(http_error(503), reply(ANSWER))
    assert "".join(d.text for d in stream(make_backend(server))).startswith("1. Apply online")
    assert len(server.requests) == 2


def test_rate_limiting_waits_as_long_as_the_server_asks(server: LLMTestServer) -> None:
    server.queue(http_error(429, retry_after=0.3), ANSWER)
    started = time.monotonic()
    complete(make_backend(server))
    assert time.monotonic() - started >= 0.3
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    ("status", "hint"),
    [(401, "KAIFONG_LLM__API_KEY"), (404, "KAIFONG_LLM__MODEL"), (400, "KAIFONG_LLM__MAX_PROMPT_CHARS")],
)
def test_client_errors_are_not_retried_and_say_which_setting_to_check(
    server: LLMTestServer, status: int, hint: str
) -> None:
    server.queue(http_error(status), ANSWER)
    error = failure(complete, make_backend(server))
    assert error.reason == f"http_{status}"
    assert hint in str(error)
    assert len(server.requests) == 1


def test_a_timeout_is_not_retried(server: LLMTestServer) -> None:
    server.queue(timeout(5.0), ANSWER)
    started = time.monotonic()
    error = failure(complete, make_backend(server, timeout_s=0.3))
    assert error.reason == "timeout"
    assert "0.3 s" in str(error) and "KAIFONG_LLM__TIMEOUT_S" in str(error)
    assert time.monotonic() - started < 2.0
    assert len(server.requests) == 1


def test_a_slow_stream_times_out(server: LLMTestServer) -> None:
    server.queue(ServerReply(text=ANSWER, chunk_delay_s=5.0))
    assert failure(stream, make_backend(server, timeout_s=0.3)).reason == "timeout"


def test_a_server_that_is_not_there_is_retried_then_reported(caplog: pytest.LogCaptureFixture) -> None:
    gone = LLMTestServer().start()
    backend = make_backend(gone, max_retries=2)
    gone.stop()
    with caplog.at_level(logging.WARNING):
        error = failure(complete, backend)
    assert error.reason == "connect"
    assert "cannot reach the model server at 127.0.0.1:" in str(error)
    assert "after 3 attempts" in str(error)
    assert "attempt 2 of 3" in caplog.text


# --- faults ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "whole_reason", "stream_reason"),
    [
        (malformed_json(), "malformed", "malformed"),
        (unexpected_shape(), "malformed", "malformed"),
        # a whole answer cut short with a matching Content-Length is, to the client, JSON that stops early
        (truncated(ANSWER, after=3), "malformed", "truncated"),
        (truncated(ANSWER, after=3, abrupt=True), "truncated", "truncated"),
        (garbage(), "garbage", "garbage"),
        (reply(""), "empty", "empty"),
        (reply("   \n "), "garbage", "garbage"),
    ],
)
@pytest.mark.parametrize("streamed", [False, True])
def test_every_fault_is_a_backend_error_with_its_reason(
    server: LLMTestServer, fault: ServerReply, whole_reason: str, stream_reason: str, streamed: bool
) -> None:
    server.queue(fault)
    error = failure(stream if streamed else complete, make_backend(server))
    assert error.reason == (stream_reason if streamed else whole_reason)
    assert len(server.requests) == 1  # a broken answer is not asked again


# --- the circuit breaker -----------------------------------------------------------------------------------


def test_the_breaker_opens_fails_fast_then_lets_a_trial_through(server: LLMTestServer) -> None:
    clock = Clock()
    backend = make_backend(server, clock, max_retries=0, circuit_failures=2, circuit_cooldown_s=30)
    server.queue(http_error(500), http_error(500))
    failure(complete, backend)
    failure(complete, backend)
    assert backend.breaker.state == "open"
    error = failure(complete, backend)
    assert error.reason == "circuit_open"
    assert failure(stream, backend).reason == "circuit_open"
    assert len(server.requests) == 2  # the open breaker sent nothing
    clock.now += 30
    assert backend.breaker.state == "half-open"
    server.queue(http_error(500))
    failure(complete, backend)  # the trial fails: open again for another cool-down
    assert backend.breaker.state == "open"
    clock.now += 30
    server.queue(ANSWER)
    assert complete(backend).cited_doc_ids == ("prh:en",)
    assert backend.breaker.state == "closed"
    assert len(server.requests) == 4


def test_a_reader_that_leaves_mid_stream_does_not_count_as_a_failure(server: LLMTestServer) -> None:
    clock = Clock()
    backend = make_backend(server, clock, max_retries=0, circuit_failures=1, circuit_cooldown_s=5)
    server.queue(http_error(500), reply(ANSWER, chunk_chars=2))
    failure(complete, backend)
    clock.now += 5

    async def read_one() -> Completion:
        deltas = backend.stream(REQUEST)
        first = await anext(deltas)
        await deltas.aclose()
        return first

    assert asyncio.run(read_one()).text
    assert backend.breaker.state == "half-open"  # the trial was given back, not failed or passed


# --- secrets -----------------------------------------------------------------------------------------------


def test_the_api_key_is_never_logged_shown_or_put_in_an_error(
    server: LLMTestServer, caplog: pytest.LogCaptureFixture
) -> None:
    backend = make_backend(server, max_retries=1)
    server.queue(http_error(401), http_error(500), http_error(500), malformed_json(), ANSWER)
    errors: list[str] = []
    with caplog.at_level(logging.DEBUG):
        for _ in range(3):
            with pytest.raises(BackendError) as caught:
                complete(backend)
            errors.append(str(caught.value))
        complete(backend)
    assert server.requests[0].headers["authorization"] == f"Bearer {KEY}"
    for shown in (
        repr(backend),
        repr(backend.settings),
        str(backend.settings.model_dump()),
        *errors,
        caplog.text,
    ):
        assert KEY not in shown


def test_settings_without_a_server_are_refused_with_what_to_set() -> None:
    with pytest.raises(ValueError, match="needs KAIFONG_LLM__BASE_URL and KAIFONG_LLM__MODEL"):
        OpenAICompatibleBackend(LLMSettings())
