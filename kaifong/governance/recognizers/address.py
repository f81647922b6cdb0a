"""Hong Kong addresses in English and Chinese, from flat/floor/block/building/street/district parts."""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from kaifong.governance.recognizers._cjk import name_chars_back
from kaifong.governance.recognizers._context import Context, Finding, trie_pattern
from kaifong.governance.recognizers._scan import Scanner, fold, keyword_anchor, keyword_starts

__all__ = ["AddressRecognizer"]

_DISTRICTS_EN = (
    "Central|Sheung Wan|Wan Chai|Causeway Bay|North Point|Quarry Bay|Tai Koo|Shau Kei Wan|Chai Wan|"
    "Happy Valley|Kennedy Town|Pok Fu Lam|Aberdeen|Ap Lei Chau|Stanley|Mong Kok|Yau Ma Tei|Tsim Sha Tsui|"
    "Jordan|Prince Edward|Sham Shui Po|Cheung Sha Wan|Lai Chi Kok|Mei Foo|Kowloon City|Kowloon Tong|"
    "Kowloon Bay|Hung Hom|To Kwa Wan|Ho Man Tin|Wong Tai Sin|Diamond Hill|Lok Fu|Tsz Wan Shan|"
    "San Po Kong|Kwun Tong|Lam Tin|Ngau Tau Kok|Yau Tong|Kwai Chung|Kwai Fong|Tsing Yi|Tsuen Wan|"
    "Tuen Mun|Yuen Long|Tin Shui Wai|Sheung Shui|Fanling|Tai Po|Sha Tin|Ma On Shan|Fo Tan|Tai Wai|"
    "Sai Kung|Tseung Kwan O|Tung Chung|Lantau|Cheung Chau|Kowloon|Hong Kong|New Territories|N.T.|NT|Kln"
).split("|")
_DISTRICTS_ZH = (
    "中西區|中西区|中環|中环|上環|上环|灣仔|湾仔|銅鑼灣|铜锣湾|北角|鰂魚涌|鲗鱼涌|太古|筲箕灣|筲箕湾|柴灣|柴湾|"
    "跑馬地|跑马地|堅尼地城|坚尼地城|薄扶林|香港仔|鴨脷洲|鸭脷洲|赤柱|旺角|油麻地|尖沙咀|佐敦|太子|深水埗|"
    "長沙灣|长沙湾|荔枝角|美孚|九龍城|九龙城|九龍塘|九龙塘|九龍灣|九龙湾|紅磡|红磡|土瓜灣|土瓜湾|何文田|"
    "黃大仙|黄大仙|鑽石山|钻石山|樂富|乐富|慈雲山|慈云山|新蒲崗|新蒲岗|觀塘|观塘|藍田|蓝田|牛頭角|牛头角|"
    "油塘|葵涌|葵芳|青衣|荃灣|荃湾|屯門|屯门|元朗|天水圍|天水围|上水|粉嶺|粉岭|大埔|沙田|馬鞍山|马鞍山|"
    "火炭|大圍|大围|西貢|西贡|將軍澳|将军澳|東涌|东涌|大嶼山|大屿山|長洲|长洲|離島|离岛|東區|东区|南區|南区|"
    "北區|北区|油尖旺|葵青|九龍|九龙|新界|香港島|香港岛|香港"
).split("|")
_ESTATES = "邨 苑 花園 花园 大廈 大厦 商場 商场 廣場 广场 中心 山莊 山庄 閣 阁 軒 轩".split()
_ESTATES += "大樓 大楼 樓 楼 村 園 园".split()
_EN_NAME = r"(?:[A-Z][A-Za-z'.-]+ ){1,4}"
_EN_NAME_BEFORE = re.compile(_EN_NAME + "$")  # searched up to a "Road", "Building"...
_FIRST_ZH = "".join(
    sorted({w[0] for w in _DISTRICTS_ZH + _ESTATES} | set("街道路里坊徑径圍围第一二三四五六七八九十高中低地"))
)


class _PartPattern(NamedTuple):
    name: str
    first: str  # the characters a match can start with (a class body), but lower-case letters
    needs: str  # "" (always tried), or the keyword family without which it cannot match (see _families)
    pattern: str


