"""Hong Kong phone numbers (+852, 8 digits), validated with ``phonenumbers`` for region HK (PII-02)."""

from __future__ import annotations

import functools
import re

import phonenumbers

from kaifong.governance.recognizers._context import Context, Finding, finding

__all__ = ["PhoneRecognizer"]

# Eight digits (optionally split 4+4 by one space or hyphen) with an optional +852 / 852 / (852)
# prefix.  Not preceded by a letter, digit, '+', '$' or a digit followed by a separator (so not the
# tail of a longer or grouped number such as a card number, a decimal or an amount), and not
# followed by a letter, digit, or separator plus digit.
_PHONE_RE = re.compile(
    r"(?=[0-9+(])(?<![A-Za-z0-9+$])(?<![0-9][ .,-])"
    r"(?:(?:\+852|\(\+?852\)|852)[ -]?)?"
    r"([0-9]{4})[ -]?([0-9]{4})"
    r"(?![A-Za-z0-9])(?![ .,-][0-9])"
)
PHONE_CONTEXT = Context(
    (
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
)


@functools.lru_cache(maxsize=4096)
def valid_hk_number(national: str) -> bool:
    """Whether the 8-digit ``national`` number is a valid Hong Kong number for ``phonenumbers``."""
    number = phonenumbers.PhoneNumber(country_code=852, national_number=int(national))
    return bool(phonenumbers.is_valid_number_for_region(number, "HK"))


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
            if not valid_hk_number(match.group(1) + match.group(2)):
                continue
            score = 0.95 if PHONE_CONTEXT.before_span(text, match.start()) else 0.85
            findings.append(finding(self.kind, match, score))
        return findings
