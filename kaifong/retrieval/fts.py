"""Cantonese-aware full-text retrieval over pre-tokenised text in SQLite FTS5, ranked per document."""

from __future__ import annotations

import math
import re
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, text

from kaifong.language.normalise import PLACES, search_text
from kaifong.language.tokens import fold_for_index, han_bigrams, han_segments, query_tokens
from kaifong.store.tables import FTS_TABLES
from kaifong.types import Detection, Passage, ScoredPassage

_DOC_SQL = """
SELECT p.rowid, p.id, p.doc_id, p.position, p.heading, p.text, f.body, f.title AS title_terms,
       d.topic, d.language, d.title, d.department, d.url, d.reviewed, d.hotline
FROM passages p JOIN documents d ON d.id = p.doc_id JOIN {fts} f ON f.rowid = p.rowid
WHERE p.doc_id IN ({ids})
"""
_DIGITS = re.compile(r"^[0-9]+$")
_NUMERALS = frozenset("零一二三四五六七八九十百千万两廿")
#: Bigrams that only ever spell a place name: searched, but not counted towards coverage.
_PLACE_BIGRAMS = frozenset(b for place in PLACES for b in han_bigrams(fold_for_index(place)))


@dataclass(frozen=True)
class _Doc:
    """What the ranker knows about one candidate document."""

    best_bm25: float
    coverage: float
    title_coverage: float


