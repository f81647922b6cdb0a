"""Ingestion: documents into the store and its full-text index, idempotently, one transaction per file."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import Connection, Engine, delete, select, text

from kaifong.errors import IngestError
from kaifong.governance.guards.injection import neutralise_passage, passage_rules_version
from kaifong.knowledge.chunking import chunk
from kaifong.knowledge.documents import Document, document_from_markdown
from kaifong.knowledge.loaders import LOADERS, load
from kaifong.language.tokens import TOKENS_VERSION, index_tokens
from kaifong.store.tables import FTS_TABLES, documents, passages

BUNDLED_DIR = Path(__file__).parent / "data"
BUNDLED_PREFIX = "bundled:"


@dataclass
class IngestReport:
    """What one ingestion run did, file by file."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no file failed."""
        return not self.failed


def language_group(language: str) -> str:
    """Which full-text index a language's passages go to."""
    return "en" if language == "en" else "zh"


def _delete_document(conn: Connection, doc_id: str, language: str) -> None:
    rowids = [r[0] for r in conn.execute(select(passages.c.rowid).where(passages.c.doc_id == doc_id))]
    fts = FTS_TABLES[language_group(language)]
    for rowid in rowids:
        conn.execute(text(f"DELETE FROM {fts} WHERE rowid = :r"), {"r": rowid})
    conn.execute(delete(passages).where(passages.c.doc_id == doc_id))
    conn.execute(delete(documents).where(documents.c.id == doc_id))


def stored_hash(doc: Document) -> str:
    """The document's content hash with the passage-rules and index-token versions: new rules re-check
    every passage, new tokens re-index it."""
    return f"{doc.content_hash}+{passage_rules_version()}+t{TOKENS_VERSION}"


def store_document(conn: Connection, doc: Document) -> str:
    """Insert or replace one document and its passages; returns ``added``, ``replaced`` or ``unchanged``.

    Instruction-like sentences planted in a document are neutralised here, once, before its passages are
    stored or indexed (``neutralise_passage``), so no backend ever sees them.
    """
    existing = conn.execute(
        select(documents.c.content_hash, documents.c.language).where(documents.c.id == doc.id)
    ).first()
    digest = stored_hash(doc)
    if existing is not None and existing.content_hash == digest:
        return "unchanged"
    if existing is not None:
        _delete_document(conn, doc.id, existing.language)
    conn.execute(
        documents.insert().values(
            id=doc.id,
            topic=doc.topic,
            language=doc.language,
            title=doc.title,
            department=doc.department,
            url=doc.url,
            reviewed=doc.reviewed,
            source_date=doc.source_date,
            hotline=doc.hotline,
            tags="|".join(doc.tags),
            aliases="|".join(doc.aliases),
            source=doc.source,
            content_hash=digest,
            ingested_at=time.time(),
        )
    )
    fts = FTS_TABLES[language_group(doc.language)]
    title_terms = " ".join(index_tokens(" ".join([doc.title, *doc.aliases])))
    for position, piece in enumerate(chunk(doc.body)):
        passage_text = neutralise_passage(piece.text)
        body_tokens = " ".join(index_tokens(f"{piece.heading}\n{passage_text}"))
        result = conn.execute(
            passages.insert().values(
                id=f"{doc.id}#{position}",
                doc_id=doc.id,
                position=position,
                heading=piece.heading,
                text=passage_text,
            )
        )
        rowid = result.inserted_primary_key[0] if result.inserted_primary_key else None
        conn.execute(
            text(f"INSERT INTO {fts}(rowid, title, body) VALUES (:r, :t, :b)"),
            {"r": rowid, "t": title_terms, "b": body_tokens},
        )
    return "added" if existing is None else "replaced"


def _record(report: IngestReport, outcome: str, name: str) -> None:
    getattr(report, outcome).append(name)


def expand(paths: Iterable[Path]) -> Iterator[Path]:
    """Files to ingest: each file given, and every supported file under each folder given."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in LOADERS)
        else:
            yield path


def ingest_paths(
    engine: Engine, paths: Iterable[Path], on_file: Callable[[Path], None] | None = None
) -> IngestReport:
    """Ingest files and folders; a bad file is reported by name and skipped, nothing else is lost."""
    report = IngestReport()
    for path in expand(paths):
        try:
            doc = load(path)
            with engine.begin() as conn:
                _record(report, store_document(conn, doc), str(path))
        except IngestError as exc:
            report.failed.append((str(path), str(exc)))
        if on_file is not None:
            on_file(path)
    return report


def bundled_documents(folder: Path = BUNDLED_DIR) -> list[Document]:
    """Every bundled topic file, strictly validated; a broken bundled file is a packaging error.

    Each document also carries the other languages' titles and aliases of its topic, so that a
    code-switched question (「home care service點申請」) finds the Chinese page by its English name.
    """
    docs = []
    for path in sorted(folder.glob("*/*.md")):
        where = f"{BUNDLED_PREFIX}{path.parent.name}/{path.name}"
        docs.append(document_from_markdown(path.read_text(encoding="utf-8"), where, strict=True))
    names: dict[str, list[str]] = {}
    for doc in docs:
        names.setdefault(doc.topic, []).extend([doc.title, *doc.aliases])
    return [replace(doc, aliases=tuple(dict.fromkeys([*doc.aliases, *names[doc.topic]]))) for doc in docs]


def load_bundled(engine: Engine, folder: Path = BUNDLED_DIR) -> IngestReport:
    """Load or refresh the bundled knowledge base: new and changed files in, removed ones out."""
    report = IngestReport()
    docs = bundled_documents(folder)
    wanted = {doc.id for doc in docs}
    with engine.begin() as conn:
        for doc in docs:
            _record(report, store_document(conn, doc), doc.source)
        stale = conn.execute(
            select(documents.c.id, documents.c.language).where(documents.c.source.like(f"{BUNDLED_PREFIX}%"))
        ).all()
        for row in stale:
            if row.id not in wanted:
                _delete_document(conn, row.id, row.language)
                report.removed.append(row.id)
    return report
