"""Chinese numerals as residents write them: 一萬二千, 萬二, 1.2萬, 三千五, 廿一, 一九五八."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

__all__ = ["CHINESE_DIGITS", "digit_string", "parse_number"]

#: Chinese digit characters and their values (兩/两 are the "two" used before units).
CHINESE_DIGITS: dict[str, int] = {
    "零": 0,
    "〇": 0,
    "○": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "貳": 2,
    "贰": 2,
    "兩": 2,
    "两": 2,
    "三": 3,
    "參": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陸": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNITS = {"萬": 10_000, "万": 10_000, "億": 100_000_000, "亿": 100_000_000}
_TENS = {"廿": 20, "卅": 30}
_ARABIC = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def digit_string(text: str) -> int | None:
    """A number written digit by digit in Chinese (一九五八 → 1958, 二〇〇一 → 2001); None otherwise."""
    if not text or any(char not in CHINESE_DIGITS or char in "兩两" for char in text):
        return None
    return int("".join(str(CHINESE_DIGITS[char]) for char in text))


def _tokens(text: str) -> list[str | Decimal] | None:
    """Split into Arabic numbers (as Decimal) and single Chinese characters; None on anything else."""
    tokens: list[str | Decimal] = []
    position = 0
    while position < len(text):
        match = _ARABIC.match(text, position)
        if match:
            try:
                tokens.append(Decimal(match.group()))
            except InvalidOperation:  # pragma: no cover - the pattern only admits valid decimals
                return None
            position = match.end()
            continue
        char = text[position]
        if (
            char not in CHINESE_DIGITS
            and char not in _SMALL_UNITS
            and char not in _BIG_UNITS
            and char not in _TENS
        ):
            return None
        tokens.append(char)
        position += 1
    return tokens


def parse_number(text: str) -> Decimal | None:
    """The value of a number in Chinese numerals, Arabic digits or a mix; None if it is not one.

    Units multiply what comes before them (三千五百 = 3500, 1.2萬 = 12000, 3萬5千 = 35000); a unit
    with nothing before it counts one (萬二 = 12000, 十五 = 15); a digit after the last unit takes the
    next lower unit, as people say it (一萬二 = 12000, 三千五 = 3500, 兩百五 = 250) unless a 零
    stands between (一萬零五 = 10005).  Two digits in a row (一二) are refused as ambiguous.
    """
    tokens = _tokens(text.strip())
    if not tokens:
        return None
    total = Decimal(0)  # completed big-unit groups (萬, 億)
    section = Decimal(0)  # the group being built below the next big unit
    number: Decimal | None = None  # a digit waiting for its unit
    last_unit = 0  # the last unit seen, for the elided next-lower unit
    zero_since_unit = False
    for token in tokens:
        if isinstance(token, Decimal) or token in CHINESE_DIGITS:
            if number is not None:
                return None
            value = token if isinstance(token, Decimal) else Decimal(CHINESE_DIGITS[token])
            if value == 0 and not isinstance(token, Decimal):
                zero_since_unit = True
                continue
            number = value
        elif token in _TENS:
            if number is not None:
                return None
            section += _TENS[token]
            last_unit, zero_since_unit = 10, False
        elif token in _SMALL_UNITS:
            unit = _SMALL_UNITS[token]
            section += (Decimal(1) if number is None else number) * unit
            number, last_unit, zero_since_unit = None, unit, False
        else:
            unit = _BIG_UNITS[token]
            group = section + (number or 0)
            if group == 0:
                group = Decimal(1)
            total += group * unit
            section, number, last_unit, zero_since_unit = Decimal(0), None, unit, False
    if number is not None:
        if last_unit >= 10 and not zero_since_unit and number < 10 and number == number.to_integral_value():
            number *= last_unit // 10
        section += number
    return total + section
