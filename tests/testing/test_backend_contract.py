"""check_backend on our backends in every register, and on broken ones (grounding, register, streams,
hostile questions), which it must catch with a message naming the broken rule."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from kaifong.backends.base import BackendError, Completion, CompletionRequest, LLMBackend
from kaifong.backends.extractive import ExtractiveBackend
from kaifong.backends.openai_compatible import OpenAICompatibleBackend
from kaifong.settings import LLMSettings
from kaifong.testing import ScriptedBackend, check_backend, make_passage
from kaifong.testing.llm_server import LLMTestServer, ServerReply, reply
from kaifong.types import Detection, Passage, ScoredPassage

EN, YUE = Detection("en", "Latn"), Detection("yue", "Hant")
ZH_HANT, ZH_HANS = Detection("zh", "Hant"), Detection("zh", "Hans")
URL = "https://www.td.gov.hk/en/licensing/"
EN_PASSAGES = (
    make_passage("dl:en", "Fill in form TD63 and pay the fee.", heading="How to renew", url=URL),
    make_passage("dl:en", "Renew within 4 months before expiry.", heading="When", position=1, url=URL),
)
ZH_PASSAGES = (
    make_passage(
        "dl:zh", "填妥表格TD63並繳費。", heading="續期方法", title="駕駛執照續期", language="zh-Hant", url=URL
    ),
)


def request(detection: Detection, passages: tuple[Passage, ...], question: str) -> CompletionRequest:
    return CompletionRequest(question, detection, tuple(ScoredPassage(p, 1.0, 1.0) for p in passages))


EN_REQUEST = request(EN, EN_PASSAGES, "How do I renew my driving licence?")
REQUESTS = {
    "en": EN_REQUEST,
    "yue": request(YUE, ZH_PASSAGES, "點樣續車牌？"),
    "zh-Hant": request(ZH_HANT, ZH_PASSAGES, "如何續領駕駛執照？"),
    "zh-Hans": request(ZH_HANS, ZH_PASSAGES, "如何续领驾驶执照？"),
}
#: A register-true model answer per request.
MODEL_ANSWERS = {
    "en": "1. Fill in form TD63 and pay the fee [1].",
    "yue": "1. 填好表格TD63，然後俾錢就得，唔使排隊 [1]。",
    "zh-Hant": "1. 填妥表格TD63並繳費 [1]。",
    "zh-Hans": "1. 填妥表格TD63并缴费 [1]。",
}


@pytest.fixture(scope="module")
def server() -> Iterator[LLMTestServer]:
    with LLMTestServer() as running:
        yield running


@pytest.mark.parametrize("register", list(REQUESTS))
def test_the_extractive_backend_passes_in_every_register(register: str) -> None:
    completion = asyncio.run(check_backend(ExtractiveBackend(), REQUESTS[register]))
    assert completion.cited_doc_ids


@pytest.mark.parametrize("register", list(REQUESTS))
def test_the_openai_compatible_backend_passes_in_every_register(server: LLMTestServer, register: str) -> None:
    server.default = reply(MODEL_ANSWERS[register])
    settings = LLMSettings(backend="openai-compatible", base_url=server.base_url, model="test-model")
    completion = asyncio.run(check_backend(OpenAICompatibleBackend(settings), REQUESTS[register]))
    assert completion.cited_doc_ids == (REQUESTS[register].passages[0].passage.doc_id,)


def test_the_openai_compatible_backend_fails_the_register_check_when_the_model_ignores_it(
    server: LLMTestServer,
) -> None:
    server.default = reply("1. 填妥表格TD63並繳費 [1]。")  # standard Chinese to a Cantonese question
    settings = LLMSettings(backend="openai-compatible", base_url=server.base_url, model="test-model")
    with pytest.raises(AssertionError, match="shows no written Cantonese"):
        asyncio.run(check_backend(OpenAICompatibleBackend(settings), REQUESTS["yue"]))


def test_the_scripted_backend_passes_with_a_reply_for_the_answerable_request() -> None:
    asyncio.run(check_backend(ScriptedBackend(["Fill in form TD63 [1]."]), EN_REQUEST))


class WritesBackend:
    """Answers every request with a fixed text, citing the first passage's document."""

    name = "writes"
    version = "1"

    def __init__(self, text: str, *, cite: bool = True) -> None:
        self.text, self.cite = text, cite

    async def complete(self, request: CompletionRequest) -> Completion:
        cited = (request.passages[0].passage.doc_id,) if self.cite and request.passages else ()
        return Completion(self.text, cited)


