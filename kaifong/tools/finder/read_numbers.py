"""Reading numeric facts from text: age, years in Hong Kong, income, savings and household."""

from __future__ import annotations

import re

from kaifong.tools.finder.facts import check_number
from kaifong.tools.finder.reading import HK, MONEY, ZH_MONEY, Found, any_match, numbers, stance

_AGE_EN = (
    r"\bi(?:'m|’m| am)\s+(?:now\s+|about\s+|aged\s+)?(-?\d+)(?![\d,.]\d)"
    r"(?!\s*(?:%|kg|cm|hours?|hrs?|months?|days?|weeks?|people|persons|dollars|hk|\$))"
    r"(?!\s*(?:years?|yrs?)\s+(?:in|living|here|of))",
    r"(-?\d+)\s*(?:years?|yrs?)[\s-]*old\b",
    r"(-?\d+)-year-old\b",
    r"\b(?:aged|my age is|age:?)\s*(-?\d+)\b",
)
_AGE_ZH = (r"(-?\d+)\s*(?:週歲|周歲|歲)", r"(?:年齡|年紀|歲數)\s*(?:係|是|為|:|：)?\s*(-?\d+)")


def read_age(text: str, low: str, found: Found) -> None:
    for value in numbers(_AGE_EN, low) + numbers(_AGE_ZH, text):
        problem = check_number("age", value)
        if problem is None:
            found.add("age", value)
        elif problem not in found.problems:
            found.problems.append(problem)


_RESIDENCE_EN = (
    rf"(?:lived|living|been living|been|resided|residing|stayed|staying)\s+(?:in\s+)?{HK}\s+"
    r"(?:for\s+)?(?:about\s+|over\s+|more than\s+|around\s+)?(\d{1,3})\s*(?:years?|yrs?)",
    rf"(\d{{1,3}})\s*(?:years?|yrs?)\s+(?:in|living in)\s+{HK}",
    rf"(?:moved|came|arrived)\s+(?:to\s+|in\s+)?{HK}\s+(\d{{1,3}})\s*years?\s+ago",
)
_RESIDENCE_ZH = (
    r"(?:香港|本港)\s*(?:住|居住|生活|定居)(?:咗|了|左)?\s*(?:有|大約|約|超過)?\s*(\d{1,3})\s*(?:年|個年頭)",
    r"(?:住|居住|生活|來|嚟|移居|移民|定居)(?:咗|了|左)?\s*(?:喺|在|到|來)?\s*(?:香港|本港)\s*(?:有|大約|約|超過)?"
    r"\s*(\d{1,3})\s*(?:年|個年頭)",
)
_BORN_HERE = (rf"\bborn\s+(?:and\s+(?:raised|bred)\s+)?in\s+{HK}", rf"\b{HK}[- ]born\b")
_BORN_HERE_ZH = (r"(?:香港|本港)(?:出世|出生|土生土長)", r"土生土長", r"(?:喺|在)香港(?:出世|出生)")


def read_residence(text: str, low: str, found: Found) -> bool:
    for value in numbers(_RESIDENCE_EN, low, own=False) + numbers(_RESIDENCE_ZH, text, own=False):
        problem = check_number("residence_years", value)
        if problem is not None:
            found.problems.append(problem)
        else:
            found.add("residence_years", value)
    arrived = r"(?:啱啱|剛剛|剛|最近)(?:由[^，,。]{1,4})?(?:嚟|來|到)(?:咗|了)?香港"
    arrival = [
        stance(("新來港", "新移民", "新到港", "初到香港", "新來香港", arrived), text),
        stance((r"\bnew arrival", r"\bnewly arrived\b", r"\bnew immigrant\b", rf"\bjust moved to {HK}"), low),
    ]
    if True in arrival or False in arrival:
        found.add("new_arrival", True in arrival)
    # 唔係香港出世, "wasn't born in Hong Kong": not born here (then the age says nothing about residence).
    return stance(_BORN_HERE, low) is True or stance(_BORN_HERE_ZH, text) is True


_INCOME_EN = (
    r"(?:earn|earning|earns|make|making|makes|get paid|paid|salary of|income of|income is|salary is|wage is|"
    rf"wages of)\s+(?:about\s+|around\s+|only\s+|roughly\s+|just\s+)?{MONEY}"
    r"\s*(?:a|per|/|each|every)\s*month",
    r"(?:monthly|a month|per month)\s+(?:household\s+|family\s+)?(?:income|salary|pay|wages?|earnings?)\s*"
    rf"(?:is|of|:|=|are|around|about|\s)*{MONEY}",
    rf"(?:household|family|my|our)\s+income\s*(?:is|of|:|=)?\s*(?:about\s+|around\s+)?{MONEY}"
    r"(?!\d)(?!\s*(?:a|per|/)\s*year)",
)
_INCOME_ZH = (
    rf"(?:月入|月薪)\s*(?:大約|大概|差不多|約|只有|得|係|有|為|是)?\s*{ZH_MONEY}",
    r"(?:每月|每個月|1個月|一個月)\s*(?:收入|人工|入息|薪金|工資|糧|賺|[搵揾])\s*"
    rf"(?:大約|大概|差不多|約|只有|得|係|有|為|是|:|：)?\s*{ZH_MONEY}",
    rf"(?<!年)(?:收入|人工|入息|薪金|工資|薪水)\s*(?:每月|每個月)?\s*(?:大約|大概|差不多|約|只有|得|係|有|為|是|:|：)?\s*{ZH_MONEY}",
)
_ASSETS_EN = (
    rf"(?:savings|assets|money in the bank|bank savings)\s*(?:of|are|is|:|=|about|around|total|\s)*{MONEY}",
    rf"{MONEY}\s+(?:in\s+)?(?:savings|assets)\b",
    rf"\bsaved\s+(?:about\s+|up\s+)?{MONEY}",
)
_ASSETS_ZH = (
    rf"(?:積蓄|存款|儲蓄|資產|身家|銀行有)\s*(?:大約|大概|差不多|約|只有|得|係|有|為|是|:|：)?\s*{ZH_MONEY}",
    rf"有\s*{ZH_MONEY}\s*(?:蚊|元)?\s*(?:積蓄|存款|儲蓄)",
)


