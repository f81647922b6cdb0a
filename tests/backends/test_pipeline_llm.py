"""The whole pipeline with the OpenAI-compatible backend over HTTP (test server, bundled knowledge base, real
SQLite): grounded answers, register prompts, citation stripping, output guards, fallback and its audit."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kaifong.backends.openai_compatible import OpenAICompatibleBackend
from kaifong.pipeline import answer
from kaifong.services import Services, build_services
from kaifong.settings import LLMSettings
from kaifong.store.tables import audit_events
from kaifong.testing.llm_server import (
    LLMTestServer,
    garbage,
    http_error,
    malformed_json,
    reply,
    timeout,
    truncated,
)
from kaifong.types import Answer
from kaifong.web.app import create_app
from tests.conftest import make_settings

DRIVING = "How do I renew my driving licence?"
CANTONESE = "點樣續領車牌？"
SECRET = "sk-pipeline-secret-42"


def llm_settings(server: LLMTestServer, **overrides: object) -> LLMSettings:
    values: dict[str, object] = {
        "backend": "openai-compatible",
        "base_url": server.base_url,
        "model": "test-model",
        "api_key": SECRET,
        "max_retries": 1,
        "backoff_s": 0.001,
        "timeout_s": 0.5,
        "circuit_failures": 100,
    }
    values.update(overrides)
    return LLMSettings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def server() -> Iterator[LLMTestServer]:
    with LLMTestServer() as running:
        yield running


@pytest.fixture(scope="module")
def llm_services(server: LLMTestServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """Services built from settings that name the test server (the registry path), shared by the module."""
    built = build_services(make_settings(tmp_path_factory.mktemp("llm"), llm=llm_settings(server)))
    yield built
    built.close()


@pytest.fixture(autouse=True)
def fresh(server: LLMTestServer, llm_services: Services) -> Iterator[None]:
    """Each test starts with an empty request record and a closed breaker."""
    server.requests.clear()
    llm_services.backend = OpenAICompatibleBackend(llm_services.settings.llm)
    yield
    assert server.remaining == 0, "a test queued replies it did not use"


def ask(services: Services, question: str) -> Answer:
    return asyncio.run(answer(question, services))


def events(services: Services, kind: str) -> list[dict[str, object]]:
    with services.engine.connect() as conn:
        rows = conn.execute(
            select(audit_events).where(audit_events.c.kind == kind).order_by(audit_events.c.seq)
        )
        return [json.loads(row.payload) for row in rows]


def test_services_built_from_settings_use_the_model_server_and_keep_its_key_secret(
    llm_services: Services, server: LLMTestServer
) -> None:
    assert llm_services.backend.name == "openai-compatible"
    assert llm_services.fallback is not None and llm_services.fallback.name == "extractive"
    server.queue("Fill in the form [1].")
    ask(llm_services, DRIVING)
    assert server.requests[0].headers["authorization"] == f"Bearer {SECRET}"
    with llm_services.engine.connect() as conn:
        payloads = [row.payload for row in conn.execute(select(audit_events))]
    assert payloads and not any(SECRET in payload for payload in payloads)  # the key never reaches the log


def test_an_answer_is_written_by_the_model_and_cites_the_retrieved_document(
    llm_services: Services, server: LLMTestServer
) -> None:
    server.queue("1. Fill in form TD 63 [1].\n2. Pay the fee [1]. Details: https://evil.example/ [7]")
    result = ask(llm_services, DRIVING)
    assert result.status == "answered"
    assert result.text.startswith("1. Fill in form TD 63 [1].\n2. Pay the fee [1]. Details:")
    assert "evil" not in result.text and "[7]" not in result.text
    assert result.citations[0].topic == "driving-licence-renewal"
    (sent,) = server.requests
    user = sent.json["messages"][1]["content"]
    assert "[1] " in user and DRIVING in user
    composed = events(llm_services, "compose_answer")[-1]
    assert composed["backend"] == "openai-compatible"
    assert composed["prompt"] == "grounded-en-v1"
    assert result.receipt is not None


@pytest.mark.parametrize(
    ("question", "prompt_id"),
    [
        (CANTONESE, "grounded-yue-v1"),
        ("如何續領駕駛執照？", "grounded-zh-v1"),
        ("怎样续领驾驶执照？", "grounded-zh-hans-v1"),
    ],
)
def test_the_prompt_follows_the_residents_register(
    llm_services: Services, server: LLMTestServer, question: str, prompt_id: str
) -> None:
    server.queue("遞交表格[1]。")
    result = ask(llm_services, question)
    assert result.status == "answered"
    system = server.requests[0].json["messages"][0]["content"]
    assert system.startswith(
        {"grounded-yue-v1": "你係", "grounded-zh-v1": "你是", "grounded-zh-hans-v1": "你是"}[prompt_id]
    )
    assert events(llm_services, "compose_answer")[-1]["prompt"] == prompt_id
    if prompt_id == "grounded-zh-hans-v1":
        assert "递交表格[1]" in result.text  # put in the question's script


def test_a_draft_that_cites_nothing_gets_the_no_source_reply(
    llm_services: Services, server: LLMTestServer
) -> None:
    server.queue("Just go to any office, it is easy.")
    result = ask(llm_services, DRIVING)
    assert result.status == "no_sources"  # GOV-11: no fallback for an answer that cites nothing
    assert result.citations == ()
    assert "any office" not in result.text


def test_output_guards_redact_personal_data_the_model_writes(
    llm_services: Services, server: LLMTestServer
) -> None:
    server.queue("Send it to chan.taiman@example.com or call 9123 4567 [1].")
    result = ask(llm_services, DRIVING)
    assert result.status == "answered"
    assert "chan.taiman@example.com" not in result.text and "9123 4567" not in result.text
    assert "EMAIL" in events(llm_services, "check_output")[-1]["pii_removed"]


@pytest.mark.parametrize(
    ("faults", "reason"),
    [
        ([http_error(500), http_error(503)], "http_503"),
        ([timeout(3.0)], "timeout"),
        ([malformed_json()], "malformed"),
        ([garbage()], "garbage"),
        ([truncated("Fill in form [1]", abrupt=True)], "truncated"),
    ],
)
def test_a_failing_model_falls_back_to_the_extractive_answer_and_is_audited(
    llm_services: Services, server: LLMTestServer, faults: list[object], reason: str
) -> None:
    server.queue(*faults)  # type: ignore[arg-type]
    result = ask(llm_services, DRIVING)
    assert result.status == "answered_fallback"
    assert result.citations[0].topic == "driving-licence-renewal"
    assert result.text and "Sorry" not in result.text  # the answer itself, not a canned reply
    assert result.receipt is not None
    assert (result.receipt["status"], result.receipt["backend"]) == ("answered_fallback", "extractive")
    fell_back = events(llm_services, "backend_fallback")[-1]
    assert fell_back == {
        "backend": "openai-compatible",
        "version": "1",
        "reason": reason,
        "fallback": "extractive",
    }
    composed = events(llm_services, "compose_answer")[-1]
    assert composed["backend"] == "extractive"
    assert "prompt" not in composed
    sent = events(llm_services, "answer_sent")[-1]
    assert sent["status"] == "answered_fallback"
    assert llm_services.audit.verify().ok


def test_a_down_server_opens_the_breaker_and_later_answers_fall_back_at_once(
    llm_services: Services, server: LLMTestServer
) -> None:
    llm_services.backend = OpenAICompatibleBackend(llm_settings(server, circuit_failures=1, max_retries=0))
    server.queue(http_error(500))
    assert ask(llm_services, DRIVING).status == "answered_fallback"
    assert ask(llm_services, DRIVING).status == "answered_fallback"
    assert [e["reason"] for e in events(llm_services, "backend_fallback")[-2:]] == [
        "http_500",
        "circuit_open",
    ]
    assert len(server.requests) == 1  # the open breaker did not call the server again


def test_with_the_fallback_off_a_failing_model_gets_the_error_reply(
    server: LLMTestServer, tmp_path: Path
) -> None:
    services = build_services(
        make_settings(tmp_path, llm=llm_settings(server, fallback="none", max_retries=0))
    )
    try:
        assert services.fallback is None
        server.queue(http_error(500))
        result = ask(services, DRIVING)
        assert result.status == "error_backend"
        assert result.citations == ()
        failed = events(services, "compose_answer")[-1]
        assert (failed["backend"], failed["reason"]) == ("openai-compatible", "http_500")
    finally:
        services.close()


def test_the_transparency_page_names_the_model_and_where_it_runs(
    llm_services: Services, server: LLMTestServer
) -> None:
    async def get(path: str) -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(services=llm_services))
        async with httpx.AsyncClient(transport=transport, base_url="http://kaifong.test") as client:
            return await client.get(path)

    raw = asyncio.run(get("/api/v1/transparency")).text
    facts = json.loads(raw)
    assert facts["backend"] == {
        "name": "openai-compatible",
        "version": "1",
        "model": "test-model",
        "local": False,
        "runs": f"127.0.0.1:{server.port}",
    }
    assert facts["fallback_backend"] == "extractive"
    page = asyncio.run(get("/transparency")).text
    assert f"127.0.0.1:{server.port}" in page and "test-model" in page
    assert SECRET not in page and SECRET not in raw


def test_the_server_keeps_its_model_connection_alive_between_answers_and_closes_it_at_shutdown(
    llm_services: Services, server: LLMTestServer
) -> None:
    server.default = reply("1. Fill in form TD 63 [1].\n2. Pay the fee [1].", chunk_chars=5)
    body = {"model": "kaifong", "messages": [{"role": "user", "content": DRIVING}]}
    try:
        with TestClient(create_app(services=llm_services)) as client:  # the lifespan runs
            statuses = []
            for stream in (True, False, True):
                response = client.post("/v1/chat/completions", json={**body, "stream": stream})
                kaifong = (
                    json.loads(response.text.split("data: ")[-2])["kaifong"]
                    if stream
                    else response.json()["kaifong"]
                )
                statuses.append(kaifong["status"])
    finally:
        server.default = None
    assert statuses == ["answered"] * 3
    assert len({r.peer for r in server.chat_requests}) == 1  # one kept-alive connection, streamed or not
    assert server.chat_requests[0].headers["authorization"] == f"Bearer {SECRET}"
