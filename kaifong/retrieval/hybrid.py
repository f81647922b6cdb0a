"""Hybrid retrieval: full-text and dense rankings fused per document by reciprocal rank (RRF, k = 60)."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable

from kaifong.language.normalise import search_text
from kaifong.language.tokens import query_tokens
from kaifong.retrieval.dense import DenseIndex
from kaifong.retrieval.fts import FtsRetriever
from kaifong.store.knowledge import KnowledgeStore
from kaifong.types import Detection, Passage, ScoredPassage

log = logging.getLogger("kaifong.retrieval")


class HybridRetriever:
    """FtsRetriever and a DenseIndex, fused by reciprocal rank at the document level.

    1. FtsRetriever ranks documents as it always does (its first ``fts_depth`` passages); the dense
       index ranks passages by cosine and a document takes its best passage's place (the first
       ``dense_documents`` documents).
    2. Each document scores ``Σ 1 / (k + rank)`` over the rankings it appears in; ties go to the full-text
       order. Passages come back best document first, and within a document by the same fusion of their
       own ranks; every passage's score is its document's.
    3. ``coverage`` (the answer gate) is FtsRetriever's for the documents it found; a document only the
       dense side found gets its coverage computed the same way (``retrieval.coverage`` over the same
       index terms), so dense retrieval can reorder sources but never lowers the bar for answering.

    A question with no searchable term returns ``[]`` as FtsRetriever does; should the dense side fail,
    the full-text ranking is returned alone (and the failure logged).
    """

    name = "hybrid-rrf"

    def __init__(
        self,
        fts: FtsRetriever,
        dense: DenseIndex,
        *,
        k: int = 60,
        fts_depth: int = 40,
        dense_depth: int = 50,
        dense_documents: int = 12,
    ) -> None:
        self.fts = fts
        self.dense = dense
        self.k = k
        self.fts_depth = fts_depth
        self.dense_depth = dense_depth
        self.dense_documents = dense_documents

    def search(self, text_: str, detection: Detection, top_k: int) -> list[ScoredPassage]:
        """The best passages for a question, best fused document first, with full-text coverage."""
        if top_k < 1:
            return []
        lexical = self.fts.search(text_, detection, max(self.fts_depth, top_k))
        if not lexical and not query_tokens(search_text(text_, detection)):
            return []
        try:
            semantic = self.dense.search(text_, detection.is_chinese, self.dense_depth)
        except Exception as exc:  # the contract: a retriever never raises; full text still answers
            # the class only: a traceback could carry the question's text into the log
            log.error("dense search failed (%s); using the full-text ranking alone", exc.__class__.__name__)
            semantic = []
        # document rankings (1-based), each document at its best passage
        fts_rank = _ranks(sp.passage.doc_id for sp in lexical)
        dense_rank = _ranks(doc_id for _, doc_id, _ in semantic)
        dense_rank = {d: r for d, r in dense_rank.items() if r <= self.dense_documents}
        fused = {
            doc_id: self._rrf(fts_rank.get(doc_id), dense_rank.get(doc_id))
            for doc_id in fts_rank.keys() | dense_rank.keys()
        }
        missing = len(fts_rank) + len(dense_rank) + 1
        order = sorted(
            fused,
            key=lambda d: (-fused[d], fts_rank.get(d, missing), dense_rank.get(d, missing), d),
        )
        # coverage: the full-text retriever's where it found the document, computed alike otherwise
        cov = {sp.passage.doc_id: sp.coverage for sp in lexical}
        extra = [d for d in order[:top_k] if d not in cov]
        if extra:
            cov.update(self.coverage_of(text_, detection, extra))
        # passages of each document, by the fusion of their own ranks
        found = {sp.passage.id: sp.passage for sp in lexical}
        wanted = [pid for pid, doc_id, _ in semantic if doc_id in dense_rank and pid not in found]
        found.update(self._passages(wanted))
        p_fts = _ranks(sp.passage.id for sp in lexical)
        p_dense = _ranks(pid for pid, _, _ in semantic)
        by_doc: dict[str, list[str]] = {}
        for pid in dict.fromkeys([*p_fts, *p_dense]):
            passage = found.get(pid)
            if passage is not None and passage.doc_id in fused:
                by_doc.setdefault(passage.doc_id, []).append(pid)
        results: list[ScoredPassage] = []
        for doc_id in order:
            ids = sorted(by_doc.get(doc_id, []), key=lambda p: (-self._rrf(p_fts.get(p), p_dense.get(p)), p))
            for pid in ids:
                results.append(ScoredPassage(found[pid], score=fused[doc_id], coverage=cov.get(doc_id, 0.0)))
                if len(results) == top_k:
                    return results
        return results

    def _rrf(self, *ranks: int | None) -> float:
        return sum(1.0 / (self.k + r) for r in ranks if r is not None)

    def coverage_of(self, text_: str, detection: Detection, doc_ids: Collection[str]) -> dict[str, float]:
        """Coverage of documents only the dense side found, exactly as FtsRetriever computes it."""
        return self.fts.coverage_of(text_, detection, doc_ids)

    def _passages(self, ids: list[str]) -> dict[str, Passage]:
        """Passages by id (ids that no longer exist are left out)."""
        return KnowledgeStore(self.fts.engine).passages_by_id(ids)


def _ranks(ids: Iterable[str]) -> dict[str, int]:
    """1-based rank of each distinct id, in first-seen order."""
    ranks: dict[str, int] = {}
    for value in ids:
        ranks.setdefault(value, len(ranks) + 1)
    return ranks
