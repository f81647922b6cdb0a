"""Shared pieces for reading facts from text: candidate values, clauses, and number patterns."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from kaifong.tools.finder.facts import Problem

IGNORE_CASE = re.IGNORECASE
_KIN_ZH = (
    "仔|女兒|個女|孫|阿媽|媽媽|母親|阿爸|爸爸|父親|老豆|老竇|老母|老婆|老公|太太|丈夫|妻子|爺爺|嫲嫲|"
    "公公|婆婆|外公|外婆|兒子|子女|小朋友|細路|孩子|家人|佢|他|她|朋友|鄰居"
)
_KIN_EN = (
    r"\b(?:my|our|his|her|their)\s+(?:son|daughter|kids?|child(?:ren)?|mother|mum|mom|father|dad|wife|"
    r"husband|grand\w+|parents?|sister|brother|friend|neighbou?r|partner)\b|\b(?:he|she|they)\b"
)
_CLAUSE_END = re.compile(r"[，,。.；;！!？?、\n]|\band\b|\bbut\b|同埋|而且|但")
HK = r"(?:hong\s*kong|hk)"
MONEY = r"(?:hk)?\$?\s?(\d+)"
ZH_MONEY = r"(?:港幣|港元|hk\$|\$)?\s*(\d+)"


@dataclass
class Found:
    """Candidate values per fact, in the order found, and the problems met on the way."""

    values: dict[str, list[object]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def add(self, fact: str, value: object) -> None:
        """Note a candidate value (each distinct value once)."""
        self.values.setdefault(fact, [])
        if value not in self.values[fact]:
            self.values[fact].append(value)


def clause_before(text: str, start: int) -> str:
    """The part of ``text`` before ``start`` back to the previous clause boundary."""
    head = text[:start]
    ends = [match.end() for match in _CLAUSE_END.finditer(head)]
    return head[ends[-1] :] if ends else head


def about_someone_else(text: str, start: int) -> bool:
    """True when the clause before ``start`` is about someone else (my son, 佢 …)."""
    clause = clause_before(text, start)
    return bool(re.search(_KIN_ZH, clause) or re.search(_KIN_EN, clause, IGNORE_CASE))


def numbers(patterns: Iterable[str], text: str, flags: int = 0, *, own: bool = True) -> list[int]:
    """The first group of every match, as numbers; with ``own``, not where the clause is about others."""
    found: list[int] = []
    for pattern in patterns:
        for match in re.finditer(pattern, text, flags):
            group = next((g for g in match.groups() if g is not None), None)
            if group is None or (own and about_someone_else(text, match.start())):
                continue
            found.append(int(group))
    return found


def any_match(patterns: Iterable[str], text: str, flags: int = 0) -> bool:
    """True when one of ``patterns`` occurs in ``text``."""
    return any(re.search(pattern, text, flags) for pattern in patterns)
