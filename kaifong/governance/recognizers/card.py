"""Payment card numbers: 13-19 digits, Luhn-valid, with a known issuer prefix."""

from __future__ import annotations

import re

from kaifong.governance.recognizers._context import LEFT_OF_FIRST, RIGHT, Context, Finding, finding
from kaifong.governance.recognizers._prefilter import Needs

__all__ = ["CardRecognizer", "luhn_valid"]

# A digit, then 12-18 more, each optionally after one space or hyphen; not the tail or the head of a
# longer grouped number.
_CARD_RE = re.compile(
    r"[0-9]" + LEFT_OF_FIRST + r"(?<![0-9][ -].)(?:[ -]?[0-9]){12,18}" + RIGHT + r"(?![ -][0-9])"
)
CARD_CONTEXT = Context(
    ("card", "visa", "mastercard", "amex", "unionpay", "信用卡", "銀聯", "银联", "卡號", "卡号", "咭"),
    before=25,
)


_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)  # a digit doubled, its digits summed


# Each ASCII digit to the digit whose value is the sum of its double's digits (so "7" to "5": 14, 1+4).
_DOUBLE = bytes.maketrans(b"0123456789", bytes(ord("0") + value for value in _DOUBLED))


def luhn_valid(digits: str) -> bool:
    """Whether the string of ``digits`` passes the Luhn checksum."""
    if not digits.isascii() or not digits.isdigit():  # the byte sums below are for ASCII digits
        values = list(map(int, digits))
        return (sum(values[-1::-2]) + sum(map(_DOUBLED.__getitem__, values[-2::-2]))) % 10 == 0
    code = digits.encode("ascii")
    return (sum(code[-1::-2]) + sum(code[-2::-2].translate(_DOUBLE)) - ord("0") * len(code)) % 10 == 0


def known_issuer(digits: str) -> bool:
    """Visa 4, Mastercard 51-55 and 2221-2720, Amex 34/37, UnionPay 62, JCB 35, with plausible lengths."""
    length = len(digits)
    if digits[0] == "4":
        return length in (13, 16, 19)
    if "51" <= digits[:2] <= "55" or "2221" <= digits[:4] <= "2720":
        return length == 16
    if digits[:2] in ("34", "37"):
        return length == 15
    if digits[:2] == "62":
        return 16 <= length <= 19
    if digits[:2] == "35":
        return 16 <= length <= 19 and "3528" <= digits[:4] <= "3589"
    return False


class CardRecognizer:
    """Payment card numbers (Visa, Mastercard, Amex, UnionPay, JCB): Luhn-valid, score 0.9.

    Digits may be grouped by single spaces or hyphens.  With a context word (card, 信用卡, 卡號...)
    in the 25 characters before, the score is 0.95.
    """

    kind = "CARD"
    needs = Needs(digits=13)  # 13 digits

    def find(self, text: str) -> list[Finding]:
        """Return the payment card numbers in the normalised ``text``."""
        findings: list[Finding] = []
        for match in _CARD_RE.finditer(text):
            digits = match.group().replace(" ", "").replace("-", "")
            if known_issuer(digits) and luhn_valid(digits):
                score = 0.95 if CARD_CONTEXT.before_span(text, match.start()) else 0.9
                findings.append(finding(self.kind, match, score))
        return findings
