"""Reading status facts from text: work, education, allowances received, disability, group, carer."""

from __future__ import annotations

import re

from kaifong.tools.finder.facts import BENEFITS
from kaifong.tools.finder.reading import (
    Found,
    about_someone_else,
    clause_before,
    negated,
    numbers,
    stance,
)

_EMPLOYMENT_ZH: tuple[tuple[str, str], ...] = (
    ("unemployed", "失業|失咗業|被裁|俾人炒|被解僱|無業|待業"),
    ("retired", "退休|退咗休"),
    ("student", "學生|讀緊書|在學|就讀|讀緊大學|讀緊中學|讀緊中|在讀|(?:仍|還|仲)(?:在|喺)?讀"),
    ("homemaker", "家庭主婦|家庭主夫|主婦|全職媽媽"),
    ("employed", "返緊工|有工作|有份工|在職|全職|兼職|打緊工|做緊嘢|上緊班|打工仔|返工"),
)
_EMPLOYMENT_EN: tuple[tuple[str, str], ...] = (
    (
        "unemployed",
        r"\bunemployed\b|\blost my job\b|\bjobless\b|\bbetween jobs\b|\blaid off\b",
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
        r"\bi have a job\b|\bwork(?:s|ing)? (?:full|part)[- ]time\b",
    ),
)
#: Saying you do not work (冇工作, 沒工作, 冇返工, 唔使返工, "not working", "no job"): not in work. It reads
#: as unemployed unless the resident also says why (retired, student, homemaker).
_NOT_WORKING_ZH = (
    r"(?<!有)(?:冇|沒有|沒|無|唔|不|未|不再|已經不|已不)(?:再|有|使|用|需要|在|喺|去)?\s*"
    r"(?:工作|返工|返緊工|做嘢|做野|做工|工做|工返|份工|咗份工|咗工|上班|打工|就業|職業)"
)
_NOT_WORKING_EN = (
    r"\b(?:not|never|no longer)\s+(?:currently\s+|now\s+|at the moment\s+)?"
    r"(?:working|employed|in (?:work|employment)|at work)\b",
    r"(?:n't|n’t|\bnot)\s+(?:currently\s+|now\s+)?(?:work|have (?:a|any) (?:job|work)|got (?:a|any) job)\b",
    r"\bno (?:job|work|employment)\b",
    r"\bwithout (?:a |any )?(?:job|work)\b",
    r"\bout of work\b",
)
_JOB_SEEKING = (r"\blooking for (?:a )?(?:job|work)\b", r"\bjob[- ]?hunting\b")
_JOB_SEEKING_ZH = ("[搵揾]緊工", "[搵揾]工", "找工作", "求職")
#: Saying what you do, or what you are paid, means you are in work (used when nothing else is said).
_AT_WORK = (
    r"\b(?:work|working|works) as an? \w+",
    r"\b(?:my )?(?:salary|wages?) (?:is|of)\b",
    r"\bearn(?:s|ing)?\b(?!\s+(?:nothing|no\b|zero))",
)
_AT_WORK_ZH = (
    r"(?:職業|工作)(?:是|係|為)",
    r"(?:喺|在)[\u4e00-\u9fff]{1,4}(?:做|工作)",
    "月薪",
    "人工",
    "工資",
)


_WANTS_JOB = re.compile(
    r"\b(?:want|wants|wanting|looking for|find|finding|seek|seeking|need|needs)\s+(?:a\s+|some\s+)?"
    r"(?:(?:full|part)[- ]time\s+)?(?:job|work)\b"
)
_WANTS_JOB_ZH = re.compile(r"想(?:[搵揾]|找|做)?(?:份)?(?:全職|兼職)?(?:工|工作)")


def _own(pattern: str, text: str) -> bool:
    """True when ``pattern`` occurs in a clause about the resident (not 我老婆冇工作, "my husband earns")."""
    return any(not about_someone_else(text, m.start()) for m in re.finditer(pattern, text))


def _statuses(table: tuple[tuple[str, str], ...], text: str) -> tuple[list[str], str]:
    """The statuses said un-negated in ``text`` (唔係學生 and "not retired" are not), and the text left."""
    said: list[str] = []
    for value, pattern in table:
        for match in re.finditer(pattern, text):
            if negated(text, match.start()) or about_someone_else(text, match.start()):
                continue
            if value not in said:
                said.append(value)
        text = re.sub(pattern, " ", text)
    return said, text


