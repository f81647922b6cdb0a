"""Question normalisation for retrieval: Cantonese → standard written Chinese, English terms → glossary."""

from __future__ import annotations

import re
from functools import cache

from kaifong.language.convert import to_hant
from kaifong.language.glossary import EN_TO_ZH
from kaifong.language.lexicon import (
    CANTONESE_TO_SWC,
    ENGLISH_STOPWORDS,
    ENGLISH_SYNONYMS,
    STOP_PHRASES,
    SWC_SYNONYMS,
)
from kaifong.types import Detection

_SYNONYMS = {to_hant(k): v for k, v in SWC_SYNONYMS.items()}
_SYNONYM = re.compile("|".join(sorted(map(re.escape, _SYNONYMS), key=len, reverse=True)))
_STOP = re.compile(
    "|".join(sorted(map(re.escape, {*STOP_PHRASES, *map(to_hant, STOP_PHRASES)}), key=len, reverse=True))
)
#: The map as it meets text after ``to_hant`` (OpenCC's HK forms turn e.g. 搵 into 揾).
_CANTO_HK = {to_hant(k): v for k, v in CANTONESE_TO_SWC.items()} | CANTONESE_TO_SWC
_CANTO = re.compile("|".join(sorted(map(re.escape, _CANTO_HK), key=len, reverse=True)))
_GLOSSARY = re.compile(
    r"(?<![A-Za-z0-9])("
    + "|".join(sorted(map(re.escape, EN_TO_ZH), key=len, reverse=True))
    + r")(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’.-]*")


def english_alternatives(text: str) -> list[list[str]]:
    """Each content word of an English question with the official words it may stand for.

    "How much does it cost?" → ``[["cost", "fee"]]``: the question searches for both, and a page that
    says either explains that word.
    """
    groups = []
    for raw in _LATIN_WORD.findall(text.lower()):
        word = raw.strip(".'’-")
        if word and word not in ENGLISH_STOPWORDS:
            groups.append([word, *_synonyms(word)])
    return groups


@cache
def _synonym_stems() -> dict[str, list[str]]:
    """The everyday-word map keyed by stem, so "fathers" and "complaining" find "father" and "complain"."""
    from kaifong.language.tokens import stem

    by_stem: dict[str, list[str]] = {}
    for word, official in ENGLISH_SYNONYMS.items():
        key = stem(word)
        alternatives = by_stem.setdefault(key, [])
        alternatives.extend(w for w in official.split() if w not in alternatives and stem(w) != key)
    return by_stem


def _synonyms(word: str) -> list[str]:
    """The official words an everyday word may stand for: by the word itself, else by its stem."""
    if word in ENGLISH_SYNONYMS:
        return ENGLISH_SYNONYMS[word].split()
    from kaifong.language.tokens import stem

    return _synonym_stems().get(stem(word), [])


def english_query(text: str) -> str:
    """An English question reduced to its content words and their official alternatives."""
    words = [w for group in english_alternatives(text) for w in group]
    return " ".join(words) + " " + " ".join(re.findall(r"\d+", text))


def is_fragment(text: str, detection: Detection) -> bool:
    """True for a follow-up too short to name a topic (「要幾多錢？」, "How much does it cost?")."""
    from kaifong.language.tokens import query_tokens

    if detection.is_chinese:
        return len(query_tokens(search_text(text, detection))) <= 3
    return len(english_alternatives(text)) <= 1


def chinese_query(text: str) -> str:
    """A Chinese (or code-switched) question as SWC search terms in Traditional script."""
    hant = to_hant(text)
    with_glossary = _GLOSSARY.sub(lambda m: f" {m.group(0)} {EN_TO_ZH[m.group(0).lower()]} ", hant)
    swc = _CANTO.sub(lambda m: f" {_CANTO_HK[m.group(0)]} ", with_glossary)
    synonyms = _SYNONYM.sub(lambda m: f" {_SYNONYMS[m.group(0)]} ", swc)
    without_stops = _STOP.sub(" ", synonyms)
    kept_latin = " ".join(w for w in _LATIN_WORD.findall(without_stops) if w.lower() not in ENGLISH_STOPWORDS)
    han_only = _LATIN_WORD.sub(" ", without_stops)
    return f"{han_only} {kept_latin}"


def search_text(text: str, detection: Detection) -> str:
    """The text a retriever should search for, given how the question is written."""
    return chinese_query(text) if detection.is_chinese else english_query(text)
