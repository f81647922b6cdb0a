"""Dates as Hong Kong residents write them, in Chinese or English; impossible dates are refused.

Accepted: ``1958-03-02`` (ISO, also ``/`` or ``.``), ``2/3/1958`` (day first, as in Hong Kong),
``2 March 1958``, ``March 2, 1958``, ``2-Mar-1958``, ``1958年3月2日`` and ``一九五八年三月二日``
(also 號/号 for 日, 廿/卅 for 20/30, full-width digits).  A two-digit year is refused with a request
to write all four digits; ``31/2/1958`` is refused as a date that does not exist.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from kaifong.tools.forms.numerals import digit_string, parse_number

__all__ = ["DateProblem", "parse_date"]

MONTHS = {
    "jan": 1,
    "january": 1,
    "feb": 2,
    "february": 2,
    "mar": 3,
    "march": 3,
    "apr": 4,
    "april": 4,
    "may": 5,
    "jun": 6,
    "june": 6,
    "jul": 7,
    "july": 7,
    "aug": 8,
    "august": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "oct": 10,
    "october": 10,
    "nov": 11,
    "november": 11,
    "dec": 12,
    "december": 12,
}
_MONTH = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"([0-9]{1,2})(?:st|nd|rd|th)?"
_YEAR_FIRST = re.compile(r"([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})")
_DAY_FIRST = re.compile(r"([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{2}|[0-9]{4})")
_DAY_MONTH_YEAR = re.compile(_DAY + r"[\s-]*" + _MONTH + r",?[\s-]*([0-9]{2}|[0-9]{4})")
_MONTH_DAY_YEAR = re.compile(_MONTH + r"\s*" + _DAY + r",?\s*([0-9]{2}|[0-9]{4})")
_CHINESE = re.compile(r"(?:公元)?(.{2,4}?)\s*年\s*(.{1,3}?)\s*月\s*(.{1,3}?)\s*[日號号]?")


@dataclass(frozen=True)
class DateProblem:
    """Why a text is not a date: ``format`` (unreadable), ``two_digit_year`` or ``impossible``."""

    reason: str


def _chinese_year(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    return digit_string(text)


def _small(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    value = parse_number(text)
    return int(value) if value is not None and value == value.to_integral_value() else None


def _parts(text: str) -> tuple[str, str, str] | DateProblem:
    """Year, month and day as written (digits or Chinese numerals), or why they cannot be found."""
    for pattern, order in (
        (_YEAR_FIRST, (1, 2, 3)),
        (_DAY_FIRST, (3, 2, 1)),
        (_DAY_MONTH_YEAR, (3, 2, 1)),
        (_MONTH_DAY_YEAR, (3, 1, 2)),
        (_CHINESE, (1, 2, 3)),
    ):
        match = pattern.fullmatch(text)
        if match:
            year, month, day = (match.group(i) for i in order)
            return year, month, day
    return DateProblem("format")


def parse_date(raw: str) -> date | DateProblem:
    """The date ``raw`` stands for, or a :class:`DateProblem` saying why it is not one."""
    text = " ".join(unicodedata.normalize("NFKC", raw).strip().lower().split())
    parts = _parts(text)
    if isinstance(parts, DateProblem):
        return parts
    year_text, month_text, day_text = parts
    month_number = MONTHS.get(month_text.rstrip("."))
    year = _chinese_year(year_text)
    month = month_number if month_number is not None else _small(month_text)
    day = _small(day_text)
    if year is None or month is None or day is None:
        return DateProblem("format")
    if len(year_text) == 2:
        return DateProblem("two_digit_year")
    try:
        return date(year, month, day)
    except ValueError:
        return DateProblem("impossible")
