"""Hong Kong phone numbers (+852, 8 digits), validated with ``phonenumbers`` for region HK (PII-02)."""

from __future__ import annotations

import functools
import re

import phonenumbers

from kaifong.governance.recognizers._context import Context, Finding, finding
from kaifong.governance.recognizers._prefilter import Needs

__all__ = ["PhoneRecognizer"]

# Eight digits (optionally split 4+4 by one space or hyphen) with an optional +852 / 852 / (852)
# prefix.  Not preceded by a letter, digit, '+', '$' or a digit followed by a separator (so not the
# tail of a longer or grouped number such as a card number, a decimal or an amount), and not
# followed by a letter, digit, or separator plus digit.  Written to start with its first character,
# a class (so re skips to digits, + and ( in C), then what may follow it: +852, (852) or (+852), 852
# (tried before the number alone, as an optional prefix would be), or the rest of the number.
_NUMBER = r"[0-9]{4}[ -]?[0-9]{4}"
_PHONE_RE = re.compile(
    r"[0-9+(](?<![A-Za-z0-9+$].)(?<![0-9][ .,-].)"
    rf"(?:(?<=\+)852[ -]?{_NUMBER}|(?<=\()\+?852\)[ -]?{_NUMBER}|(?<=8)52[ -]?{_NUMBER}"
    r"|(?<=[0-9])[0-9]{3}[ -]?[0-9]{4})"
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


_NumberType = tuple[frozenset[int], re.Pattern[str]]


@functools.cache
def _hk_number_types() -> tuple[_NumberType, tuple[_NumberType, ...]]:
    """The Hong Kong number descriptions of ``phonenumbers``' metadata: the general one and each type's
    (fixed line, mobile, pager, toll free...), as (possible lengths, national number pattern)."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("HK")
    if metadata is None or metadata.general_desc is None:  # pragma: no cover - shipped with phonenumbers
        raise RuntimeError("phonenumbers has no metadata for Hong Kong")
    descriptions = (
        metadata.premium_rate,
        metadata.toll_free,
        metadata.shared_cost,
        metadata.voip,
        metadata.personal_number,
        metadata.pager,
        metadata.uan,
        metadata.voicemail,
        metadata.fixed_line,
        metadata.mobile,
    )

    def described(desc: phonenumbers.PhoneNumberDesc) -> _NumberType:
        return frozenset(desc.possible_length or ()), re.compile(desc.national_number_pattern or "(?!)")

    types = tuple(described(d) for d in descriptions if d is not None and d.national_number_pattern)
    return described(metadata.general_desc), types


@functools.cache
def _valid_numbers(length: int) -> re.Pattern[str]:
    """One pattern for the valid numbers of ``length`` digits: the general description and one of the
    types whose possible lengths allow ``length``."""
    (general_lengths, general), types = _hk_number_types()
    alternatives = [
        f"(?:{pattern.pattern})" for lengths, pattern in types if not lengths or length in lengths
    ]
    if (general_lengths and length not in general_lengths) or not alternatives:
        return re.compile("(?!)")
    return re.compile(f"(?=(?:{general.pattern})\\Z)(?:{'|'.join(alternatives)})\\Z")


@functools.lru_cache(maxsize=4096)
def valid_hk_number(national: str) -> bool:
    """Whether the 8-digit ``national`` number is a valid Hong Kong number for ``phonenumbers``.

    The same answer as ``phonenumbers.is_valid_number_for_region`` (a test compares them) from the same
    metadata, without building a ``PhoneNumber``: the number must fit the general description and one
    of the types, each a set of possible lengths and a pattern.
    """
    significant = str(int(national))  # as phonenumbers stores it: no leading zeros
    return _valid_numbers(len(significant)).match(significant) is not None


class PhoneRecognizer:
    """Hong Kong phone numbers (8 digits, optional +852), validated with ``phonenumbers`` (region HK).

    Candidates are found with a regex rather than ``PhoneNumberMatcher``, which misses numbers glued
    to Chinese text (「打去91234567搵我」).  Score 0.85, or 0.95 with a context word before.
    """

    kind = "PHONE"
    needs = Needs(digit_run=4, digits=8)  # eight digits, four in a row

    def find(self, text: str) -> list[Finding]:
        """Return the valid Hong Kong phone numbers in the normalised ``text``."""
        findings: list[Finding] = []
        for match in _PHONE_RE.finditer(text):
            national = match.group()[-9:].replace(" ", "").replace("-", "")[-8:]  # the last eight digits
            if not valid_hk_number(national):
                continue
            score = 0.95 if PHONE_CONTEXT.before_span(text, match.start()) else 0.85
            findings.append(finding(self.kind, match, score))
        return findings
