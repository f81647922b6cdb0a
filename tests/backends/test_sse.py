"""Tests for reading chat completions: whole JSON and server-sent chunks, with every malformed variant."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

from kaifong.backends.base import BackendError
from kaifong.backends.sse import completion_text, stream_text


def chunk(content: str | None = None, finish: str | None = None) -> str:
    delta = {} if content is None else {"content": content}
    return "data: " + json.dumps({"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})


def read(lines: list[str]) -> list[str]:
    async def source() -> AsyncIterator[str]:
        for line in lines:
            yield line

    async def collect() -> list[str]:
        return [piece async for piece in stream_text(source())]

    return asyncio.run(collect())


def reason(lines: list[str]) -> str:
    with pytest.raises(BackendError) as caught:
        read(lines)
    return caught.value.reason


def test_a_whole_completion_gives_its_message_text() -> None:
    body = json.dumps({"choices": [{"message": {"role": "assistant", "content": "Hi [1]"}}]})
    assert completion_text(body) == "Hi [1]"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("{not json", "malformed"),
        ("[]", "malformed"),
        ('{"choices": []}', "malformed"),
        ('{"choices": [{"message": {"content": null}}]}', "malformed"),
        ('{"choices": [{"message": {"content": 3}}]}', "malformed"),
        ('{"error": {"message": "model not loaded"}}', "server_error"),
    ],
)
def test_a_wrong_whole_completion_is_a_backend_error_with_a_reason(body: str, expected: str) -> None:
    with pytest.raises(BackendError) as caught:
        completion_text(body)
    assert caught.value.reason == expected


def test_a_stream_gives_its_pieces_skipping_comments_fields_and_empty_deltas() -> None:
    lines = [": keep-alive", "", "event: message", chunk("Hel"), "", chunk(None), "", chunk("lo"), "\r", ""]
    lines += [chunk(None, "stop"), "", "data: [DONE]", ""]
    assert read(lines) == ["Hel", "lo"]


def test_data_lines_of_one_event_are_joined_and_a_last_event_needs_no_blank_line() -> None:
    split = ['data: {"choices": [{"delta": {"content": "a"},', 'data: "finish_reason": "stop"}]}', ""]
    assert read(split) == ["a"]
    assert read([chunk("a"), "", chunk("b", "stop")]) == ["a", "b"]
    assert read([chunk("a"), "", "data: [DONE]"]) == ["a"]


def test_a_stream_with_a_finish_reason_but_no_done_is_complete() -> None:
    assert read([chunk("a"), "", chunk(None, "length"), ""]) == ["a"]


def test_a_stream_that_stops_early_is_truncated() -> None:
    assert reason([chunk("a"), "", chunk("b"), ""]) == "truncated"
    assert reason([chunk("a"), "", 'data: {"choices": [{"delta": {"cont']) == "truncated"
    assert reason([]) == "truncated"


def test_bad_events_are_malformed_or_server_errors() -> None:
    assert reason(["data: {oops", ""]) == "malformed"
    assert reason(['data: {"object": "other"}', ""]) == "malformed"
    assert reason(['data: {"choices": [{"delta": {"content": 5}}]}', ""]) == "malformed"
    assert reason(['data: {"error": {"message": "out of memory"}}', ""]) == "server_error"