class FtsRetriever:
    """BM25 candidates from FTS5, re-ranked per document by how much of the question each one explains.

    The FTS query uses the question's selective terms (those in at most ``common_share`` of the
    passages, and never fewer than the three rarest); the ``rerank`` documents whose best passage
    ranks highest are then scored on coverage, title coverage and BM25 together.

    Coverage is the share of the question's informative weight the document contains: each query term
    weighs its inverse document frequency, a term the whole base lacks weighs as much as the rarest
    term (it is what the question is about, and nothing here mentions it), and numbers are ignored
    (an age or amount says nothing about the topic). For Chinese, a character counts as explained when
    any query bigram containing it occurs in the document, so a bigram that straddles two words
    (「請長」 in 「申請長者」) does not count against a good match.
    """

    name = "sqlite-fts"

    def __init__(
        self,
        engine: Engine,
        *,
        candidates: int = 40,
        title_weight: float = 3.0,
        bm25_share: float = 0.2,
        title_share: float = 0.5,
        rerank: int = 12,
        common_share: float = 0.05,
        common_floor: int = 500,
    ) -> None:
        self.engine = engine
        self.candidates = candidates
        self.title_weight = title_weight
        self.bm25_share = bm25_share
        self.title_share = title_share
        self.rerank = rerank
        self.common_share = common_share
        self.common_floor = common_floor
        self._sizes: dict[str, tuple[float, int]] = {}

    def _size(self, fts: str) -> int:
        cached = self._sizes.get(fts)
        if cached is not None and time.monotonic() - cached[0] < 30.0:
            return cached[1]
        with self.engine.connect() as conn:
            size = int(conn.execute(text(f"SELECT count(*) FROM {fts}")).scalar_one())
        self._sizes[fts] = (time.monotonic(), size)
        return size

    def _idf(self, fts: str, terms: list[str]) -> tuple[dict[str, float], dict[str, int]]:
        """Inverse document frequency of each term, and the passage count of the terms the base holds."""
        size = max(self._size(fts), 1)
        params = {f"t{i}": t for i, t in enumerate(terms)}
        names = ", ".join(f":{k}" for k in params)
        with self.engine.connect() as conn:
            found: dict[str, int] = dict(
                conn.execute(text(f"SELECT term, doc FROM {fts}_vocab WHERE term IN ({names})"), params).all()
            )
        rarest = math.log(1 + (size + 0.5) / 1.5)
        idf = {
            t: math.log(1 + (size - found[t] + 0.5) / (found[t] + 0.5)) if t in found else rarest
            for t in terms
        }
        return idf, found

    def _rows(self, fts: str, hits: dict[int, float]) -> list[Any]:
        """Every passage (with its index terms) of the ``rerank`` documents with the best passages."""
        ids = ",".join(map(str, hits))
        with self.engine.connect() as conn:
            owners = conn.execute(text(f"SELECT rowid, doc_id FROM passages WHERE rowid IN ({ids})")).all()
            best: dict[str, float] = {}
            for rowid, doc_id in owners:
                best[doc_id] = max(best.get(doc_id, 0.0), hits[rowid])
            chosen = sorted(best, key=lambda d: best[d], reverse=True)[: self.rerank]
            params = {f"d{i}": d for i, d in enumerate(chosen)}
            sql = _DOC_SQL.format(fts=fts, ids=", ".join(f":{k}" for k in params))
            return list(conn.execute(text(sql), params).all())

    @staticmethod
    def _units(
        terms: list[str], segments: list[str], idf: dict[str, float], seen: set[str]
    ) -> list[tuple[float, set[str]]]:
        """Weighted units to explain: each Latin word, and each Han character with the bigrams covering it.

        A character weighs the highest idf among the bigrams containing it that the base has seen; a
        character in no seen bigram weighs its own idf as a unigram, so a classifier or particle
        (張, 架, 啲) glued to a real word costs little and an unknown word (吉他) costs a lot. Numbers
        and place names are left out: they say how old or where, not what about.
        """
        units: list[tuple[float, set[str]]] = [
            (idf[t], {t}) for t in terms if t.isascii() and not _DIGITS.match(t) and t in idf
        ]
        for segment in segments:
            grams = han_bigrams(segment)
            for index, char in enumerate(segment):
                if len(segment) == 1:
                    group = {char}
                else:
                    group = {g for g in grams[max(index - 1, 0) : index + 1] if char in g}
                group = {g for g in group if g not in _PLACE_BIGRAMS}
                if not group or char in _NUMERALS:
                    continue
                known = [idf[g] for g in group if g in seen]
                units.append((min(known) if known else idf.get(char, 1.0), group))
        return units

    def _candidates(self, fts: str, terms: list[str]) -> dict[int, float]:
        """Passage rowid → BM25 (higher is better) for the best ``candidates`` passages."""
        match = " OR ".join(f'"{t}"' for t in terms)
        sql = (
            f"SELECT rowid, bm25({fts}, {self.title_weight}, 1.0) AS s FROM {fts} "
            f"WHERE {fts} MATCH :q ORDER BY s LIMIT :n"
        )
        with self.engine.connect() as conn:
            return {
                int(r[0]): -float(r[1]) for r in conn.execute(text(sql), {"q": match, "n": self.candidates})
            }

    def search(self, text_: str, detection: Detection, top_k: int) -> list[ScoredPassage]:
        """The best passages for a question, best document first, each with its document's coverage."""
        chinese = detection.is_chinese
        fts = FTS_TABLES["zh" if chinese else "en"]
        query = search_text(text_, detection)
        terms = query_tokens(query)[:64]
        if not terms:
            return []
        segments = han_segments(query) if chinese else []
        idf, df = self._idf(fts, terms + list(dict.fromkeys("".join(segments))))
        present = [t for t in terms if t in df]
        if not present:
            return []
        # Terms in a large share of the base add little to BM25 but cost most of its time: search with
        # the selective ones (coverage below still counts every term).
        limit = max(self.common_floor, self.common_share * self._size(fts))
        selective = [t for t in present if df[t] <= limit] or sorted(present, key=lambda t: df[t])[:3]
        hits = self._candidates(fts, selective)
        if not hits:
            return []
        rows = self._rows(fts, hits)
        units = self._units(terms, segments, idf, set(df))
        total = sum(w for w, _ in units) or 1.0
        body: dict[str, set[str]] = defaultdict(set)
        titles: dict[str, set[str]] = {}
        best: dict[str, float] = defaultdict(float)
        for row in rows:
            body[row.doc_id].update(row.body.split())
            titles.setdefault(row.doc_id, set(row.title_terms.split()))
            best[row.doc_id] = max(best[row.doc_id], hits.get(row.rowid, 0.0))
        top_bm25 = max(best.values()) or 1.0
        docs: dict[str, _Doc] = {}
        for doc_id, tokens in body.items():
            title = titles[doc_id]
            tokens |= title
            cov = sum(w for w, group in units if group & tokens) / total
            title_cov = sum(w for w, group in units if group & title) / total
            docs[doc_id] = _Doc(best[doc_id] / top_bm25, cov, title_cov)

        def doc_score(d: _Doc) -> float:
            return self.bm25_share * d.best_bm25 + self.title_share * d.title_coverage + d.coverage

        results = []
        for row in rows:
            if row.rowid not in hits:
                continue
            doc = docs[row.doc_id]
            passage = Passage(
                id=row.id,
                doc_id=row.doc_id,
                topic=row.topic,
                language=row.language,
                title=row.title,
                department=row.department,
                url=row.url,
                reviewed=row.reviewed,
                hotline=row.hotline,
                heading=row.heading,
                text=row.text,
                position=row.position,
            )
            # document score first; within a document, the passage's own BM25 breaks the tie
            score = doc_score(doc) + 0.01 * hits[row.rowid] / top_bm25
            results.append(ScoredPassage(passage, score=score, coverage=doc.coverage))
        results.sort(key=lambda sp: sp.score, reverse=True)
        return results[:top_k]
