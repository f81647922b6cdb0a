"""Hong Kong Business Registration numbers: 8 digits, reported only beside a context word (PII-03)."""

from __future__ import annotations

import re

from kaifong.governance.recognizers._context import LEFT_OF_FIRST, RIGHT, Context, Finding, finding
from kaifong.governance.recognizers._prefilter import Needs

__all__ = ["BrnRecognizer"]

# 8 digits, optionally followed by the certificate suffix (``12345678-000-08-23-6``).
_BRN_RE = re.compile(
    r"[0-9]"
    + LEFT_OF_FIRST
    + r"[0-9]{7}(?:-[0-9]{3}-[0-9]{2}-[0-9]{2}-[0-9A-Za-z])?"
    + RIGHT
    + r"(?![ -][0-9])"
)
BRN_CONTEXT = Context(
    (
        "br",
        "brn",
        "br no",
        "business registration",
        "商業登記",
        "商业登记",
        "商登",
        "登記證號碼",
        "登记证号码",
    ),
    before=30,
    after=10,
)


class BrnRecognizer:
    """Business Registration numbers such as ``12345678`` or ``12345678-000-08-23-6``.

    Bare 8-digit numbers collide with phone numbers, dates and reference numbers, so a candidate is
    reported only with a context word (BR, business registration, 商業登記, 商业登记) within 30
    characters before or 10 after; it then scores 0.9 (above an unqualified phone number's 0.85).
    """

    kind = "BRN"
    needs = Needs(digit_run=8, context=BRN_CONTEXT)  # eight digits in a row and a context word

    def find(self, text: str) -> list[Finding]:
        """Return the Business Registration numbers in the normalised ``text``."""
        return [
            finding(self.kind, match, 0.9)
            for match in _BRN_RE.finditer(text)
            if BRN_CONTEXT.around(text, match.start(), match.end())
        ]
