"""Cantonese-aware full-text retrieval over pre-tokenised text in SQLite FTS5, re-ranked per document."""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Connection, Engine

from kaifong.language.lexicon import ENGLISH_STOPWORDS, NUMBER_WORDS
from kaifong.language.normalise import english_alternatives, search_text
from kaifong.language.tokens import han_segments, query_tokens, stem
from kaifong.retrieval.coverage import Unit, coverage, idf, units
from kaifong.store.knowledge import passage_from_row
from kaifong.store.tables import FTS_TABLES
from kaifong.types import Detection, ScoredPassage

_PASSAGE_SQL = """
SELECT p.rowid, p.id, p.doc_id, p.position, p.heading, p.text,
       d.topic, d.language, d.title, d.department, d.url, d.reviewed, d.hotline
FROM passages p JOIN documents d ON d.id = p.doc_id
WHERE p.rowid IN ({marks})
"""


def _marks(values: list[object] | list[int] | list[str]) -> str:
    return ",".join("?" * len(values))


_LATIN_WORD = re.compile(r"[a-z][a-z0-9'’.-]*")
_NUMBER_STEMS = frozenset(stem(w) for w in NUMBER_WORDS)


def _english_groups(question: str, fixes: dict[str, str] | None = None) -> list[frozenset[str]]:
    """The question's content words as index tokens, each with its official alternatives and its
    spelling fix (numbers, in digits or words, are left out: they say how many, not what)."""
    fixes = fixes or {}
    groups = [frozenset(query_tokens(" ".join(words))) for words in english_alternatives(question)]
    groups = [g | {fixes[t] for t in g if t in fixes} for g in groups]
    kept = [g for g in groups if g and not all(t.isdigit() or t in _NUMBER_STEMS for t in g)]
    return list(dict.fromkeys(kept))  # a word asked twice is still one thing to explain


def _name_terms(name: str) -> frozenset[str]:
    """The content words of a topic's name (its title or an alias) as index tokens (its own words: no
    everyday-word alternatives)."""
    kept = (w for w in _LATIN_WORD.findall(name.lower()) if w.strip(".'’-") not in ENGLISH_STOPWORDS)
    return frozenset(t for t in query_tokens(" ".join(kept)) if not t.isdigit() and t not in _NUMBER_STEMS)


