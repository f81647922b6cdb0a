"""Tests for ExtractiveBackend: grounded, register-aware answers composed from the official text."""

from __future__ import annotations

import asyncio

import hanzidentifier
import pytest

from kaifong.backends.base import Completion, CompletionRequest
from kaifong.backends.extractive import MAX_SECTION_CHARS, ExtractiveBackend
from kaifong.language import detect
from kaifong.services import Services
from kaifong.testing import check_backend, make_passage
from kaifong.types import Detection, Passage, ScoredPassage

EN = Detection("en", "Latn")
YUE = Detection("yue", "Hant")
ZH_HANT = Detection("zh", "Hant")
ZH_HANS = Detection("zh", "Hans")

EN_DOC: tuple[Passage, ...] = (
    make_passage(
        "prh:en", "Applicants must be 18 or above.", heading="Who can apply", title="Public housing"
    ),
    make_passage(
        "prh:en", "A flat let at a low rent.", heading="What it is", title="Public housing", position=1
    ),
    make_passage(
        "prh:en",
        "Submit the form online or by post.",
        heading="How to apply",
        title="Public housing",
        position=2,
    ),
    make_passage(
        "prh:en",
        "Your identity card and income proof.",
        heading="What to bring",
        title="Public housing",
        position=3,
    ),
)
ZH_DOC: tuple[Passage, ...] = tuple(
    make_passage("oala:zh", text, heading=heading, title="長者生活津貼", language="zh-Hant", position=i)
    for i, (heading, text) in enumerate(
        [
            ("申請資格", "年滿65歲，並已成為香港居民最少7年。"),
            ("服務簡介", "長者生活津貼是每月現金津貼，須接受入息及資產審查。"),
            ("申請步驟", "在社會保障辦事處或社署網站索取申請表，連同證明文件副本交回。"),
            ("所需文件", "香港身份證及銀行存摺首頁。"),
        ]
    )
)


def scored(passages: tuple[Passage, ...] | list[Passage], coverage: float = 1.0) -> tuple[ScoredPassage, ...]:
    """Passages scored in the given order, best first."""
    return tuple(ScoredPassage(p, score=2.0 - i * 0.01, coverage=coverage) for i, p in enumerate(passages))


def complete(question: str, passages: tuple[Passage, ...], detection: Detection | None = None) -> Completion:
    request = CompletionRequest(question, detection or detect(question), scored(passages))
    return asyncio.run(ExtractiveBackend().complete(request))


def sections(completion: Completion) -> list[str]:
    """The answer's blocks: intro, the chosen sections, closing note."""
    return completion.text.split("\n\n")


def first_heading(completion: Completion) -> str:
    return sections(completion)[1].split("\n", 1)[0]


# --- the contract -------------------------------------------------------------------------------------------


def test_extractive_backend_passes_the_backend_contract() -> None:
    completion = asyncio.run(
        check_backend(ExtractiveBackend(), CompletionRequest("How do I apply?", EN, scored(EN_DOC)))
    )
    assert completion.cited_doc_ids == ("prh:en",)


def test_extractive_backend_passes_the_contract_on_a_retrieved_request(shared_services: Services) -> None:
    question = "我阿媽今年六十七歲，點樣申請長者生活津貼？"
    found = shared_services.retriever.search(question, detect(question), 5)
    completion = asyncio.run(
        check_backend(ExtractiveBackend(), CompletionRequest(question, detect(question), tuple(found)))
    )
    assert completion.cited_doc_ids[0] == found[0].passage.doc_id


def test_name_and_version() -> None:
    assert ExtractiveBackend.name == "extractive"
    assert ExtractiveBackend.version


def test_no_passages_gives_an_empty_completion() -> None:
    assert complete("How do I apply?", ()) == Completion(text="", cited_doc_ids=())


# --- register and script ------------------------------------------------------------------------------------


def test_cantonese_questions_get_cantonese_framing() -> None:
    completion = complete("點樣申請長者生活津貼？", ZH_DOC, YUE)
    assert completion.text.startswith("以下係")
    assert "「長者生活津貼」" in sections(completion)[0]


def test_standard_written_chinese_questions_get_swc_framing() -> None:
    completion = complete("如何申請長者生活津貼？", ZH_DOC, ZH_HANT)
    intro = sections(completion)[0]
    assert intro.startswith("以下是")
    assert "係" not in intro
    assert "嘅" not in intro


@pytest.mark.parametrize("detection", [ZH_HANS, Detection("yue", "Hans")])
def test_simplified_questions_get_simplified_answers(detection: Detection) -> None:
    completion = complete("怎么申请长者生活津贴？", ZH_DOC, detection)
    intro = sections(completion)[0]
    assert "长者生活津贴" in intro
    assert hanzidentifier.is_simplified(intro)
    assert hanzidentifier.identify(completion.text) in (hanzidentifier.SIMPLIFIED, hanzidentifier.BOTH)
    assert completion.text.startswith("以下是" if detection.language == "zh" else "以下系")


def test_english_questions_get_english_framing() -> None:
    completion = complete("How do I apply?", EN_DOC, EN)
    assert completion.text.startswith("Here is what the official source says about Public housing")
    assert not hanzidentifier.has_chinese(completion.text)