# The parts, in order of priority: at a position, the first that matches is taken.  Every part starts
# with a digit, a word-initial Latin letter or a character of _FIRST_ZH (the look-ahead _HEAD); digit
# runs are possessive (a shorter run leaves a digit where none fits).
_HEAD = r"(?=[0-9]|(?<![A-Za-z])[A-Za-z]|[" + _FIRST_ZH + r"])"
_PART_PATTERNS = (
    # English: flat/room, floor, block, street number + street, named building/street, district.
    _PartPattern(
        "flat",
        "FRUS",
        "en",
        r"(?=[FfRrUuSs])(?<![A-Za-z])(?i:flat|room|rm|unit|shop|suite)\.? ?"
        r"(?:[0-9]{1,4}[A-Z]?|[A-Z])(?![A-Za-z0-9])",
    ),
    _PartPattern(
        "floor",
        "0-9GLU",
        "en",
        r"(?=[0-9GLUg])(?<![A-Za-z0-9])(?:[0-9]{1,3}+|[GLU])/F(?![A-Za-z0-9])"
        r"|(?<![A-Za-z0-9])[0-9]{1,3}+(?:st|nd|rd|th) (?i:floor)|(?<![A-Za-z])(?i:ground floor)",
    ),
    _PartPattern(
        "block",
        "BTP",
        "en",
        r"(?=[BbTtPp])(?<![A-Za-z])(?i:block|blk|tower|phase)\.? ?(?:[0-9]{1,3}[A-Z]?|[A-Z])(?![A-Za-z0-9])",
    ),
    _PartPattern(
        "street",
        "0-9",
        "street",
        r"(?=[0-9])(?<![A-Za-z0-9])[0-9]{1,4}+[A-Z]?+(?:-[0-9]{1,4}+[A-Z]?+)?+,?+ "
        + _EN_NAME
        + r"(?:Road|Street|Avenue|Lane|Path|Drive|Terrace|Rd|St|Ave|Boulevard|Crescent|Square)(?![A-Za-z])",
    ),
    _PartPattern(
        "named",
        "RSALPDBMHCETGV",
        "street",
        r"(?=[RSALPDBMHCETGV])(?<![A-Za-z])(?:Road|Street|Avenue|Lane|Path|Drive|Rd|Building|Bldg|Mansions?|House|"
        r"Court|Estate|Centre|Center|Towers?|Gardens?|Plaza|Villas?|Terrace|Heights)(?![A-Za-z])",
    ),
    _PartPattern(
        "district",
        "".join(sorted({w[0] for w in _DISTRICTS_EN})),
        "",
        r"(?=[A-Z])(?<![A-Za-z])" + trie_pattern(_DISTRICTS_EN) + r"(?![A-Za-z])",
    ),
    # Chinese: room, floor, block, district, street (+ number), estate/building, number.
    _PartPattern("room", "0-9A-Z", "zh", r"(?=[0-9A-Z])(?:[0-9]{1,5}+[A-Z]?+|[A-Z])(?:室|號舖|号铺|舖|铺)"),
    _PartPattern(
        "floor_zh",
        "0-9一二三四五六七八九十高中低地",
        "zh",
        r"(?=[0-9一二三四五六七八九十高中低地])(?:[0-9]{1,3}+|[一二三四五六七八九十]{1,3}+|[高中低])(?:樓|楼|層|层)"
        r"|地下|地舖|地铺",
    ),
    _PartPattern(
        "block_zh",
        "第0-9A-Z一二三四五六七八九十",
        "zh",
        r"(?=[第0-9A-Z一二三四五六七八九十])第?(?:[0-9]{1,3}+[A-Z]?+|[A-Z]|[一二三四五六七八九十]{1,3}+)(?:座|期|棟|栋)",
    ),
    _PartPattern(
        "district_zh", "".join(sorted({w[0] for w in _DISTRICTS_ZH})), "", trie_pattern(_DISTRICTS_ZH)
    ),
    _PartPattern(
        "street_zh",
        "街道路里坊徑径圍围",
        "",
        r"(?=[街道路里坊徑径圍围])(?:街|道|路|里|坊|徑|径|圍|围)"
        r"(?: ?[0-9]{1,4}+[A-Z]?+(?:-[0-9]{1,4}+)?+(?:號|号))?",
    ),
    _PartPattern("estate", "".join(sorted({w[0] for w in _ESTATES})), "", trie_pattern(_ESTATES)),
    _PartPattern(
        "number_zh", "0-9", "zh", r"(?=[0-9])(?<![0-9])[0-9]{1,4}+[A-Z]?+(?:-[0-9]{1,4}+)?+(?:號|号)"
    ),
)
# The keyword families: a part that needs one cannot match a text without it, so it is left out of the
# pattern for that text (fewer places to try: a message full of digits but with no "12樓", "3號", "/F"
# or "Road" is not tried at every digit).  The tests are looser than the parts they stand for: a
# Chinese room, floor, block or number is a digit, capital or numeral just before its keyword.
# (Written to start with the keyword, rarer than the digit or capital before it, so that ``re`` skips
# to it in C.)  The English keywords start parts only at the start of a word.
_ZH_KEYWORDS = re.compile(
    "[室舖铺號号樓楼層层座期棟栋](?<=[0-9A-Z一二三四五六七八九十高中低].)|地(?:下|舖|铺)"
)
_EN_KEYWORDS = keyword_anchor(
    ("flat", "room", "rm", "unit", "shop", "suite", "ground floor", "block", "blk", "tower", "phase"),
    word_start=True,
)
_EN_KEYWORDS_IGNORING_CASE = re.compile("(?i:flat|room|rm|unit|shop|suite|floor|block|blk|tower|phase)")
_STREET_WORDS = re.compile(
    "Road|St|Ave|Lane|Path|Drive|Terrace|Rd|Boulevard|Crescent|Square|Building|Bldg|Mansion|House|Court|"
    "Estate|Cent|Tower|Garden|Plaza|Villa|Heights"
)


