"""Hong Kong Identity Card numbers with the check character, e.g. ``A123456(3)`` (PII-01)."""

from __future__ import annotations

import re

from kaifong.governance.recognizers._context import LEFT, RIGHT, Context, Finding, check_digit_score, finding

__all__ = ["HkidRecognizer", "hkid_check_character"]

_HKID_RE = re.compile(
    r"(?=[A-Za-z])" + LEFT + r"([A-Za-z]{1,2}) ?([0-9]{6}) ?(?:\(([0-9Aa])\)|([0-9Aa]))" + RIGHT
)
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
            context = HKID_CONTEXT.before_span(text, match.start())
            score = check_digit_score(check == hkid_check_character(prefix, digits), bool(context))
            if score is None:
                continue
            findings.append(finding(self.kind, match, score))
        return findings
