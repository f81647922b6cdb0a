"""Reading facts from what a resident writes, in English, standard Chinese (either script) or Cantonese.

Rules, not a model: the text is NFKC-normalised, converted to Hong Kong Traditional (so one Chinese
pattern serves both scripts; 搵/揾 and 係/系 are matched either way) and its numbers rewritten as
digits (六十八 → 68, 一萬二 → 12000); then each fact has a few patterns per language. Two different
values for one fact in one message are a contradiction: the fact stays unknown and the resident is
told. An age of −1 or 200 is impossible and is not kept. Talk about other people (我個仔15歲,
"my mother is 80") is not read as the resident's own.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from kaifong.language import detect
from kaifong.language.convert import to_hant
from kaifong.tools.finder.facts import BENEFITS, Facts, Problem, consistent
from kaifong.tools.finder.names import Mention, districts, languages
from kaifong.tools.finder.numerals import normalise_numbers
from kaifong.tools.finder.read_numbers import read_age, read_household, read_money, read_residence
from kaifong.tools.finder.read_status import (
    NO_BENEFITS_EN,
    NO_BENEFITS_ZH,
    NOT_STUDYING_ZH,
    read_benefits,
    read_education,
    read_employment,
    read_flags,
)
from kaifong.tools.finder.reading import IGNORE_CASE, Found, negated
from kaifong.types import Detection

Kind = Literal["service", "course"]


@dataclass(frozen=True)
class Extraction:
    """What a text says: the facts, the problems, and hints for the filters (language, kind)."""

    facts: Facts
    problems: tuple[Problem, ...]
    detection: Detection
    language: str | None = None
    kind: Kind | None = None


_LIVE_CUE_ZH = re.compile(r"(?:住|住喺|住在|居於|住[係系]|喺|在|近|來自)\s*$")
_LIVE_CUE_EN = re.compile(
    r"\b(?:live|living|lives|stay|staying|reside|residing|from|near|around)\s+(?:in\s+|at\s+)?$", IGNORE_CASE
)
_UNKNOWN_PLACE_ZH = re.compile(
    r"住(?:喺|在|係|於)\s*([\u4e00-\u9fff]{2,4}?)(?:區|附近|[，,。.\s]|$|嘅|的|同|和|，)"
)
#: A place in Latin letters after a Chinese cue: 我住喺 Narnia.
_UNKNOWN_PLACE_ZH_LATIN = re.compile(r"住(?:喺|在|係|於)\s*([A-Za-z][A-Za-z]+(?: [A-Z][A-Za-z]+){0,2})")
_UNKNOWN_PLACE_EN = re.compile(
    r"\b(?:live|living|lives|stay|staying|reside|residing)\s+(?:in|at)\s+([A-Z][A-Za-z]+(?:\s+[A-Z][A-Za-z]+){0,2})"
)
_NOT_PLACES = frozenset(
    "香港 本港 公屋 居屋 劏房 私樓 屋企 套房 宿舍 老人院 院舍 附近 樓上 樓下 大陸 內地 九龍 新界 港島 "
    "屋邨 村屋 "
    "一間 呢度 嗰度 度 一齊 同一 舊樓 唐樓 板間房 "
    "Hong Kong HK Kowloon New Territories Public Housing A Flat The City".split()
)


def _district(original: str, text: str, found: Found) -> None:
    mentions = []
    for mention in districts().mentions(original):
        before = to_hant(original[: mention.start]).replace("’", "'")
        if not negated(before, len(before)):  # 唔係住深水埗, "I don't live in Sham Shui Po"
            mentions.append(mention)
    cued: list[Mention] = []
    for mention in mentions:
        before = original[max(0, mention.start - 12) : mention.start]
        if _LIVE_CUE_ZH.search(to_hant(before)) or _LIVE_CUE_EN.search(before):
            cued.append(mention)
    chosen = cued or mentions
    ids = list(dict.fromkeys(m.name.id for m in chosen))
    if len(ids) == 1:
        found.add("district", ids[0])
        return
    if len(ids) > 1:
        found.problems.append(Problem("district_ambiguous", "district", tuple(ids)))
        return
    places = [*_UNKNOWN_PLACE_ZH.finditer(text), *_UNKNOWN_PLACE_ZH_LATIN.finditer(original)]
    for match in places + list(_UNKNOWN_PLACE_EN.finditer(original)):
        place = match.group(1).strip()
        if (
            place in _NOT_PLACES
            or place.title() in _NOT_PLACES
            or any(p in place for p in ("香港", "公屋", "屋"))
        ):
            continue
        if districts().resolve(place) is None:
            found.problems.append(Problem("unknown_district", "district", (place[:40],)))
            return


_TEACHING_CUE_EN = re.compile(
    r"(?:taught|teach|teaching|conducted|instruction|courses?|classes?|training|services?|help|speaks?|speaking)\s+"
    r"(?:is\s+|are\s+|only\s+)?in\s+$",
    IGNORE_CASE,
)
_TEACHING_CUE_ZH = re.compile(r"(?:用|以|講)\s*$")
_TEACHING_AFTER = re.compile(
    r"^\s*(?:[- ](?:medium|speaking|language)|授課|教學|教|班|課程|上堂|服務|溝通)", IGNORE_CASE
)


def _language(original: str) -> str | None:
    for mention in languages().mentions(original):
        before = original[max(0, mention.start - 24) : mention.start]
        after = original[mention.end : mention.end + 10]
        if (
            _TEACHING_CUE_EN.search(before)
            or _TEACHING_CUE_ZH.search(before)
            or _TEACHING_AFTER.search(after)
        ):
            return mention.name.id
    return None


#: Names of allowances a resident says they receive: not a sign they are asking about services.
_BENEFIT_NAMES = re.compile(
    r"綜援|生果金|高齡津貼|長者生活津貼|長生津|傷殘津貼|在職家庭津貼|職津|"
    r"\bcssa\b|old age (?:living )?allowance|disability allowance|working family allowance|fruit money",
    IGNORE_CASE,
)


def _kind(text: str, low: str) -> Kind | None:
    """ "Service" or "course" when the resident asks for one kind; saying what you do not receive
    (冇攞任何津貼, "I don't get any allowance") is a fact about you, not a request for services."""
    text, low = NO_BENEFITS_ZH.sub(" ", text), NO_BENEFITS_EN.sub(" ", low)
    text, low = _BENEFIT_NAMES.sub(" ", text), _BENEFIT_NAMES.sub(" ", low)
    text = NOT_STUDYING_ZH.sub(" ", text)  # 冇讀書 is a fact about the resident, not a wish to study
    course = re.search(r"課程|培訓|進修|學嘢|再培訓|上堂|報讀|讀書", text) or re.search(
        r"\bcourses?\b|\btraining\b|\bretrain|\bclass(?:es)?\b|\bstudy\b", low
    )
    service = re.search(r"服務|津貼|福利|援助|資助|補助", text) or re.search(
        r"\bservices?\b|\ballowances?\b|\bbenefits?\b|\bsubsid|\bwelfare\b", low
    )
    if course and not service:
        return "course"
    if service and not course:
        return "service"
    return None


def _settle(found: Found, born_here: bool) -> tuple[Facts, list[Problem]]:
    values: dict[str, object] = {}
    problems = list(found.problems)
    for fact, candidates in found.values.items():
        if fact.startswith("benefit:"):
            continue
        if len(candidates) > 1:
            problems.append(Problem("contradiction", fact, tuple(str(c) for c in candidates[:3])))
        else:
            values[fact] = candidates[0]
    receives, not_receiving = set(), set()
    for benefit in BENEFITS:
        stances = found.values.get(f"benefit:{benefit}", [])
        if True in stances:
            receives.add(benefit)
        elif stances == [False]:
            not_receiving.add(benefit)
    if born_here and "age" in values and "residence_years" not in values:
        values["residence_years"] = values["age"]
    facts = Facts(**values, receives=frozenset(receives), not_receiving=frozenset(not_receiving))  # type: ignore[arg-type]
    return facts, problems


def prepare(text: str) -> str:
    """The text as the patterns read it: NFKC, Hong Kong Traditional (s2hk), numbers as digits, ’ as '."""
    return normalise_numbers(to_hant(unicodedata.normalize("NFKC", text))).replace("’", "'")


def extract(text: str) -> Extraction:
    """The facts, problems and filter hints in ``text`` (any of the four language forms, or mixed)."""
    original = unicodedata.normalize("NFKC", text)
    prepared = prepare(text)
    low = prepared.lower()
    found = Found()
    read_age(prepared, low, found)
    born_here = read_residence(prepared, low, found)
    read_money(prepared, low, found)
    read_household(prepared, low, found)
    read_employment(prepared, low, found)
    read_education(prepared, low, found)
    read_benefits(prepared, low, found)
    read_flags(prepared, low, found)
    _district(original, prepared, found)
    facts, problems = _settle(found, born_here)
    facts, more = consistent(facts)
    return Extraction(
        facts=facts,
        problems=tuple(problems) + more,
        detection=detect(text),
        language=_language(original),
        kind=_kind(prepared, low),
    )