def read_employment(text: str, low: str, found: Found) -> None:
    seeking = _own(_WANTS_JOB.pattern, low) or _own(_WANTS_JOB_ZH.pattern, text)  # not 我個仔想搵工
    remaining, remaining_low = _WANTS_JOB_ZH.sub(" ", text), _WANTS_JOB.sub(" ", low)
    not_working = _own(_NOT_WORKING_ZH, remaining) or any(_own(p, remaining_low) for p in _NOT_WORKING_EN)
    remaining = re.sub(_NOT_WORKING_ZH, " ", remaining)
    for pattern in _NOT_WORKING_EN:
        remaining_low = re.sub(pattern, " ", remaining_low)
    strong, _ = _statuses(_EMPLOYMENT_ZH, remaining)
    strong += [value for value in _statuses(_EMPLOYMENT_EN, remaining_low)[0] if value not in strong]
    for value in strong:
        found.add("employment", value)
    if strong:
        return
    if (
        not_working
        or seeking
        or any(_own(p, low) for p in _JOB_SEEKING)
        or any(_own(p, text) for p in _JOB_SEEKING_ZH)
    ):
        found.add("employment", "unemployed")
    elif any(_own(p, low) for p in _AT_WORK) or any(_own(p, text) for p in _AT_WORK_ZH):
        found.add("employment", "employed")


def _form_level(number: int) -> str:
    return "lower_secondary" if number <= 3 else "upper_secondary"


