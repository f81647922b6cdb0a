"""Hong Kong Identity Card numbers with the check character, e.g. ``A123456(3)`` (PII-01)."""

from __future__ import annotations

import operator
import re

from kaifong.governance.recognizers._context import (
    LEFT,
    RIGHT,
    Context,
    Finding,
    check_digit_score,
    finding,
)
from kaifong.governance.recognizers._prefilter import Needs

__all__ = ["HkidRecognizer", "hkid_check_character"]

_HKID_RE = re.compile(LEFT + r"([A-Za-z]{1,2}) ?([0-9]{6}) ?(?:\(([0-9Aa])\)|([0-9Aa]))" + RIGHT)
# An HKID is at most 13 characters: its letters (and space) take the 1-3 characters before six digits in
# a row, and it ends at most 10 after them.  So it is looked for only in the window around each run of
# six digits, not at every letter of the text; a window ending one character after the longest HKID
# lets the final look-ahead see the real next character.
_SIX_DIGITS = re.compile(r"[0-9](?<![0-9].)(?=[0-9]{5})")
_BEFORE, _AFTER = 3, 11
HKID_CONTEXT = Context(
    (
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
)

_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2)


def hkid_check_character(prefix: str, digits: str) -> str:
    """The HKID check character (``0``-``9`` or ``A``) for a 1-2 letter ``prefix`` and 6 ``digits``.

    Per GOVERNANCE.md: a one-letter prefix is left-padded with a space (value 36), letters are
    10-35, digits their face value; weights 9..2; r = sum mod 11; 0 if r = 0, A if r = 1, else 11 - r.
    """
    letters = prefix.upper().rjust(2)
    if len(letters) != 2 or len(digits) != 6:
        raise ValueError("an HKID has one or two letters and six digits")
    first = 36 if letters[0] == " " else ord(letters[0]) - ord("A") + 10
    values = (first, ord(letters[1]) - ord("A") + 10, *map(int, digits))
    remainder = sum(map(operator.mul, _WEIGHTS, values)) % 11
    if remainder == 0:
        return "0"
    if remainder == 1:
        return "A"
    return str(11 - remainder)


# The recognizer's own check: letter values by character (a space for a missing first letter), the
# six digits' weighted sum from their code points (``ord("0")`` times the weights' sum taken off).
_LETTER_VALUE = {" ": 36, **{chr(code): code - ord("A") + 10 for code in range(ord("A"), ord("Z") + 1)}}
_LETTER_VALUE.update({letter.lower(): value for letter, value in _LETTER_VALUE.items() if letter != " "})
_DIGITS_OFFSET = ord("0") * sum(_WEIGHTS[2:])


def _check_character(prefix: str, digits: str) -> str:
    """:func:`hkid_check_character` for the recognizer's matches (1-2 ASCII letters, 6 ASCII digits)."""
    code = digits.encode("ascii")
    total = (
        9 * _LETTER_VALUE[prefix[-2] if len(prefix) == 2 else " "]
        + 8 * _LETTER_VALUE[prefix[-1]]
        + 7 * code[0]
        + 6 * code[1]
        + 5 * code[2]
        + 4 * code[3]
        + 3 * code[4]
        + 2 * code[5]
        - _DIGITS_OFFSET
    )
    return "0A987654321"[total % 11]


class HkidRecognizer:
    """Hong Kong Identity Card numbers, e.g. ``A123456(3)``, ``A1234563``, ``AB987654(3)``.

    A valid check character scores 0.95, or 1.0 with a context word (身份證, HKID, ID card...) in
    the 20 characters before.  A wrong check character is reported only after a context word, and
    then with score 0.3 (a probable typo, below the default redaction threshold).
    """

    kind = "HKID"
    needs = Needs(digit_run=6)  # six digits in a row

    def find(self, text: str) -> list[Finding]:
        """Return the HKID numbers in the normalised ``text``."""
        findings: list[Finding] = []
        position = 0
        for run in _SIX_DIGITS.finditer(text):
            match = _HKID_RE.search(text, max(position, run.start() - _BEFORE), run.start() + _AFTER)
            if match is None:
                continue
            position = match.end()
            prefix, digits, bracketed, bare = match.groups()
            check = (bracketed or bare).upper()
            context = HKID_CONTEXT.before_span(text, match.start())
            score = check_digit_score(check == _check_character(prefix, digits), bool(context))
            if score is None:
                continue
            findings.append(finding(self.kind, match, score))
        return findings
