"""Ingestion into a real SQLite file: idempotence, replacement, bad files, and the bundled base."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text

from kaifong.errors import IngestError
from kaifong.knowledge.ingest import (
    BUNDLED_DIR,
    IngestReport,
    bundled_documents,
    ingest_paths,
    language_group,
    load_bundled,
)
from kaifong.language.tokens import index_tokens
from kaifong.store.db import init_schema, make_engine
from kaifong.store.knowledge import KnowledgeStore
from kaifong.store.tables import documents, passages


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    built = make_engine(f"sqlite:///{tmp_path / 'db' / 'kb.db'}")
    init_schema(built)
    yield built
    built.dispose()


def fts_rowids(engine: Engine, word: str, group: str = "en") -> set[int]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(f"SELECT rowid FROM passage_fts_{group} WHERE passage_fts_{group} MATCH :w"), {"w": word}
        )
        return {row[0] for row in rows}


def scalar(engine: Engine, sql: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar_one())


def passage_rowids(engine: Engine, doc_id: str | None = None) -> set[int]:
    query = select(passages.c.rowid)
    if doc_id is not None:
        query = query.where(passages.c.doc_id == doc_id)
    with engine.connect() as conn:
        return {row[0] for row in conn.execute(query)}


def assert_consistent(engine: Engine) -> None:
    """Every passage has its document and exactly one FTS row; no FTS row without a passage."""
    n_passages = scalar(engine, "SELECT count(*) FROM passages")
    n_fts = scalar(engine, "SELECT count(*) FROM passage_fts_en") + scalar(
        engine, "SELECT count(*) FROM passage_fts_zh"
    )
    assert n_fts == n_passages
    orphans = scalar(engine, "SELECT count(*) FROM passages WHERE doc_id NOT IN (SELECT id FROM documents)")
    assert orphans == 0
    fts_ids = scalar(
        engine,
        "SELECT count(*) FROM (SELECT rowid FROM passage_fts_en UNION ALL SELECT rowid FROM passage_fts_zh)"
        " WHERE rowid NOT IN (SELECT rowid FROM passages)",
    )
    assert fts_ids == 0
    empty_docs = scalar(
        engine, "SELECT count(*) FROM documents WHERE id NOT IN (SELECT doc_id FROM passages)"
    )
    assert empty_docs == 0


def md(topic: str, language: str, body: str, title: str = "Title") -> str:
    return (
        f"---\nid: {topic}\ntitle: {title}\nlanguage: {language}\nurl: https://www.gov.hk/\n"
        f"aliases: [alias-{topic}]\n---\n{body}\n"
    )


def test_language_group() -> None:
    assert language_group("en") == "en"
    assert language_group("zh-Hant") == "zh"
    assert language_group("zh-Hans") == "zh"


def test_report_ok() -> None:
    assert IngestReport().ok
    assert not IngestReport(failed=[("a", "b")]).ok


def test_added_then_unchanged(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "zebra.md"
    path.write_text(md("zebra", "en", "## Section\nThe zebra crossing rules.\n## Other\nMore text."), "utf-8")
    first = ingest_paths(engine, [path])
    assert first.added == [str(path)]
    assert first.ok
    assert fts_rowids(engine, "zebra") == passage_rowids(engine, "zebra:en")
    assert len(passage_rowids(engine, "zebra:en")) == 2
    with engine.connect() as conn:
        row = conn.execute(select(documents).where(documents.c.id == "zebra:en")).mappings().one()
    assert row["title"] == "Title"
    assert row["aliases"] == "alias-zebra"
    assert row["source"] == str(path)
    second = ingest_paths(engine, [path])
    assert second.unchanged == [str(path)]
    assert second.added == second.replaced == []
    assert_consistent(engine)


def test_title_and_aliases_are_searchable(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text(md("walrus", "en", "Plain body.", title="Okapi service"), "utf-8")
    ingest_paths(engine, [path])
    rowids = passage_rowids(engine, "walrus:en")
    assert fts_rowids(engine, "title:okapi") == rowids
    alias_terms = index_tokens("alias-walrus")
    assert fts_rowids(engine, f"title:{alias_terms[-1]}") == rowids
    assert fts_rowids(engine, f"body:{alias_terms[-1]}") == set()


def test_modified_file_is_replaced_and_old_passages_are_gone(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# Notes\n\n## One\nThe zebra text.\n\n## Two\nMore zebra text.\n", "utf-8")
    ingest_paths(engine, [path])
    old = passage_rowids(engine)
    assert fts_rowids(engine, "zebra") == old
    assert len(old) == 2

    path.write_text("# Notes\n\n## Only\nThe quokka text.\n", "utf-8")
    report = ingest_paths(engine, [path])
    assert report.replaced == [str(path)]
    new = passage_rowids(engine)
    assert len(new) == 1
    assert fts_rowids(engine, "zebra") == set()
    assert fts_rowids(engine, "quokka") == new
    with engine.connect() as conn:
        texts = [row[0] for row in conn.execute(select(passages.c.text))]
        assert conn.execute(select(func.count()).select_from(documents)).scalar_one() == 1
    assert not any("zebra" in t for t in texts)
    assert_consistent(engine)


def test_documents_are_indexed_by_language_group(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "switch.md"
    path.write_text(md("switch", "en", "The zebra text."), "utf-8")
    path_zh = tmp_path / "switch-zh.md"
    path_zh.write_text(md("other", "zh-Hant", "斑馬線的規則。"), "utf-8")
    ingest_paths(engine, [path, path_zh])
    assert scalar(engine, "SELECT count(*) FROM passage_fts_en") == 1
    assert scalar(engine, "SELECT count(*) FROM passage_fts_zh") == 1

    # without an id in its front matter the file gets a path-based id: a new document, not a replacement
    path.write_text("---\ntitle: Switch\n---\n斑馬線的規則。\n", "utf-8")
    report = ingest_paths(engine, [path])
    assert report.added == [str(path)]
    assert_consistent(engine)


def test_file_document_changing_language_leaves_no_rows_in_old_index(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "plain.txt"
    path.write_text("Zebra title\nThe zebra crossing rules for pedestrians.\n", "utf-8")
    ingest_paths(engine, [path])
    assert scalar(engine, "SELECT count(*) FROM passage_fts_en") == 1
    path.write_text("斑馬線\n行人過馬路時必須遵守斑馬線的規則。\n", "utf-8")
    report = ingest_paths(engine, [path])
    assert report.replaced == [str(path)]
    assert scalar(engine, "SELECT count(*) FROM passage_fts_en") == 0
    assert scalar(engine, "SELECT count(*) FROM passage_fts_zh") == 1
    assert fts_rowids(engine, index_tokens("斑馬")[-1], "zh") == passage_rowids(engine)
    assert_consistent(engine)


def test_folder_with_good_and_bad_files(engine: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    (folder / "sub").mkdir(parents=True)
    good = [folder / "a.md", folder / "sub" / "b.txt", folder / "c.html"]
    good[0].write_text("# Alpha\n\n## Part\nAlpha text.\n\n## Part two\nMore alpha.\n", "utf-8")
    good[1].write_text("Beta\nBeta body text.\n", "utf-8")
    good[2].write_text("<html><title>Gamma</title><body><h2>G</h2><p>Gamma text.</p></body></html>", "utf-8")
    bad = {
        folder / "binary.md": b"\x00\x01\x02",
        folder / "latin1.txt": "caf\xe9".encode("latin-1"),
        folder / "broken.pdf": b"%PDF-1.4 not really",
        folder / "sub" / "broken.docx": b"PK not a zip",
        folder / "badyaml.md": b"---\nid: [\n---\nbody\n",
        folder / "empty.md": b"",
    }
    for path, data in bad.items():
        path.write_bytes(data)
    (folder / "ignored.xlsx").write_bytes(b"not ingested")
    (folder / "README").write_text("no suffix, not ingested", "utf-8")

    seen: list[Path] = []
    report = ingest_paths(engine, [folder], on_file=seen.append)

    assert sorted(report.added) == sorted(str(p) for p in good)
    assert not report.ok
    failed = dict(report.failed)
    assert set(failed) == {str(p) for p in bad}
    for name, message in failed.items():
        assert name in message
    assert sorted(seen) == sorted([*good, *bad])
    assert len(seen) == len(set(seen))

    store = KnowledgeStore(engine)
    counts = store.counts()
    assert counts["documents"] == len(good)
    assert counts["passages"] == 4
    assert_consistent(engine)


def test_on_file_is_called_once_per_file_in_order(engine: Engine, tmp_path: Path) -> None:
    paths = [tmp_path / "1.md", tmp_path / "missing.md", tmp_path / "3.txt"]
    paths[0].write_text("One.", "utf-8")
    paths[2].write_text("Three\nThree body.", "utf-8")
    calls: list[Path] = []
    report = ingest_paths(engine, paths, on_file=calls.append)
    assert calls == paths
    assert [name for name, _ in report.failed] == [str(paths[1])]
    assert len(report.added) == 2


def test_ingest_without_callback(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "x.md"
    path.write_text("Text.", "utf-8")
    assert ingest_paths(engine, [path]).added == [str(path)]


def test_passages_are_stored_in_order(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "order.md"
    path.write_text(md("order", "en", "## First\nA.\n## Second\nB.\n## Third\nC."), "utf-8")
    ingest_paths(engine, [path])
    got = KnowledgeStore(engine).passages_of("order:en")
    assert [(p.position, p.heading, p.text, p.id) for p in got] == [
        (0, "First", "A.", "order:en#0"),
        (1, "Second", "B.", "order:en#1"),
        (2, "Third", "C.", "order:en#2"),
    ]


# Bundled knowledge base


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(BUNDLED_DIR, folder)
    return folder


def test_load_bundled_is_idempotent(engine: Engine, data_copy: Path) -> None:
    first = load_bundled(engine, data_copy)
    n_files = len(list(data_copy.glob("*/*.md")))
    assert len(first.added) == n_files
    assert first.ok
    assert all(name.startswith("bundled:") for name in first.added)
    counts = KnowledgeStore(engine).counts()
    second = load_bundled(engine, data_copy)
    assert len(second.unchanged) == n_files
    assert second.added == second.replaced == second.removed == []
    assert KnowledgeStore(engine).counts() == counts
    assert_consistent(engine)


def test_load_bundled_refreshes_changed_and_removed_files(engine: Engine, data_copy: Path) -> None:
    load_bundled(engine, data_copy)
    before = KnowledgeStore(engine).counts()
    oala_rowids = passage_rowids(engine, "oala:en") | passage_rowids(engine, "oala:zh-Hant")
    assert oala_rowids

    shutil.rmtree(data_copy / "oala")
    changed = data_copy / "oaa" / "en.md"
    changed.write_text(changed.read_text("utf-8") + "\n## Extra\nThe quokka paragraph.\n", "utf-8")
    report = load_bundled(engine, data_copy)

    assert sorted(report.removed) == ["oala:en", "oala:zh-Hant"]
    assert report.replaced == ["bundled:oaa/en.md"]
    assert report.added == []
    after = KnowledgeStore(engine).counts()
    assert after["documents"] == before["documents"] - 2
    assert after["topics"] == before["topics"] - 1
    assert passage_rowids(engine, "oala:en") == set()
    remaining = passage_rowids(engine)
    assert not oala_rowids & remaining
    assert fts_rowids(engine, "quokka") <= passage_rowids(engine, "oaa:en")
    assert fts_rowids(engine, "quokka")
    assert_consistent(engine)


def test_load_bundled_leaves_ingested_documents_alone(
    engine: Engine, data_copy: Path, tmp_path: Path
) -> None:
    mine = tmp_path / "mine.md"
    mine.write_text("My own note about zebra crossings.", "utf-8")
    ingest_paths(engine, [mine])
    load_bundled(engine, data_copy)
    shutil.rmtree(data_copy / "oala")
    report = load_bundled(engine, data_copy)
    assert sorted(report.removed) == ["oala:en", "oala:zh-Hant"]
    assert fts_rowids(engine, "zebra")
    assert_consistent(engine)


def test_aliases_of_every_language_are_merged(data_copy: Path) -> None:
    for topic in ["hkid-dummy"]:
        (data_copy / topic).mkdir()
    template = (data_copy / "oala" / "en.md").read_text("utf-8")
    header, body = template.split("\n---\n", 1)

    def variant(language: str, title: str, aliases: str) -> str:
        lines = []
        for line in header.splitlines():
            if line.startswith("id:"):
                line = "id: hkid-dummy"
            elif line.startswith("language:"):
                line = f"language: {language}"
            elif line.startswith("title:"):
                line = f"title: {title}"
            elif line.startswith("aliases:"):
                line = f"aliases: {aliases}"
            lines.append(line)
        return "\n".join(lines) + "\n---\n" + body

    (data_copy / "hkid-dummy" / "en.md").write_text(variant("en", "Dummy card", "[dummy, shared]"), "utf-8")
    (data_copy / "hkid-dummy" / "zh-Hant.md").write_text(
        variant("zh-Hant", "虛構證件", "[虛構, shared]"), "utf-8"
    )
    docs = {doc.id: doc for doc in bundled_documents(data_copy)}
    en, zh = docs["hkid-dummy:en"], docs["hkid-dummy:zh-Hant"]
    assert en.aliases[:2] == ("dummy", "shared")
    for doc in (en, zh):
        assert {"dummy", "shared", "虛構", "Dummy card", "虛構證件"} <= set(doc.aliases)
        assert len(doc.aliases) == len(set(doc.aliases))
    assert zh.aliases[:2] == ("虛構", "shared")
    # other topics' names do not leak in
    assert "Old Age Living Allowance" not in en.aliases


def test_bundled_aliases_reach_the_other_language_in_the_database(engine: Engine) -> None:
    load_bundled(engine)
    with engine.connect() as conn:
        rows = dict(conn.execute(select(documents.c.id, documents.c.aliases)).all())
    en_aliases = rows["oala:en"].split("|")
    zh_aliases = rows["oala:zh-Hant"].split("|")
    assert "長者生活津貼" in en_aliases
    assert "Old Age Living Allowance" in zh_aliases
    assert set(en_aliases) == set(zh_aliases)


def test_broken_bundled_file_is_a_packaging_error(engine: Engine, data_copy: Path) -> None:
    broken = data_copy / "oala" / "en.md"
    broken.write_text(broken.read_text("utf-8").replace("hotline:", "phone:"), "utf-8")
    with pytest.raises(IngestError, match=r"^bundled:oala/en\.md: front matter is missing hotline"):
        load_bundled(engine, data_copy)
    assert KnowledgeStore(engine).counts()["documents"] == 0


def test_services_fixture_loads_the_bundled_base(shared_services: object) -> None:
    """The app's own start-up path loads every bundled file into its database."""
    engine = shared_services.engine  # type: ignore[attr-defined]
    n_files = len(list(BUNDLED_DIR.glob("*/*.md")))
    assert KnowledgeStore(engine).counts()["documents"] == n_files
    assert_consistent(engine)
