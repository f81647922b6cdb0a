"""Read access to the knowledge base: documents and their passages as value objects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, func, select

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


_SELECT = (
    "SELECT p.id, p.doc_id, p.position, p.heading, p.text, d.topic, d.language, d.title, d.department, "
    "d.url, "
    "d.reviewed, d.hotline FROM passages p JOIN documents d ON d.id = p.doc_id"
)


class KnowledgeStore:
    """Looks up passages and counts documents (the retriever does the searching)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def passages_of(self, doc_id: str) -> list[Passage]:
        """Every passage of one document, in document order."""
        return self._passages("p.doc_id = ?", (doc_id,))

    def passages_by_id(self, ids: list[str]) -> dict[str, Passage]:
        """Passages by id; ids that no longer exist are left out."""
        if not ids:
            return {}
        return {p.id: p for p in self._passages(f"p.id IN ({','.join('?' * len(ids))})", tuple(ids))}

    def _passages(self, condition: str, params: tuple[str, ...]) -> list[Passage]:
        # driver-level SQL: this runs on every answer, and SQLAlchemy's statement building costs more
        # than the query itself
        sql = f"{_SELECT} WHERE {condition} ORDER BY p.doc_id, p.position"
        with self.engine.connect() as conn:
            return [passage_from_row(row) for row in conn.exec_driver_sql(sql, params)]

    def counts(self) -> dict[str, int]:
        """How many documents, passages and topics the base holds."""
        with self.engine.connect() as conn:
            docs = conn.execute(select(func.count()).select_from(documents)).scalar_one()
            topics = conn.execute(select(func.count(func.distinct(documents.c.topic)))).scalar_one()
            chunks = conn.execute(select(func.count()).select_from(passages)).scalar_one()
        return {"documents": int(docs), "topics": int(topics), "passages": int(chunks)}
