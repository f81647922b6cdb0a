"""Coverage: how much of a question's informative weight a document explains (the answer gate)."""

from __future__ import annotations

import math
import re

from kaifong.language.lexicon import PLACES
from kaifong.language.tokens import fold_for_index, han_bigrams

_DIGITS = re.compile(r"^[0-9]+$")
_NUMERALS = frozenset("零一二三四五六七八九十百千万两廿")
#: Bigrams that only ever spell a place name: searched, but not counted towards coverage.
PLACE_BIGRAMS = frozenset(b for place in PLACES for b in han_bigrams(fold_for_index(place)))

Unit = tuple[float, frozenset[str]]


def idf(size: int, df: int | None) -> float:
    """BM25-style inverse document frequency; a term no passage holds weighs as the rarest possible."""
    size = max(size, 1)
    count = 0 if df is None else df
    return (
        math.log(1 + (size - count + 0.5) / (count + 0.5))
        if df is not None
        else math.log(1 + (size + 0.5) / 1.5)
    )


def units(
    terms: list[str],
    segments: list[str],
    size: int,
    df: dict[str, int],
    alternatives: list[frozenset[str]] | None = None,
) -> list[Unit]:
    """Weighted units to explain: each Latin word, and each Han character with the bigrams covering it.

    A Latin word weighs its idf; a word the whole base lacks weighs as the rarest term (it is what the
    question is about, and nothing here mentions it). With ``alternatives`` (each word with the official
    words it may stand for, tokenised) a group is one unit, explained by any member and weighing the
    lowest idf among the members the base holds. A Han character weighs the lowest idf among the
    bigrams of its word that the base holds; a character in no held bigram weighs its own idf as a
    unigram, so a classifier or particle (張, 架, 啲) glued to a real word costs little and an unknown
    word (吉他) costs a lot. Numbers and place names are left out: they say how old or where, not what.
    """
    if alternatives is None:
        alternatives = [frozenset({t}) for t in terms if t.isascii() and not _DIGITS.match(t)]
    found: list[Unit] = []
    for words in alternatives:
        known = [idf(size, df[t]) for t in words if t in df]
        found.append((min(known) if known else idf(size, None), words))
    for segment in segments:
        grams = han_bigrams(segment)
        for index, char in enumerate(segment):
            around = grams[max(index - 1, 0) : index + 1] if len(segment) > 1 else [char]
            group = frozenset(g for g in around if char in g) - PLACE_BIGRAMS
            if not group or char in _NUMERALS:
                continue
            known = [idf(size, df[g]) for g in group if g in df]
            found.append((min(known) if known else idf(size, df.get(char)), group))
    return found


def coverage(weighted: list[Unit], tokens: frozenset[str] | set[str]) -> float:
    """The share (0–1) of the units' weight that ``tokens`` explain."""
    total = sum(w for w, _ in weighted)
    if not total:
        return 0.0
    return sum(w for w, group in weighted if not group.isdisjoint(tokens)) / total
