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


class KnowledgeStore:
    """Looks up passages and counts documents (the retriever does the searching)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def passages_of(self, doc_id: str) -> list[Passage]:
        """Every passage of one document, in document order."""
        query = (
            select(
                passages.c.id,
                passages.c.doc_id,
                passages.c.position,
                passages.c.heading,
                passages.c.text,
                documents.c.topic,
                documents.c.language,
                documents.c.title,
                documents.c.department,
                documents.c.url,
                documents.c.reviewed,
                documents.c.hotline,
            )
            .join(documents, documents.c.id == passages.c.doc_id)
            .where(passages.c.doc_id == doc_id)
            .order_by(passages.c.position)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [passage_from_row(row) for row in rows]

    def counts(self) -> dict[str, int]:
        """How many documents, passages and topics the base holds."""
        with self.engine.connect() as conn:
            docs = conn.execute(select(func.count()).select_from(documents)).scalar_one()
            topics = conn.execute(select(func.count(func.distinct(documents.c.topic)))).scalar_one()
            chunks = conn.execute(select(func.count()).select_from(passages)).scalar_one()
        return {"documents": int(docs), "topics": int(topics), "passages": int(chunks)}
