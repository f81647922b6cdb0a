"""Mainland Resident Identity Card numbers: 17 digits and an ISO 7064 MOD 11-2 check character (PII-03)."""

from __future__ import annotations

import operator
import re

from kaifong.governance.recognizers._context import (
    LEFT_OF_FIRST,
    RIGHT,
    Context,
    Finding,
    check_digit_score,
    finding,
)
from kaifong.governance.recognizers._prefilter import Needs

__all__ = ["RicRecognizer", "ric_check_character"]

_RIC_RE = re.compile(
    r"([1-9]" + LEFT_OF_FIRST + r"[0-9]{5})((?:19|20)[0-9]{2}[01][0-9][0-3][0-9])([0-9]{3})([0-9Xx])" + RIGHT
)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RIC_CONTEXT = Context(
    (
        "身份證",
        "身份证",
        "居民身份",
        "內地",
        "内地",
        "大陸",
        "大陆",
        "回鄉證",
        "回乡证",
        "resident id",
        "mainland id",
    )
)


def ric_check_character(digits: str) -> str:
    """The ISO 7064 MOD 11-2 check character (``0``-``9`` or ``X``) of 17 ``digits``."""
    if len(digits) != len(_WEIGHTS):
        raise ValueError("a Resident ID has 17 digits before its check character")
    total = sum(map(operator.mul, _WEIGHTS, map(int, digits)))
    return "10X98765432"[total % 11]


class RicRecognizer:
    """Mainland Resident Identity Card numbers such as ``11010519491231002X``.

    The candidate must have a plausible birth date (years 1900-2099, month 01-12, day 01-31).
    A valid check character scores 0.95 (1.0 after a context word such as 身份證); a wrong one is
    reported only after a context word, with score 0.3 (a probable typo, not redacted by default).
    """

    kind = "RIC"
    needs = Needs(digit_run=17)  # 17 digits in a row

    def find(self, text: str) -> list[Finding]:
        """Return the Resident ID numbers in the normalised ``text``."""
        findings: list[Finding] = []
        for match in _RIC_RE.finditer(text):
            region, birth, sequence, check = match.groups()
            month, day = int(birth[4:6]), int(birth[6:8])
            if not (1 <= month <= 12 and 1 <= day <= 31):
                continue
            context = RIC_CONTEXT.before_span(text, match.start())
            score = check_digit_score(
                ric_check_character(region + birth + sequence) == check.upper(), bool(context)
            )
            if score is None:
                continue
            findings.append(finding(self.kind, match, score))
        return findings