# --- which sections -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "detection"),
    [
        ("點樣申請長者生活津貼？", YUE),
        ("如何申請長者生活津貼？", ZH_HANT),
        ("怎么申请长者生活津贴？", ZH_HANS),
    ],
)
def test_chinese_how_questions_prefer_the_application_steps(question: str, detection: Detection) -> None:
    completion = complete(question, ZH_DOC, detection)
    assert first_heading(completion) in ("申請步驟", "申请步骤")


@pytest.mark.parametrize("question", ["How do I apply for public housing?", "How to apply?"])
def test_english_how_questions_prefer_how_to_apply(question: str) -> None:
    assert first_heading(complete(question, EN_DOC, EN)) == "How to apply"


def test_how_can_i_is_a_how_question_not_an_eligibility_question() -> None:
    how_first = (EN_DOC[2], EN_DOC[0], EN_DOC[1], EN_DOC[3])  # so only the intent can pick "Who can apply"
    assert first_heading(complete("How can I apply?", how_first, EN)) == "How to apply"


def test_english_how_questions_prefer_how_to_apply_without_an_eligibility_section() -> None:
    without_who = EN_DOC[1:]
    assert first_heading(complete("How do I apply for public housing?", without_who, EN)) == "How to apply"


def test_english_how_question_on_the_bundled_knowledge_base(shared_services: Services) -> None:
    question = "How do I apply for public rental housing?"
    found = shared_services.retriever.search(question, EN, 5)
    assert found[0].passage.topic == "public-rental-housing"
    rest = [
        p
        for p in shared_services.knowledge.passages_of(found[0].passage.doc_id)
        if p.id not in {sp.passage.id for sp in found}
    ]
    passages = tuple(found) + tuple(ScoredPassage(p, score=0.0, coverage=found[0].coverage) for p in rest)
    completion = asyncio.run(ExtractiveBackend().complete(CompletionRequest(question, EN, passages)))
    assert first_heading(completion) == "How to apply"


@pytest.mark.parametrize(
    ("question", "detection", "passages", "heading"),
    [
        ("What do I need to bring?", EN, EN_DOC, "What to bring"),
        ("Which documents are needed?", EN, EN_DOC, "What to bring"),
        ("申請長者生活津貼要帶咩？", YUE, ZH_DOC, "所需文件"),
        ("申請長者生活津貼需要甚麼文件？", ZH_HANT, ZH_DOC, "所需文件"),
        ("我想renew我個passport，要帶咩？", Detection("yue", "Hant", True), ZH_DOC, "所需文件"),
    ],
)
def test_what_to_bring_questions_prefer_the_documents_section(
    question: str, detection: Detection, passages: tuple[Passage, ...], heading: str
) -> None:
    assert first_heading(complete(question, passages, detection)) == heading


def test_without_an_intent_the_best_two_sections_are_used() -> None:
    completion = complete("public housing", EN_DOC, EN)
    blocks = sections(completion)
    assert [b.split("\n", 1)[0] for b in blocks[1:3]] == ["Who can apply", "What it is"]
    assert len(blocks) == 4  # intro, two sections, closing note


def test_only_the_top_document_is_used_and_cited() -> None:
    other = make_passage("passport:en", "Bring your old passport.", heading="What to bring", title="Passport")
    completion = asyncio.run(
        ExtractiveBackend().complete(
            CompletionRequest(
                "What do I need to bring?", EN, scored(EN_DOC[:1]) + scored([other], coverage=0.2)
            )
        )
    )
    assert "old passport" not in completion.text
    assert completion.cited_doc_ids == ("prh:en",)


# --- length -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "\n".join(f"- Line {i}: " + "x" * 60 for i in range(40)),
        "A single very long line. " * 200,
        "\n".join(["一" * 900, "二" * 10]),
    ],
)
def test_long_sections_are_shortened(text: str) -> None:
    assert len(text) > MAX_SECTION_CHARS
    long_doc = (make_passage("long:en", text, heading="How to apply", title="Long"),)
    block = sections(complete("How do I apply?", long_doc, EN))[1]
    heading, body = block.split("\n", 1)
    assert heading == "How to apply"
    assert len(body) <= MAX_SECTION_CHARS
    assert len(block) <= MAX_SECTION_CHARS + len("How to apply") + 1
    assert text.startswith(body.rstrip("…"))


def test_short_sections_are_kept_whole() -> None:
    text = "\n".join(f"{i}. Step {i}." for i in range(1, 6))
    block = sections(complete("How do I apply?", (make_passage("s:en", text, heading="How to apply"),), EN))[
        1
    ]
    assert block == f"How to apply\n{text}"


def test_stream_joins_to_the_whole_answer_and_cites_once(shared_services: Services) -> None:
    from kaifong.backends.base import StreamingBackend

    backend = ExtractiveBackend()
    assert isinstance(backend, StreamingBackend)
    question = "How do I renew my driving licence?"
    det = detect(question)
    passages = tuple(shared_services.retriever.search(question, det, 5))
    request = CompletionRequest(question, det, passages)
    whole = asyncio.run(backend.complete(request))

    async def collect() -> list[Completion]:
        return [piece async for piece in backend.stream(request)]

    pieces = asyncio.run(collect())
    assert len(pieces) > 1
    assert "".join(p.text for p in pieces) == whole.text
    assert tuple(d for p in pieces for d in p.cited_doc_ids) == whole.cited_doc_ids
