"""Personal names, best effort: a cue (我叫, 姓名, 先生, "my name is", "Mr") and a Chinese surname list."""

from __future__ import annotations

import re

from kaifong.governance.recognizers._cjk import STOP, is_han
from kaifong.governance.recognizers._context import Finding, case_variants, caseless, trie_pattern
from kaifong.governance.recognizers._prefilter import Needs
from kaifong.governance.recognizers._scan import (
    Scanner,
    ascii_views,
    keyword_anchor,
    keyword_starts,
    start_anchor,
)

__all__ = ["DOUBLE_SURNAMES", "SURNAMES", "NameRecognizer"]

SURNAMES = frozenset(
    "陳陈李張张黃黄王林吳吴劉刘梁何周鄭郑楊杨謝谢郭馮冯羅罗葉叶蔡曾鄧邓朱許许蘇苏潘彭盧卢麥麦袁馬马"
    "趙赵胡余關关鍾钟徐莫高孫孙江方譚谭何伍韓韩岑丘邱唐呂吕杜鄒邹戴梅文姚曹范黎雷賴赖石程傅鄺邝翁區区"
    "湯汤龍龙冼簡简司甘霍祁凌彭錢钱沈孔葛任洪崔蔣蒋宋溫温施嚴严龐庞古尹金魏田賀贺夏萬万顏颜廖康鮑鲍"
    "姜熊白毛秦史董侯邵陶衛卫薛符柯歐欧邢游阮丁俞尤芮卓利容巫藍蓝聶聂焦童包戚車车韋韦伍利涂左易岳"
    "倪樊喬乔孟饒饶"
)
DOUBLE_SURNAMES = frozenset(
    (
        "歐陽",
        "欧阳",
        "司徒",
        "上官",
        "司馬",
        "司马",
        "諸葛",
        "诸葛",
        "慕容",
        "尉遲",
        "尉迟",
        "公孫",
        "公孙",
        "夏侯",
        "皇甫",
        "東方",
        "东方",
        "令狐",
        "長孫",
        "长孙",
        "端木",
        "西門",
        "西门",
        "區陳",
        "范徐",
    )
)
_TITLES = ("先生", "小姐", "太太", "女士", "姑娘", "醫生", "医生")
# Cues before a Chinese name, with the score of a listed-surname match and whether an unlisted
# surname is accepted (only after the explicit "my name is" cues).
_CUES_ZH: dict[str, tuple[float, bool]] = {
    "我叫": (0.85, True),
    "我個名叫": (0.9, True),
    "我个名叫": (0.9, True),
    "我嘅名係": (0.9, True),
    "我的名字是": (0.9, True),
    "我的名字叫": (0.9, True),
    "我名叫": (0.9, True),
    "姓名": (0.9, True),
    "名叫": (0.8, False),
    "本人": (0.8, False),
    "我係": (0.6, False),
    "我是": (0.6, False),
    "申請人": (0.8, False),
    "申请人": (0.8, False),
    "聯絡人": (0.8, False),
    "联络人": (0.8, False),
}
# Relations before a name (我太太陳美玲): a listed surname is required.
_CUES_ZH.update(
    dict.fromkeys("太太 老婆 老公 丈夫 妻子 兒子 儿子 女兒 女儿 媽媽 妈妈 爸爸".split(), (0.6, False))
)
# After these cues an unlisted surname is accepted when the name stands alone (申請人閻穎雅，).
_OPEN_IF_DELIMITED = frozenset(("本人", "申請人", "申请人", "聯絡人", "联络人", "姓名"))
_CUE_ZH_RE = re.compile(trie_pattern(_CUES_ZH) + r"[:：]? ?")
_TITLE_RE = re.compile("|".join(_TITLES))
_WORD = r"[A-Z][a-z]+(?:-[A-Za-z][a-z]+)?"
_NOT_NAMES = (
    "Hong|Kong|Kowloon|Chinese|English|Cantonese|Mandarin|Permanent|Resident|Residents|Applicant|Tenant|"
    "Student|Please|Thank|Thanks|Sorry|Hello|Here|The|From|Looking|Living|Calling|Writing|Asking|Not|Also|"
    "Just|Still|Going|Trying|Unable|Able|Interested|Eligible|Currently|Single|Married|Retired|Unemployed|"
    "In|On|At|A|An|Mr|Mrs|Ms|Miss|Dr|I|My"
)
_NAME_EN = rf"(?!(?:{_NOT_NAMES})\b){_WORD}(?: (?!(?:{_NOT_NAMES})\b){_WORD}){{0,3}}"
_HONORIFIC = r"(?:Mr|Mrs|Ms|Miss|Mdm|Madam|Dr)\.? "
_EN_RE = Scanner(
    rf"(?P<cue>(?i:my name is|my name's|(?:full |contact )?name ?:|contact(?: person)? ?:|this is"
    rf"|my (?:wife|husband|son|daughter|mother|father|partner)) ?(?:{_HONORIFIC})?)"
    rf"(?P<n1>{_NAME_EN})"
    rf"|(?P<iam>(?i:i am|i'm) )(?P<n2>{_HONORIFIC}{_NAME_EN})"
    rf"|(?<![A-Za-z])(?P<n3>{_HONORIFIC}{_NAME_EN})"
)
# Where an English match can start: a cue in any case, or an honorific.  Only there is it tried.  The
# cues are found in the lower-cased text, the honorifics (which mind case) in the text, both seen as
# ASCII: without ignoring case, ``re`` rejects most candidate letters at once.
_CUES_EN = ("my ", "full ", "contact", "name", "this is", "i am ", "i'm ")
_CUE_STARTS = keyword_anchor(_CUES_EN)
_HONORIFIC_STARTS = start_anchor(f"(?<![A-Za-z]){_HONORIFIC}", "MD")