class BreaksOnEmptyQuestions(WritesBackend):
    async def complete(self, request: CompletionRequest) -> Completion:
        if not request.question:
            raise ValueError("empty question")
        return await super().complete(request)


class StreamsBackend(WritesBackend):
    """Answers whole like WritesBackend; its stream yields ``pieces`` then raises ``error`` if given."""

    def __init__(self, pieces: list[object], error: Exception | None = None) -> None:
        super().__init__("Fill in the form [1].")
        self.pieces, self.error = pieces, error

    async def stream(self, request: CompletionRequest) -> AsyncIterator[Completion]:
        for piece in self.pieces:
            yield piece  # type: ignore[misc]
        if self.error is not None:
            raise self.error


@pytest.mark.parametrize(
    ("broken", "req", "message"),
    [
        (WritesBackend("Fill in the form [1]. Pay [3]."), EN_REQUEST, r"citation tokens \[3\] but cited 1"),
        (
            WritesBackend("See https://evil.example/renew [1]."),
            EN_REQUEST,
            "evil.example/renew.*no given passage",
        ),
        (WritesBackend("Fill in the form.", cite=False), EN_REQUEST, "cited nothing for a request it should"),
        (WritesBackend("請填妥表格。"), EN_REQUEST, "is mostly Chinese"),
        (WritesBackend("Fill in the form."), REQUESTS["zh-Hant"], "has no Chinese characters"),
        (WritesBackend("請填寫續期表格並繳費。"), REQUESTS["zh-Hans"], "is in Traditional characters"),
        (WritesBackend("请填写续期表格并缴费。"), REQUESTS["zh-Hant"], "is in Simplified characters"),
        (WritesBackend("請填寫表格並繳費。"), REQUESTS["yue"], "shows no written Cantonese"),
        (
            BreaksOnEmptyQuestions("Fill in the form [1]."),
            EN_REQUEST,
            "raised ValueError for the question ''",
        ),
        (StreamsBackend(["piece"]), EN_REQUEST, "stream yielded str, not a Completion"),
        (StreamsBackend([Completion("a", ("elsewhere",))]), EN_REQUEST, r"cited \['elsewhere'\]"),
        (StreamsBackend([Completion("a [2]", ("dl:en",))]), EN_REQUEST, r"tokens \[2\] but cited 1"),
        (StreamsBackend([], RuntimeError("socket")), EN_REQUEST, "stream raised RuntimeError"),
        (StreamsBackend([], BackendError("down")), EN_REQUEST, "stream raised BackendError for a request it"),
    ],
)
def test_check_backend_catches_ungrounded_unregistered_and_unruly_backends(
    broken: LLMBackend, req: CompletionRequest, message: str
) -> None:
    with pytest.raises(AssertionError, match=message):
        asyncio.run(check_backend(broken, req))


def test_the_citation_and_register_rules_can_be_relaxed_for_a_backend_that_cannot_keep_them() -> None:
    relaxed = WritesBackend("請填寫表格並繳費。", cite=False)
    asyncio.run(check_backend(relaxed, REQUESTS["yue"], require_citation=False, check_register=False))


def test_an_address_from_a_given_passage_is_grounded() -> None:
    asyncio.run(check_backend(WritesBackend(f"Renew online at {URL} [1]."), EN_REQUEST))


def test_a_server_reply_with_a_foreign_link_is_cleaned_before_the_contract_sees_it(
    server: LLMTestServer,
) -> None:
    server.default = ServerReply(text="Fill in form TD63 [1]; details at https://evil.example/x [4].")
    settings = LLMSettings(backend="openai-compatible", base_url=server.base_url, model="test-model")
    completion = asyncio.run(check_backend(OpenAICompatibleBackend(settings), EN_REQUEST))
    assert completion.text == "Fill in form TD63 [1]; details at."
