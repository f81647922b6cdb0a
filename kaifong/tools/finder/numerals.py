"""Numbers as residents write them (六十八, 一萬二, 1萬2, 8千5, 12k, $12,000, sixty-eight) as digits."""

from __future__ import annotations

import re

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "兩": 2, "两": 2, "三": 3, "四": 4}
_DIGITS |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "拾": 10, "百": 100, "千": 1000, "仟": 1000}
_TEN_THOUSAND = {"萬", "万"}
_CHINESE_RUN = re.compile(r"[零〇一二兩两三四五六七八九十拾廿卅百千仟萬万]+")
#: A lone Chinese digit is a number only before a measure word (一個人, 四口); not in 一齊, 一直 …
_MEASURE_AFTER = re.compile(r"[歲岁年口個个人位名月蚊元份次日週周]")
#: Digits with a Chinese unit and what follows it: 1萬2 = 12,000, 1.2萬, 8千5 = 8,500, 1萬二千, 1萬2500.
_MIXED = re.compile(
    r"(\d+(?:\.\d+)?)\s*(?:([萬万])\s*([0-9零〇一二兩两三四五六七八九十百千仟]+)?"
    r"|([千仟])\s*([0-9一二兩两三四五六七八九百]+)?)"
)
_NOT_NUMBERS = frozenset({"萬一", "万一", "一一"})
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_KILO = re.compile(r"(\d+(?:\.\d+)?)\s*[kK](?![A-Za-z])")
_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
_ONES += ["eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen"]
_ONES += ["nineteen"]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ENGLISH = re.compile(
    rf"\b(?:({'|'.join(_TENS)})(?:[\s-]+({'|'.join(_ONES[1:10])}))?|({'|'.join(_ONES)}))\b",
    re.IGNORECASE,
)


def chinese_number(text: str) -> int | None:
    """The value of a Chinese numeral (六十八, 廿五, 一百二十, 兩萬五千, 一萬二 = 12,000, 三千五 = 3,500).

    A digit after the last unit is read the spoken way, one unit down: 萬二 is 12,000, 千五 is 1,500,
    百二 is 120. Returns None when ``text`` is not a numeral.
    """
    text = text.replace("廿", "二十").replace("卅", "三十")
    if not text or any(ch not in _DIGITS and ch not in _UNITS and ch not in _TEN_THOUSAND for ch in text):
        return None
    total = section = number = 0
    last_unit = 0
    for char in text:
        if char in _DIGITS:
            number = _DIGITS[char]
        elif char in _UNITS:
            unit = _UNITS[char]
            section += (number or 1) * unit
            number, last_unit = 0, unit
        else:
            total += ((section + number) or 1) * 10_000
            section = number = 0
            last_unit = 10_000
    if number and last_unit and text[-2:-1] and text[-2] in {*_UNITS, *_TEN_THOUSAND}:
        number *= last_unit // 10
    return total + section + number


def _mixed(match: re.Match[str]) -> str:
    unit = 10_000 if match.group(2) else 1_000
    value = float(match.group(1)) * unit
    tail = match.group(3) or match.group(5) or ""
    if len(tail) == 1 and (tail.isdigit() or tail in _DIGITS):
        value += (int(tail) if tail.isdigit() else _DIGITS[tail]) * unit // 10  # spoken shorthand
    elif tail.isdigit():
        value += int(tail)
    elif tail:
        as_chinese = "".join("零一二三四五六七八九"[int(c)] if c.isdigit() else c for c in tail)
        value += chinese_number(as_chinese) or 0
    return str(round(value))


def _chinese_run(match: re.Match[str]) -> str:
    run = match.group()
    if run in _NOT_NUMBERS:
        return run
    if len(run) == 1 and run in _DIGITS:
        following = match.string[match.end() : match.end() + 1]
        if not _MEASURE_AFTER.match(following):
            return run
    value = chinese_number(run)
    return run if value is None else str(value)


def _english(match: re.Match[str]) -> str:
    if match.group(3):
        return str(_ONES.index(match.group(3).lower()))
    value = (_TENS.index(match.group(1).lower()) + 2) * 10
    if match.group(2):
        value += _ONES.index(match.group(2).lower())
    return str(value)


def normalise_numbers(text: str) -> str:
    """``text`` with every number written as plain ASCII digits (no thousands separators)."""
    text = _THOUSANDS.sub("", text)
    text = _MIXED.sub(_mixed, text)
    text = _CHINESE_RUN.sub(_chinese_run, text)
    text = _KILO.sub(lambda m: str(round(float(m.group(1)) * 1_000)), text)
    return _ENGLISH.sub(_english, text)
