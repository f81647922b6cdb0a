"""/v1 over the ASGI app and a real SQLite file: shapes, stream chunks, refused requests, disconnects."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from kaifong.services import Services
from kaifong.store.tables import audit_events
from kaifong.web import create_app
from kaifong.web.openai_request import MAX_BODY_BYTES, MAX_MESSAGES
from tests.pipeline.test_streaming import StreamScript

QUESTION = "How do I renew my driving licence?"


def call(services: Services, method: str, path: str, **kwargs: Any) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(services=services))
        async with httpx.AsyncClient(transport=transport, base_url="http://kaifong.test") as client:
            return await client.request(method, path, **kwargs)

    return asyncio.run(go())


def ask(services: Services, body: object, **kwargs: Any) -> httpx.Response:
    return call(services, "POST", "/v1/chat/completions", json=body, **kwargs)


def user(text: str) -> dict[str, str]:
    return {"role": "user", "content": text}


def chunks(response: httpx.Response) -> list[Any]:
    """The data of each server-sent event, JSON-decoded (``[DONE]`` kept as the string)."""
    events = [block for block in response.text.split("\n\n") if block.strip()]
    out: list[Any] = []
    for block in events:
        data = "\n".join(
            line.removeprefix("data: ") for line in block.splitlines() if line.startswith("data: ")
        )
        out.append(data if data == "[DONE]" else json.loads(data))
    return out


def last_request_events(services: Services) -> list[tuple[str, dict[str, Any]]]:
    with services.engine.connect() as conn:
        rows = list(conn.execute(select(audit_events).order_by(audit_events.c.seq)))
    last = rows[-1].request_id
    return [(r.kind, json.loads(r.payload)) for r in rows if r.request_id == last]


def test_models_list_names_kaifong(shared_services: Services) -> None:
    listed = call(shared_services, "GET", "/v1/models").json()
    assert listed["object"] == "list"
    assert [m["id"] for m in listed["data"]] == ["kaifong"]
    assert call(shared_services, "GET", "/v1/models/kaifong").json()["owned_by"] == "kaifong"
    missing = call(shared_services, "GET", "/v1/models/gpt-4o")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "model_not_found"


def test_completion_has_openai_shape_sources_in_text_and_the_kaifong_extension(
    shared_services: Services,
) -> None:
    response = ask(shared_services, {"model": "kaifong", "messages": [user(QUESTION)]})
    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "chat.completion" and body["id"].startswith("chatcmpl-")
    choice = body["choices"][0]
    assert choice["finish_reason"] == "stop" and choice["message"]["role"] == "assistant"
    extension = body["kaifong"]
    assert extension["status"] == "answered"
    assert choice["message"]["content"].startswith(extension["answer"])
    sources = choice["message"]["content"].removeprefix(extension["answer"])
    first = extension["citations"][0]
    assert sources.startswith("\n\nSources:\n[1] ") and first["url"] in sources and first["title"] in sources
    assert extension["label"]["ai_generated"] is True and extension["ai_label"]
    assert extension["receipt"]["signature"] and extension["conversation_id"]
    assert extension["escalation"]["phone"]


def test_sources_heading_follows_the_question_language(shared_services: Services) -> None:
    body = ask(shared_services, {"model": "kaifong", "messages": [user("怎样申请公屋？")]}).json()
    assert "\n\n资料来源：\n[1] " in body["choices"][0]["message"]["content"]


def test_a_stream_is_chunks_of_the_same_answer_ending_with_done(shared_services: Services) -> None:
    response = ask(shared_services, {"model": "kaifong", "stream": True, "messages": [user(QUESTION)]})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    data = chunks(response)
    assert data[-1] == "[DONE]"
    parts = data[:-1]
    assert parts[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert {p["id"] for p in parts} == {parts[0]["id"]} and all(
        p["object"] == "chat.completion.chunk" for p in parts
    )
    final = parts[-1]
    assert final["choices"][0]["finish_reason"] == "stop" and final["choices"][0]["delta"] == {}
    text = "".join(p["choices"][0]["delta"].get("content", "") for p in parts)
    extension = final["kaifong"]
    assert extension["status"] == "answered"
    assert text.startswith(extension["answer"]) and "Sources:" in text.removeprefix(extension["answer"])
    assert len(parts) > 4, "the answer was not streamed in pieces"


def test_a_stream_that_is_refused_sends_the_canned_reply(shared_services: Services) -> None:
    response = ask(shared_services, {"stream": True, "messages": [user("I want to end my life")]})
    data = chunks(response)
    assert data[-2]["kaifong"]["status"] == "signposted_crisis"
    text = "".join(p["choices"][0]["delta"].get("content", "") for p in data[:-1])
    assert "18111" in text


def test_follow_up_by_conversation_id_and_by_earlier_messages(shared_services: Services) -> None:
    first = ask(shared_services, {"messages": [user(QUESTION)]}).json()["kaifong"]
    by_id = ask(
        shared_services,
        {
            "messages": [user("How much does it cost?")],
            "kaifong": {"conversation_id": first["conversation_id"]},
        },
    ).json()["kaifong"]
    stateless = ask(
        shared_services,
        {
            "messages": [
                {"role": "system", "content": "You are a helpful assistant."},
                user(QUESTION),
                {"role": "assistant", "content": first["answer"]},
                user("How much does it cost?"),
            ]
        },
    ).json()["kaifong"]
    topic = first["citations"][0]["title"]
    assert by_id["conversation_id"] == first["conversation_id"]
    assert by_id["citations"][0]["title"] == topic
    assert stateless["citations"][0]["title"] == topic
    assert stateless["conversation_id"] != first["conversation_id"]


def test_earlier_messages_are_redacted_before_they_are_used(shared_services: Services) -> None:
    ask(
        shared_services,
        {"messages": [user("My HKID is A123456(3), how do I renew my driving licence?"), user("How much?")]},
    )
    assert "A123456" not in json.dumps(last_request_events(shared_services))


def test_text_parts_are_read_as_text(shared_services: Services) -> None:
    content = [{"type": "text", "text": "How do I renew"}, {"type": "text", "text": "my driving licence?"}]
    body = ask(shared_services, {"messages": [{"role": "user", "content": content}]}).json()
    assert body["kaifong"]["status"] == "answered"


def deep(levels: int) -> bytes:
    return b'{"messages": ' + b"[" * levels + b"]" * levels + b"}"


BAD_REQUESTS: list[tuple[str, bytes | object, int, str | None, str, str]] = [
    ("invalid JSON", b"{not json", 400, None, "invalid_json", "not valid JSON"),
    ("not UTF-8", b'{"messages": "\xff"}', 400, None, "invalid_json", "UTF-8"),
    ("not an object", [1, 2], 400, None, "invalid_request", "JSON object"),
    ("deeply nested", deep(100_000), 400, None, "invalid_json", "nested too deeply"),
    (
        "nested messages",
        {"messages": [[[[user("hi")]]]]},
        400,
        "messages[0]",
        "invalid_message",
        "not an object",
    ),
    ("huge", {"messages": [user("x" * (MAX_BODY_BYTES + 1))]}, 400, None, "request_too_large", "bytes"),
    (
        "too many",
        {"messages": [user("hi")] * (MAX_MESSAGES + 1)},
        400,
        "messages",
        "too_many_messages",
        f"at most {MAX_MESSAGES}",
    ),
    ("missing messages", {"model": "kaifong"}, 400, "messages", "missing_messages", '"messages" must be'),
    ("empty messages", {"messages": []}, 400, "messages", "missing_messages", "non-empty"),
    (
        "unknown role",
        {"messages": [{"role": "wizard", "content": "hi"}]},
        400,
        "messages[0].role",
        "invalid_role",
        '"wizard"',
    ),
    (
        "tool role",
        {"messages": [{"role": "tool", "content": "42"}]},
        400,
        "messages[0]",
        "tools_not_supported",
        "Tools",
    ),
    (
        "tools",
        {"messages": [user("hi")], "tools": [{"type": "function", "function": {"name": "f"}}]},
        400,
        "tools",
        "tools_not_supported",
        "function calls",
    ),
    (
        "tool calls",
        {"messages": [{"role": "assistant", "content": None, "tool_calls": [{"id": "1"}]}, user("hi")]},
        400,
        "messages[0]",
        "tools_not_supported",
        "Tools",
    ),
    (
        "image",
        {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:,"}}]}]},
        400,
        "messages[0].content",
        "unsupported_content",
        "image",
    ),
    ("n > 1", {"messages": [user("hi")], "n": 2}, 400, "n", "unsupported_n", "n = 2"),
    (
        "number content",
        {"messages": [{"role": "user", "content": 42}]},
        400,
        "messages[0].content",
        "invalid_content",
        "not text",
    ),
    (
        "null content",
        {"messages": [{"role": "user", "content": None}]},
        400,
        "messages[0].content",
        "invalid_content",
        "not text",
    ),
    (
        "object content",
        {"messages": [{"role": "user", "content": {"a": 1}}]},
        400,
        "messages[0].content",
        "invalid_content",
        "string",
    ),
    (
        "last not user",
        {"messages": [user("hi"), {"role": "assistant", "content": "hello"}]},
        400,
        "messages[1].role",
        "invalid_last_message",
        '"user"',
    ),
    (
        "stream not bool",
        {"messages": [user("hi")], "stream": "yes"},
        400,
        "stream",
        "invalid_type",
        "boolean",
    ),
    (
        "json mode",
        {"messages": [user("hi")], "response_format": {"type": "json_object"}},
        400,
        "response_format",
        "unsupported_parameter",
        "response_format",
    ),
    (
        "logprobs",
        {"messages": [user("hi")], "logprobs": True},
        400,
        "logprobs",
        "unsupported_parameter",
        "logprobs",
    ),
    (
        "extension not object",
        {"messages": [user("hi")], "kaifong": "abc"},
        400,
        "kaifong",
        "invalid_type",
        "object",
    ),
    ("empty question", {"messages": [user("   ")]}, 400, "messages", "empty_question", "type a question"),
    ("long question", {"messages": [user("x" * 2001)]}, 400, "messages", "question_too_long", "2001"),
    (
        "unknown model",
        {"model": "gpt-4o", "messages": [user("hi")]},
        404,
        "model",
        "model_not_found",
        "GET /v1/models",
    ),
    (
        "unknown conversation",
        {"messages": [user("hi")], "kaifong": {"conversation_id": "nope"}},
        404,
        "kaifong.conversation_id",
        "unknown_conversation",
        "conversation",
    ),
]


@pytest.mark.parametrize(
    ("case", "body", "status", "param", "code", "fragment"), BAD_REQUESTS, ids=[c[0] for c in BAD_REQUESTS]
)
@pytest.mark.parametrize("stream", [False, True])
def test_bad_requests_get_openai_errors_that_say_what_is_wrong(
    shared_services: Services,
    case: str,
    body: bytes | object,
    status: int,
    param: str | None,
    code: str,
    fragment: str,
    stream: bool,
) -> None:
    if stream and isinstance(body, dict) and "stream" not in body:
        body = {**body, "stream": True}
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    before = shared_services.audit.count()
    response = call(
        shared_services,
        "POST",
        "/v1/chat/completions",
        content=content,
        headers={"content-type": "application/json"},
    )
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error.keys() == {"message", "type", "param", "code"}
    assert (error["param"], error["code"], error["type"]) == (param, code, "invalid_request_error")
    assert fragment in error["message"]
    assert shared_services.audit.count() == before, "a refused request left a record"


def test_errors_follow_accept_language(shared_services: Services) -> None:
    response = ask(shared_services, {"messages": [user("hi")], "n": 3}, headers={"accept-language": "yue"})
    assert "唔支援 n = 3" in response.json()["error"]["message"]


# --- a client that goes away mid-stream -------------------------------------------------------------------


def _scope(body: bytes, spec_version: str) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": spec_version},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/chat/completions",
        "raw_path": b"/v1/chat/completions",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }


@pytest.fixture
def hanging(services: Services) -> Iterator[StreamScript]:
    """A backend that writes one cited sentence, then waits for ever."""
    original = services.backend
    backend = StreamScript([("Renew at a licensing office. ", True), StreamScript.HANG])
    services.backend = backend
    yield backend
    services.backend = original


@pytest.mark.parametrize("spec_version", ["2.3", "2.4"])
def test_a_client_that_disconnects_mid_stream_leaves_a_complete_audit_record(
    services: Services, hanging: StreamScript, spec_version: str
) -> None:
    """ASGI 2.3 servers (uvicorn) say ``http.disconnect``; 2.4 servers raise OSError from ``send``."""
    body = json.dumps({"model": "kaifong", "stream": True, "messages": [user(QUESTION)]}).encode()
    sent: list[bytes] = []

    async def go() -> None:
        gone = asyncio.Event()
        read = False

        async def receive() -> dict[str, Any]:
            nonlocal read
            if not read:
                read = True
                return {"type": "http.request", "body": body, "more_body": False}
            await gone.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if gone.is_set() and spec_version == "2.4":
                raise OSError("connection closed")
            sent.append(message.get("body", b""))
            if b"licensing office" in message.get("body", b""):
                gone.set()

        await asyncio.wait_for(create_app(services=services)(_scope(body, spec_version), receive, send), 10)

    asyncio.run(go())
    assert any(b"licensing office" in piece for piece in sent)
    assert not any(b"[DONE]" in piece for piece in sent)
    record = last_request_events(services)
    kinds = [kind for kind, _ in record]
    assert kinds[:3] == ["sanitise", "detect_language", "check_input"] and "retrieve" in kinds
    assert kinds[-2:] == ["stream_aborted", "answer_sent"]
    payload = dict(record)
    assert payload["answer_sent"]["status"] == "aborted_client"
    assert payload["stream_aborted"]["released_chars"] == len("Renew at a licensing office. ")
    assert hanging.closed == 1
    assert services.audit.verify().ok
