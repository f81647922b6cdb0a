"""The JSON API and its errors, over a real app and a real SQLite file (httpx against the ASGI app)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from kaifong.services import Services
from kaifong.web import create_app


def call(services: Services, method: str, path: str, **kwargs: Any) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(services=services))
        async with httpx.AsyncClient(transport=transport, base_url="http://kaifong.test") as client:
            return await client.request(method, path, **kwargs)

    return asyncio.run(go())


def test_answer_has_the_documented_fields(shared_services: Services) -> None:
    response = call(shared_services, "POST", "/api/v1/answers", json={"question": "怎样申请公屋？"})
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "answered"
    assert (data["language"], data["script"], data["code_switched"]) == ("zh", "Hans", False)
    assert data["citations"][0].keys() == {"title", "url", "department", "reviewed"}
    assert data["escalation"]["phone"]
    assert data["conversation_id"]


def test_follow_up_in_a_conversation(shared_services: Services) -> None:
    first = call(
        shared_services, "POST", "/api/v1/answers", json={"question": "How do I renew my driving licence?"}
    )
    conversation = first.json()["conversation_id"]
    second = call(
        shared_services,
        "POST",
        "/api/v1/answers",
        json={"question": "How much does it cost?", "conversation_id": conversation},
    )
    assert second.status_code == 200
    assert second.json()["citations"][0]["title"] == first.json()["citations"][0]["title"]


@pytest.mark.parametrize(
    ("body", "headers", "status", "code", "fragment"),
    [
        (b"{not json", {}, 400, "invalid_json", "not valid JSON"),
        (b'{"question": "\xff\xfe"}', {}, 400, "not_utf8", "UTF-8"),
        (b"[1, 2]", {}, 422, "invalid_request", "expected an object"),
        (b"{}", {}, 422, "bad_question", "must be text"),
        (b'{"question": 12}', {}, 422, "bad_question", "must be text"),
        (b'{"question": "   "}', {"accept-language": "zh-HK"}, 422, "bad_question", "請先輸入問題"),
        (b'{"question": "   "}', {"accept-language": "yue"}, 422, "bad_question", "請先打個問題"),
        (b'{"question": "x", "conversation_id": 7}', {}, 422, "invalid_request", "conversation_id"),
        (b'{"question": "hi", "conversation_id": "nope"}', {}, 404, "unknown_conversation", "conversation"),
    ],
)
def test_bad_requests_get_a_clear_4xx(
    shared_services: Services, body: bytes, headers: dict[str, str], status: int, code: str, fragment: str
) -> None:
    response = call(
        shared_services,
        "POST",
        "/api/v1/answers",
        content=body,
        headers={"content-type": "application/json", **headers},
    )
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert fragment in error["message"]


def test_too_long_question_is_refused_in_its_own_language(shared_services: Services) -> None:
    response = call(shared_services, "POST", "/api/v1/answers", json={"question": "點樣申請公屋？" * 400})
    assert response.status_code == 422
    assert "上限係 2000" in response.json()["error"]["message"]


def test_unknown_path_is_a_clear_404(shared_services: Services) -> None:
    response = call(shared_services, "GET", "/no/such/page")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_openapi_describes_the_answer_endpoint(shared_services: Services) -> None:
    spec = call(shared_services, "GET", "/openapi.json").json()
    operation = spec["paths"]["/api/v1/answers"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert "question" in schema["properties"]
    assert {"200", "400", "404", "422"} <= set(operation["responses"])


def test_health_reports_the_knowledge_base(shared_services: Services) -> None:
    data = call(shared_services, "GET", "/healthz").json()
    assert data["status"] == "ok"
    assert data["knowledge"]["topics"] >= 60
