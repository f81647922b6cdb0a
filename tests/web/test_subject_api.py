"""Self-service export and erasure over the JSON API, with the subject token (GOV-06, AUD-04)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from kaifong.governance.retention import DAY, purge
from kaifong.services import Services
from kaifong.store.tables import audit_events
from kaifong.web import create_app


def calls(services: Services, *requests: tuple[str, str, dict[str, Any]]) -> list[httpx.Response]:
    async def go() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=create_app(services=services))
        async with httpx.AsyncClient(transport=transport, base_url="http://kaifong.test") as client:
            return [await client.request(method, path, **kwargs) for method, path, kwargs in requests]

    return asyncio.run(go())


def ask(services: Services, question: str, **extra: object) -> dict[str, Any]:
    (response,) = calls(services, ("POST", "/api/v1/answers", {"json": {"question": question, **extra}}))
    assert response.status_code == 200
    data: dict[str, Any] = response.json()
    return data


def events(services: Services, kind: str) -> list[dict[str, Any]]:
    with services.engine.connect() as conn:
        rows = conn.execute(select(audit_events.c.payload).where(audit_events.c.kind == kind)).all()
    return [json.loads(r.payload) for r in rows]


def test_the_first_answer_carries_a_token_and_follow_ups_do_not(shared_services: Services) -> None:
    first = ask(shared_services, "How do I renew my driving licence?")
    token = first["subject_token"]
    assert token.startswith("kfs_") and token != first["conversation_id"]
    follow = ask(shared_services, "How much does it cost?", conversation_id=first["conversation_id"])
    assert follow["subject_token"] is None


def test_export_by_body_or_bearer_returns_the_turns_and_is_audited_with_ids_only(services: Services) -> None:
    first = ask(services, "我嘅電話係91234567，點樣續領駕駛執照？")
    ask(services, "要幾多錢？", conversation_id=first["conversation_id"])
    token = first["subject_token"]
    by_body, by_header = calls(
        services,
        ("POST", "/api/v1/subject/export", {"json": {"token": token}}),
        ("POST", "/api/v1/subject/export", {"headers": {"authorization": f"Bearer {token}"}}),
    )
    assert by_body.status_code == by_header.status_code == 200
    assert by_body.headers["cache-control"] == "no-store"
    document = by_body.json()
    assert document["conversation_id"] == first["conversation_id"]
    assert [t["question"] for t in document["turns"]] == [
        "我嘅電話係[PHONE]，點樣續領駕駛執照？",
        "要幾多錢？",
    ]
    assert document["turns"][0]["answer"] == first["answer"]
    assert document["turns"][0]["status"] == "answered"
    assert document["turns"][0]["citations"] == ["driving-licence-renewal"]
    assert document["turns"][0]["time"].endswith("Z")
    assert "91234567" not in by_body.text and token not in by_body.text
    exports = events(services, "subject_export")
    assert [e["conversation_id"] for e in exports] == [first["conversation_id"]] * 2
    assert set(exports[0]) == {"conversation_id", "turns", "channel"}


def test_erase_shreds_the_conversation_and_the_audit_log_still_verifies(services: Services) -> None:
    first = ask(services, "How do I renew my driving licence?")
    token, conversation_id = first["subject_token"], first["conversation_id"]
    erased, again, follow = calls(
        services,
        ("POST", "/api/v1/subject/erase", {"json": {"token": token}}),
        ("POST", "/api/v1/subject/export", {"json": {"token": token}}),
        ("POST", "/api/v1/answers", {"json": {"question": "How much?", "conversation_id": conversation_id}}),
    )
    assert erased.status_code == 200
    assert erased.json()["erased"] == {
        "conversation_id": conversation_id,
        "turns": 1,
        "escalations": 0,
        "key_destroyed": True,
    }
    assert again.status_code == 410 and again.json()["error"]["code"] == "token_erased"
    assert follow.status_code == 404
    assert services.audit.verify(services.signer.public_key).ok
    (event,) = events(services, "subject_erase")
    assert event == {
        "conversation_id": conversation_id,
        "turns": 1,
        "escalations": 0,
        "key_destroyed": True,
        "channel": "api",
    }


@pytest.mark.parametrize(
    ("accept", "fragment"),
    [
        ("en", "not known here"),
        ("zh-HK", "找不到這個對話密鑰"),
        ("zh-CN", "找不到这个对话密钥"),
        ("yue", "搵唔到呢條對話密碼匙"),
    ],
)
def test_a_wrong_token_is_a_401_in_the_clients_language(
    shared_services: Services, accept: str, fragment: str
) -> None:
    (response,) = calls(
        shared_services,
        (
            "POST",
            "/api/v1/subject/export",
            {"json": {"token": "kfs_" + "A" * 32}, "headers": {"accept-language": accept}},
        ),
    )
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "token_unknown"
    assert fragment in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({}, 401, "token_missing"),
        ({"json": {"token": ""}}, 401, "token_missing"),
        ({"json": {"token": "not a token"}}, 401, "token_unknown"),
        ({"json": {"token": 7}}, 422, "invalid_request"),
        ({"json": ["kfs_x"]}, 422, "invalid_request"),
        ({"content": b"{oops"}, 400, "invalid_json"),
        ({"content": b'{"token": "\xff"}'}, 400, "not_utf8"),
        ({"headers": {"authorization": "Basic abc"}}, 401, "token_missing"),
    ],
)
def test_bad_requests_say_what_is_wrong(
    shared_services: Services, kwargs: dict[str, Any], status: int, code: str
) -> None:
    (response,) = calls(shared_services, ("POST", "/api/v1/subject/erase", kwargs))
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_an_expired_conversation_is_410_and_says_so(services: Services) -> None:
    token = ask(services, "How do I renew my driving licence?")["subject_token"]
    later = services.settings.retention.conversation_days * DAY + 3600
    assert purge(services, now=time.time() + later).conversations == 1
    (response,) = calls(
        services,
        ("POST", "/api/v1/subject/export", {"json": {"token": token}, "headers": {"accept-language": "yue"}}),
    )
    assert response.status_code == 410
    assert response.json()["error"] == {
        "code": "token_expired",
        "message": "呢段對話喺保存期完咗嗰陣已經自動刪除咗，所以冇嘢可以下載或者刪除。",
    }


@pytest.mark.parametrize(
    "body",
    [
        b'{"question": "\\ud800"}',
        b'{"question": "How do I renew my passport \\udc00?"}',
        b'{"question": "\\ud83d"}',
    ],
)
def test_lone_surrogates_get_an_answer_or_a_clear_4xx_never_a_500(
    shared_services: Services, body: bytes
) -> None:
    (response,) = calls(
        shared_services,
        ("POST", "/api/v1/answers", {"content": body, "headers": {"content-type": "application/json"}}),
    )
    assert response.status_code == 200 or 400 <= response.status_code < 500, response.text
    data = response.json()
    assert data.get("status") or data["error"]["message"]
    if response.status_code == 200 and data["subject_token"]:
        (export,) = calls(
            shared_services, ("POST", "/api/v1/subject/export", {"json": {"token": data["subject_token"]}})
        )
        assert export.status_code == 200


def test_openapi_documents_the_self_service_endpoints_and_the_token_field(shared_services: Services) -> None:
    (response,) = calls(shared_services, ("GET", "/openapi.json", {}))
    spec = response.json()
    for path in ("/api/v1/subject/export", "/api/v1/subject/erase"):
        operation = spec["paths"][path]["post"]
        assert {"200", "401", "410"} <= set(operation["responses"]), path
        assert "token" in json.dumps(operation["requestBody"])
    assert "subject_token" in spec["components"]["schemas"]["AnswerResponse"]["properties"]
    assert not any(p.startswith("/my-conversation") for p in spec["paths"])
