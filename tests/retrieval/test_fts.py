"""Tests for FtsRetriever over the bundled knowledge base, in real SQLite files."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from kaifong.knowledge.documents import Document
from kaifong.knowledge.ingest import store_document
from kaifong.language import detect, to_hans
from kaifong.retrieval.fts import FtsRetriever
from kaifong.services import Services
from kaifong.settings import Settings
from kaifong.store.db import init_schema, make_engine
from kaifong.testing import check_retriever
from kaifong.types import Detection, ScoredPassage

MIN_COVERAGE = Settings().retrieval.min_coverage


def search(services: Services, question: str, top_k: int = 20) -> list[ScoredPassage]:
    return services.retriever.search(question, detect(question), top_k)


def top_topics(results: list[ScoredPassage], count: int = 3) -> list[str]:
    """The first ``count`` distinct topics, in ranking order (one entry per document, not per passage)."""
    return list(dict.fromkeys(sp.passage.topic for sp in results))[:count]


def test_fts_retriever_is_the_configured_retriever(shared_services: Services) -> None:
    assert isinstance(shared_services.retriever, FtsRetriever)
    assert shared_services.retriever.name == "sqlite-fts"


def test_fts_retriever_passes_the_retriever_contract(shared_services: Services) -> None:
    check_retriever(shared_services.retriever, "點樣申請公屋？", "How do I renew my driving licence?")


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("我阿媽今年六十七歲，點樣申請長者生活津貼？", "oala"),
        ("如何補領香港身份證？", "hkid-replacement"),
        ("怎样申请公屋？", "public-rental-housing"),
        ("How do I renew my driving licence?", "driving-licence-renewal"),
        ("我想renew我個passport，要帶咩？", "passport-renewal"),
    ],
)
def test_product_spec_examples_find_their_topic_in_the_top_3(
    shared_services: Services, question: str, topic: str
) -> None:
    results = search(shared_services, question)
    assert topic in top_topics(results), (question, top_topics(results))
    assert results[0].coverage >= MIN_COVERAGE


def test_hkid_replacement_is_found_with_or_without_hong_kong(shared_services: Services) -> None:
    assert top_topics(search(shared_services, "如何補領香港身份證？"), 1) == ["hkid-replacement"]
    assert top_topics(search(shared_services, "如何補領身份證？"), 1) == ["hkid-replacement"]


def test_english_questions_return_english_passages(shared_services: Services) -> None:
    results = search(shared_services, "How do I apply for public rental housing?")
    assert results
    assert {sp.passage.language for sp in results} == {"en"}
    assert top_topics(results, 1) == ["public-rental-housing"]


@pytest.mark.parametrize("question", ["點樣申請公屋？", "如何申請公屋？", "怎样申请公屋？"])
def test_chinese_questions_return_chinese_passages(shared_services: Services, question: str) -> None:
    results = search(shared_services, question)
    assert results
    assert all(sp.passage.language != "en" for sp in results)
    assert all(sp.passage.language.startswith("zh") for sp in results)


@pytest.mark.parametrize(
    "traditional",
    [
        "如何申請公屋？",
        "如何申請長者生活津貼？",
        "遺失身份證如何補領？",
        "如何申請強積金提早提取？",
        "點樣續領駕駛執照？",
    ],
)
def test_simplified_and_traditional_forms_find_the_same_top_topic(
    shared_services: Services, traditional: str
) -> None:
    simplified = to_hans(traditional)
    assert simplified != traditional
    assert detect(simplified).script == "Hans"
    assert top_topics(search(shared_services, simplified), 1) == top_topics(
        search(shared_services, traditional), 1
    )


@pytest.mark.parametrize(
    ("cantonese", "swc"),
    [
        ("點樣申請公屋？", "如何申請公屋？"),
        ("我唔見咗身份證，點算？", "我遺失了身份證，怎麼辦？"),
        ("我阿媽可唔可以攞長生津？", "我的母親可否領取長者生活津貼？"),
        ("車牌過期咗點樣續牌？", "駕駛執照過期了如何續期？"),
    ],
)
def test_cantonese_and_standard_written_chinese_find_the_same_top_topic(
    shared_services: Services, cantonese: str, swc: str
) -> None:
    assert detect(cantonese).language == "yue"
    assert detect(swc).language == "zh"
    top = top_topics(search(shared_services, cantonese), 1)
    assert top
    assert top == top_topics(search(shared_services, swc), 1)


@pytest.mark.parametrize("question", ["What's the weather in Tokyo tomorrow?", "邊間茶餐廳嘅菠蘿油最好食？"])
def test_off_topic_questions_fall_below_the_answer_threshold(
    shared_services: Services, question: str
) -> None:
    results = search(shared_services, question, top_k=5)
    best = results[0].coverage if results else 0.0
    assert best < MIN_COVERAGE


def test_results_respect_top_k_and_are_ranked(shared_services: Services) -> None:
    question = "How do I renew my driving licence?"
    for top_k in (1, 3, 10):
        results = search(shared_services, question, top_k)
        assert 1 <= len(results) <= top_k
        scores = [sp.score for sp in results]
        assert scores == sorted(scores, reverse=True)
        assert all(0.0 <= sp.coverage <= 1.0 for sp in results)


def test_search_is_deterministic(shared_services: Services) -> None:
    question = "我阿媽今年六十七歲，點樣申請長者生活津貼？"
    assert search(shared_services, question) == search(shared_services, question)


@pytest.mark.parametrize("text", ["", "   ", "？！。", "the of and", '"', "「」『』", "嗎呢吧"])
def test_questions_without_searchable_terms_return_nothing(shared_services: Services, text: str) -> None:
    assert search(shared_services, text) == []


@pytest.mark.parametrize("text", ['"NEAR(" AND OR NOT *', "' OR 1=1; DROP TABLE passages; --", '申請" OR "x'])
def test_query_syntax_is_searched_as_plain_words(shared_services: Services, text: str) -> None:
    results = search(shared_services, text)
    assert all(0.0 <= sp.coverage <= 1.0 for sp in results)
    assert shared_services.knowledge.passages_of("oala:en")  # the tables are still there


DETECTIONS = st.sampled_from(
    [
        Detection("en", "Latn"),
        Detection("zh", "Hant"),
        Detection("zh", "Hans"),
        Detection("yue", "Hant", True),
    ]
)


@hypothesis_settings(max_examples=100, deadline=None, database=None)
@given(text=st.text(max_size=500), detection=DETECTIONS)
def test_search_never_raises_on_arbitrary_text(
    shared_services: Services, text: str, detection: Detection
) -> None:
    results = shared_services.retriever.search(text, detection, 5)
    assert isinstance(results, list)
    assert len(results) <= 5
    assert all(0.0 <= sp.coverage <= 1.0 for sp in results)


@hypothesis_settings(max_examples=50, deadline=None, database=None)
@given(text=st.text(max_size=200))
def test_search_never_raises_on_arbitrary_text_with_its_own_detection(
    shared_services: Services, text: str
) -> None:
    detection = detect(text)
    results = shared_services.retriever.search(text, detection, 5)
    assert all((sp.passage.language == "en") != detection.is_chinese for sp in results)


def test_an_empty_database_returns_nothing(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        init_schema(engine)
        retriever = FtsRetriever(engine)
        assert retriever.search("How do I renew my driving licence?", Detection("en", "Latn"), 5) == []
        assert retriever.search("點樣申請公屋？", Detection("yue", "Hant"), 5) == []
        check_retriever(
            retriever, "點樣申請公屋？", "How do I renew my driving licence?", require_results=False
        )
    finally:
        engine.dispose()


def _small_base(tmp_path: Path, docs: list[Document]) -> FtsRetriever:
    engine = make_engine(f"sqlite:///{tmp_path / 'small.db'}")
    init_schema(engine)
    with engine.begin() as conn:
        for doc in docs:
            store_document(conn, doc)
    return FtsRetriever(engine)


NAMED = Document(
    topic="business-registration",
    language="en",
    title="Business registration",
    body="## How\nEvery business must register with the Inland Revenue Department within one month.",
)
WORDY = Document(
    topic="consumer-complaints",
    language="en",
    title="Consumer complaints",
    body="## Shops\nA small shop may open late. Tell us about a small shop that would not open.",
    aliases=("shop dispute",),
)
FILLER = [
    Document(topic=f"other-{i}", language="en", title=f"Other topic {i}", body=f"## Text\n{text}")
    for i, text in enumerate(
        [
            "Apply for a card at any office.",
            "The fee is paid online.",
            "Bring your identity card and a photo.",
            "Call the hotline for help.",
        ]
    )
]


def test_a_question_that_names_a_topic_ranks_it_first(tmp_path: Path) -> None:
    """The question says "register the business" — the topic's name — while another page shares more of
    its other words (open, small, shop): the named topic comes first."""
    retriever = _small_base(tmp_path, [NAMED, WORDY, *FILLER])
    try:
        question = "I'm opening a small shop, how do I register the business?"
        results = retriever.search(question, detect(question), 5)
        assert top_topics(results, 1) == ["business-registration"]
        retriever.name_share = 0.0
        unnamed = retriever.search(question, detect(question), 5)
        assert top_topics(unnamed, 1) == ["consumer-complaints"]  # what the name signal changes
    finally:
        retriever.engine.dispose()


def test_one_common_word_is_not_a_name(tmp_path: Path) -> None:
    """A one-word alias that is a common word ("hotline") does not pull its topic ahead of the page
    that answers the question (the one with the number asked about)."""
    hotline = Document(
        topic="enquiries",
        language="en",
        title="Enquiry service",
        body="## Calls\nCall the hotline with any question about the Government.",
        aliases=("hotline",),
    )
    crisis = Document(
        topic="crisis-support",
        language="en",
        title="Crisis support hotline service",
        body="## Calls\nThe hotline 18111 answers day and night.",
    )
    common = [
        Document(topic=f"line-{i}", language="en", title=f"Service {i}", body=f"## Text\nHotline {i}.")
        for i in range(8)
    ]
    retriever = _small_base(tmp_path, [hotline, crisis, *common, *FILLER])
    try:
        question = "What is the 18111 hotline for?"
        assert top_topics(retriever.search(question, detect(question), 5), 1) == ["crisis-support"]
    finally:
        retriever.engine.dispose()


def test_a_word_asked_twice_weighs_once_and_fillers_weigh_nothing(tmp_path: Path) -> None:
    retriever = _small_base(tmp_path, [NAMED, WORDY, *FILLER])
    try:
        ids = ["business-registration:en", "consumer-complaints:en"]
        once = retriever.coverage_of("small shop business", Detection("en", "Latn"), ids)
        twice = retriever.coverage_of("small shop business business", Detection("en", "Latn"), ids)
        padded = retriever.coverage_of(
            "Still, actually, during all this, a small shop business, okay?", Detection("en", "Latn"), ids
        )
        assert once == twice == padded
    finally:
        retriever.engine.dispose()


def test_inflections_meet_on_both_sides(tmp_path: Path) -> None:
    """Plurals, -ing and silent e: "fees"/"fee", "charging"/"charge", "moving"/"moves"."""
    page = Document(
        topic="moving-fees",
        language="en",
        title="Moving house",
        body="## Fees\nThe fee charged for moves is listed below.",
    )
    retriever = _small_base(tmp_path, [page, *FILLER])
    try:
        coverage = retriever.coverage_of("fees charging moving", Detection("en", "Latn"), ["moving-fees:en"])
        assert coverage == {"moving-fees:en": 1.0}
    finally:
        retriever.engine.dispose()


def test_a_dropped_or_swapped_letter_is_put_right(tmp_path: Path) -> None:
    page = Document(
        topic="library-card",
        language="en",
        title="Library card",
        body="## Apply\nThe Government library lends books to every resident who will receive a card.",
    )
    retriever = _small_base(tmp_path, [page, *FILLER])
    try:
        english = Detection("en", "Latn")
        right = retriever.coverage_of("government library receive", english, ["library-card:en"])
        slips = retriever.coverage_of("goverment libary recieve", english, ["library-card:en"])
        assert right == slips == {"library-card:en": 1.0}
        assert top_topics(retriever.search("libary books", english, 5), 1) == ["library-card"]
    finally:
        retriever.engine.dispose()


def test_a_real_word_is_not_taken_for_a_slip(tmp_path: Path) -> None:
    """ "night" is not "right" with a letter changed, nor "bread" "read" with one added: a word the base
    lacks stays what it is, and counts against coverage."""
    page = Document(
        topic="rights",
        language="en",
        title="Your rights",
        body="## Rights\nRead about the right to a rest day.",
    )
    retriever = _small_base(tmp_path, [page, *FILLER])
    try:
        english = Detection("en", "Latn")
        assert retriever.coverage_of("night bread", english, ["rights:en"]) == {"rights:en": 0.0}
    finally:
        retriever.engine.dispose()
