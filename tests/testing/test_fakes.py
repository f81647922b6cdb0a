"""Tests for the protocol fakes and the conformance checks (which must also catch broken implementations)."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from kaifong.backends.base import BackendError, Completion, CompletionRequest, LLMBackend
from kaifong.pipeline import answer
from kaifong.retrieval.base import Retriever
from kaifong.services import build_services
from kaifong.settings import LLMSettings, Settings
from kaifong.testing import (
    FailingRetriever,
    InMemoryRetriever,
    ScriptedBackend,
    check_backend,
    check_retriever,
    make_passage,
)
from kaifong.types import Detection, Passage, ScoredPassage

EN = Detection("en", "Latn")
ZH = Detection("zh", "Hant")
YUE = Detection("yue", "Hant")
ZH_QUESTION = "如何申請公屋？"
EN_QUESTION = "How do I apply for public rental housing?"

PASSAGES: tuple[Passage, ...] = (
    make_passage(
        "prh:en", "Submit the form online or by post.", heading="How to apply", title="Public rental housing"
    ),
    make_passage(
        "prh:en",
        "Applicants must be 18 or above.",
        heading="Who can apply",
        title="Public rental housing",
        position=1,
    ),
    make_passage("passport:en", "Bring your old passport and your identity card.", title="Passport renewal"),
    make_passage("prh:zh", "網上或以紙本遞交申請表。", heading="申請步驟", title="公屋", language="zh-Hant"),
    make_passage("passport:zh", "帶備舊護照及身份證。", heading="所需文件", title="護照", language="zh-Hant"),
)


def _request(passages: tuple[Passage, ...] = PASSAGES[:2], question: str = EN_QUESTION) -> CompletionRequest:
    return CompletionRequest(question, EN, tuple(ScoredPassage(p, score=1.0, coverage=1.0) for p in passages))


# --- ScriptedBackend -------------------------------------------------------------------------------------


def test_scripted_backend_plays_replies_in_order_and_records_calls() -> None:
    ready = Completion("ready-made", ("prh:en",))
    backend = ScriptedBackend([ready, "from text"])
    first, second = _request(), _request(question="second?")
    assert asyncio.run(backend.complete(first)) is ready
    assert asyncio.run(backend.complete(second)) == Completion("from text", ("prh:en",))
    assert backend.calls == [first, second]
    assert backend.remaining == 0


def test_scripted_backend_text_reply_cites_the_first_passages_document() -> None:
    backend = ScriptedBackend(["answer", "nothing to cite"])
    request = _request((PASSAGES[2], PASSAGES[0]))
    assert asyncio.run(backend.complete(request)).cited_doc_ids == ("passport:en",)
    assert asyncio.run(backend.complete(_request(()))) == Completion("nothing to cite", ())


def test_scripted_backend_raises_scripted_exceptions_and_records_the_call() -> None:
    backend = ScriptedBackend([BackendError("model down"), ValueError("not a BackendError")])
    with pytest.raises(BackendError, match="model down"):
        asyncio.run(backend.complete(_request()))
    with pytest.raises(ValueError, match="not a BackendError"):
        asyncio.run(backend.complete(_request()))
    assert len(backend.calls) == 2


def test_scripted_backend_with_an_empty_queue_raises_a_clear_backend_error() -> None:
    backend = ScriptedBackend()
    with pytest.raises(BackendError, match=r"no reply queued for call 1 .*renew"):
        asyncio.run(backend.complete(_request(question="How do I renew?")))
    backend.queue("late reply")
    assert backend.remaining == 1
    assert asyncio.run(backend.complete(_request())).text == "late reply"
    assert len(backend.calls) == 2


def test_scripted_backend_has_name_and_version() -> None:
    assert (ScriptedBackend().name, ScriptedBackend().version) == ("scripted", "test")
    custom = ScriptedBackend(name="my-model", version="7")
    assert (custom.name, custom.version) == ("my-model", "7")


# --- InMemoryRetriever -----------------------------------------------------------------------------------


def test_in_memory_retriever_finds_the_matching_english_passage() -> None:
    results = InMemoryRetriever(PASSAGES).search("How do I renew my passport?", EN, 5)
    assert results[0].passage.doc_id == "passport:en"
    assert all(sp.passage.language == "en" for sp in results)


def test_in_memory_retriever_separates_languages() -> None:
    retriever = InMemoryRetriever(PASSAGES)
    chinese = retriever.search("點樣申請公屋？", YUE, 5)
    assert chinese
    assert chinese[0].passage.doc_id == "prh:zh"
    assert all(sp.passage.language != "en" for sp in chinese)
    english = retriever.search("public rental housing", EN, 5)
    assert english
    assert all(sp.passage.language == "en" for sp in english)


def test_in_memory_retriever_matches_simplified_questions_against_traditional_passages() -> None:
    results = InMemoryRetriever(PASSAGES).search("怎样申请公屋？", Detection("zh", "Hans"), 5)
    assert results[0].passage.doc_id == "prh:zh"


def test_in_memory_retriever_coverage_is_the_share_of_query_tokens_in_the_document() -> None:
    # query tokens after normalisation: "online", "passport"; each document has one of the two
    results = InMemoryRetriever(PASSAGES).search("online passport", EN, 5)
    by_doc = {sp.passage.doc_id: sp.coverage for sp in results}
    assert by_doc == {"prh:en": 0.5, "passport:en": 0.5}
    full = InMemoryRetriever(PASSAGES).search("passport identity card", EN, 5)
    assert full[0].coverage == 1.0


def test_in_memory_retriever_document_coverage_spans_its_passages() -> None:
    # "form" is in the first prh passage, "18" in the second: each passage gets the document's coverage
    results = InMemoryRetriever(PASSAGES).search("form 18", EN, 5)
    assert [sp.passage.id for sp in results] == ["prh:en#0", "prh:en#1"]
    assert all(sp.coverage == 1.0 for sp in results)


def test_in_memory_retriever_respects_top_k_and_is_deterministic() -> None:
    retriever = InMemoryRetriever(PASSAGES)
    assert len(retriever.search("apply passport public housing", EN, 1)) == 1
    assert retriever.search("apply", EN, 0) == []
    first = retriever.search("apply passport", EN, 5)
    assert first == retriever.search("apply passport", EN, 5)
    assert first == InMemoryRetriever(PASSAGES).search("apply passport", EN, 5)
    assert [sp.score for sp in first] == sorted((sp.score for sp in first), reverse=True)


@pytest.mark.parametrize("text", ["", "   ", "？！。", "the and of", "weather in Tokyo"])
def test_in_memory_retriever_returns_nothing_without_a_matching_term(text: str) -> None:
    assert InMemoryRetriever(PASSAGES).search(text, EN, 5) == []
    assert InMemoryRetriever(()).search("passport", EN, 5) == []


def test_in_memory_retriever_passes_the_retriever_contract() -> None:
    check_retriever(InMemoryRetriever(PASSAGES), ZH_QUESTION, EN_QUESTION)


def test_check_retriever_accepts_a_factory() -> None:
    check_retriever(lambda: InMemoryRetriever(PASSAGES), ZH_QUESTION, EN_QUESTION)


def test_empty_in_memory_retriever_passes_when_results_are_not_required() -> None:
    check_retriever(InMemoryRetriever(()), ZH_QUESTION, EN_QUESTION, require_results=False)
    with pytest.raises(AssertionError, match="returned no passages"):
        check_retriever(InMemoryRetriever(()), ZH_QUESTION, EN_QUESTION)


# --- FailingRetriever ------------------------------------------------------------------------------------


def test_failing_retriever_raises_runtime_error() -> None:
    retriever = FailingRetriever()
    with pytest.raises(RuntimeError, match="unavailable"):
        retriever.search("anything", EN, 5)
    assert retriever.calls == 1
    assert retriever.name == "failing"


def test_check_retriever_fails_for_the_failing_retriever() -> None:
    with pytest.raises(AssertionError, match="raised RuntimeError"):
        check_retriever(FailingRetriever(), ZH_QUESTION, EN_QUESTION)


# --- the fakes wired into the real pipeline (real SQLite file per test) -----------------------------------


def test_pipeline_answers_with_the_scripted_backend_and_in_memory_retriever(settings: Settings) -> None:
    backend = ScriptedBackend(["Apply online or by post."])
    services = build_services(settings, retriever=InMemoryRetriever(PASSAGES), backend=backend)
    try:
        result = asyncio.run(answer("How do I apply for public rental housing?", services))
    finally:
        services.close()
    assert result.status == "answered"
    assert result.text == "Apply online or by post."
    assert [c.topic for c in result.citations] == ["prh"]
    assert len(backend.calls) == 1
    assert backend.calls[0].passages[0].passage.doc_id == "prh:en"


def test_pipeline_fails_closed_when_the_retriever_fails(settings: Settings) -> None:
    retriever, backend = FailingRetriever(), ScriptedBackend()
    services = build_services(settings, retriever=retriever, backend=backend)
    try:
        result = asyncio.run(answer("How do I apply for public rental housing?", services))
    finally:
        services.close()
    assert result.status == "error_internal"
    assert result.citations == ()
    assert retriever.calls == 1
    assert backend.calls == []


def test_pipeline_reports_a_scripted_backend_error_when_the_fallback_is_off(settings: Settings) -> None:
    backend = ScriptedBackend([BackendError("model down")])
    no_fallback = settings.model_copy(update={"llm": LLMSettings(fallback="none")})
    services = build_services(no_fallback, retriever=InMemoryRetriever(PASSAGES), backend=backend)
    try:
        result = asyncio.run(answer("How do I apply for public rental housing?", services))
    finally:
        services.close()
    assert result.status == "error_backend"
    assert result.citations == ()


def test_pipeline_falls_back_to_the_extractive_backend_when_the_scripted_backend_fails(
    settings: Settings,
) -> None:
    backend = ScriptedBackend([BackendError("model down", reason="connect")])
    services = build_services(settings, retriever=InMemoryRetriever(PASSAGES), backend=backend)
    try:
        result = asyncio.run(answer("How do I apply for public rental housing?", services))
    finally:
        services.close()
    assert result.status == "answered_fallback"
    assert [c.topic for c in result.citations] == ["prh"]
    assert "Submit the form online or by post." in result.text  # the extractive answer's own text
    assert len(backend.calls) == 1


# --- check_retriever against broken retrievers -----------------------------------------------------------


class UnsortedRetriever(InMemoryRetriever):
    def search(self, text: str, detection: Detection, top_k: int) -> list[ScoredPassage]:
        return list(reversed(super().search(text, detection, top_k)))


class IgnoresTopKRetriever(InMemoryRetriever):
    def search(self, text: str, detection: Detection, top_k: int) -> list[ScoredPassage]:
        return super().search(text, detection, 50)


class MixesLanguagesRetriever(InMemoryRetriever):
    def search(self, text: str, detection: Detection, top_k: int) -> list[ScoredPassage]:
        both = super().search(text, detection, top_k) + super().search(text, EN, top_k)
        return sorted(both, key=lambda sp: sp.score, reverse=True)[:top_k]


class EnglishForEveryoneRetriever(InMemoryRetriever):
    def search(self, text: str, detection: Detection, top_k: int) -> list[ScoredPassage]:
        return super().search(EN_QUESTION if detection.is_chinese else text, EN, top_k)


class CoverageAsCountRetriever(InMemoryRetriever):
    def search(self, text: str, detection: Detection, top_k: int) -> list[ScoredPassage]:
        return [
            dataclasses.replace(sp, coverage=sp.coverage * 10)
            for sp in super().search(text, detection, top_k)
        ]


class CrashesOnEmptyRetriever(InMemoryRetriever):
    def search(self, text: str, detection: Detection, top_k: int) -> list[ScoredPassage]:
        if not text.strip():
            raise ValueError("empty question")
        return super().search(text, detection, top_k)


class CrashesOnLongRetriever(InMemoryRetriever):
    def search(self, text: str, detection: Detection, top_k: int) -> list[ScoredPassage]:
        if len(text) > 10_000:
            raise MemoryError("too long")
        return super().search(text, detection, top_k)


class TupleRetriever(InMemoryRetriever):
    def search(self, text: str, detection: Detection, top_k: int) -> list[ScoredPassage]:
        return tuple(super().search(text, detection, top_k))  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (UnsortedRetriever(PASSAGES), "not sorted by score"),
        (IgnoresTopKRetriever(PASSAGES), "more than top_k=1"),
        (MixesLanguagesRetriever(PASSAGES), "only Chinese"),
        (EnglishForEveryoneRetriever(PASSAGES), "only Chinese"),
        (CoverageAsCountRetriever(PASSAGES), r"outside \[0, 1\]"),
        (CrashesOnEmptyRetriever(PASSAGES), "raised ValueError"),
        (CrashesOnLongRetriever(PASSAGES), "raised MemoryError"),
        (TupleRetriever(PASSAGES), "not a list"),
        (InMemoryRetriever(PASSAGES, name="In Memory"), "kebab-case"),
        (InMemoryRetriever(PASSAGES, name="in_memory"), "kebab-case"),
    ],
)
def test_check_retriever_fails_for_broken_retrievers(broken: Retriever, message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        check_retriever(broken, ZH_QUESTION, EN_QUESTION)


def test_check_retriever_rejects_sample_questions_in_the_wrong_language() -> None:
    with pytest.raises(AssertionError, match="detects as Chinese"):
        check_retriever(InMemoryRetriever(PASSAGES), EN_QUESTION, EN_QUESTION)


# --- check_backend ---------------------------------------------------------------------------------------


def test_scripted_backend_passes_the_backend_contract() -> None:
    backend = ScriptedBackend(["An answer from the passages.", "Nothing retrieved."])
    completion = asyncio.run(check_backend(backend, _request()))
    assert completion == Completion("An answer from the passages.", ("prh:en",))
    assert backend.calls[1].passages == ()


def test_check_backend_accepts_backend_error_for_no_passages() -> None:
    asyncio.run(check_backend(ScriptedBackend(["answer", BackendError("nothing to go on")]), _request()))


def test_check_backend_accepts_a_factory() -> None:
    asyncio.run(check_backend(lambda: ScriptedBackend(["answer", "none"]), _request()))


class CitesUnretrievedBackend:
    name = "cites-elsewhere"
    version = "1"

    async def complete(self, request: CompletionRequest) -> Completion:
        return Completion("made up", ("not-retrieved:en",))


class CitesWithoutPassagesBackend:
    name = "always-cites"
    version = "1"

    async def complete(self, request: CompletionRequest) -> Completion:
        return Completion("answer", ("prh:en",))


class ReturnsTextBackend:
    name = "text-only"
    version = "1"

    async def complete(self, request: CompletionRequest) -> Completion:
        return "just text"  # type: ignore[return-value]


class ListCitationsBackend:
    name = "list-citations"
    version = "1"

    async def complete(self, request: CompletionRequest) -> Completion:
        return Completion("answer", [sp.passage.doc_id for sp in request.passages])  # type: ignore[arg-type]


class NoVersionBackend:
    name = "no-version"
    version = ""

    async def complete(self, request: CompletionRequest) -> Completion:
        return Completion("answer", ())


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (CitesUnretrievedBackend(), "not-retrieved:en.*not among the request's passages"),
        (CitesWithoutPassagesBackend(), "for a request with no passages"),
        (ReturnsTextBackend(), "returned str, not a Completion"),
        (ListCitationsBackend(), "must be a tuple of str"),
        (NoVersionBackend(), r"\.version is ''"),
        (ScriptedBackend(["answer", ValueError("boom")]), "raised ValueError for a request with no passages"),
        (ScriptedBackend([KeyError("boom")]), "may raise only BackendError"),
        (ScriptedBackend([BackendError("down")]), "BackendError for a request it should answer"),
        (ScriptedBackend(["answer", "second"], name=""), r"\.name is ''"),
    ],
)
def test_check_backend_fails_for_broken_backends(broken: LLMBackend, message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        asyncio.run(check_backend(broken, _request()))


def test_check_backend_needs_a_request_with_passages() -> None:
    with pytest.raises(AssertionError, match="at least one passage"):
        asyncio.run(check_backend(ScriptedBackend(["answer"]), _request(())))
