"""Smoke test against a real OpenAI-compatible model server: runs only when KAIFONG_TEST_LLM_URL is set.

``KAIFONG_TEST_LLM_URL`` is the server's API root (e.g. ``http://127.0.0.1:8089/v1``); the model name is
``KAIFONG_TEST_LLM_MODEL`` or the first one the server lists. ``make smoke-llm`` builds llama.cpp's server
with SmolLM2-135M-Instruct and runs this file. It proves the HTTP path (whole and streamed answers, the
pipeline with its guards and audit) against a real server, not answer quality: a model this small rarely
cites, so an answer may end as the no-source reply, which is also a correct outcome.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kaifong.backends.base import Completion, CompletionRequest
from kaifong.backends.openai_compatible import OpenAICompatibleBackend
from kaifong.pipeline import answer
from kaifong.services import Services, build_services
from kaifong.settings import LLMSettings
from kaifong.testing import make_passage
from kaifong.types import Detection, ScoredPassage
from tests.conftest import make_settings

URL = os.environ.get("KAIFONG_TEST_LLM_URL", "")
pytestmark = pytest.mark.skipif(not URL, reason="set KAIFONG_TEST_LLM_URL to a model server's API root")

PASSAGES = tuple(
    ScoredPassage(p, score=1.0, coverage=1.0)
    for p in (
        make_passage(
            "dl:en", "Fill in form TD63 and pay the fee at a licensing office.", heading="How to renew"
        ),
        make_passage("dl:en", "You can renew up to 4 months before expiry.", heading="When", position=1),
    )
)
REQUEST = CompletionRequest("How do I renew my driving licence?", Detection("en", "Latn"), PASSAGES)


@pytest.fixture(scope="module")
def llm() -> LLMSettings:
    model = os.environ.get("KAIFONG_TEST_LLM_MODEL", "")
    if not model:
        listed = httpx.get(f"{URL.rstrip('/')}/models", timeout=10).json()
        model = listed["data"][0]["id"]
    return LLMSettings(
        backend="openai-compatible", base_url=URL, model=model, timeout_s=120, max_tokens=128, max_retries=0
    )


@pytest.fixture(scope="module")
def services(llm: LLMSettings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    built = build_services(make_settings(Path(tmp_path_factory.mktemp("smoke")), llm=llm))
    yield built
    built.close()


def test_a_real_server_answers_whole(llm: LLMSettings) -> None:
    completion = asyncio.run(OpenAICompatibleBackend(llm).complete(REQUEST))
    assert completion.text.strip()
    assert completion.prompt_id == "grounded-en-v1"
    assert set(completion.cited_doc_ids) <= {"dl:en"}


def test_a_real_server_streams(llm: LLMSettings) -> None:
    async def collect() -> list[Completion]:
        return [delta async for delta in OpenAICompatibleBackend(llm).stream(REQUEST)]

    deltas = asyncio.run(collect())
    assert "".join(d.text for d in deltas).strip()
    assert all(set(d.cited_doc_ids) <= {"dl:en"} for d in deltas)


def test_the_pipeline_answers_through_a_real_server(services: Services) -> None:
    result = asyncio.run(answer("How do I renew my driving licence?", services))
    # a model this small may not cite: then the no-source reply (GOV-11) is the right outcome
    assert result.status in {"answered", "no_sources"}
    assert result.text
    assert services.audit.verify().ok