def _families(text: str, folded: bytes | None) -> tuple[bool, bool, bool]:
    """Whether the keyword families "zh", "en" and "street" are in the text."""
    zh = not text.isascii() and _ZH_KEYWORDS.search(text) is not None  # its keywords are Chinese
    en = "/F" in text or (
        _EN_KEYWORDS_IGNORING_CASE.search(text) is not None
        if folded is None
        else _EN_KEYWORDS.search(folded) is not None or b"floor" in folded
    )
    return zh, en, _STREET_WORDS.search(text) is not None


@functools.cache
def _scanner(zh: bool, en: bool, street: bool) -> Scanner:
    """The parts pattern for texts with these keyword families (compiled on first use, 8 at most)."""
    families = {"", *(name for name, there in (("zh", zh), ("en", en), ("street", street)) if there)}
    parts = [part for part in _PART_PATTERNS if part.needs in families]
    pattern = _HEAD + "(?:" + "|".join(f"(?P<{part.name}>{part.pattern})" for part in parts) + ")"
    return Scanner(pattern, start=_start("".join(part.first for part in parts)))


# What may follow the digits (at most five) that a part starts with: "/F", "12th floor", a street
# number's letter, range, comma or space, or a Chinese room, floor, block or number keyword; inside a
# run of digits only a Chinese room, floor or block can start (the others want no digit before).
_AFTER_DIGITS_ZH = "室號号舖铺樓楼層层座期棟栋"
_DIGIT_START = (
    rf"[0-9](?<![0-9].)(?=[0-9]{{0,4}}+[-/ ,A-Zsnrt{_AFTER_DIGITS_ZH}])"
    rf"|[0-9](?=[0-9]{{0,4}}+[A-Z{_AFTER_DIGITS_ZH}])"
)


def _start(first: str) -> str:
    """Where a part can start, one character (see :class:`Scanner`): of ``first`` (a class body); if a
    digit, one that _DIGIT_START allows; if a capital, not after a letter (_HEAD).  So ``re`` skips, in
    C, most digits of the numbers and the inner capitals of words, the bulk of the candidates of a text
    full of numbers, without trying every part there."""
    capitals = "".join(sorted({c for c in first.replace("A-Z", "") if "A" <= c <= "Z"}))
    capitals = "A-Z" if "A-Z" in first else capitals
    rest = "".join(
        dict.fromkeys(c for c in first.replace("0-9", "").replace("A-Z", "") if not "A" <= c <= "Z")
    )
    branches = [_DIGIT_START] if "0-9" in first else []
    if capitals:
        branches.append(f"[{capitals}](?<![A-Za-z].)")
    if rest:
        branches.append(f"[{rest}]")
    return "|".join(branches)


# Without one of these (a part keyword or a context word) a text holds no address worth reporting, so the
# full parse is skipped.  Both regexes start with literals, so ``re`` skips other characters in C;
# English keywords are looked for in the lower-cased text.
_TRIGGER_ZH = re.compile(
    "|".join("室 樓 楼 層 层 座 期 號 号 邨 苑 舖 铺 寄 送 搬 /F 地下 地址 住址 住喺 住在 居住".split())
)
_TRIGGER_WORDS = (
    "flat room rm unit shop suite block blk tower phase floor road street avenue lane path drive rd building "
    "bldg mansion house court estate centre center garden plaza villa terrace heights address addr live "
    "living reside deliver"
).split()
_TRIGGER_EN = re.compile(trie_pattern(_TRIGGER_WORDS).encode("ascii"))  # in the folded text
_TRIGGER_EN_IGNORING_CASE = re.compile("(?i:" + "|".join(_TRIGGER_WORDS) + ")")  # for text with ı or İ