#: 冇讀過書, 沒讀過書, 未上過學: never went to school. (冇讀書 without 過 is "not studying now" — 讀完中三就
#: 冇讀書 — and says nothing about the level reached.)
NO_SCHOOLING_ZH = re.compile(r"(?:冇|沒有|沒|無|未)(?:讀過|念過|上過)(?:書|學)")
#: Not studying, or never having studied: a fact about the resident, not a wish to take a course.
NOT_STUDYING_ZH = re.compile(r"(?<!有)(?:冇|沒有|沒|無|未|唔)(?:再)?(?:讀過|讀|念過|念|上過)(?:書|學)")
_EDUCATION_ZH: tuple[tuple[str, str], ...] = (
    ("none", NO_SCHOOLING_ZH.pattern + "|未受教育|不識字|文盲|(?:冇|沒有|沒)受過教育"),
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


def read_education(text: str, low: str, found: Found) -> None:
    levels: list[str] = []
    for number in numbers(
        (
            r"(?<![\u4e00-\u9fff])中([1-7])(?!\d)",
            r"中([1-7])(?:程度|畢業|學歷|肄業|學生|生)",
            r"(?:讀到|讀過|讀至|念到|讀咗|讀緊|在讀|讀)\s*中([1-7])",
        ),
        re.sub("中([一二三四五六七])", lambda m: "中" + str("一二三四五六七".index(m.group(1)) + 1), text),
        own=False,
    ) + numbers(
        (r"\bform\s*([1-7])\b", r"\bf\.?\s?([1-7])\b", r"\bs\.?([1-6])\b(?= (?:level|education))"),
        low,
        own=False,
    ):
        levels.append(_form_level(number))
    said, _ = _statuses(_EDUCATION_ZH, text)
    levels += said
    said, _ = _statuses(_EDUCATION_EN, low)
    levels += said
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


#: "No allowance of any kind": 冇攞任何津貼, 沒有領取任何津貼, 乜津貼都冇, "I don't get any allowance".
NO_BENEFITS_ZH = re.compile(
    r"(?<!有)(?:冇|沒有|沒|無|唔|不)(?:再)?\s*(?:拎|攞|領|領取|收|收取|受|申請|靠)?(?:緊|到|過|咗)?\s*"
    r"(?:任何|其他|政府|咩|乜){1,2}\s*(?:嘅|的)?\s*(?:津貼|福利|援助|資助|補助|生活津貼)"
    r"|(?:乜|咩)(?:嘢)?(?:津貼|福利|援助)都(?:冇|無|沒有|唔)(?:拎|攞|領|收)?"
)
NO_BENEFITS_EN = re.compile(
    r"\b(?:no|not (?:receiving|getting|on|claiming)(?: any)?|(?:don't|do not|doesn't|does not|never|didn't) "
    r"(?:get|receive|have|claim|collect)(?: any)?|not on any|without any)\s+"
    r"(?:(?:other|government|social|welfare|public|kind of|type of)\s+)*"
    r"(?:benefits?|allowances?|government assistance|welfare|assistance|subsid\w*)\b"
)


def read_benefits(text: str, low: str, found: Found) -> None:
    if NO_BENEFITS_ZH.search(text) or NO_BENEFITS_EN.search(low):
        for each in BENEFITS:
            found.add(f"benefit:{each}", False)
    for benefit, (english, chinese) in _BENEFIT_NAMES.items():
        for source, pattern, before, asking, negative, gets in (
            (low, english, 32, _ASKING_EN, _NOT_EN, _GETS_EN),
            (text, chinese, 8, _ASKING_ZH, _NOT_ZH, _GETS_ZH),
        ):
            for match in re.finditer(pattern, source):
                if about_someone_else(source, match.start()):  # 我老公拎緊傷殘津貼: the husband's, not theirs
                    continue
                window = clause_before(source, match.start())[-before:]
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


_DISABILITY_ZH = r"殘疾|殘障|輪椅|視障|聽障|失明|弱聽|傷殘(?!津貼)"
_DISABILITY_EN = (
    r"\bdisabled\b|\bdisability\b(?!\s+allowance)|\bwheelchair\b|\bvisually impaired\b|"
    r"\bhearing impaired\b|\bblind\b|\bdeaf\b"
)
_MINORITY_ZH = r"少數族裔|非華語|非華裔|南亞裔"
_MINORITY_EN = r"\bethnic minorit|\bnon-chinese[- ]speaking\b|\bsouth asian\b"
#: Not speaking Chinese is itself a negation: read as it is, not as a negated fact.
_NO_CHINESE_ZH = r"(?:唔識|不懂|不會|唔會)(?:講|說)?(?:廣東話|中文)"
_NO_CHINESE_EN = r"\b(?:don't|do not|can't|cannot) speak (?:chinese|cantonese)\b"


def _merge(found: Found, fact: str, *stances: bool | None) -> None:
    """Record ``fact`` True if any stance is True, False if every stated stance is False."""
    said = [s for s in stances if s is not None]
    if said:
        found.add(fact, any(said))


def read_flags(text: str, low: str, found: Found) -> None:
    """Disability, ethnic minority and carer, each read with its negation (唔係, "don't have a")."""
    _merge(found, "disability", stance((_DISABILITY_ZH,), text), stance((_DISABILITY_EN,), low))
    minority: tuple[bool | None, ...] = (stance((_MINORITY_ZH,), text), stance((_MINORITY_EN,), low))
    if re.search(_NO_CHINESE_ZH, text) or re.search(_NO_CHINESE_EN, low):
        minority = (*minority, True)
    _merge(found, "ethnic_minority", *minority)
    elder_zh = _ELDER_ZH
    elder_en = _ELDER_EN
    carer = (
        stance(
            (
                rf"(?:照顧|照料|看顧)(?:緊|住|著|着)?\s*(?:我)?(?:的|嘅|個)?\s*(?:年老|年邁)?(?:的|嘅)?\s*(?:{elder_zh})",
                "護老者",
            ),
            text,
        ),
        stance(
            (
                rf"\b(?:care|caring|look(?:ing)? after|looks after)\s+(?:for\s+)?my\s+{elder_en}\b",
                r"\bcarer\b|\bcaregiver\b",
            ),
            low,
        ),
    )
    if carer == (None, None) and (
        (re.search(r"照顧|照料|看顧", text) and re.search(elder_zh, text))
        or (
            re.search(
                r"\b(?:care for|caring for|look(?:ing)? after|looks after|take care of|taking care of)\b", low
            )
            and re.search(rf"\bmy\s+{elder_en}\b", low)
        )
    ):
        carer = (True, None)
    if True in carer:
        found.add("carer", True)
