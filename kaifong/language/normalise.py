"""Question normalisation for retrieval: Cantonese → standard written Chinese, English terms → glossary."""

from __future__ import annotations

import re

from kaifong.language.convert import to_hant
from kaifong.language.glossary import EN_TO_ZH
from kaifong.types import Detection

#: Written-Cantonese words and colloquial names → their standard written Chinese (or official) forms.
CANTONESE_TO_SWC: dict[str, str] = {
    "點樣": "如何",
    "點先": "如何",
    "點解": "為何",
    "邊度": "哪裏",
    "邊處": "哪裏",
    "邊個": "誰",
    "邊間": "哪間",
    "幾時": "何時",
    "幾耐": "多久",
    "幾多錢": "費用",
    "幾錢": "費用",
    "幾多": "多少",
    "咩嘢": "甚麼",
    "乜嘢": "甚麼",
    "要唔要": "是否",
    "使唔使": "是否",
    "可唔可以": "可否",
    "得唔得": "可否",
    "係咪": "是否",
    "唔見咗": "遺失",
    "唔見": "遺失",
    "跌咗": "遺失",
    "整爛": "損壞",
    "冇": "沒有",
    "攞": "領取",
    "搵工": "找工作 就業",
    "搵": "找",
    "睇醫生": "求診 診所",
    "睇病": "求診 診所",
    "屋企人": "家人",
    "屋企": "家",
    "返工": "上班 工作",
    "放工": "下班",
    "人工": "工資",
    "出糧": "工資",
    "老細": "僱主",
    "老闆": "僱主",
    "打工仔": "僱員",
    "細路仔": "兒童",
    "細路": "兒童",
    "BB": "嬰兒",
    "阿媽": "母親",
    "阿爸": "父親",
    "老豆": "父親",
    "老竇": "父親",
    "老人家": "長者",
    "伯伯": "長者",
    "婆婆": "長者",
    "後生仔": "青年",
    "揸車": "駕駛",
    "車牌": "駕駛執照",
    "續牌": "續期 駕駛執照",
    "補證": "補領 身份證",
    "換證": "更換 身份證",
    "搭車": "乘車",
    "生果金": "高齡津貼 生果金",
    "長生津": "長者生活津貼",
    "街症": "普通科門診",
    "兩蚊": "2元",
    "積金": "強積金",
    "交稅": "報稅 繳稅",
    "報稅": "報稅 報稅表",
    "每個鐘": "每小時 時薪",
    "一個鐘": "每小時 時薪",
    "架車": "車輛",
    "過咗身": "去世 死亡",
    "過身": "去世 死亡",
    "瞓唔著": "失眠",
    "瞓唔着": "失眠",
    "斷開": "損壞",
    "爛咗": "損壞",
    "犯法": "違法",
    "牌費": "牌照費",
    "嘅": "的",
    "係": "是",
    "唔": "不",
    "喺": "在",
    "嚟": "來",
    "佢哋": "他們",
    "佢": "他",
    "我哋": "我們",
    "畀": "給",
    "俾": "給",
}

#: Standard-Chinese near-synonyms folded onto the words official pages use.
SWC_SYNONYMS: dict[str, str] = {
    "申請條件": "申請資格",
    "第一次": "首次",
    "多少錢": "費用",
    "條件": "資格",
    "要求": "資格",
    "住滿": "居港 居住",
    "去世": "死亡",
    "過世": "死亡",
    "逝世": "死亡",
    "小孩": "兒童",
    "孩子": "兒童",
    "子女": "兒童",
    "老人": "長者",
    "老年人": "長者",
    "薪水": "工資",
    "工錢": "工資",
    "薪金": "工資",
    "壓力": "情緒 精神健康",
    "丟失": "遺失",
    "丟了": "遺失",
    "弄丟": "遺失",
    "搬家": "搬遷",
}

#: Function words and question frames that carry no topic; replaced by a break so bigrams do not cross them.
STOP_PHRASES: tuple[str, ...] = (
    "請問",
    "我想知",
    "想知道",
    "想問",
    "我想",
    "我要",
    "知道",
    "如何",
    "怎樣",
    "怎麼",
    "怎么",
    "甚麼",
    "什麼",
    "是否",
    "可否",
    "可以",
    "需要",
    "哪裏",
    "哪里",
    "何時",
    "多少",
    "為何",
    "我們",
    "你們",
    "他們",
    "一下",
    "有沒有",
    "沒有",
    "有冇",
    "應該",
    "唔該",
    "謝謝",
    "今年",
    "現在",
    "而家",
    "咗",
    "啲",
    "嗎",
    "呢",
    "呀",
    "啊",
    "吧",
    "喎",
    "囉",
    "嘛",
    "咩",
    "了",
    "的",
    "我",
    "你",
    "他",
    "她",
    "個",
    "是",
    "在",
    "和",
    "或",
    "及",
    "有",
    "要",
    "想",
    "不",
    "給",
    "找",
    "來",
    "點",
    "會",
    "就",
    "都",
    "也",
    "嘅",
    "要帶",
    "帶",
    "啱啱",
    "成日",
    "點算",
    "有冇辦法",
    "辦法",
    "最近",
    "突然",
    "一定",
    "大概",
    "其實",
    "即係",
    "究竟",
    "打去",
    "係咪",
    "要唔要",
    "可唔可以",
    "得唔得",
    "使唔使",
)