def _triggered(text: str, folded: bytes | None) -> bool:
    if ("/F" in text) if text.isascii() else _TRIGGER_ZH.search(text) is not None:  # its only ASCII word
        return True
    if folded is None:
        return _TRIGGER_EN_IGNORING_CASE.search(text) is not None
    return _TRIGGER_EN.search(folded) is not None


_STRONG = frozenset(("flat", "floor", "block", "street", "room", "floor_zh", "block_zh", "number_zh"))
_GAP = re.compile(r"[ ,，、]{0,3}")
ADDRESS_CONTEXT = Context(
    (
        "address",
        "addr",
        "live at",
        "live in",
        "living at",
        "reside",
        "deliver to",
        "地址",
        "住址",
        "住喺",
        "住在",
        "居住",
        "搬咗去",
        "搬到",
        "寄到",
        "寄去",
        "送到",
    ),
    before=20,
    after=6,
)


class _Part(NamedTuple):
    start: int
    end: int
    strong: bool
    street: bool


def _parts(text: str, folded: bytes | None) -> list[_Part]:
    zh, en, street = _families(text, folded)
    # Lower-case keywords (flat, room, block...) start parts that the first characters do not show.
    hints = keyword_starts(folded, _EN_KEYWORDS) if en else []
    parts: list[_Part] = []
    for match in _scanner(zh, en, street).matches(text, hints):
        group = match.lastgroup or ""
        start, end = match.span()
        floor = parts[-1].end if parts else 0
        if group == "named":  # the capitalised words before "Road", "Building", "Estate"...
            if parts and parts[-1].end == start - 1 and text[start - 1] == " " and not parts[-1].strong:
                start = parts.pop().start  # a district name that is also a building's ("Lok Fu Estate")
            else:
                head = _EN_NAME_BEFORE.search(text, max(floor, start - 60), start)
                if head is None:
                    continue
                start -= len(head.group())
        elif group in ("street_zh", "estate"):
            name_start = name_chars_back(text, start, 6 if group == "street_zh" else 5, floor)
            if name_start < start:
                start = name_start
            elif parts and parts[-1].end == start and not parts[-1].strong:
                start = parts.pop().start  # a district name that is also a street's (大埔道)
            else:
                continue
            group = "street" if "號" in match.group() or "号" in match.group() else group
        parts.append(_Part(start, end, group in _STRONG, group == "street"))
    return parts


class AddressRecognizer:
    """Hong Kong addresses: ``Flat A, 12/F, Block 3, Lok Fu Estate``, 「彌敦道123號A座12樓1203室」.

    Best effort: components are found by keyword anchors and joined when only spaces or commas separate
    them; a span of two or more parts including a specific one (flat, floor, block, street number) is
    an address.  Place names without such a part (「彩虹邨」, "Lok Fu Estate") are reported below the
    redaction threshold unless a context word (地址, 住喺, address, live at) is near.

    Best effort.  Scores: 0.9 for three or more joined parts with a specific one (flat, room,
    floor, block, street number), 0.85 for two; a single specific part 0.35 (0.6 with a context
    word such as 地址 or "address"), a street with its number alone 0.6; place names alone 0.3, or
    0.55 with a context word.
    """

    kind = "ADDRESS"

    def find(self, text: str) -> list[Finding]:
        """Return the addresses in the normalised ``text``."""
        findings: list[Finding] = []
        folded = fold(text)
        if not _triggered(text, folded):
            return findings
        group: list[_Part] = []
        for part in _parts(text, folded):
            if group and _GAP.fullmatch(text, group[-1].end, part.start) is None:
                findings.append(self._finding(text, group))
                group = []
            group.append(part)
        if group:
            findings.append(self._finding(text, group))
        return findings

    def _finding(self, text: str, group: list[_Part]) -> Finding:
        start, end = group[0].start, group[-1].end
        strong = sum(part.strong for part in group)
        if strong and len(group) >= 3:
            score = 0.9
        elif strong and len(group) == 2:
            score = 0.85
        elif strong:  # the context words are looked for only here, where they count
            score = 0.6 if group[0].street or ADDRESS_CONTEXT.around(text, start, end) else 0.35
        else:  # a place name alone counts only right after 地址 / 住喺 / "address"
            score = 0.55 if ADDRESS_CONTEXT.before_span(text, start, 6) else 0.3
        return Finding(self.kind, start, end, score, text[start:end])
