"""Chinese helpers for the best-effort recognizers: function characters that end a name, backward scans."""

from __future__ import annotations

__all__ = ["STOP", "is_han", "name_chars_back"]

# Characters that are (almost) never part of a place or person name in a resident's message:
# pronouns, particles, copulas, prepositions and common verbs around names and addresses.
STOP = frozenset(
    "我你佢他她它們们的嘅係是在喺住去到於于和同及與与或想要請请問问咗了過过就都也有冇無无没沒個个這这"
    "那嗰呢呀啊啦嘛喎囉咩嗎吗吖嘞姓名叫先電电話话號号碼码身份證证從从來来對对將将被把謝谢打搵找聯联絡络"
    "需可會会能應应該该並并而但因所如若即搬寄送返回入出近向由至及為为地址屋企度處处邊边喇咯㗎囉知味渠報报頻频難难軌轨棟栋"
)


def is_han(char: str) -> bool:
    """Whether ``char`` is a CJK unified ideograph (basic block or extension A)."""
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def name_chars_back(text: str, end: int, limit: int, floor: int = 0) -> int:
    """The start of the run of at most ``limit`` name characters (Han, not in STOP) ending at ``end``."""
    start = end
    while start > floor and end - start < limit and is_han(text[start - 1]) and text[start - 1] not in STOP:
        start -= 1
    return start
