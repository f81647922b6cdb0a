"""/v1 in front of a model: the openai-compatible backend and the test model server, end to end over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from kaifong.services import Services, build_services
from kaifong.settings import LLMSettings
from kaifong.testing.llm_server import LLMTestServer, reply, truncated
from kaifong.web import create_app
from tests.conftest import make_settings
from tests.web.test_openai_client import kaifong_extension, serving

QUESTION = "How do I renew my driving licence?"
CITED = "Renew it online or at a licensing office [1]. Bring your identity card [1]."


@pytest.fixture
def model() -> Iterator[LLMTestServer]:
    with LLMTestServer() as server:
        yield server


@pytest.fixture
def client(model: LLMTestServer, tmp_path: Path) -> Iterator[tuple[openai.OpenAI, Services]]:
    llm = LLMSettings(backend="openai-compatible", base_url=model.base_url, model="test-model", max_retries=0)
    services = build_services(make_settings(tmp_path, llm=llm))
    http = httpx.Client(trust_env=False, timeout=30)
    try:
        with (
            serving(create_app(services=services)) as url,
            openai.OpenAI(base_url=f"{url}/v1", api_key="unused", max_retries=0, http_client=http) as made,
        ):
            yield made, services
    finally:
        services.close()


def ask_streamed(client: openai.OpenAI) -> tuple[str, dict[str, Any]]:
    text, extension = "", {}
    for chunk in client.chat.completions.create(
        model="kaifong", messages=[{"role": "user", "content": QUESTION}], stream=True
    ):
        text += "".join(choice.delta.content or "" for choice in chunk.choices)
        if chunk.choices and chunk.choices[0].finish_reason:
            extension = kaifong_extension(chunk)
    return text, extension


def test_the_models_cited_answer_streams_through_with_its_sources(
    model: LLMTestServer, client: tuple[openai.OpenAI, Services]
) -> None:
    model.queue(reply(CITED))
    text, extension = ask_streamed(client[0])
    assert extension["status"] == "answered"
    assert extension["answer"] == CITED
    assert text.startswith(CITED) and "Sources:\n[1] " in text
    assert extension["receipt"]["backend"] == "openai-compatible"
    sent = model.chat_requests[0].json
    assert sent["stream"] is True and QUESTION in str(sent["messages"])


def test_an_answer_without_citations_is_the_no_source_reply(
    model: LLMTestServer, client: tuple[openai.OpenAI, Services]
) -> None:
    model.queue(reply("Just go to any office, it is easy."))
    text, extension = ask_streamed(client[0])
    assert extension["status"] == "no_sources"
    assert "any office" not in text and "1823" in text


def test_a_model_stream_cut_short_falls_back_to_the_official_text(
    model: LLMTestServer, client: tuple[openai.OpenAI, Services]
) -> None:
    model.queue(truncated(CITED, after=3, abrupt=True))
    text, extension = ask_streamed(client[0])
    assert extension["status"] == "answered_fallback"
    assert "Here is what the official source says" in text
    assert extension["citations"]
