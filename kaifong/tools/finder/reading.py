"""Shared pieces for reading facts from text: candidate values, clauses, and number patterns."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from kaifong.tools.finder.facts import Problem

IGNORE_CASE = re.IGNORECASE
_KIN_ZH = (
    "仔|女兒|個女|孫|阿媽|媽媽|母親|阿爸|爸爸|父親|老豆|老竇|老母|老婆|老公|太太|丈夫|妻子|爺爺|嫲嫲|"
    "公公|婆婆|外公|外婆|兒子|子女|小朋友|細路|孩子|家人|佢|他|她|朋友|鄰居|(?<!婦)女(?!士|性|人|子|生)"
)
_KIN_EN = (
    r"\b(?:my|our|his|her|their)\s+(?:son|daughter|kids?|child(?:ren)?|mother|mum|mom|father|dad|wife|"
    r"husband|grand\w+|parents?|sister|brother|friend|neighbou?r|partner)\b|\b(?:he|she|they)\b"
)
#: A kin noun right after a number ("a 9-year-old son", 9歲嘅仔, 9岁的儿子): the age is that person's.
_KIN_AFTER_ZH = re.compile(
    r"^\s*(?:嘅|的|之)?\s*(?:仔|兒子|女兒|孫|外孫|子女|仔女|阿媽|媽媽|母親|阿爸|爸爸|父親|老婆|老公|太太|丈夫|"
    r"妻子|細路|小朋友|孩子|小孩|BB|bb|嬰兒|女(?!士|性|人|子|生))"
)
_KIN_AFTER_EN = re.compile(
    r"^[\s-]*(?:(?:years?|yrs?)[\s-]*old\s+)?(?:little\s+|baby\s+|young\s+|elderly\s+|old\s+)?"
    r"(?:son|daughter|kids?|child(?:ren)?|boy|girl|baby|grand\w+|mother|mum|mom|father|dad|wife|husband|"
    r"sister|brother|parents?|twins?)\b",
    re.IGNORECASE,
)
#: "I'm a 35-year-old mother", 我係35歲嘅媽媽: a kin noun after is what the resident is.
_SELF_CUE = re.compile(
    r"(?:\bi(?:'m|’m| am)\s+(?:a|an)\s+|我(?:係|是)\s*(?:1|一)?\s*(?:個|名|位)?\s*)$", re.IGNORECASE
)
#: "I have a …", "with a …", 有個…: what follows is another person.
_SOMEONE_CUE_ZH = re.compile(r"(?:有|同|和|與|跟|帶住|湊緊|湊)\s*(?:1|一)?\s*(?:個|位|名)\s*$")
_SOMEONE_CUE_EN = re.compile(
    r"\b(?:with|have|has|had|got|raising)\s+(?:a|an|one|two|\d+)\s+(?:[\w-]+\s+){0,2}$", re.IGNORECASE
)
#: A negation right before a word, in the same clause: 唔係學生, 未退休, 沒工作, "not a student",
#: "don't have a disability". 不過, 唔該, 有冇 (a question) are not negations.
_NEGATION_ZH = re.compile(
    r"(?<!有)(?<!是否)(?:唔|不|未|冇|沒有|沒|無|並非|非|毋須)(?:再|曾經|曾|係|是|使|用|需要|須|會|有|在|喺|去|算|屬於){0,2}"
    r"(?:(?:住|居住|生活)(?:在|喺|係|於)?)?(?:一個|一名|一位|個|名|位)?\s*$"
)
_NEGATION_EN = re.compile(
    r"(?:\b(?:not|never|no|nor|neither|without|no longer)|n't|n’t)\s+(?:[\w'’-]+\s+){0,2}$", re.IGNORECASE
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


def about_someone_else(text: str, start: int, end: int | None = None) -> bool:
    """True when the words at ``start:end`` are about someone else, not the resident.

    Someone else is named in the clause before (my son, 佢, 阿媽 …), right after ("a 9-year-old son",
    9歲嘅仔), or introduced just before ("with a", 有個); the last two only for a number (``end`` given).
    """
    clause = clause_before(text, start)
    if re.search(_KIN_ZH, clause) or re.search(_KIN_EN, clause, IGNORE_CASE):
        return True
    if end is None:
        return False
    if _SOMEONE_CUE_ZH.search(clause) or _SOMEONE_CUE_EN.search(clause):
        return True
    if _SELF_CUE.search(clause):
        return False
    after = text[end : end + 24]
    return bool(_KIN_AFTER_ZH.match(after) or _KIN_AFTER_EN.match(after))


def negated(text: str, start: int) -> bool:
    """True when the word at ``start`` is negated in its clause (唔係學生, 未退休, "not a student")."""
    clause = clause_before(text, start)
    return bool(_NEGATION_ZH.search(clause) or _NEGATION_EN.search(clause))


def stance(patterns: Iterable[str], text: str, flags: int = 0) -> bool | None:
    """True when a pattern occurs un-negated, False when it occurs only negated, None when absent.

    Occurrences in a clause about someone else (我阿媽坐輪椅, "my daughter is married") do not count.
    """
    seen = False
    for pattern in patterns:
        for match in re.finditer(pattern, text, flags):
            if about_someone_else(text, match.start()):
                continue
            if not negated(text, match.start()):
                return True
            seen = True
    return False if seen else None


def numbers(patterns: Iterable[str], text: str, flags: int = 0, *, own: bool = True) -> list[int]:
    """The first group of every match, as numbers; with ``own``, not where the clause is about others."""
    found: list[int] = []
    for pattern in patterns:
        for match in re.finditer(pattern, text, flags):
            group = next((g for g in match.groups() if g is not None), None)
            if group is None or (own and about_someone_else(text, match.start(), match.end())):
                continue
            found.append(int(group))
    return found


def any_match(patterns: Iterable[str], text: str, flags: int = 0) -> bool:
    """True when one of ``patterns`` occurs in ``text``."""
    return any(re.search(pattern, text, flags) for pattern in patterns)