#: Hong Kong places: they say where, not what, so they are searched but do not count towards coverage.
PLACES: tuple[str, ...] = (
    "中西區",
    "灣仔",
    "東區",
    "南區",
    "油尖旺",
    "深水埗",
    "九龍城",
    "黃大仙",
    "觀塘",
    "荃灣",
    "屯門",
    "元朗",
    "北區",
    "大埔",
    "西貢",
    "沙田",
    "葵青",
    "離島",
    "尖沙咀",
    "旺角",
    "油麻地",
    "銅鑼灣",
    "中環",
    "上環",
    "將軍澳",
    "天水圍",
    "東涌",
    "粉嶺",
    "上水",
    "大圍",
    "馬鞍山",
    "青衣",
    "葵涌",
    "長沙灣",
    "土瓜灣",
    "紅磡",
    "北角",
    "鰂魚涌",
    "柴灣",
    "鴨脷洲",
    "赤柱",
    "太子",
    "何文田",
    "九龍灣",
    "牛頭角",
    "藍田",
    "秀茂坪",
    "新界",
    "九龍",
)

ENGLISH_STOPWORDS = frozenset(
    (
        "a an the and or of to in on at for from with by about as into is are was were be been "
        "being do does did i me my mine we our you your he she his her it its they them their this "
        "that these those what what's which who whom whose when where why how can could should "
        "would will shall may might must need needs want wants get got have has had please tell "
        "know there here any some much many if then than so just also not no yes hi hello thanks "
        "thank help i'm it's "
    ).split()
)

_SYNONYMS = {to_hant(k): v for k, v in SWC_SYNONYMS.items()}
_SYNONYM = re.compile("|".join(sorted(map(re.escape, _SYNONYMS), key=len, reverse=True)))
_STOP = re.compile(
    "|".join(sorted(map(re.escape, {*STOP_PHRASES, *map(to_hant, STOP_PHRASES)}), key=len, reverse=True))
)
#: The map as it meets text after ``to_hant`` (OpenCC's HK forms turn e.g. 搵 into 揾).
_CANTO_HK = {to_hant(k): v for k, v in CANTONESE_TO_SWC.items()} | CANTONESE_TO_SWC
_CANTO = re.compile("|".join(sorted(map(re.escape, _CANTO_HK), key=len, reverse=True)))
_GLOSSARY = re.compile(
    r"(?<![A-Za-z0-9])("
    + "|".join(sorted(map(re.escape, EN_TO_ZH), key=len, reverse=True))
    + r")(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’.-]*")


#: Everyday English words → the words official pages use.
ENGLISH_SYNONYMS: dict[str, str] = {
    "cost": "fee",
    "costs": "fee",
    "price": "fee",
    "charge": "fee",
    "charges": "fee",
    "kid": "child",
    "kids": "child",
    "son": "child",
    "daughter": "child",
    "mum": "parent",
    "mom": "parent",
    "mother": "parent",
    "dad": "parent",
    "father": "parent",
    "old": "elderly",
    "lost": "lost replacement",
    "boss": "employer",
    "pay": "wage",
    "salary": "wage",
}


def english_query(text: str) -> str:
    """An English question reduced to its content words, everyday words mapped to official ones."""
    words = [w for w in _LATIN_WORD.findall(text.lower()) if w.strip(".'’-") not in ENGLISH_STOPWORDS]
    mapped = [ENGLISH_SYNONYMS.get(w, w) for w in words]
    return " ".join(mapped) + " " + " ".join(re.findall(r"\d+", text))


def is_fragment(text: str, detection: Detection) -> bool:
    """True for a follow-up too short to name a topic (「要幾多錢？」, "How much does it cost?")."""
    from kaifong.language.tokens import query_tokens

    return len(query_tokens(search_text(text, detection))) <= (3 if detection.is_chinese else 1)


def chinese_query(text: str) -> str:
    """A Chinese (or code-switched) question as SWC search terms in Traditional script."""
    hant = to_hant(text)
    with_glossary = _GLOSSARY.sub(lambda m: f" {m.group(0)} {EN_TO_ZH[m.group(0).lower()]} ", hant)
    swc = _CANTO.sub(lambda m: f" {_CANTO_HK[m.group(0)]} ", with_glossary)
    synonyms = _SYNONYM.sub(lambda m: f" {_SYNONYMS[m.group(0)]} ", swc)
    without_stops = _STOP.sub(" ", synonyms)
    kept_latin = " ".join(w for w in _LATIN_WORD.findall(without_stops) if w.lower() not in ENGLISH_STOPWORDS)
    han_only = _LATIN_WORD.sub(" ", without_stops)
    return f"{han_only} {kept_latin}"


def search_text(text: str, detection: Detection) -> str:
    """The text a retriever should search for, given how the question is written."""
    return chinese_query(text) if detection.is_chinese else english_query(text)
