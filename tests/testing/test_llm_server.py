"""Tests for the OpenAI-compatible test server: replies, streams in OpenAI's chunk format, faults, records."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from kaifong.testing.llm_server import (
    GARBAGE_TEXT,
    LLMTestServer,
    ServerReply,
    garbage,
    http_error,
    malformed_json,
    reply,
    timeout,
    truncated,
    unexpected_shape,
)

CHAT = "/chat/completions"


def _ask(server: LLMTestServer, *, stream: bool = False, read_s: float = 5.0) -> httpx.Response:
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "stream": stream}
    with httpx.Client(timeout=httpx.Timeout(5.0, read=read_s)) as client:
        return client.post(server.base_url + CHAT, json=body, headers={"Authorization": "Bearer sk-test"})


def _events(response: httpx.Response) -> list[str]:
    """The ``data:`` payloads of a server-sent event stream, in order."""
    return [line[len("data: ") :] for line in response.text.split("\n") if line.startswith("data: ")]


def _streamed_text(events: list[str]) -> str:
    chunks = [json.loads(e) for e in events if e != "[DONE]"]
    return "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)


def test_a_whole_answer_is_an_openai_chat_completion() -> None:
    with LLMTestServer(["Bring your passport [1]."]) as server:
        response = _ask(server)
    assert response.status_code == 200
    document = response.json()
    assert document["object"] == "chat.completion"
    assert document["model"] == "m"
    assert document["choices"][0]["message"] == {"role": "assistant", "content": "Bring your passport [1]."}
    assert document["choices"][0]["finish_reason"] == "stop"


def test_a_streamed_answer_is_openai_chunks_then_done() -> None:
    with LLMTestServer([reply("Bring your passport [1].", chunk_chars=3)]) as server:
        response = _ask(server, stream=True)
    assert response.headers["content-type"].startswith("text/event-stream")
    events = _events(response)
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert {c["object"] for c in chunks} == {"chat.completion.chunk"}
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    pieces = [c["choices"][0]["delta"].get("content", "") for c in chunks]
    assert "".join(pieces) == "Bring your passport [1]."
    assert max(len(p) for p in pieces) == 3  # small pieces: "[1]" is split across chunks


def test_requests_are_recorded_and_replies_play_in_order() -> None:
    with LLMTestServer(["first", "second"]) as server:
        assert server.remaining == 2
        assert _ask(server).json()["choices"][0]["message"]["content"] == "first"
        server.queue("third")
        assert _ask(server).json()["choices"][0]["message"]["content"] == "second"
        assert _ask(server).json()["choices"][0]["message"]["content"] == "third"
        assert server.remaining == 0
    assert len(server.requests) == 3
    first = server.requests[0]
    assert (first.method, first.path) == ("POST", "/v1/chat/completions")
    assert first.headers["authorization"] == "Bearer sk-test"
    assert first.json["messages"] == [{"role": "user", "content": "hi"}]


def test_an_unscripted_call_is_an_http_500_that_says_so() -> None:
    with LLMTestServer() as server:
        response = _ask(server)
    assert response.status_code == 500
    assert "no reply scripted for call 1" in response.json()["error"]["message"]


def test_the_default_reply_answers_when_the_queue_is_empty() -> None:
    with LLMTestServer(default=reply("always")) as server:
        texts = [_ask(server).json()["choices"][0]["message"]["content"] for _ in range(3)]
    assert texts == ["always"] * 3


def test_a_default_function_builds_the_reply_from_the_request() -> None:
    def echo(payload: Any) -> ServerReply:
        return reply(f"you said {payload['messages'][-1]['content']}")

    with LLMTestServer(default=echo) as server:
        assert _ask(server).json()["choices"][0]["message"]["content"] == "you said hi"


def test_models_lists_the_served_model_and_unknown_paths_are_404() -> None:
    with LLMTestServer(model="smol") as server, httpx.Client() as client:
        models = client.get(server.base_url + "/models").json()
        missing = client.get(server.base_url + "/nothing")
    assert [m["id"] for m in models["data"]] == ["smol"]
    assert missing.status_code == 404
    assert "no route" in missing.json()["error"]["message"]


def test_http_errors_carry_their_status_and_retry_after() -> None:
    with LLMTestServer([http_error(503), http_error(429, retry_after=0.5)]) as server:
        unavailable, limited = _ask(server), _ask(server)
    assert unavailable.status_code == 503
    assert unavailable.json()["error"]["code"] == 503
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "0.5"


def test_malformed_json_is_not_json_whole_or_streamed() -> None:
    with LLMTestServer([malformed_json(), malformed_json()]) as server:
        whole, streamed = _ask(server), _ask(server, stream=True)
    assert whole.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(whole.text)
    first = _events(streamed)[0]
    with pytest.raises(json.JSONDecodeError):
        json.loads(first)


def test_an_unexpected_shape_is_json_without_choices() -> None:
    with LLMTestServer([unexpected_shape()]) as server:
        document = _ask(server).json()
    assert "choices" not in document


def test_a_truncated_stream_stops_without_finish_or_done() -> None:
    with LLMTestServer([truncated("Bring your passport [1].", after=2)]) as server:
        response = _ask(server, stream=True)
    events = _events(response)
    assert "[DONE]" not in events
    assert _streamed_text(events) == "Bring yo"
    assert all(json.loads(e)["choices"][0]["finish_reason"] is None for e in events)


def test_a_truncated_whole_answer_is_half_a_json_document() -> None:
    with LLMTestServer([truncated("Bring your passport [1].")]) as server:
        response = _ask(server)
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)


@pytest.mark.parametrize("stream", [False, True])
def test_an_abrupt_truncation_drops_the_connection(stream: bool) -> None:
    with LLMTestServer([truncated("Bring your passport [1].", after=1, abrupt=True)]) as server:
        with pytest.raises(httpx.RemoteProtocolError):
            _ask(server, stream=stream)
        assert _ask(server).status_code == 500  # the server itself keeps serving


def test_garbage_is_a_well_formed_answer_of_control_characters() -> None:
    with LLMTestServer([garbage()]) as server:
        content = _ask(server).json()["choices"][0]["message"]["content"]
    assert content == GARBAGE_TEXT


def test_a_timeout_fault_answers_late() -> None:
    with LLMTestServer([timeout(0.3, "late"), timeout(5.0)]) as server:
        started = time.monotonic()
        assert _ask(server).json()["choices"][0]["message"]["content"] == "late"
        assert time.monotonic() - started >= 0.3
        with pytest.raises(httpx.ReadTimeout):
            _ask(server, read_s=0.2)


def test_stopping_wakes_a_sleeping_reply_instead_of_waiting_for_it() -> None:
    server = LLMTestServer([timeout(30.0)]).start()
    with pytest.raises(httpx.ReadTimeout):
        _ask(server, read_s=0.2)
    started = time.monotonic()
    server.stop()
    server.stop()  # twice is harmless
    assert time.monotonic() - started < 5.0


def test_a_stopped_server_refuses_connections_and_has_no_port() -> None:
    server = LLMTestServer(["x"]).start()
    url = server.base_url
    server.stop()
    with pytest.raises(httpx.ConnectError), httpx.Client() as client:
        client.post(url + CHAT, json={})
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.port


def test_a_running_server_cannot_be_started_twice() -> None:
    with LLMTestServer() as server, pytest.raises(RuntimeError, match="already running"):
        server.start()
