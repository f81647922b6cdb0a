"""A fast front end to ``sanitise.normalise_with_offsets``: only characters NFKC changes are redone."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import NamedTuple

from kaifong.governance import sanitise

__all__ = ["normalise_for_scan", "normalise_with_offsets"]

# Planes scanned for characters that NFKC changes: BMP, SMP, the CJK compatibility supplement, tags.
_SCANNED = (range(0x0000, 0x20000), range(0x2F800, 0x2FA20), range(0xE0000, 0xE1000))
# Every character outside the BMP counts as special: ``re`` tests a class's characters above U+FFFF
# one range at a time, so listing the ~150 ranges of such characters would cost as much per character
# of text as all the rest.  They are rare (emoji) and the per-character path handles them exactly.
_ASTRAL = "\\U00010000-\\U0010ffff"
# The characters NFKC changes that Chinese text is full of (full-width punctuation), with their NFKC
# forms, replaced by str.replace (a scan in C).  unicodedata.normalize costs about 2,000 instructions
# a character once a text holds any character it changes.
_PUNCTUATION = tuple((wide, unicodedata.normalize("NFKC", wide)) for wide in "，？！：；（）／\u3000")


@dataclass(frozen=True)
class _Tables:
    ascii_stripped: re.Pattern[str]  # the ASCII characters that sanitise strips (controls but \n, \t)
    special: re.Pattern[str]  # runs of characters that sanitise strips or NFKC changes, but _PUNCTUATION
    joiner: re.Pattern[str]  # characters that NFKC may combine with the one before


def _char_class(codepoints: list[int]) -> str:
    ranges: list[tuple[int, int]] = []
    for cp in codepoints:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    return "".join(f"\\U{lo:08x}" if lo == hi else f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in ranges)


@functools.cache
def _tables() -> _Tables:
    """Build the character classes once, on first use (about 100 ms).

    Every character that is not special (ASCII but controls, Han, the common full-width punctuation)
    normalises to one character whatever its neighbours: it cannot combine with the one before, and
    NFKC leaves it alone or makes it one other character.  So a stretch of them keeps its offsets.
    """
    special: list[int] = []
    joiners: list[int] = []
    punctuation = {ord(wide) for wide, _ in _PUNCTUATION}
    for block in _SCANNED:
        for cp in block:
            ch = chr(cp)
            if 0xD800 <= cp <= 0xDFFF or sanitise.is_stripped(ch):
                special.append(cp)
            elif sanitise._joins_previous(ch):
                special.append(cp)
                joiners.append(cp)
            elif unicodedata.normalize("NFKC", ch) != ch and cp not in punctuation:
                special.append(cp)
    bmp = [cp for cp in special if cp <= 0xFFFF]
    return _Tables(
        re.compile(f"[{_char_class([cp for cp in bmp if cp < 0x80])}]"),
        re.compile(f"[{_char_class(bmp)}{_ASTRAL}]+"),
        re.compile(f"[{_char_class(joiners)}]"),
    )


@functools.lru_cache(maxsize=4096)
def _single(ch: str) -> str:
    """NFKC of one character that starts a unit on its own, without stripped characters."""
    if sanitise.is_stripped(ch):
        return ""
    return "".join(c for c in unicodedata.normalize("NFKC", ch) if not sanitise.is_stripped(c))


class _Run(NamedTuple):
    text: str  # the run normalised character by character
    offsets: tuple[int, ...]  # into the run
    one_to_one: bool  # every character became exactly one character


@functools.lru_cache(maxsize=4096)
def _run(run: str) -> _Run | None:
    """A run normalised character by character; None if it has a combining character."""
    if _tables().joiner.search(run):
        return None
    pieces: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(run):
        normalised = _single(char)
        pieces.append(normalised)
        offsets.extend([index] * len(normalised))
    return _Run("".join(pieces), tuple(offsets), offsets == list(range(len(run))))


def normalise_for_scan(text: str) -> tuple[str, list[int] | None]:
    """The normalised text of :func:`normalise_with_offsets`, and its offsets or None when they are
    the identity (``normalised[i]`` comes from ``text[i]``, as for almost every message).

    ASCII text without control characters is returned as it is, and text whose only special
    characters are the common full-width punctuation marks is normalised by ``str.replace``: no
    per-character work in Python, no ``unicodedata`` call.
    """
    tables = _tables()
    if text.isascii():
        if tables.ascii_stripped.search(text) is None:
            return text, None
    elif tables.special.search(text) is None:
        return _replace_punctuation(text), None
    return _with_special(text)


def normalise_with_offsets(text: str) -> tuple[str, list[int]]:
    """The normalised text of :func:`kaifong.governance.sanitise.normalise_with_offsets`, faster.

    Special characters are normalised one by one, except runs with a combining character, which are
    handed (with the character before) to the sanitise function; the common full-width punctuation
    between them is replaced.  A combining mark shares the offset of its base character, as in the
    sanitise function (which gives each its own offset when the text is already normalised).
    """
    normalised, offsets = normalise_for_scan(text)
    return normalised, list(range(len(text) + 1)) if offsets is None else offsets


def _replace_punctuation(text: str) -> str:
    for wide, narrow in _PUNCTUATION:
        text = text.replace(wide, narrow)
    return text


def _with_special(text: str) -> tuple[str, list[int] | None]:
    pieces: list[str] = []
    offsets: list[int] = []
    identity = True  # so far, every special character became one character
    position = 0
    for match in _tables().special.finditer(text):
        run_start, run_end = match.span()
        simple = _run(match.group())
        cut = run_start if simple is not None else max(position, run_start - 1)
        pieces.append(_replace_punctuation(text[position:cut]))
        offsets.extend(range(position, cut))
        if simple is not None:
            pieces.append(simple.text)
            offsets.extend(map(run_start.__add__, simple.offsets))
            identity = identity and simple.one_to_one
        else:
            normalised, local = sanitise.normalise_units(text[cut:run_end])
            pieces.append(normalised)
            offsets.extend(cut + offset for offset in local[:-1])
            identity = False
        position = run_end
    pieces.append(_replace_punctuation(text[position:]))
    if identity:  # no character dropped, expanded or combined
        return "".join(pieces), None
    offsets.extend(range(position, len(text) + 1))
    return "".join(pieces), offsets
