"""Translation through the real OpenAI-compatible backend against the scripted model server over HTTP."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from kaifong.backends.base import BackendError
from kaifong.backends.openai_compatible import OpenAICompatibleBackend
from kaifong.services import Services
from kaifong.settings import LLMSettings
from kaifong.testing.llm_server import LLMTestServer, http_error
from kaifong.tools.translate import TextGenerator, translate


@pytest.fixture
def server() -> Iterator[LLMTestServer]:
    with LLMTestServer() as running:
        yield running


def backend(server: LLMTestServer) -> OpenAICompatibleBackend:
    settings = LLMSettings(
        backend="openai-compatible",
        base_url=server.base_url,
        model="test-model",
        api_key=SecretStr("sk-test-0123456789"),
        backoff_s=0.001,
        timeout_s=2.0,
        max_retries=1,
    )
    return OpenAICompatibleBackend(settings)


def test_the_http_backend_translates_and_never_sees_personal_data(
    server: LLMTestServer, shared_services: Services
) -> None:
    model = backend(server)
    assert isinstance(model, TextGenerator)
    server.queue(json.dumps(["請致電[[T1]]，電話 [PHONE_1]。"], ensure_ascii=False))
    result = asyncio.run(
        translate("Call the Labour Department on 2717 1771.", "zh-Hant", shared_services, generator=model)
    )
    assert result.text == "請致電勞工處，電話 2717 1771。"
    sent = json.dumps([r.json for r in server.chat_requests], ensure_ascii=False)
    assert "2717" not in sent and "Labour Department" not in sent
    assert "[[T1]]" in sent and "[PHONE_1]" in sent
    assert result.backend.startswith("openai-compatible")


def test_a_failing_model_server_is_a_backend_error(server: LLMTestServer, shared_services: Services) -> None:
    server.queue(http_error(500), http_error(500))
    with pytest.raises(BackendError):
        asyncio.run(
            translate("Hello there, neighbour.", "zh-Hant", shared_services, generator=backend(server))
        )


def test_a_garbled_reply_falls_back_to_segment_by_segment(
    server: LLMTestServer, shared_services: Services
) -> None:
    server.queue("Sure! Here it is: 你好", json.dumps(["你好，鄰居。"], ensure_ascii=False))
    result = asyncio.run(
        translate("Hello there, neighbour.", "zh-Hant", shared_services, generator=backend(server))
    )
    assert result.text == "你好，鄰居。"
