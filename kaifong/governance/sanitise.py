"""Text sanitising: NFKC normalisation, invisible/control character stripping and offset mapping."""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from dataclasses import dataclass

__all__ = ["clean", "is_stripped", "map_span", "normalise_units", "normalise_with_offsets"]

# Characters that survive stripping even though they are control characters.
_KEEP = frozenset("\n\t")

# Planes scanned for format (Cf) characters: the BMP, the SMP and the tag plane (plane 14).  The
# other planes hold only ideographs, private-use characters or nothing, so they have no Cf.
_SCANNED = (range(0x0000, 0x20000), range(0xE0000, 0xE1000))

# Explicit ranges that are stripped whatever this Python's Unicode database says about them.
_EXPLICIT = (
    (0x0000, 0x001F),  # C0 controls (\n and \t are kept)
    (0x007F, 0x009F),  # DEL and C1 controls
    (0x00AD, 0x00AD),  # soft hyphen
    (0x061C, 0x061C),  # Arabic letter mark
    (0x180E, 0x180E),  # Mongolian vowel separator
    (0x200B, 0x200F),  # zero-width space/non-joiner/joiner, LRM, RLM
    (0x202A, 0x202E),  # bidi embeddings and overrides
    (0x2060, 0x2064),  # word joiner, invisible operators
    (0x2066, 0x206F),  # bidi isolates, deprecated format characters
    (0xD800, 0xDFFF),  # lone surrogates
    (0xFEFF, 0xFEFF),  # zero-width no-break space / BOM
    (0xFFF9, 0xFFFB),  # interlinear annotation controls
    (0xE0000, 0xE007F),  # Unicode tag characters
)

# Hangul conjoining vowels and trailing consonants compose with the preceding jamo under NFC.
_HANGUL_JOINERS = ((0x1161, 0x1175), (0x11A8, 0x11C2))


@dataclass(frozen=True)
class _Tables:
    stripped: frozenset[str]
    pattern: re.Pattern[str]
    secondary: frozenset[str]


def _ranges(codepoints: list[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for cp in sorted(set(codepoints)):
        if out and out[-1][1] == cp - 1:
            out[-1] = (out[-1][0], cp)
        else:
            out.append((cp, cp))
    return out


@functools.cache
def _tables() -> _Tables:
    """Build the lookup tables once, on first use (about 30 ms)."""
    codepoints: list[int] = []
    for lo, hi in _EXPLICIT:
        codepoints.extend(range(lo, hi + 1))
    secondary: set[str] = set()
    for block in _SCANNED:
        for cp in block:
            ch = chr(cp)
            if unicodedata.category(ch) == "Cf":
                codepoints.append(cp)
            decomposition = unicodedata.decomposition(ch)
            if decomposition and not decomposition.startswith("<"):
                parts = decomposition.split()
                if len(parts) == 2:
                    second = chr(int(parts[1], 16))
                    if unicodedata.combining(second) == 0:
                        secondary.add(second)
    for lo, hi in _HANGUL_JOINERS:
        secondary.update(chr(cp) for cp in range(lo, hi + 1))
    codepoints = [cp for cp in codepoints if chr(cp) not in _KEEP]
    stripped = frozenset(chr(cp) for cp in codepoints)
    parts_re = "".join(
        f"\\U{lo:08x}" if lo == hi else f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in _ranges(codepoints)
    )
    return _Tables(stripped, re.compile(f"[{parts_re}]"), frozenset(secondary))


def is_stripped(ch: str) -> bool:
    """Whether the single character ``ch`` is removed by :func:`clean` (invisible, control, surrogate)."""
    return ch in _tables().stripped


def strip_invisible(text: str) -> str:
    """``text`` without invisible, bidi, tag, surrogate and control characters, but not NFKC-normalised.

    This is the form to store and show: full-width Chinese punctuation (，？) stays as the resident typed it.
    """
    return _tables().pattern.sub("", text)


def clean(text: str) -> str:
    """NFKC-normalise ``text``; drop invisible, bidi, tag, surrogate and control chars (bar \\n, \\t)."""
    pattern = _tables().pattern
    return pattern.sub("", unicodedata.normalize("NFKC", pattern.sub("", text)))


@functools.lru_cache(maxsize=8192)
def _joins_previous(ch: str) -> bool:
    """Whether NFKC may combine ``ch`` with the character before it (combining marks and the like)."""
    decomposed = unicodedata.normalize("NFKD", ch)
    if not decomposed:
        return False
    first = decomposed[0]
    return unicodedata.combining(first) != 0 or first in _tables().secondary


def normalise_with_offsets(text: str) -> tuple[str, list[int]]:
    """NFKC-normalise ``text`` unit by unit, stripping what :func:`clean` strips, keeping an offset map.

    Returns ``(normalised, offsets)`` where ``offsets[i]`` is the index in ``text`` of the character
    (or base-plus-combining-marks unit) that produced ``normalised[i]``, followed by a final sentinel
    ``len(text)``.  A unit is a character together with any following characters that NFKC could
    compose with it, so ``e`` + U+0301 becomes ``é`` and half-width ``ｶﾞ`` becomes ``ガ``; the result is
    equal to :func:`clean` except in exotic cases.  Use :func:`map_span` to map a span back.
    """
    if _tables().pattern.search(text) is None and unicodedata.is_normalized("NFKC", text):
        return text, list(range(len(text) + 1))
    return normalise_units(text)


def normalise_units(text: str) -> tuple[str, list[int]]:
    """:func:`normalise_with_offsets` without its shortcut for text that is already normalised: a
    combining mark always shares the offset of its base character (``e`` + U+0301 gives ``[0, 0]``)."""
    stripped = _tables().stripped
    out: list[str] = []
    offsets: list[int] = []
    unit: list[str] = []
    unit_start = 0
    for index, ch in enumerate(text):
        if ch in stripped:
            continue
        if unit and ch >= "\u0300" and _joins_previous(ch):
            unit.append(ch)
            continue
        if unit:
            _emit(unit, unit_start, out, offsets, stripped)
        unit = [ch]
        unit_start = index
    if unit:
        _emit(unit, unit_start, out, offsets, stripped)
    offsets.append(len(text))
    return "".join(out), offsets


def _emit(unit: list[str], start: int, out: list[str], offsets: list[int], stripped: frozenset[str]) -> None:
    if len(unit) == 1 and unit[0] < "\u00a0":
        out.append(unit[0])
        offsets.append(start)
        return
    for ch in unicodedata.normalize("NFKC", "".join(unit)):
        if ch not in stripped:
            out.append(ch)
            offsets.append(start)


def map_span(text: str, offsets: list[int], start: int, end: int) -> tuple[int, int]:
    """Map the span ``[start, end)`` of the normalised text back to ``text``, the original string.

    ``offsets`` is the list returned by :func:`normalise_with_offsets`.  The result covers every
    original character that contributed to the span, and no stripped characters after its last one.
    """
    original_start = offsets[start]
    if end <= start:
        return original_start, original_start
    last = offsets[end - 1]
    # The next unit's start: several normalised characters can share one source unit (㈱ -> "(株)").
    original_end = offsets[bisect.bisect_right(offsets, last, lo=end)]
    stripped = _tables().stripped
    while original_end > last + 1 and text[original_end - 1] in stripped:
        original_end -= 1
    return original_start, original_end
