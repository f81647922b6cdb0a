"""Streamed answers: only cited, redacted text is released; the record is the same as for a whole answer."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterable
from contextlib import aclosing

import pytest
from sqlalchemy import select

from kaifong.backends.base import BackendError, Completion, CompletionRequest
from kaifong.backends.extractive import ExtractiveBackend
from kaifong.language.messages import message
from kaifong.pipeline import answer
from kaifong.pipeline.streaming import Done, Piece, open_stream, split_complete
from kaifong.services import Services
from kaifong.store.tables import audit_events
from kaifong.testing.fakes import ScriptedBackend

#: A delta of a scripted stream: text and whether it cites the first retrieved document (or a given id).
Delta = tuple[str, bool | str] | Exception

QUESTION = "How do I renew my driving licence?"


class StreamScript:
    """A StreamingBackend that plays back one scripted stream per call and counts the deltas handed out.

    Each delta is ``(text, cite)``: ``cite=True`` cites the first retrieved document, a string cites that
    doc id, ``False`` cites nothing; an Exception is raised at that point of the stream; the ``HANG``
    sentinel waits until the reader goes away (it is cancelled or closed).
    """

    HANG = BackendError("never raised: waits for the reader to leave")

    def __init__(self, *streams: Iterable[Delta], name: str = "scripted-stream") -> None:
        self.name = name
        self.version = "test"
        self.streams = [list(s) for s in streams]
        self.pulled = 0
        self.closed = 0
        self.calls: list[CompletionRequest] = []

    async def complete(self, request: CompletionRequest) -> Completion:
        """The whole scripted stream at once."""
        text, cited = [], []
        async for delta in self.stream(request):
            text.append(delta.text)
            cited.extend(delta.cited_doc_ids)
        return Completion("".join(text), tuple(cited))

    async def stream(self, request: CompletionRequest) -> AsyncIterator[Completion]:
        """The next scripted stream, delta by delta."""
        self.calls.append(request)
        try:
            for delta in self.streams.pop(0):
                if delta is self.HANG:
                    await asyncio.Event().wait()
                if isinstance(delta, Exception):
                    raise delta
                text, cite = delta
                self.pulled += 1
                doc = request.passages[0].passage.doc_id if cite is True else cite or None
                yield Completion(text, (doc,) if doc else ())
        finally:
            self.closed += 1


async def read(services: Services, question: str, **kwargs: object) -> tuple[list[str], Done]:
    """The pieces released and the Done of one streamed answer."""
    stream = await open_stream(question, services, **kwargs)  # type: ignore[arg-type]
    pieces: list[str] = []
    async for event in stream:
        if isinstance(event, Piece):
            pieces.append(event.text)
        else:
            return pieces, event
    raise AssertionError("the stream ended without Done")


def events_of(services: Services, request_kind: str = "answer_sent") -> list[tuple[str, dict[str, object]]]:
    """Every audit event of the last request, in order (kind, payload)."""
    with services.engine.connect() as conn:
        rows = list(conn.execute(select(audit_events).order_by(audit_events.c.seq)))
    last = rows[-1].request_id
    return [(r.kind, json.loads(r.payload)) for r in rows if r.request_id == last]


@pytest.fixture
def scripted(services: Services) -> Iterable[StreamScript]:
    original = services.backend
    backend = StreamScript()
    services.backend = backend
    yield backend
    services.backend = original


@pytest.mark.parametrize(
    ("text", "complete", "rest"),
    [
        ("Bring form TD63. Then", "Bring form TD63. ", "Then"),
        ("The fee is $3.5 and", "", "The fee is $3.5 and"),
        ("See www.gov.hk for", "", "See www.gov.hk for"),
        ("帶身份證。然後", "帶身份證。", "然後"),
        ("第一步：\n填表", "第一步：\n", "填表"),
        ("Done!", "Done!", ""),
    ],
)
def test_split_complete_cuts_after_the_last_sentence_end(text: str, complete: str, rest: str) -> None:
    assert split_complete(text) == (complete, rest)


def test_extractive_stream_equals_the_whole_answer_and_is_recorded_the_same_way(services: Services) -> None:
    pieces, done = asyncio.run(read(services, QUESTION))
    record = events_of(services)
    assert done.answer.receipt["log_index"] == services.audit.count()
    whole = asyncio.run(answer(QUESTION, services))
    assert done.answer.status == "answered"
    assert len(pieces) > 1, "the extractive backend streams a paragraph at a time"
    assert "".join(pieces) == done.answer.text == whole.text
    assert done.rest == ""
    assert done.answer.citations == whole.citations
    assert [kind for kind, _ in record][-4:] == [
        "compose_answer",
        "check_stream",
        "check_output",
        "answer_sent",
    ]
    compose = dict(record)["compose_answer"]
    assert compose["streamed"] is True and compose["first_piece_ms"] is not None
    assert services.audit.verify().ok


def test_nothing_is_released_before_a_retrieved_source_is_cited(
    services: Services, scripted: StreamScript
) -> None:
    scripted.streams.append(
        [("Renew online. ", False), ("Bring your ID card. ", False), ("Pay the fee.", True)]
    )

    async def go() -> list[tuple[int, str]]:
        seen = []
        stream = await open_stream(QUESTION, services)
        async for event in stream:
            if isinstance(event, Piece):
                seen.append((scripted.pulled, event.text))
        return seen

    seen = asyncio.run(go())
    assert seen[0][0] == 3, "the first piece was released before the citation arrived"
    assert "".join(text for _, text in seen) == "Renew online. Bring your ID card. Pay the fee."


def test_personal_data_in_a_piece_is_redacted_before_release_and_storage(
    services: Services, scripted: StreamScript
) -> None:
    scripted.streams.append(
        [
            ("You can renew at a licensing office. ", True),
            ("Write to chan.taiman@example.com or quote HKID A123456(3). ", False),
            ("Bring the form.", False),
        ]
    )
    pieces, done = asyncio.run(read(services, QUESTION))
    released = "".join(pieces)
    assert "chan.taiman@example.com" not in released and "A123456" not in released
    assert "[EMAIL]" in released and "[HKID]" in released
    assert released.startswith("You can renew") and released.endswith("Bring the form.")
    assert done.answer.text == released
    stored = services.conversations.history(done.answer.conversation_id)[-1]
    assert stored.answer == released
    checked = dict(events_of(services))["check_stream"]
    assert checked["pii_removed"] == ["EMAIL", "HKID"]


@pytest.mark.parametrize("cite", [False, "not-a-retrieved-doc"])
def test_a_draft_without_a_valid_citation_releases_nothing_and_gets_the_no_source_reply(
    services: Services, scripted: StreamScript, cite: bool | str
) -> None:
    scripted.streams.append([("Licences are renewed at ", cite), ("the moon office.", cite)])
    pieces, done = asyncio.run(read(services, QUESTION))
    assert pieces == []
    assert done.answer.status == "no_sources"
    assert done.rest == done.answer.text
    assert message("status.no_sources", "en") in done.rest
    assert done.answer.citations == ()


def test_a_backend_failing_before_any_release_is_error_backend(
    services: Services, scripted: StreamScript
) -> None:
    scripted.streams.append([("Renew at ", False), BackendError("model down")])
    pieces, done = asyncio.run(read(services, QUESTION))
    assert pieces == []
    assert (done.answer.status, done.rest) == ("error_backend", done.answer.text)
    assert dict(events_of(services))["compose_answer"]["error"] == "BackendError"
    assert scripted.closed == 1


def test_a_backend_failing_after_a_release_keeps_the_checked_part_and_says_it_was_cut(
    services: Services, scripted: StreamScript
) -> None:
    scripted.streams.append([("Renew at a licensing office. ", True), ("Then pay", False), RuntimeError("x")])
    pieces, done = asyncio.run(read(services, QUESTION))
    assert pieces[0] == "Renew at a licensing office. "
    assert "Then pay" not in "".join(pieces), "an unfinished sentence was released after the failure"
    assert message("stream.interrupted", "en") in pieces[-1]
    assert done.answer.status == "answered" and done.answer.text == "".join(pieces)
    assert dict(events_of(services))["compose_answer"]["error"] == "RuntimeError"


def test_a_backend_without_stream_is_released_after_complete(services: Services) -> None:
    original = services.backend
    services.backend = ScriptedBackend(["Renew at a licensing office. Pay the fee."])
    try:
        pieces, done = asyncio.run(read(services, QUESTION))
    finally:
        services.backend = original
    assert "".join(pieces) == "Renew at a licensing office. Pay the fee."
    assert done.answer.status == "answered"


def test_a_guard_stop_before_the_draft_streams_only_the_canned_reply(
    services: Services, scripted: StreamScript
) -> None:
    pieces, done = asyncio.run(read(services, "I want to end my life"))
    assert pieces == [] and scripted.calls == []
    assert done.answer.status == "signposted_crisis" and "18111" in done.rest


def test_notices_of_passing_guards_frame_the_streamed_answer(services: Services) -> None:
    services.backend = ExtractiveBackend()
    question = "My boss didn't pay my wages, how do I make an employment claim?"
    pieces, done = asyncio.run(read(services, question))
    whole = asyncio.run(answer(question, services))
    assert done.answer.status == whole.status == "answered"
    assert "".join(pieces) == done.answer.text == whole.text
    assert pieces[0].startswith(message("policy.signpost.employment_dispute", "en"))


def test_a_reader_that_leaves_mid_stream_leaves_a_complete_audit_record(
    services: Services, scripted: StreamScript
) -> None:
    scripted.streams.append([("Renew at a licensing office. ", True), StreamScript.HANG])

    async def go() -> list[str]:
        stream = await open_stream(QUESTION, services)
        got = []
        async with aclosing(stream.events()) as events:
            async for event in events:
                assert isinstance(event, Piece)
                got.append(event.text)
                break  # the reader goes away after the first piece
        return got

    assert asyncio.run(go()) == ["Renew at a licensing office. "]
    record = events_of(services)
    kinds = [kind for kind, _ in record]
    assert kinds[:3] == ["sanitise", "detect_language", "check_input"] and "retrieve" in kinds
    assert kinds[-2:] == ["stream_aborted", "answer_sent"]
    payload = dict(record)
    assert payload["answer_sent"]["status"] == "aborted_client"
    assert payload["stream_aborted"]["released_chars"] == len("Renew at a licensing office. ")
    assert scripted.closed == 1, "the backend's stream was not closed"
    assert services.audit.verify().ok
    conversation = str(payload["answer_sent"]["conversation_id"])
    assert services.conversations.history(conversation)[-1].status == "aborted_client"


def test_a_cancelled_stream_is_aborted_too(services: Services, scripted: StreamScript) -> None:
    scripted.streams.append([StreamScript.HANG])

    async def go() -> None:
        stream = await open_stream(QUESTION, services)

        async def consume() -> None:
            async for _ in stream:
                pass

        task = asyncio.create_task(consume())
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert stream.answer is not None and stream.answer.status == "aborted_client"

    asyncio.run(go())
    assert dict(events_of(services))["answer_sent"]["status"] == "aborted_client"


@pytest.fixture
def with_fallback(services: Services, scripted: StreamScript) -> Iterable[StreamScript]:
    """The scripted backend, with the extractive backend to fall back on (as llm.fallback sets up)."""
    services.fallback = ExtractiveBackend()
    yield scripted
    services.fallback = None


def test_a_backend_failing_before_any_release_falls_back_to_the_extractive_answer(
    services: Services, with_fallback: StreamScript
) -> None:
    with_fallback.streams.append([("Renew at ", False), BackendError("model down", reason="timeout")])
    pieces, done = asyncio.run(read(services, QUESTION))
    record = events_of(services)
    services.backend = ExtractiveBackend()  # what the fallback writes on its own
    whole = asyncio.run(answer(QUESTION, services))
    assert done.answer.status == "answered_fallback"
    assert "".join(pieces) == done.answer.text == whole.text
    fell_back = dict(record)["backend_fallback"]
    assert (fell_back["reason"], fell_back["fallback"], fell_back["released_chars"]) == (
        "timeout",
        "extractive",
        0,
    )
    assert dict(record)["compose_answer"]["backend"] == "extractive"
    assert dict(record)["answer_sent"]["status"] == "answered_fallback"


def test_a_backend_failing_mid_stream_is_followed_by_the_fallback_answer(
    services: Services, with_fallback: StreamScript
) -> None:
    with_fallback.streams.append(
        [("Renew at a licensing office. ", True), ("Then pay", False), RuntimeError("x")]
    )
    pieces, done = asyncio.run(read(services, QUESTION))
    text = "".join(pieces)
    assert done.answer.status == "answered_fallback" and done.answer.text == text
    assert text.startswith("Renew at a licensing office. \n\n" + message("stream.fallback", "en"))
    assert "Then pay" not in text
    assert "Here is what the official source says about" in text
    assert done.answer.citations