def _naming(names: tuple[frozenset[str], ...], weights: dict[str, float], rarest: float) -> float:
    """How fully the question names the topic: over the topic's names, the largest share of one name's
    words that the question uses, scaled down when the words it uses are common ones (one common word,
    "hotline", is not a name; "fee waiver" or "OALA" is)."""
    best = 0.0
    for name in names:
        used = [weights[t] for t in name if t in weights]
        if used:
            best = max(best, len(used) / len(name) * min(1.0, sum(used) / rarest))
    return best


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _edits(word: str) -> set[str]:
    """The words ``word`` may be a slip of the keys for: with a letter put back where one was dropped
    ("goverment"), or with two neighbouring letters swapped back ("recieve"). A changed or an extra
    letter is not tried: one letter changed or dropped from a real word is too often another real word
    ("night" → "right", "bread" → "read")."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    swapped = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    added = {a + c + b for a, b in splits for c in _LETTERS}
    return (swapped | added) - {word}


@dataclass(frozen=True)
class _DocTerms:
    """The index terms of one document version: its title (and aliases), everything, and its names
    (title and each alias, as sets of English content words)."""

    title: frozenset[str]
    all: frozenset[str]
    names: tuple[frozenset[str], ...] = ()


class FtsRetriever:
    """BM25 candidates from FTS5, re-ranked per document by how much of the question each one explains.

    1. The question is normalised (Cantonese → SWC, glossary, stop words) and cut into word-bounded
       bigrams and Latin words; each term's document frequency comes from the index's vocabulary.
    2. FTS5 ranks passages by BM25 over the question's *selective* terms (held by at most
       ``common_share`` of the passages; never fewer than the three rarest) — common terms add little
       to BM25 but cost most of its time on a large base.
    3. The ``rerank`` documents with the best passages are scored on coverage (see
       ``retrieval.coverage``), title coverage and BM25 together; passages come back best document
       first, and within a document by their own BM25.

    Document term sets are cached per document version (id + content hash), ``cache_size`` at most.
    """

    name = "sqlite-fts"

    def __init__(
        self,
        engine: Engine,
        *,
        candidates: int = 40,
        rerank: int = 12,
        title_weight: float = 3.0,
        bm25_share: float = 0.2,
        title_share: float = 0.5,
        name_share: float = 0.3,
        common_share: float = 0.05,
        common_floor: int = 500,
        cache_size: int = 512,
        spelling_words: int = 3,
    ) -> None:
        self.engine = engine
        self.candidates = candidates
        self.rerank = rerank
        self.title_weight = title_weight
        self.bm25_share = bm25_share
        self.title_share = title_share
        self.name_share = name_share
        self.common_share = common_share
        self.common_floor = common_floor
        self.cache_size = cache_size
        self.spelling_words = spelling_words
        self._sizes: dict[str, tuple[float, int]] = {}
        self._terms: OrderedDict[tuple[str, str], _DocTerms] = OrderedDict()

    def _size(self, conn: Connection, fts: str) -> int:
        cached = self._sizes.get(fts)
        if cached is not None and time.monotonic() - cached[0] < 30.0:
            return cached[1]
        size = int(conn.exec_driver_sql(f"SELECT count(*) FROM {fts}").scalar_one())
        self._sizes[fts] = (time.monotonic(), size)
        return size

    def _spelling(self, conn: Connection, fts: str, terms: list[str], df: dict[str, int]) -> dict[str, str]:
        """Misspelt words → the index term one edit away that most passages hold ("goverment" →
        "government", "libary" → "library"), for the first ``spelling_words`` words of five letters or
        more that no passage holds. A word with no such neighbour is left as it is (it weighs as the
        rarest term: it may be what the question is about)."""
        unknown = [t for t in terms if t not in df and len(t) >= 5 and t.isalpha()][: self.spelling_words]
        if not unknown:
            return {}
        candidates = {t: _edits(t) for t in unknown}
        found = self._frequencies(conn, fts, sorted(set().union(*candidates.values())))
        fixes = {}
        for term, near in candidates.items():
            known = sorted((t for t in near if t in found), key=lambda t: (-found[t], t))
            if known:
                fixes[term] = known[0]
                df[known[0]] = found[known[0]]
        return fixes

    @staticmethod
    def _frequencies(conn: Connection, fts: str, terms: list[str]) -> dict[str, int]:
        sql = f"SELECT term, doc FROM {fts}_vocab WHERE term IN ({_marks(terms)})"
        return {str(t): int(n) for t, n in conn.exec_driver_sql(sql, tuple(terms)).all()}

    def _hits(self, conn: Connection, fts: str, terms: list[str]) -> dict[int, float]:
        """Passage rowid → BM25 (higher is better) for the best ``candidates`` passages."""
        match = " OR ".join(f'"{t}"' for t in terms)
        sql = (
            f"SELECT rowid, bm25({fts}, {self.title_weight}, 1.0) FROM {fts} "
            f"WHERE {fts} MATCH ? ORDER BY 2 LIMIT ?"
        )
        return {int(r[0]): -float(r[1]) for r in conn.exec_driver_sql(sql, (match, self.candidates))}

    def _doc_terms(self, conn: Connection, fts: str, docs: dict[str, str]) -> dict[str, _DocTerms]:
        """Term sets of documents (id → content hash), from the cache or the index."""
        found: dict[str, _DocTerms] = {}
        missing = []
        for doc_id, digest in docs.items():
            cached = self._terms.get((doc_id, digest))
            if cached is None:
                missing.append(doc_id)
            else:
                self._terms.move_to_end((doc_id, digest))
                found[doc_id] = cached
        if missing:
            sql = (
                f"SELECT p.doc_id, f.title, f.body FROM passages p JOIN {fts} f ON f.rowid = p.rowid "
                f"WHERE p.doc_id IN ({_marks(missing)})"
            )
            titles: dict[str, set[str]] = {d: set() for d in missing}
            bodies: dict[str, set[str]] = {d: set() for d in missing}
            for doc_id, title, body in conn.exec_driver_sql(sql, tuple(missing)):
                titles[doc_id].update(title.split())
                bodies[doc_id].update(body.split())
            names_sql = f"SELECT id, title, aliases FROM documents WHERE id IN ({_marks(missing)})"
            names = {
                str(doc_id): tuple(
                    {_name_terms(n) for n in [title, *str(aliases or "").split("|")]} - {frozenset()}
                )
                for doc_id, title, aliases in conn.exec_driver_sql(names_sql, tuple(missing))
            }
            for doc_id in missing:
                terms = _DocTerms(
                    frozenset(titles[doc_id]),
                    frozenset(titles[doc_id] | bodies[doc_id]),
                    names.get(doc_id, ()),
                )
                self._terms[(doc_id, docs[doc_id])] = terms
                found[doc_id] = terms
            while len(self._terms) > self.cache_size:
                self._terms.popitem(last=False)
        return found

    def search(self, text_: str, detection: Detection, top_k: int) -> list[ScoredPassage]:
        """The best passages for a question, best document first, each with its document's coverage."""
        chinese = detection.is_chinese
        fts = FTS_TABLES["zh" if chinese else "en"]
        query = search_text(text_, detection)
        terms = query_tokens(query)[:64]
        if not terms:
            return []
        segments = han_segments(query) if chinese else []
        with self.engine.connect() as conn:
            df = self._frequencies(conn, fts, list(dict.fromkeys(terms + list("".join(segments)))))
            fixes = {} if chinese else self._spelling(conn, fts, terms, df)
            terms = list(dict.fromkeys([*terms, *fixes.values()]))
            present = [t for t in terms if t in df]
            if not present:
                return []
            size = self._size(conn, fts)
            limit = max(self.common_floor, self.common_share * size)
            selective = [t for t in present if df[t] <= limit] or sorted(present, key=lambda t: df[t])[:3]
            hits = self._hits(conn, fts, selective)
            if not hits:
                return []
            rowids = list(hits)
            owners_sql = (
                "SELECT p.rowid, p.doc_id, d.content_hash FROM passages p "
                f"JOIN documents d ON d.id = p.doc_id WHERE p.rowid IN ({_marks(rowids)})"
            )
            owners = {int(r): (str(d), str(h)) for r, d, h in conn.exec_driver_sql(owners_sql, tuple(rowids))}
            best: dict[str, float] = {}
            for rowid, (doc_id, _digest) in owners.items():
                best[doc_id] = max(best.get(doc_id, 0.0), hits[rowid])
            chosen = sorted(best, key=lambda d: best[d], reverse=True)[: self.rerank]
            digests = {doc_id: digest for doc_id, digest in owners.values() if doc_id in chosen}
            groups = None if chinese else _english_groups(text_, fixes)
            weighted = units(terms, segments, size, df, groups)
            scores = self._score(
                weighted,
                best,
                self._doc_terms(conn, fts, digests),
                english=not chinese,
                rarest=idf(size, None),
            )
            top = max(best.values()) or 1.0
            # document score first; within a document, the passage's own BM25 breaks the tie
            final = {
                r: scores[owners[r][0]][0] + 0.01 * hits[r] / top for r in owners if owners[r][0] in scores
            }
            ranked = sorted(final, key=lambda r: final[r], reverse=True)[:top_k]
            sql = _PASSAGE_SQL.format(marks=_marks(ranked))
            rows = {int(row.rowid): row for row in conn.exec_driver_sql(sql, tuple(ranked))}
        results = []
        for rowid in ranked:
            row = rows[rowid]
            cov = scores[row.doc_id][1]
            passage = passage_from_row(row)
            results.append(ScoredPassage(passage, score=final[rowid], coverage=cov))
        return results

    def coverage_of(self, text_: str, detection: Detection, doc_ids: Collection[str]) -> dict[str, float]:
        """Coverage (0–1) of the given documents for a question, computed as ``search`` computes it."""
        chinese = detection.is_chinese
        fts = FTS_TABLES["zh" if chinese else "en"]
        query = search_text(text_, detection)
        terms = query_tokens(query)[:64]
        wanted = list(doc_ids)
        if not terms or not wanted:
            return dict.fromkeys(wanted, 0.0)
        segments = han_segments(query) if chinese else []
        with self.engine.connect() as conn:
            df = self._frequencies(conn, fts, list(dict.fromkeys(terms + list("".join(segments)))))
            fixes = {} if chinese else self._spelling(conn, fts, terms, df)
            size = self._size(conn, fts)
            sql = f"SELECT id, content_hash FROM documents WHERE id IN ({_marks(wanted)})"
            digests = {str(d): str(h) for d, h in conn.exec_driver_sql(sql, tuple(wanted))}
            terms_of = self._doc_terms(conn, fts, digests)
        weighted = units(terms, segments, size, df, None if chinese else _english_groups(text_, fixes))
        return {d: coverage(weighted, terms_of[d].all) if d in terms_of else 0.0 for d in wanted}

    def _score(
        self,
        weighted: list[Unit],
        best: dict[str, float],
        terms: dict[str, _DocTerms],
        *,
        english: bool = False,
        rarest: float = 1.0,
    ) -> dict[str, tuple[float, float]]:
        """Document id → (score, coverage): coverage, plus shares of title coverage and relative BM25."""
        top = max(best.values()) or 1.0
        weights = {t: w for w, group in weighted for t in group}
        scored = {}
        for doc_id in terms:
            cov = coverage(weighted, terms[doc_id].all)
            title_cov = coverage(weighted, terms[doc_id].title)
            named = _naming(terms[doc_id].names, weights, rarest) if english else 0.0
            scored[doc_id] = (
                cov
                + self.title_share * title_cov
                + self.bm25_share * best[doc_id] / top
                + self.name_share * named,
                cov,
            )
        return scored
