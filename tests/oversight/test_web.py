"""The web side of oversight: POST /api/v1/escalations, and the kill switch on /healthz and /transparency."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from kaifong.language.messages import message
from kaifong.oversight import StaffDesk, flip
from kaifong.oversight.escalations import MAX_NOTE_CHARS
from kaifong.services import Services
from kaifong.testing.fakes import ScriptedBackend
from kaifong.web import create_app
from tests.oversight.helpers import DRIVING, IMMIGRATION, ask, raw_log


def call(services: Services, method: str, path: str, **kwargs: Any) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(services=services))
        async with httpx.AsyncClient(transport=transport, base_url="http://kaifong.test") as client:
            return await client.request(method, path, **kwargs)

    return asyncio.run(go())


def test_talk_to_a_person_queues_the_conversation_once(
    oversight: Services, backend: ScriptedBackend, desk: StaffDesk
) -> None:
    backend.queue("Send form TD63 to the Transport Department.")
    conversation = ask(oversight, DRIVING).conversation_id
    body = {"conversation_id": conversation, "note": "請打 91234567 搵我"}
    first = call(oversight, "POST", "/api/v1/escalations", json=body, headers={"accept-language": "zh-HK"})
    assert first.status_code == 201
    data = first.json()
    assert (data["status"], data["new"], data["redacted"]) == ("open", True, ["PHONE"])
    assert data["message"] == message("escalation.received", "zh-Hant", case_id=data["escalation_id"])
    again = call(oversight, "POST", "/api/v1/escalations", json={"conversation_id": conversation})
    assert again.status_code == 200
    assert (again.json()["escalation_id"], again.json()["new"]) == (data["escalation_id"], False)
    assert "1823" in again.json()["message"]
    (listed,) = desk.list("alice")
    case = desk.show("alice", listed.id).case
    assert case.reason == "resident_request" and "[PHONE]" in case.note
    assert "91234567" not in raw_log(oversight)


def test_a_claimed_case_is_reported_as_claimed(oversight: Services, desk: StaffDesk) -> None:
    conversation = ask(oversight, IMMIGRATION).conversation_id
    (case,) = desk.list("alice")
    desk.claim("alice", case.id)
    response = call(oversight, "POST", "/api/v1/escalations", json={"conversation_id": conversation})
    assert response.status_code == 200 and response.json()["status"] == "claimed"


@pytest.mark.parametrize(
    ("content", "status", "code", "needle"),
    [
        (b"\xff\xfe", 400, "not_utf8", "not UTF-8"),
        (b'{"conversation_id": ', 400, "invalid_json", "not JSON, line 1"),
        (b"[]", 422, "invalid_request", "conversation_id is missing"),
        (b'{"conversation_id": 5}', 422, "invalid_request", "conversation_id is missing"),
        (b'{"conversation_id": "CONVERSATION", "note": 5}', 422, "invalid_request", "note must be text"),
        (b'{"conversation_id": "no-such-id"}', 404, "unknown_conversation", "Ask your question again"),
        (
            b'{"conversation_id": "CONVERSATION", "note": "' + b"x" * (MAX_NOTE_CHARS + 1) + b'"}',
            422,
            "note_too_long",
            f"{MAX_NOTE_CHARS + 1} characters long; the limit is {MAX_NOTE_CHARS}",
        ),
    ],
)
def test_bad_requests_say_what_to_send_and_queue_nothing(
    oversight: Services, desk: StaffDesk, content: bytes, status: int, code: str, needle: str
) -> None:
    conversation = ask(oversight, DRIVING).conversation_id
    content = content.replace(b"CONVERSATION", conversation.encode())
    response = call(
        oversight,
        "POST",
        "/api/v1/escalations",
        content=content,
        headers={"content-type": "application/json"},
    )
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code and needle in error["message"]
    assert desk.list("alice") == []


def test_errors_follow_the_callers_language(oversight: Services) -> None:
    response = call(
        oversight,
        "POST",
        "/api/v1/escalations?lang=yue-Hant",
        json={"conversation_id": "no-such-id"},
    )
    assert response.json()["error"]["message"] == message("escalation.error.unknown_conversation", "yue-Hant")


def test_health_and_transparency_show_the_kill_switch(oversight: Services) -> None:
    assert call(oversight, "GET", "/healthz").json()["kill_switch"] == {"on": False, "since": None}
    page = call(oversight, "GET", "/transparency?lang=en").text
    assert message("ui.transparency.kill_switch_off", "en") in page
    assert message("ui.transparency.escalations", "en") in page
    flip(oversight.engine, oversight.audit, engaged=True, reason="incident 7", operator="ops")
    health = call(oversight, "GET", "/healthz").json()
    assert health["status"] == "ok" and health["kill_switch"]["on"] is True
    since = health["kill_switch"]["since"]
    facts = call(oversight, "GET", "/api/v1/transparency").json()
    assert facts["kill_switch"] == {"on": True, "since": since}
    assert facts["human_review"]["escalation_queue"] is True
    page = call(oversight, "GET", "/transparency?lang=yue-Hant").text
    assert message("ui.transparency.kill_switch_on", "yue-Hant", since=since) in page
    assert "incident 7" not in page and "incident 7" not in str(health)


def test_the_answer_api_gives_the_fixed_reply_while_the_switch_is_on(
    oversight: Services, backend: ScriptedBackend
) -> None:
    flip(oversight.engine, oversight.audit, engaged=True, reason="incident 7", operator="ops")
    backend.queue("A draft that must never be shown.")
    response = call(oversight, "POST", "/api/v1/answers", json={"question": "怎样续期驾驶执照？"})
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "escalated_kill_switch" and data["citations"] == []
    assert data["escalation"]["phone"] == "1823" and "1823" in data["answer"]
    assert backend.calls == []
