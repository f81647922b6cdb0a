"""Personal-data detection and redaction for Hong Kong text: HKID numbers, phone numbers and emails."""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import phonenumbers

from kaifong.governance.sanitise import map_span, normalise_with_offsets

__all__ = [
    "DEFAULT_RECOGNIZERS",
    "EmailRecognizer",
    "Finding",
    "HkidRecognizer",
    "PhoneRecognizer",
    "Recognizer",
    "Redaction",
    "find",
    "hkid_check_character",
    "redact",
]

# How many characters before a candidate are searched for a context word such as 身份證.
CONTEXT_WINDOW = 20


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: its kind (``HKID``, ``PHONE``, ``EMAIL``), span and confidence.

    ``text`` holds the matched value; it is excluded from ``repr`` so findings can be logged safely.
    """

    kind: str
    start: int
    end: int
    score: float
    text: str = field(default="", repr=False)


class Recognizer(Protocol):
    """A detector of one kind of personal data.

    Contract: ``kind`` names what is found (it becomes the ``[KIND]`` redaction placeholder);
    ``find(text)`` receives text that is already NFKC-normalised (see
    :func:`kaifong.governance.sanitise.normalise_with_offsets`) and returns findings whose ``start``
    and ``end`` are offsets into that text, with ``0 <= start < end <= len(text)`` and a score in
    ``[0, 1]``.  It must never raise, whatever the string (including lone surrogates), and it must
    run in time linear in ``len(text)`` (no catastrophic backtracking).
    """

    kind: str

    def find(self, text: str) -> list[Finding]:
        """Return the findings in the normalised ``text``."""
        ...


def _has_context(text: str, start: int, words: tuple[str, ...]) -> bool:
    window = text[max(0, start - CONTEXT_WINDOW) : start].lower()
    return any(word in window for word in words)


# --- HKID -------------------------------------------------------------------------------------------

_HKID_RE = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z]{1,2}) ?([0-9]{6}) ?(?:\(([0-9Aa])\)|([0-9Aa]))(?![A-Za-z0-9])"
)
_HKID_CONTEXT = (
    "身份證",
    "身分證",
    "身份证",
    "身分证",
    "hkid",
    "id card",
    "identity card",
    "id no",
    "id number",
)


def hkid_check_character(prefix: str, digits: str) -> str:
    """The HKID check character (``0``-``9`` or ``A``) for a 1-2 letter ``prefix`` and 6 ``digits``.

    Per GOVERNANCE.md: a one-letter prefix is left-padded with a space (value 36), letters are
    10-35, digits their face value; weights 9..2; r = sum mod 11; 0 if r = 0, A if r = 1, else 11 - r.
    """
    letters = prefix.upper().rjust(2)
    values = [36 if c == " " else ord(c) - ord("A") + 10 for c in letters] + [int(d) for d in digits]
    remainder = sum(weight * value for weight, value in zip(range(9, 1, -1), values, strict=True)) % 11
    if remainder == 0:
        return "0"
    if remainder == 1:
        return "A"
    return str(11 - remainder)


class HkidRecognizer:
    """Hong Kong Identity Card numbers, e.g. ``A123456(3)``, ``A1234563``, ``AB987654(3)``.

    A valid check character scores 0.95, or 1.0 with a context word (身份證, HKID, ID card...) in
    the 20 characters before.  A wrong check character is reported only after a context word, and
    then with score 0.3 (a probable typo, below the default redaction threshold).
    """

    kind = "HKID"

    def find(self, text: str) -> list[Finding]:
        """Return the HKID numbers in the normalised ``text``."""
        findings: list[Finding] = []
        for match in _HKID_RE.finditer(text):
            prefix, digits, bracketed, bare = match.groups()
            check = (bracketed or bare).upper()
            context = _has_context(text, match.start(), _HKID_CONTEXT)
            if check == hkid_check_character(prefix, digits):
                score = 1.0 if context else 0.95
            elif context:
                score = 0.3
            else:
                continue
            findings.append(Finding(self.kind, match.start(), match.end(), score, match.group()))
        return findings


# --- Phone numbers ---------------------------------------------------------------------------------

# Eight digits (optionally split 4+4 by one space or hyphen) with an optional +852 / 852 / (852)
# prefix.  Not preceded by a letter, digit, '+', '$' or a digit followed by a separator (so not the
# tail of a longer or grouped number such as a card number, a decimal or an amount), and not
# followed by a letter, digit, or separator plus digit.
_PHONE_RE = re.compile(
    r"(?<![A-Za-z0-9+$])(?<![0-9][ .,-])"
    r"(?:(?:\+852|\(\+?852\)|852)[ -]?)?"
    r"([0-9]{4})[ -]?([0-9]{4})"
    r"(?![A-Za-z0-9])(?![ .,-][0-9])"
)
_PHONE_CONTEXT = (
    "電話",
    "电话",
    "手機",
    "手机",
    "致電",
    "致电",
    "聯絡",
    "联络",
    "tel",
    "phone",
    "call",
    "mobile",
    "whatsapp",
)


@functools.lru_cache(maxsize=4096)
def _valid_hk_number(national: str) -> bool:
    try:
        number = phonenumbers.parse("+852" + national, "HK")
    except phonenumbers.NumberParseException:
        return False
    return bool(phonenumbers.is_valid_number(number)) and phonenumbers.region_code_for_number(number) == "HK"


class PhoneRecognizer:
    """Hong Kong phone numbers (8 digits, optional +852), validated with ``phonenumbers`` (region HK).

    Candidates are found with a regex rather than ``PhoneNumberMatcher``, which misses numbers glued
    to Chinese text (「打去91234567搵我」).  Score 0.85, or 0.95 with a context word before.
    """

    kind = "PHONE"

    def find(self, text: str) -> list[Finding]:
        """Return the valid Hong Kong phone numbers in the normalised ``text``."""
        findings: list[Finding] = []
        for match in _PHONE_RE.finditer(text):
            if not _valid_hk_number(match.group(1) + match.group(2)):
                continue
            score = 0.95 if _has_context(text, match.start(), _PHONE_CONTEXT) else 0.85
            findings.append(Finding(self.kind, match.start(), match.end(), score, match.group()))
        return findings


# --- Email -----------------------------------------------------------------------------------------

_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+-])"
    r"[A-Za-z0-9_%+-](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?"
    r"@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z]{2,24}"
    r"(?![A-Za-z0-9-])"
)


class EmailRecognizer:
    """Email addresses (ASCII, practical rather than RFC 5322 complete), score 0.95."""

    kind = "EMAIL"

    def find(self, text: str) -> list[Finding]:
        """Return the email addresses in the normalised ``text``."""
        return [
            Finding(self.kind, match.start(), match.end(), 0.95, match.group())
            for match in _EMAIL_RE.finditer(text)
        ]


DEFAULT_RECOGNIZERS: tuple[Recognizer, ...] = (HkidRecognizer(), PhoneRecognizer(), EmailRecognizer())


# --- Public API ------------------------------------------------------------------------------------


def find(text: str, *, recognizers: Sequence[Recognizer] | None = None) -> list[Finding]:
    """Find personal data in ``text``; offsets refer to ``text`` itself, not its normalised form.

    The text is NFKC-normalised with invisible characters stripped, every recognizer runs on the
    normalised text, spans are mapped back, overlaps are resolved (higher score wins, then the
    longer span), and the findings are returned sorted by start.
    """
    normalised, offsets = normalise_with_offsets(text)
    candidates: list[Finding] = []
    for recognizer in DEFAULT_RECOGNIZERS if recognizers is None else recognizers:
        for finding in recognizer.find(normalised):
            if not 0 <= finding.start < finding.end <= len(normalised):
                continue
            start, end = map_span(text, offsets, finding.start, finding.end)
            candidates.append(Finding(finding.kind, start, end, finding.score, text[start:end]))
    return _drop_overlaps(candidates)


def _drop_overlaps(candidates: list[Finding]) -> list[Finding]:
    candidates.sort(key=lambda f: (-f.score, -(f.end - f.start), f.start))
    starts: list[int] = []
    kept: list[Finding] = []
    for finding in candidates:
        i = bisect.bisect_left(starts, finding.start)
        if i < len(kept) and kept[i].start < finding.end:
            continue
        if i > 0 and kept[i - 1].end > finding.start:
            continue
        starts.insert(i, finding.start)
        kept.insert(i, finding)
    return kept


@dataclass(frozen=True)
class Redaction:
    """Redacted text, with each finding replaced by ``[KIND]``, and the kinds redacted, in order."""

    text: str
    kinds: tuple[str, ...]


def redact(
    text: str,
    threshold: float = 0.5,
    *,
    recognizers: Sequence[Recognizer] | None = None,
    published: str = "",
) -> Redaction:
    """Replace every finding scoring at least ``threshold`` in ``text`` by ``[HKID]``, ``[PHONE]``...

    ``published`` is text that may be repeated as it is — the official sources an answer quotes — so a
    department's hotline or enquiry e-mail that occurs verbatim in it is not redacted from the answer.
    """
    parts: list[str] = []
    kinds: list[str] = []
    position = 0
    for finding in find(text, recognizers=recognizers):
        if finding.score < threshold or (published and finding.text and finding.text in published):
            continue
        parts.append(text[position : finding.start])
        parts.append(f"[{finding.kind}]")
        kinds.append(finding.kind)
        position = finding.end
    parts.append(text[position:])
    return Redaction("".join(parts), tuple(kinds))