def read_money(text: str, low: str, found: Found) -> None:
    if any_match((r"\bno income\b", r"\bzero income\b", r"\bno salary\b"), low) or any_match(
        ("冇收入", "無收入", "沒有收入", "零收入", "冇人工", "沒有工資"), text
    ):
        found.add("monthly_income", 0)
    for value in numbers(_INCOME_EN, low, own=False) + numbers(_INCOME_ZH, text, own=False):
        found.add("monthly_income", value)
    if any_match((r"\bno savings\b", r"\bno assets\b", r"\bno money saved\b"), low) or any_match(
        ("冇積蓄", "無積蓄", "沒有積蓄", "冇存款", "沒有存款", "無存款", "身無分文"), text
    ):
        found.add("assets", 0)
    for value in numbers(_ASSETS_EN, low, own=False) + numbers(_ASSETS_ZH, text, own=False):
        found.add("assets", value)


_HOUSEHOLD_EN = (
    r"\bfamily of (\d{1,2})\b",
    r"\b(\d{1,2})[- ](?:person|people|member)s?\s+(?:household|family)",
    r"\bhousehold of (\d{1,2})\b",
    r"\b(\d{1,2})\s+(?:people|persons|of us)\s+(?:in|at)\s+(?:(?:my|our|the)\s+)?"
    r"(?:household|family|home|flat)",
)
_HOUSEHOLD_ZH = (
    r"(?:一家|1家)\s*(\d{1,2})\s*口",
    r"(\d{1,2})\s*口之家",
    r"(\d{1,2})\s*人(?:家庭|住戶)",
    r"(?:屋企|家中|家裏|住戶)\s*(?:有|共有|共|一共)?\s*(\d{1,2})\s*(?:個|口)?人",
)
_ALONE_NO = (r"(?:唔[係系]|不是|沒有|冇|並非|唔)\s*(?:獨居|1個人住|自己1個住)",)
_ALONE_NO_EN = (r"\b(?:don't|do not|doesn't|not|no longer)\s+(?:live|living)\s+alone\b",)
_ALONE = ("獨居", "1個人住", "自己1個住", "獨自(?:居|住|生活)", "自己住")
_ALONE_EN = (
    r"\blive(?:s)?\s+alone\b",
    r"\bliving\s+alone\b",
    r"\bon my own\b",
    r"\b(?:live|living) by myself\b",
)
_SPOUSE_ZH = r"(?:老婆|老公|太太|丈夫|先生|妻子|配偶|另一半|老伴)"
_COUPLE = (
    rf"(?:同|和|與|跟)\s*{_SPOUSE_ZH}[^，,。.]{{0,4}}住",
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
#: Married in words a negation can precede (沒有結婚, "not married"); said plainly, _COUPLE reads them.
_MARRIED = ("結婚", "結咗婚", "結了婚")
_MARRIED_EN = (r"\bmarried\b",)
_SINGLE = ("單身", "未婚", "喪偶", "離婚", "寡婦", "鰥夫")
_SINGLE_EN = (r"\bi(?:'m| am) (?:single|widowed|divorced|a widow(?:er)?)\b(?!\s+(?:mother|father|parent))",)


def read_household(text: str, low: str, found: Found) -> None:
    for value in numbers(_HOUSEHOLD_EN, low, own=False) + numbers(_HOUSEHOLD_ZH, text, own=False):
        problem = check_number("household_size", value)
        if problem is not None:
            found.problems.append(problem)
        else:
            found.add("household_size", value)
    blanked = re.sub("|".join(_ALONE_NO), " ", text)
    blanked_low = re.sub("|".join(_ALONE_NO_EN), " ", low)
    if blanked != text or blanked_low != low:
        found.add("living_alone", False)
    if any_match(_ALONE, blanked) or any_match(_ALONE_EN, blanked_low):
        found.add("living_alone", True)
    # 唔係單身 is a couple, "not married" / 沒有結婚 is not: each word is read with its negation.
    couple = (stance(_COUPLE, text), stance(_COUPLE_EN, low), stance((*_MARRIED, *_MARRIED_EN), low))
    single = (stance(_SINGLE, text), stance(_SINGLE_EN, low))
    if True in couple or False in single:
        found.add("couple", True)
    if True in single or False in couple:
        found.add("couple", False)
