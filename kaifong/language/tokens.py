"""Index tokens: Han unigrams + bigrams over Simplified-folded text, and lower-cased Latin words."""

from __future__ import annotations

import logging
import re
from functools import cache

import jieba

from kaifong.language.convert import to_hans

#: The version of the index tokens (``index_tokens``); stored documents record it, so a change re-indexes.
TOKENS_VERSION = "2"

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
    "program": "programme",
    "center": "centre",
    "enroll": "enrol",
    "enrollment": "enrolment",
    "labor": "labour",
    "organization": "organisation",
    "neighborhood": "neighbourhood",
    "counseling": "counselling",
    "check-up": "checkup",
    "favor": "favour",
    "installment": "instalment",
    "fulfill": "fulfil",
    "defense": "defence",
    "offense": "offence",
    "aging": "ageing",
    "color": "colour",
    "honor": "honour",
    "behavior": "behaviour",
    "pediatric": "paediatric",
    "anemia": "anaemia",
    "fetus": "foetus",
}
#: Nouns of an act → the verb (stemmed alike on both sides), so "renewal" meets "renew" and "expiry"
#: meets "expired". Only nouns that name the act itself: "employment" is not "employer".
DERIVATIONS = {
    "renewal": "renew",
    "renewals": "renew",
    "registration": "register",
    "registrations": "register",
    "application": "apply",
    "applications": "apply",
    "withdrawal": "withdraw",
    "withdrawals": "withdraw",
    "arrival": "arrive",
    "arrivals": "arrive",
    "approval": "approve",
    "refusal": "refuse",
    "removal": "remove",
    "dismissal": "dismiss",
    "expiry": "expire",
    "expiration": "expire",
    "enrolment": "enrol",
    "enrollment": "enrol",
    "replacement": "replace",
    "retirement": "retire",
    "cancellation": "cancel",
    "reimbursement": "reimburse",
    "vaccination": "vaccinate",
    "vaccinations": "vaccinate",
    "inspection": "inspect",
    "inspections": "inspect",
    "examination": "examine",
    "submission": "submit",
    "payment": "pay",
    "payments": "pay",
    "waiver": "waive",
    "waivers": "waive",
}
_VOWELS = frozenset("aeiouy")
_DOUBLES = ("bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt")


def _region(word: str, start: int = 0) -> int:
    """Porter's R1 (from ``start``, R2): where the part after the first non-vowel that follows a vowel
    begins."""
    for i in range(start + 1, len(word)):
        if word[i] not in _VOWELS and word[i - 1] in _VOWELS:
            return i + 1
    return len(word)


def _short_syllable(word: str) -> bool:
    """Ends in a short syllable: non-vowel, vowel, non-vowel but w, x or y (or is vowel + non-vowel)."""
    if len(word) == 2:
        return word[0] in _VOWELS and word[1] not in _VOWELS
    return (
        len(word) > 2
        and word[-3] not in _VOWELS
        and word[-2] in _VOWELS
        and word[-1] not in _VOWELS
        and word[-1] not in "wxy"
    )


def _inflection(word: str) -> str:
    """``word`` without its inflection: plural, possessive, -ed and -ing (Porter2's steps 0–1c, then its
    silent-e rule), so that "moves", "moved", "moving" and "move" meet, and so do "fee"/"fees",
    "apply"/"applies"/"applied", "licence"/"licences" and "charge"/"charging" — but not "care"/"car"."""
    for mark in ("'s", "’s", "'", "’"):
        if word.endswith(mark):
            word = word[: -len(mark)]
            break
    if len(word) <= 2 or not word.isalpha():
        return word
    if word.endswith("sses"):
        word = word[:-2]
    elif word.endswith(("ied", "ies")):
        word = word[:-3] + ("i" if len(word) > 4 else "ie")
    elif word.endswith(("us", "ss", "is")):
        pass
    elif word.endswith("s") and any(c in _VOWELS for c in word[:-2]):
        word = word[:-1]
    r1 = _region(word)
    if word.endswith(("eed", "eedly")):
        cut = word.rindex("eed")
        if cut >= r1:
            word = word[: cut + 2]
    else:
        for suffix in ("ingly", "edly", "ing", "ed"):
            stem_ = word[: -len(suffix)]
            if word.endswith(suffix) and any(c in _VOWELS for c in stem_):
                word = stem_
                if word.endswith(("at", "bl", "iz")):
                    word += "e"
                elif word.endswith(_DOUBLES):
                    word = word[:-1]
                elif _region(word) == len(word) and _short_syllable(word):
                    word += "e"
                break
    if len(word) > 2 and word[-1] in "yY" and word[-2] not in _VOWELS:
        word = word[:-1] + "i"
    if word.endswith("e"):
        r1 = _region(word)
        r2 = _region(word, r1)
        if r2 <= len(word) - 1 or (r1 <= len(word) - 1 and not _short_syllable(word[:-1])):
            word = word[:-1]
    return word


#: Stems of the American spellings → stems of the British ones (so "licensed" meets "licence").
_STEM_SPELLINGS = {_inflection(us): _inflection(uk) for us, uk in SPELLINGS.items()}


def stem(word: str) -> str:
    """A light English stemmer, for index and query alike: inflections only (plural, possessive, -ed,
    -ing; ``_inflection``), American spellings folded onto British ones. Derivations ("register" →
    "registration") are left to the everyday-word map, which says which of them mean the same."""
    base = _inflection(DERIVATIONS.get(word) or SPELLINGS.get(word, word))
    return _STEM_SPELLINGS.get(base, base)


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
