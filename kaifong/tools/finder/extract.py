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
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from kaifong.language import detect
from kaifong.language.convert import to_hant
from kaifong.tools.finder.facts import BENEFITS, Facts, Problem, check_number, consistent
from kaifong.tools.finder.names import Mention, districts, languages
from kaifong.tools.finder.numerals import normalise_numbers
from kaifong.types import Detection

Kind = Literal["service", "course"]
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
_HK = r"(?:hong\s*kong|hk)"
_MONEY = r"(?:hk)?\$?\s?(\d+)"
_ZH_MONEY = r"(?:港幣|港元|hk\$|\$)?\s*(\d+)"


@dataclass
class _Found:
    """Candidate values per fact, in the order found."""

    values: dict[str, list[object]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def add(self, fact: str, value: object) -> None:
        self.values.setdefault(fact, [])
        if value not in self.values[fact]:
            self.values[fact].append(value)


@dataclass(frozen=True)
class Extraction:
    """What a text says: the facts, the problems, and hints for the filters (language, kind)."""

    facts: Facts
    problems: tuple[Problem, ...]
    detection: Detection
    language: str | None = None
    kind: Kind | None = None


def _clause_before(text: str, start: int) -> str:
    """The part of ``text`` before ``start`` back to the previous clause boundary."""
    head = text[:start]
    ends = [match.end() for match in _CLAUSE_END.finditer(head)]
    return head[ends[-1] :] if ends else head


def _about_someone_else(text: str, start: int) -> bool:
    clause = _clause_before(text, start)
    return bool(re.search(_KIN_ZH, clause) or re.search(_KIN_EN, clause, IGNORE_CASE))


def _numbers(patterns: Iterable[str], text: str, flags: int = 0, *, own: bool = True) -> list[int]:
    found: list[int] = []
    for pattern in patterns:
        for match in re.finditer(pattern, text, flags):
            group = next((g for g in match.groups() if g is not None), None)
            if group is None or (own and _about_someone_else(text, match.start())):
                continue
            found.append(int(group))
    return found


def _any(patterns: Iterable[str], text: str, flags: int = 0) -> bool:
    return any(re.search(pattern, text, flags) for pattern in patterns)


_AGE_EN = (
    r"\bi(?:'m|’m| am)\s+(?:now\s+|about\s+|aged\s+)?(-?\d{1,3})(?![\d,.]\d)"
    r"(?!\s*(?:%|kg|cm|hours?|hrs?|months?|days?|weeks?|people|persons|dollars|hk|\$))"
    r"(?!\s*(?:years?|yrs?)\s+(?:in|living|here|of))",
    r"(-?\d{1,3})\s*(?:years?|yrs?)[\s-]*old\b",
    r"(-?\d{1,3})-year-old\b",
    r"\b(?:aged|my age is|age:?)\s*(-?\d{1,3})\b",
)
_AGE_ZH = (r"(-?\d{1,3})\s*(?:週歲|周歲|歲)", r"(?:年齡|年紀|歲數)\s*(?:係|是|為|:|：)?\s*(-?\d{1,3})")


def _age(text: str, low: str, found: _Found) -> None:
    for value in _numbers(_AGE_EN, low) + _numbers(_AGE_ZH, text):
        problem = check_number("age", value)
        if problem is None:
            found.add("age", value)
        elif problem not in found.problems:
            found.problems.append(problem)


_RESIDENCE_EN = (
    rf"(?:lived|living|been living|been|resided|residing|stayed|staying)\s+(?:in\s+)?{_HK}\s+"
    r"(?:for\s+)?(?:about\s+|over\s+|more than\s+|around\s+)?(\d{1,3})\s*(?:years?|yrs?)",
    rf"(\d{{1,3}})\s*(?:years?|yrs?)\s+(?:in|living in)\s+{_HK}",
    rf"(?:moved|came|arrived)\s+(?:to\s+|in\s+)?{_HK}\s+(\d{{1,3}})\s*years?\s+ago",
)
_RESIDENCE_ZH = (
    r"(?:香港|本港)\s*(?:住|居住|生活|定居)(?:咗|了|左)?\s*(?:有|大約|約|超過)?\s*(\d{1,3})\s*(?:年|個年頭)",
    r"(?:住|居住|生活|來|嚟|移居|移民|定居)(?:咗|了|左)?\s*(?:喺|在|到|來)?\s*(?:香港|本港)\s*(?:有|大約|約|超過)?"
    r"\s*(\d{1,3})\s*(?:年|個年頭)",
)
_BORN_HERE = (rf"\bborn\s+(?:and\s+(?:raised|bred)\s+)?in\s+{_HK}", rf"\b{_HK}[- ]born\b")
_BORN_HERE_ZH = (r"(?:香港|本港)(?:出世|出生|土生土長)", r"土生土長", r"(?:喺|在)香港(?:出世|出生)")


def _residence(text: str, low: str, found: _Found) -> bool:
    for value in _numbers(_RESIDENCE_EN, low, own=False) + _numbers(_RESIDENCE_ZH, text, own=False):
        problem = check_number("residence_years", value)
        if problem is not None:
            found.problems.append(problem)
        else:
            found.add("residence_years", value)
    if _any(("新來港", "新移民", "新到港", "初到香港", "剛來香港", "新來香港"), text) or _any(
        (r"\bnew arrival", r"\bnewly arrived\b", r"\bnew immigrant\b", rf"\bjust moved to {_HK}"), low
    ):
        found.add("new_arrival", True)
    return _any(_BORN_HERE, low) or _any(_BORN_HERE_ZH, text)


_INCOME_EN = (
    r"(?:earn|earning|earns|make|making|makes|get paid|paid|salary of|income of|income is|salary is|wage is|"
    rf"wages of)\s+(?:about\s+|around\s+|only\s+|roughly\s+|just\s+)?{_MONEY}"
    r"\s*(?:a|per|/|each|every)\s*month",
    r"(?:monthly|a month|per month)\s+(?:household\s+|family\s+)?(?:income|salary|pay|wages?|earnings?)\s*"
    rf"(?:is|of|:|=|are|around|about|\s)*{_MONEY}",
    rf"(?:household|family|my|our)\s+income\s*(?:is|of|:|=)?\s*(?:about\s+|around\s+)?{_MONEY}"
    r"(?!\d)(?!\s*(?:a|per|/)\s*year)",
)
_INCOME_ZH = (
    rf"月入\s*(?:大約|約|只有|得|係|有|為|是)?\s*{_ZH_MONEY}",
    r"(?:每月|每個月|1個月|一個月)\s*(?:收入|人工|入息|薪金|工資|糧|賺|[搵揾])\s*"
    rf"(?:大約|約|只有|得|係|有|為|是|:|：)?\s*{_ZH_MONEY}",
    rf"(?<!年)(?:收入|人工|入息|薪金|工資|薪水)\s*(?:每月|每個月)?\s*(?:大約|約|只有|得|係|有|為|是|:|：)?\s*{_ZH_MONEY}",
)
_ASSETS_EN = (
    rf"(?:savings|assets|money in the bank|bank savings)\s*(?:of|are|is|:|=|about|around|total|\s)*{_MONEY}",
    rf"{_MONEY}\s+(?:in\s+)?(?:savings|assets)\b",
    rf"\bsaved\s+(?:about\s+|up\s+)?{_MONEY}",
)
_ASSETS_ZH = (
    rf"(?:積蓄|存款|儲蓄|資產|身家|銀行有)\s*(?:大約|約|只有|得|係|有|為|是|:|：)?\s*{_ZH_MONEY}",
    rf"有\s*{_ZH_MONEY}\s*(?:蚊|元)?\s*(?:積蓄|存款|儲蓄)",
)


def _money(text: str, low: str, found: _Found) -> None:
    if _any((r"\bno income\b", r"\bzero income\b", r"\bno salary\b"), low) or _any(
        ("冇收入", "無收入", "沒有收入", "零收入", "冇人工", "沒有工資"), text
    ):
        found.add("monthly_income", 0)
    for value in _numbers(_INCOME_EN, low, own=False) + _numbers(_INCOME_ZH, text, own=False):
        found.add("monthly_income", value)
    if _any((r"\bno savings\b", r"\bno assets\b", r"\bno money saved\b"), low) or _any(
        ("冇積蓄", "無積蓄", "沒有積蓄", "冇存款", "沒有存款", "無存款", "身無分文"), text
    ):
        found.add("assets", 0)
    for value in _numbers(_ASSETS_EN, low, own=False) + _numbers(_ASSETS_ZH, text, own=False):
        found.add("assets", value)


_HOUSEHOLD_EN = (
    r"\bfamily of (\d{1,2})\b",
    r"\b(\d{1,2})[- ](?:person|people|member)s?\s+(?:household|family)",
    r"\bhousehold of (\d{1,2})\b",
    r"\b(\d{1,2})\s+(?:people|persons|of us)\s+(?:in|at)\s+(?:my|our|the)\s+(?:household|family|home|flat)",
)
_HOUSEHOLD_ZH = (
    r"(?:一家|1家)\s*(\d{1,2})\s*口",
    r"(\d{1,2})\s*口之家",
    r"(\d{1,2})\s*人(?:家庭|住戶)",
    r"(?:屋企|家中|住戶)\s*(?:有|共|一共)?\s*(\d{1,2})\s*(?:個)?人",
)
_ALONE_NO = (r"(?:唔[係系]|不是|沒有|冇|並非|唔)\s*(?:獨居|1個人住|自己1個住)",)
_ALONE_NO_EN = (r"\b(?:don't|do not|doesn't|not|no longer)\s+(?:live|living)\s+alone\b",)
_ALONE = ("獨居", "1個人住", "自己1個住", "獨自居住", "獨自生活", "自己住")
_ALONE_EN = (
    r"\blive(?:s)?\s+alone\b",
    r"\bliving\s+alone\b",
    r"\bon my own\b",
    r"\b(?:live|living) by myself\b",
)
_SPOUSE_ZH = r"(?:老婆|老公|太太|丈夫|先生|妻子|配偶|另一半)"
_COUPLE = (
    rf"(?:同|和|與|跟)\s*{_SPOUSE_ZH}\s*(?:一齊|一起)?\s*住",
    "兩公婆",
    "2公婆",
    "夫婦",
    "已婚",
    "結咗婚",
    "結了婚",
)
_COUPLE_EN = (
    r"\b(?:live|living|lives|stay|staying)\s+with\s+my\s+(?:wife|husband|spouse)\b",
    r"\bmy (?:wife|husband|spouse) and i\b",
    r"\bi(?:'m| am) married\b",
    r"\bmarried couple\b",
)
_SINGLE = ("單身", "未婚", "喪偶", "離婚", "寡婦", "鰥夫")
_SINGLE_EN = (r"\bi(?:'m| am) (?:single|widowed|divorced|a widow(?:er)?)\b(?!\s+(?:mother|father|parent))",)


def _household(text: str, low: str, found: _Found) -> None:
    for value in _numbers(_HOUSEHOLD_EN, low, own=False) + _numbers(_HOUSEHOLD_ZH, text, own=False):
        problem = check_number("household_size", value)
        if problem is not None:
            found.problems.append(problem)
        else:
            found.add("household_size", value)
    blanked = re.sub("|".join(_ALONE_NO), " ", text)
    blanked_low = re.sub("|".join(_ALONE_NO_EN), " ", low)
    if blanked != text or blanked_low != low:
        found.add("living_alone", False)
    if _any(_ALONE, blanked) or _any(_ALONE_EN, blanked_low):
        found.add("living_alone", True)
    if _any(_COUPLE, text) or _any(_COUPLE_EN, low):
        found.add("couple", True)
    if _any(_SINGLE, text) or _any(_SINGLE_EN, low):
        found.add("couple", False)


_EMPLOYMENT_ZH: tuple[tuple[str, str], ...] = (
    ("unemployed", "失業|冇工做|無工做|沒有工作|無工作|冇工返|冇返工|被裁|俾人炒|被解僱|無業|待業|冇份工"),
    ("retired", "退休|退咗休"),
    ("student", "學生|讀緊書|在學|就讀|讀緊大學|讀緊中學"),
    ("homemaker", "家庭主婦|家庭主夫|主婦|全職媽媽"),
    ("employed", "返緊工|有工作|有份工|在職|全職|兼職|打緊工|做緊嘢|上緊班|打工仔|返工"),
)
_EMPLOYMENT_EN: tuple[tuple[str, str], ...] = (
    (
        "unemployed",
        r"\bunemployed\b|\bout of work\b|\blost my job\b|\bjobless\b|\bbetween jobs\b|\blaid off\b|"
        r"\bno job\b|\b(?:don't|do not) have a job\b|\bwithout a job\b",
    ),
    ("retired", r"\bretired\b|\bpensioner\b"),
    ("student", r"\bstudent\b|\bat school\b|\bstill studying\b|\bin school\b"),
    (
        "homemaker",
        r"\bhousewife\b|\bhomemaker\b|\bstay[- ]at[- ]home (?:mum|mom|dad|parent)\b|\bhouse ?husband\b",
    ),
    (
        "employed",
        r"\bi work\b|\bi(?:'m| am) working\b|(?<!un)\bemployed\b|"
        r"\b(?:full|part)[- ]time (?:job|work|worker)\b|"
        r"\bi have a job\b|\bworking (?:full|part)[- ]time\b",
    ),
)
_JOB_SEEKING = (r"\blooking for (?:a )?(?:job|work)\b", r"\bjob[- ]?hunting\b", r"\bnot working\b")
_JOB_SEEKING_ZH = ("[搵揾]緊工", "[搵揾]工", "找工作", "求職", "唔使返工")


_WANTS_JOB = re.compile(
    r"\b(?:want|wants|wanting|looking for|find|finding|seek|seeking|need|needs)\s+(?:a\s+|some\s+)?"
    r"(?:(?:full|part)[- ]time\s+)?(?:job|work)\b"
)
_WANTS_JOB_ZH = re.compile(r"想(?:[搵揾]|找|做)?(?:份)?(?:全職|兼職)?(?:工|工作)")


def _employment(text: str, low: str, found: _Found) -> None:
    strong: list[str] = []
    seeking = bool(_WANTS_JOB.search(low) or _WANTS_JOB_ZH.search(text))
    remaining, remaining_low = _WANTS_JOB_ZH.sub(" ", text), _WANTS_JOB.sub(" ", low)
    for value, pattern in _EMPLOYMENT_ZH:
        if re.search(pattern, remaining):
            strong.append(value)
            remaining = re.sub(pattern, " ", remaining)
    for value, pattern in _EMPLOYMENT_EN:
        if re.search(pattern, remaining_low):
            strong.append(value)
            remaining_low = re.sub(pattern, " ", remaining_low)
    for value in strong:
        found.add("employment", value)
    if not strong and (seeking or _any(_JOB_SEEKING, low) or _any(_JOB_SEEKING_ZH, text)):
        found.add("employment", "unemployed")


def _form_level(number: int) -> str:
    return "lower_secondary" if number <= 3 else "upper_secondary"


_EDUCATION_ZH: tuple[tuple[str, str], ...] = (
    ("none", "冇讀過書|冇讀書|沒有讀書|未受教育|不識字|文盲|冇受過教育"),
    ("postgraduate", "碩士|博士|研究生|研究院"),
    ("upper_secondary", "文憑試|會考|預科|DSE|dse"),
    ("sub_degree", "副學士|高級文憑|毅進|IVE|文憑"),
    ("degree", "大學畢業|大學學歷|大學程度|學士|大學學位|學位"),
    ("primary", "小學|小6"),
)
_EDUCATION_EN: tuple[tuple[str, str], ...] = (
    ("none", r"\bno (?:formal )?education\b|\bnever (?:went to|attended) school\b|\bdidn't go to school\b"),
    ("postgraduate", r"\bmaster'?s(?: degree)?\b|\bph\.?d\b|\bdoctorate\b|\bpostgraduate\b"),
    ("upper_secondary", r"\b(?:hk)?dse\b|\bhkcee\b|\ba-?levels?\b"),
    ("sub_degree", r"\b(?:higher )?diploma\b|\bassociate degree\b|\bsub-degree\b"),
    (
        "degree",
        r"\b(?:bachelor'?s?|university|college) (?:degree|graduate)\b|\bdegree holder\b|"
        r"\bgraduated from (?:a )?university\b|\bi have a degree\b|\bfirst degree\b",
    ),
    ("primary", r"\bprimary (?:school|education|six|6)\b|\bonly primary\b|\bp\.?6\b"),
)


def _education(text: str, low: str, found: _Found) -> None:
    levels: list[str] = []
    for number in _numbers(
        (
            r"(?<![\u4e00-\u9fff])中([1-7])(?!\d)",
            r"中([1-7])(?:程度|畢業|學歷|肄業)",
            r"(?:讀到|讀過|讀至|念到|讀咗)\s*中([1-7])",
        ),
        re.sub("中([一二三四五六七])", lambda m: "中" + str("一二三四五六七".index(m.group(1)) + 1), text),
        own=False,
    ) + _numbers(
        (r"\bform\s*([1-7])\b", r"\bf\.?\s?([1-7])\b", r"\bs\.?([1-6])\b(?= (?:level|education))"),
        low,
        own=False,
    ):
        levels.append(_form_level(number))
    remaining, remaining_low = text, low
    for value, pattern in _EDUCATION_ZH:
        if re.search(pattern, remaining):
            levels.append(value)
            remaining = re.sub(pattern, " ", remaining)
    for value, pattern in _EDUCATION_EN:
        if re.search(pattern, remaining_low):
            levels.append(value)
            remaining_low = re.sub(pattern, " ", remaining_low)
    if not levels and (re.search("中學", text) or re.search(r"\bsecondary (?:school|education)\b", low)):
        levels.append("upper_secondary")
    for level in dict.fromkeys(levels):
        found.add("education", level)


_BENEFIT_NAMES: dict[str, tuple[str, str]] = {
    "cssa": (r"\bcssa\b|comprehensive social security assistance", "綜援|綜合社會保障援助"),
    "oaa": (r"\bold age allowance\b|\boaa\b|\bfruit money\b", "生果金|高齡津貼"),
    "oala": (r"\bold age living allowance\b|\boala\b", "長者生活津貼|長生津"),
    "da": (r"\bdisability allowance\b", "傷殘津貼|傷津"),
    "wfa": (r"\bworking family allowance\b|\bwfa\b", "職津|在職家庭津貼"),
}
_ASKING_ZH = (
    r"申請|想拎|想攞|想領|可唔可以|可否|能否|點樣|如何|可以拎|可以攞|合資格|有冇資格|夠唔夠|符唔符合|有冇得"
)
_ASKING_EN = r"\b(?:apply|applying|can i|could i|eligible|qualify|how (?:do|can)|what is|about|want|wants)\b"
_NOT_ZH = r"冇|沒有|沒|無|唔[係系]|未|不是|並無|唔"
_NOT_EN = r"\b(?:not|no|don't|do not|never|isn't|aren't|without|nor)\b"
_GETS_ZH = r"拎|攞|領|收|受|靠|食"
_GETS_EN = r"\b(?:receiving|receive|receives|get|gets|getting|on|collect|collecting|have|got)\b"


def _benefits(text: str, low: str, found: _Found) -> None:
    if re.search(
        r"(?:冇|沒有|無)\s*(?:拎|攞|領|領取)?\s*(?:任何|其他)\s*(?:津貼|福利|援助|資助)", text
    ) or re.search(
        r"\b(?:no|not receiving any|not getting any|don't get any|do not get any|not on any)\s+(?:other\s+)?"
        r"(?:benefits?|allowances?|government assistance|welfare)\b",
        low,
    ):
        for benefit in BENEFITS:
            found.add(f"benefit:{benefit}", False)
    for benefit, (english, chinese) in _BENEFIT_NAMES.items():
        for source, pattern, before, asking, negative, gets in (
            (low, english, 32, _ASKING_EN, _NOT_EN, _GETS_EN),
            (text, chinese, 8, _ASKING_ZH, _NOT_ZH, _GETS_ZH),
        ):
            for match in re.finditer(pattern, source):
                window = source[max(0, match.start() - before) : match.start()]
                after = source[match.end() : match.end() + 3]
                if re.search(asking, window) or re.search(r"^[^，,。.]{0,2}[嗎?？]", after):
                    continue
                if re.search(negative, window):
                    found.add(f"benefit:{benefit}", False)
                elif re.search(gets, window) or re.search(r"^\s*(?:recipient|戶)", after):
                    found.add(f"benefit:{benefit}", True)


_ELDER_ZH = (
    "阿媽|媽媽|母親|阿爸|爸爸|父親|老豆|老竇|老母|爺爺|嫲嫲|公公|婆婆|外公|外婆|長者|老人家|父母|雙親|"
    "奶奶|外母|外父|岳母|岳父|家翁|家姑"
)
_ELDER_EN = (
    r"(?:elderly |old |aged |sick )?(?:mother|father|mum|mom|dad|parents?|grandmother|grandfather|grandma|"
    r"grandpa|mother-in-law|father-in-law|in-laws)"
)


def _flags(text: str, low: str, found: _Found) -> None:
    disability_zh = r"殘疾|殘障|坐輪椅|視障|聽障|失明|弱聽|傷殘(?!津貼)"
    if re.search(rf"(?:冇|沒有|無|唔[係系]|不是)\s*(?:{disability_zh})", text) or re.search(
        r"\bnot disabled\b|\bno disability\b", low
    ):
        found.add("disability", False)
    elif re.search(disability_zh, text) or re.search(
        r"\bdisabled\b|\bdisability\b(?!\s+allowance)|\bwheelchair\b|\bvisually impaired\b|"
        r"\bhearing impaired\b|"
        r"\bblind\b|\bdeaf\b",
        low,
    ):
        found.add("disability", True)
    if re.search(
        r"少數族裔|非華語|非華裔|南亞裔|(?:唔識|不懂|不會|唔會)(?:講|說)?(?:廣東話|中文)", text
    ) or re.search(
        r"\bethnic minorit|\bnon-chinese[- ]speaking\b|\bsouth asian\b|\b(?:don't|do not|can't|cannot) speak "
        r"(?:chinese|cantonese)\b",
        low,
    ):
        found.add("ethnic_minority", True)
    elder_zh = _ELDER_ZH
    elder_en = _ELDER_EN
    if (
        re.search(
            rf"(?:照顧|照料|看顧)(?:緊|住|著|着)?\s*(?:我)?(?:的|嘅|個)?\s*(?:年老|年邁)?(?:的|嘅)?\s*(?:{elder_zh})|護老者",
            text,
        )
        or re.search(
            rf"\b(?:care|caring|look(?:ing)? after|looks after)\s+(?:for\s+)?my\s+{elder_en}\b"
            r"|\bcarer\b|\bcaregiver\b",
            low,
        )
        or (re.search(r"照顧|照料|看顧", text) and re.search(elder_zh, text))
        or (
            re.search(
                r"\b(?:care for|caring for|look(?:ing)? after|looks after|take care of|taking care of)\b", low
            )
            and re.search(rf"\bmy\s+{elder_en}\b", low)
        )
    ):
        found.add("carer", True)


_LIVE_CUE_ZH = re.compile(r"(?:住|住喺|住在|居於|住[係系]|喺|在|近|來自)\s*$")
_LIVE_CUE_EN = re.compile(
    r"\b(?:live|living|lives|stay|staying|reside|residing|from|near|around)\s+(?:in\s+|at\s+)?$", IGNORE_CASE
)
_UNKNOWN_PLACE_ZH = re.compile(
    r"住(?:喺|在|係|於)\s*([\u4e00-\u9fff]{2,4}?)(?:區|附近|[，,。.\s]|$|嘅|的|同|和|，)"
)
_UNKNOWN_PLACE_EN = re.compile(
    r"\b(?:live|living|lives|stay|staying|reside|residing)\s+(?:in|at)\s+([A-Z][A-Za-z]+(?:\s+[A-Z][A-Za-z]+){0,2})"
)
_NOT_PLACES = frozenset(
    "香港 本港 公屋 居屋 劏房 私樓 屋企 套房 宿舍 老人院 院舍 附近 樓上 樓下 大陸 內地 九龍 新界 港島 "
    "屋邨 村屋 "
    "一間 呢度 嗰度 度 一齊 同一 舊樓 唐樓 板間房 "
    "Hong Kong HK Kowloon New Territories Public Housing A Flat The City".split()
)


def _district(original: str, text: str, found: _Found) -> None:
    mentions = districts().mentions(original)
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
    for match in list(_UNKNOWN_PLACE_ZH.finditer(text)) + list(_UNKNOWN_PLACE_EN.finditer(original)):
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


def _kind(text: str, low: str) -> Kind | None:
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


def _settle(found: _Found, born_here: bool) -> tuple[Facts, list[Problem]]:
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
    """The text as the patterns read it: NFKC, Hong Kong Traditional (s2hk), numbers as digits."""
    return normalise_numbers(to_hant(unicodedata.normalize("NFKC", text)))


def extract(text: str) -> Extraction:
    """The facts, problems and filter hints in ``text`` (any of the four language forms, or mixed)."""
    original = unicodedata.normalize("NFKC", text)
    prepared = prepare(text)
    low = prepared.lower()
    found = _Found()
    _age(prepared, low, found)
    born_here = _residence(prepared, low, found)
    _money(prepared, low, found)
    _household(prepared, low, found)
    _employment(prepared, low, found)
    _education(prepared, low, found)
    _benefits(prepared, low, found)
    _flags(prepared, low, found)
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
