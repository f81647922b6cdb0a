"""Read access to the knowledge base: documents and their passages as value objects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Engine, func, select

from kaifong.store.tables import documents, passages
from kaifong.types import Passage

#: The passage and document columns a Passage is built from (select them under these names).
PASSAGE_COLUMNS = (
    "id",
    "doc_id",
    "topic",
    "language",
    "title",
    "department",
    "url",
    "reviewed",
    "hotline",
    "heading",
    "text",
    "position",
)


def passage_from_row(row: Any) -> Passage:
    """A Passage from a result row (or mapping) that has every name in PASSAGE_COLUMNS."""
    get = row.__getitem__ if isinstance(row, Mapping) else lambda name: getattr(row, name)
    return Passage(**{name: get(name) for name in PASSAGE_COLUMNS})


class KnowledgeStore:
    """Looks up passages and counts documents (the retriever does the searching)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def passages_of(self, doc_id: str) -> list[Passage]:
        """Every passage of one document, in document order."""
        return self._passages(passages.c.doc_id == doc_id)

    def passages_by_id(self, ids: list[str]) -> dict[str, Passage]:
        """Passages by id; ids that no longer exist are left out."""
        return {p.id: p for p in self._passages(passages.c.id.in_(ids))} if ids else {}

    def _passages(self, condition: ColumnElement[bool]) -> list[Passage]:
        columns = [passages.c[n] for n in ("id", "doc_id", "position", "heading", "text")]
        columns += [
            documents.c[n]
            for n in PASSAGE_COLUMNS
            if n not in {"id", "doc_id", "position", "heading", "text"}
        ]
        query = (
            select(*columns)
            .join(documents, documents.c.id == passages.c.doc_id)
            .where(condition)
            .order_by(passages.c.doc_id, passages.c.position)
        )
        with self.engine.connect() as conn:
            return [passage_from_row(row) for row in conn.execute(query).mappings()]

    def counts(self) -> dict[str, int]:
        """How many documents, passages and topics the base holds."""
        with self.engine.connect() as conn:
            docs = conn.execute(select(func.count()).select_from(documents)).scalar_one()
            topics = conn.execute(select(func.count(func.distinct(documents.c.topic)))).scalar_one()
            chunks = conn.execute(select(func.count()).select_from(passages)).scalar_one()
        return {"documents": int(docs), "topics": int(topics), "passages": int(chunks)}