def _en_starts(text: str) -> list[int] | None:
    """Where an English match can start, in order; None for text whose ASCII view loses a character that
    ``re`` matches to an ASCII letter ignoring case (see :func:`ascii_views`)."""
    views = ascii_views(text)
    if views is None:
        return None
    plain, folded = views
    if folded == plain.upper():  # no ASCII letter: no cue, no honorific
        return []
    cues = keyword_starts(folded, _CUE_STARTS) or []
    honorifics = [hit.start() for hit in _HONORIFIC_STARTS.finditer(plain)]
    if not honorifics:
        return cues
    return sorted({*cues, *honorifics})


# Every name follows a cue or precedes a title: a text with none has no name (the prefilter's test).
_EN_START = "|".join(caseless(cue) for cue in _CUES_EN) + f"|(?<![A-Za-z]){_HONORIFIC}"
_CUE_OR_TITLE = re.compile(
    "["
    + "".join(
        sorted({w[0] for w in (*_CUES_ZH, *_TITLES)} | {v for c in "mfcntiMD" for v in case_variants(c)})
    )
    + f"](?<=(?={_CUE_ZH_RE.pattern}|{_TITLE_RE.pattern}|{_EN_START}).)"
)


def _given_length(text: str, start: int) -> int:
    """How many (0-2) given-name characters start at ``start``: Han, not function words, not a title."""
    length = 0
    while length < 2 and start + length < len(text):
        char = text[start + length]
        if not is_han(char) or char in STOP or _TITLE_RE.match(text, start + length):
            break
        length += 1
    return length


def _surname_length(text: str, start: int) -> int:
    if text[start : start + 2] in DOUBLE_SURNAMES:
        return 2
    return 1 if text[start : start + 1] in SURNAMES else 0


class NameRecognizer:
    """Personal names after a cue or before a title; best effort.

    Chinese names have no capital letters and no spaces, so a name is only looked for right after a cue
    (我叫 / 我個名叫 / 本人 / 姓名 / 名叫 / my name is ...) or right before a title (先生 / 小姐 /
    太太 / 女士): a listed surname (single or double, 歐陽 司徒 上官...) and one or two given-name
    characters.  Names without a cue, or with an unlisted surname after a weak cue, are missed, and a
    following character can be swallowed (「我叫陳明想問」 gives 陳明想).  English names need a cue
    too ("my name is", "I am Mr", "Name:", an honorific) and capitalised words.

    Scores: 0.85-0.9 after an explicit cue (我叫, 姓名, my name is), 0.8 for a full name before a
    title (陳大文先生) or after 本人 / 申請人 / an honorific with two words, 0.6 after 我係 / 我是 or
    for an unlisted surname after an explicit cue, 0.55 for an honorific and one word (Mr Chan), and
    0.45 for a surname and a title alone (陳先生; found, not redacted by default).
    """

    kind = "NAME"
    needs = Needs(pattern=_CUE_OR_TITLE)

    def find(self, text: str) -> list[Finding]:
        """Return the personal names in the normalised ``text``."""
        # The Chinese cues and titles are not ASCII.
        findings = [] if text.isascii() else self._after_cues(text) + self._before_titles(text)
        for match in _EN_RE.matches(text, _en_starts(text)):
            if match.group("n1"):
                start, end, score = match.start("n1"), match.end("n1"), 0.85
            elif match.group("n2"):
                start, end, score = match.start("n2"), match.end("n2"), 0.85
            else:
                start, end = match.span("n3")
                score = 0.8 if " " in text[start:end].split(" ", 1)[1] else 0.55
            findings.append(Finding(self.kind, start, end, score, text[start:end]))
        return findings

    def _after_cues(self, text: str) -> list[Finding]:
        findings: list[Finding] = []
        for match in _CUE_ZH_RE.finditer(text):
            start = match.end()
            if start >= len(text):
                continue
            score, open_list = _CUES_ZH[match.group().rstrip(":： ")]
            surname = _surname_length(text, start)
            if surname:
                given = _given_length(text, start + surname)
                if given == 0:
                    continue
                end = start + surname + given
            elif open_list or match.group().rstrip(":： ") in _OPEN_IF_DELIMITED:
                given = _given_length(text, start)
                extra = _given_length(text, start + given) if given == 2 else 0
                if given + extra < 2:
                    continue
                following = text[start + given + min(extra, 1) : start + given + min(extra, 1) + 1]
                if not open_list and is_han(following) and following not in STOP:
                    continue
                end, score = start + given + min(extra, 1), 0.6
            else:
                continue
            findings.append(Finding(self.kind, start, end, score, text[start:end]))
        return findings

    def _before_titles(self, text: str) -> list[Finding]:
        findings: list[Finding] = []
        for match in _TITLE_RE.finditer(text):
            end = match.start()
            best: tuple[int, float] | None = None
            for start in range(max(0, end - 4), end):
                surname = _surname_length(text, start)
                if not surname or start + surname > end:
                    continue
                given = end - start - surname
                if given and _given_length(text, start + surname) == given:
                    best = (start, 0.8)
                    break
                if not given:
                    best = (start, 0.45)
            if best is not None:
                start, score = best
                stop = match.end() if score < 0.5 else end
                findings.append(Finding(self.kind, start, stop, score, text[start:stop]))
        return findings
