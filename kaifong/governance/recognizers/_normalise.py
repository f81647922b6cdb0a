"""A fast front end to ``sanitise.normalise_with_offsets``: only characters NFKC changes are redone."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from kaifong.governance import sanitise

__all__ = ["normalise_with_offsets"]

# Planes scanned for characters that NFKC changes: BMP, SMP, the CJK compatibility supplement, tags.
_SCANNED = (range(0x0000, 0x20000), range(0x2F800, 0x2FA20), range(0xE0000, 0xE1000))


@dataclass(frozen=True)
class _Tables:
    special: re.Pattern[str]  # runs of characters NFKC changes, sanitise strips, or that join the previous
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
    """Build the character classes once, on first use (about 100 ms)."""
    special: list[int] = []
    joiners: list[int] = []
    for block in _SCANNED:
        for cp in block:
            ch = chr(cp)
            if 0xD800 <= cp <= 0xDFFF or sanitise.is_stripped(ch):
                special.append(cp)
            elif sanitise._joins_previous(ch):
                special.append(cp)
                joiners.append(cp)
            elif unicodedata.normalize("NFKC", ch) != ch:
                special.append(cp)
    return _Tables(re.compile(f"[{_char_class(special)}]+"), re.compile(f"[{_char_class(joiners)}]"))


@functools.lru_cache(maxsize=4096)
def _single(ch: str) -> str:
    """NFKC of one character that starts a unit on its own, without stripped characters."""
    if sanitise.is_stripped(ch):
        return ""
    return "".join(c for c in unicodedata.normalize("NFKC", ch) if not sanitise.is_stripped(c))


@functools.lru_cache(maxsize=4096)
def _run(run: str) -> tuple[str, tuple[int, ...]] | None:
    """A run normalised character by character, with relative offsets; None if it has a combining one."""
    if _tables().joiner.search(run):
        return None
    pieces: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(run):
        normalised = _single(char)
        pieces.append(normalised)
        offsets.extend([index] * len(normalised))
    return "".join(pieces), tuple(offsets)


def normalise_with_offsets(text: str) -> tuple[str, list[int]]:
    """The normalised text of :func:`kaifong.governance.sanitise.normalise_with_offsets`, faster.

    Characters that NFKC leaves alone and that cannot combine with a neighbour are copied as they
    are; other characters are normalised one by one, except runs with a combining character, which
    are handed (with the character before) to the sanitise function.  The offsets may differ from
    that function's inside combining sequences, where both are valid.
    """
    special = _tables().special
    pieces: list[str] = []
    offsets: list[int] = []
    position = 0
    for match in special.finditer(text):
        run_start, run_end = match.span()
        simple = _run(match.group())
        if simple is not None:
            pieces.append(text[position:run_start])
            offsets.extend(range(position, run_start))
            pieces.append(simple[0])
            offsets.extend(map(run_start.__add__, simple[1]))
        else:
            start = max(position, run_start - 1)
            pieces.append(text[position:start])
            offsets.extend(range(position, start))
            normalised, local = sanitise.normalise_with_offsets(text[start:run_end])
            pieces.append(normalised)
            offsets.extend(start + offset for offset in local[:-1])
        position = run_end
    pieces.append(text[position:])
    offsets.extend(range(position, len(text) + 1))
    return "".join(pieces), offsets
