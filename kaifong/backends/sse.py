"""Reading OpenAI-style chat completions: the whole JSON answer, or server-sent ``chat.completion.chunk``s.

Every way a body can be wrong becomes ``BackendError`` with a reason: ``malformed`` (not JSON, not the
expected shape), ``server_error`` (an ``error`` object, which servers send mid-stream) or ``truncated``
(the stream ended before ``[DONE]`` or a ``finish_reason``).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from kaifong.backends.base import BackendError


def _json(data: str, where: str) -> Any:
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        raise BackendError(
            f"the model server sent {where} that is not JSON ({exc.msg}, character {exc.pos}); "
            "is base_url an OpenAI-compatible API root?",
            reason="malformed",
        ) from None


def _server_error(document: dict[str, Any]) -> BackendError:
    error = document.get("error")
    detail = error.get("message", "") if isinstance(error, dict) else str(error)
    return BackendError(f"the model server reported an error: {str(detail)[:200]}", reason="server_error")


def _first_choice(document: Any, where: str) -> dict[str, Any]:
    if isinstance(document, dict) and "error" in document:
        raise _server_error(document)
    choices = document.get("choices") if isinstance(document, dict) else None
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise BackendError(f"the model server sent {where} without choices", reason="malformed")
    first: dict[str, Any] = choices[0]
    return first


def completion_text(body: str) -> str:
    """The answer text of a whole (non-streamed) chat completion body."""
    choice = _first_choice(_json(body, "an answer"), "an answer")
    message = choice.get("message")
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, str):
        raise BackendError("the model server sent an answer without text content", reason="malformed")
    return content


def _event(payload: str) -> tuple[str, bool]:
    """One event's content piece and whether it finished the answer."""
    choice = _first_choice(_json(payload, "a stream event"), "a stream event")
    delta = choice.get("delta")
    content = delta.get("content") if isinstance(delta, dict) else None
    if content is not None and not isinstance(content, str):
        raise BackendError("the model server streamed content that is not text", reason="malformed")
    return content or "", bool(choice.get("finish_reason"))


async def stream_text(lines: AsyncIterator[str]) -> AsyncIterator[str]:
    """The content pieces of a server-sent chat completion stream, read line by line.

    Comment lines (``:``) and other fields (``event:``, ``id:``) are skipped; the ``data:`` lines of one
    event are joined; ``[DONE]`` ends the stream. A stream that stops before ``[DONE]`` and before any
    ``finish_reason`` raises BackendError(reason="truncated").
    """
    data: list[str] = []
    finished = False
    async for raw in lines:
        line = raw.rstrip("\r")
        if line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
            continue
        if line or not data:
            continue  # a comment, another field, or a blank line between events
        payload, data = "\n".join(data), []
        if payload.strip() == "[DONE]":
            return
        content, ended = _event(payload)
        finished = finished or ended
        if content:
            yield content
    if data:  # the last event had no blank line after it: complete, or cut off mid-line
        payload = "\n".join(data)
        if payload.strip() == "[DONE]":
            return
        try:
            content, ended = _event(payload)
        except BackendError as exc:
            if exc.reason != "malformed":
                raise
            raise BackendError(
                "the model server's stream was cut off in the middle of an event", reason="truncated"
            ) from None
        finished = finished or ended
        if content:
            yield content
    if not finished:
        raise BackendError(
            "the model server's stream ended before the answer was finished (no [DONE])", reason="truncated"
        )
