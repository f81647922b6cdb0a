"""The web chat's streamed answers (POST /chat/stream) and the whole-answer choice, over the ASGI app."""

from __future__ import annotations

import asyncio
import html
import json
import re
from typing import Any

import httpx

from kaifong.services import Services
from kaifong.web import create_app
from kaifong.web.deps import NOTICE_COOKIE
from kaifong.web.routes.stream import ANSWERS_COOKIE

ACCEPTED = {NOTICE_COOKIE: "1"}


def call(
    services: Services, method: str, path: str, cookies: dict[str, str], **kwargs: Any
) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(services=services))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://kaifong.test", cookies=cookies
        ) as client:
            return await client.request(method, path, **kwargs)

    return asyncio.run(go())


def events(response: httpx.Response) -> list[tuple[str, Any]]:
    """(event name, decoded data) of each server-sent event."""
    found = []
    for block in response.text.split("\n\n"):
        if not block.strip():
            continue
        name = next(line[7:] for line in block.splitlines() if line.startswith("event: "))
        data = "\n".join(line[6:] for line in block.splitlines() if line.startswith("data: "))
        found.append((name, json.loads(data)))
    return found


def test_pieces_then_the_finished_exchange_rendered_like_post_chat(shared_services: Services) -> None:
    response = call(
        shared_services,
        "POST",
        "/chat/stream",
        ACCEPTED,
        data={"question": "怎样申请公屋？"},
        headers={"hx-request": "true"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    found = events(response)
    names = [name for name, _ in found]
    assert names[-1] == "done" and set(names[:-1]) == {"piece"} and len(names) > 3
    streamed = "".join(data["text"] for name, data in found if name == "piece")
    done = found[-1][1]["html"]
    shown = html.unescape(re.search(r'<div class="answer-text[^"]*">(.*?)</div>', done, re.S).group(1))  # type: ignore[union-attr]
    assert shown == streamed
    assert "申请" in streamed and "申請" not in streamed
    assert 'class="ai-label"' in done and '<ol class="sources">' in done
    conversation = re.search(r'id="conversation_id" name="conversation_id" value="([^"]+)" hx-swap-oob', done)
    assert conversation and conversation.group(1)


def test_a_follow_up_streams_in_the_same_conversation(shared_services: Services) -> None:
    again = call(
        shared_services,
        "POST",
        "/chat/stream",
        ACCEPTED,
        data={"question": "How do I renew my driving licence?"},
        headers={"hx-request": "true"},
    )
    conversation_id = re.search(r'name="conversation_id" value="([^"]+)"', events(again)[-1][1]["html"])
    assert conversation_id
    follow = call(
        shared_services,
        "POST",
        "/chat/stream",
        ACCEPTED,
        data={"question": "How much does it cost?", "conversation_id": conversation_id.group(1)},
        headers={"hx-request": "true"},
    )
    assert f'value="{conversation_id.group(1)}"' in events(follow)[-1][1]["html"]


def test_a_question_that_cannot_be_asked_gets_the_html_error_not_a_stream(shared_services: Services) -> None:
    empty = call(shared_services, "POST", "/chat/stream", ACCEPTED, data={"question": "  "})
    assert empty.status_code == 422 and empty.headers["content-type"].startswith("text/html")
    assert 'role="alert"' in empty.text and "type a question" in empty.text
    unknown = call(
        shared_services, "POST", "/chat/stream", ACCEPTED, data={"question": "hi", "conversation_id": "nope"}
    )
    assert unknown.status_code == 404 and "conversation" in unknown.text


def test_without_the_notices_read_nothing_is_answered(shared_services: Services) -> None:
    before = shared_services.audit.count()
    response = call(
        shared_services, "POST", "/chat/stream", {}, data={"question": "How do I renew my passport?"}
    )
    assert response.status_code == 403 and "notices" in response.text
    assert shared_services.audit.count() == before


def test_whole_answers_are_remembered_and_turn_streaming_off(shared_services: Services) -> None:
    default = call(shared_services, "GET", "/", ACCEPTED)
    assert 'data-stream="/chat/stream"' in default.text
    assert 'href="/answers?show=whole"' in default.text
    chosen = call(shared_services, "GET", "/answers?show=whole", ACCEPTED)
    assert chosen.status_code == 303 and chosen.headers["location"] == "/"
    assert f"{ANSWERS_COOKIE}=whole" in chosen.headers["set-cookie"]
    whole = call(shared_services, "GET", "/", {**ACCEPTED, ANSWERS_COOKIE: "whole"})
    assert "data-stream" not in whole.text and 'hx-post="/chat"' in whole.text
    assert 'href="/answers?show=stream"' in whole.text
    ignored = call(shared_services, "GET", "/answers?show=sideways", ACCEPTED)
    assert ignored.status_code == 303 and "set-cookie" not in ignored.headers
