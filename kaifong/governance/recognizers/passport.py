"""HKSAR passport numbers: ``K`` or ``H`` and 8 digits, trusted only beside a context word (PII-03)."""

from __future__ import annotations

import re

from kaifong.governance.recognizers._context import LEFT_OF_FIRST, RIGHT, Context, Finding, finding
from kaifong.governance.recognizers._prefilter import Needs

__all__ = ["PassportRecognizer"]

_PASSPORT_RE = re.compile(r"[KHkh]" + LEFT_OF_FIRST + r" ?[0-9]{8}" + RIGHT)
PASSPORT_CONTEXT = Context(
    (
        "passport",
        "travel document",
        "護照",
        "护照",
        "旅行證件",
        "旅行证件",
        "特區護照",
    ),
    before=30,
    after=12,
)


class PassportRecognizer:
    """HKSAR passport numbers such as ``K12345678`` or ``H 87654321``.

    The number carries no check digit, so alone it scores 0.4 (found, below the redaction
    threshold); with a context word (passport, travel document, 護照, 护照) within 30 characters
    before or 12 after it scores 0.9.
    """

    kind = "PASSPORT"
    needs = Needs(digit_run=8)  # eight digits in a row

    def find(self, text: str) -> list[Finding]:
        """Return the passport numbers in the normalised ``text``."""
        return [
            finding(
                self.kind, match, 0.9 if PASSPORT_CONTEXT.around(text, match.start(), match.end()) else 0.4
            )
            for match in _PASSPORT_RE.finditer(text)
        ]
