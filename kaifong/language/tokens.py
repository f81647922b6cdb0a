"""Index tokens: Han unigrams + bigrams over Simplified-folded text, and lower-cased Latin words."""

from __future__ import annotations

import logging
import re
from functools import cache

import jieba

from kaifong.language.convert import to_hans

#: Han ideographs (BMP blocks and the supplementary planes that hold HKSCS characters).
HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_RUN = re.compile(rf"[{HAN}]+|[a-z0-9]+(?:[.'’][a-z0-9]+)*")
_HAN_RUN = re.compile(rf"[{HAN}]+")

#: Variant spellings that official pages use interchangeably, folded before tokenising.
VARIANTS = {"身分证": "身份证", "身分": "身份", "着": "著", "綫": "线", "線": "线"}
_VARIANT = re.compile("|".join(sorted(map(re.escape, VARIANTS), key=len, reverse=True)))


def fold_for_index(text: str) -> str:
    """Fold text to one comparable form: Simplified characters, common variants unified, lower case."""
    return _VARIANT.sub(lambda m: VARIANTS[m.group(0)], to_hans(text)).lower()


#: American spellings → the British ones Hong Kong Government pages use (folded before stemming).
SPELLINGS = {
    "license": "licence",
    "licenses": "licences",
    "program": "programme",
    "programs": "programmes",
    "center": "centre",
    "centers": "centres",
    "enroll": "enrol",
    "enrollment": "enrolment",
    "labor": "labour",
    "organization": "organisation",
    "organizations": "organisations",
    "neighborhood": "neighbourhood",
    "counseling": "counselling",
    "check-up": "checkup",
    "favor": "favour",
}


def stem(word: str) -> str:
    """A light English stemmer (plural and -ed/-ing endings, US→UK spelling), for index and query alike."""
    word = SPELLINGS.get(word, word)
    if len(word) <= 4 or not word.isalpha():
        return word
    for suffix, replacement in (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", "e"), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith("ss"):
                return word
            return word[: -len(suffix)] + replacement
    return word


def is_han(char: str) -> bool:
    """True for a Han ideograph."""
    return bool(_HAN_RUN.fullmatch(char))


def index_tokens(text: str) -> list[str]:
    """The tokens a passage is indexed under: every Han unigram and bigram, every Latin word."""
    tokens: list[str] = []
    for match in _RUN.finditer(fold_for_index(text)):
        run = match.group(0)
        if _HAN_RUN.fullmatch(run):
            tokens.extend(run)
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            tokens.append(stem(run))
    return tokens


def han_bigrams(segment: str) -> list[str]:
    """Bigrams of one Han segment; a one-character segment is its own token."""
    if len(segment) == 1:
        return [segment]
    return [segment[i : i + 2] for i in range(len(segment) - 1)]


@cache
def _segmenter() -> jieba.Tokenizer:
    """jieba's dictionary segmenter, loaded once (about half a second) and shared."""
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def words(run: str) -> list[str]:
    """A Han run cut into dictionary words; neighbouring characters no word claims stay together.

    「补领香港身份证」 → 补领 | 香港 | 身份证, so a question never searches for 「领香」 or 「港身」,
    bigrams that straddle two words and match unrelated pages by accident.
    """
    pieces: list[str] = []
    loose = ""
    for word in _segmenter().lcut(run, HMM=False):
        if len(word) == 1:
            loose += word
            continue
        if loose:
            pieces.append(loose)
            loose = ""
        pieces.append(word)
    if loose:
        pieces.append(loose)
    return pieces


def query_tokens(text: str) -> list[str]:
    """The tokens a question searches with: bigrams within each Han word and Latin words, in order, unique."""
    seen: dict[str, None] = {}
    for match in _RUN.finditer(fold_for_index(text)):
        run = match.group(0)
        if _HAN_RUN.fullmatch(run):
            parts = [gram for word in words(run) for gram in han_bigrams(word)]
        else:
            parts = [stem(run)]
        for part in parts:
            seen.setdefault(part, None)
    return list(seen)


def han_segments(text: str) -> list[str]:
    """The folded Han words of a text, in order (the units a question's bigrams are cut from)."""
    return [word for run in _HAN_RUN.findall(fold_for_index(text)) for word in words(run)]
