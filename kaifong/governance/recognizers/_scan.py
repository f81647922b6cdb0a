"""Fast match iteration for the recognizers: the regex engine skips, in C, where no match can start."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

__all__ = [
    "Scanner",
    "ascii_starts",
    "ascii_views",
    "fold",
    "keyword_anchor",
    "keyword_starts",
    "start_anchor",
]

# The non-ASCII characters that ``re``, ignoring case, matches to ASCII letters (İ ı to i, ſ to s, the
# Kelvin sign to k).  Lower-casing and the ASCII view below lose that, so text with one is scanned the
# slow way.  (NFKC has already folded the last two; they are listed so that any text is handled.)
_FOLDS_TO_ASCII = "\u0130\u0131\u017f\u212a"


def _folds_to_ascii(text: str) -> bool:
    """Whether ``text`` holds one of _FOLDS_TO_ASCII (``in`` finds a character faster than a class)."""
    return not text.isascii() and (
        "\u0130" in text or "\u0131" in text or "\u017f" in text or "\u212a" in text
    )


def _views(text: str) -> tuple[bytes, bytes] | None:
    if _folds_to_ascii(text):
        return None
    plain = text.encode("ascii", "replace")
    return plain, plain.lower()


class Scanner:
    """``list(pattern.finditer(text))``, without trying the pattern where it cannot match.

    ``re`` tries a pattern at every position of the text unless the pattern starts with a literal or a
    character class; many recognizer patterns start with look-arounds or alternatives, and each try
    costs about as much as skipping a hundred characters.  A Scanner is told where a match can start:
    at a character of ``first`` (a character class body), or at one of the ``hints`` given with the
    text (sorted positions, such as where a lower-case keyword starts).

    The anchor ``[first](?<=(?=pattern).)`` finds, in C, the positions whose character is in ``first``
    and where the pattern matches; the pattern is then matched there and at each hint, in order and
    never before the end of the previous match, as ``finditer`` does.  Instead of ``first``, ``start``
    may give a pattern of exactly one character that every match's first character meets (a class with
    conditions on the neighbours, such as "a digit that is not deep inside a run of digits"): fewer
    positions to try the whole pattern at.  Hints of None mean "anywhere":
    the plain ``finditer`` is used.  Patterns must not match the empty string.  That this equals
    ``finditer`` is tested on random text for every recognizer that uses one.
    """

    def __init__(self, pattern: str, first: str = "", start: str = "") -> None:
        self.pattern = re.compile(pattern)
        where = start or (f"[{first}]" if first else "")
        self._anchor = re.compile(f"(?:{where})(?<=(?={pattern}).)") if where else None

    def matches(self, text: str, hints: Sequence[int] | None = ()) -> list[re.Match[str]]:
        """The matches of the pattern in ``text``, left to right, not overlapping."""
        if hints is None:
            return list(self.pattern.finditer(text))
        if not hints:
            return self._anchored(text)
        return self._merged(text, hints)

    def _anchored(self, text: str) -> list[re.Match[str]]:
        found: list[re.Match[str]] = []
        if self._anchor is None:
            return found
        end = 0
        for hit in self._anchor.finditer(text):
            start = hit.start()
            if start >= end:  # not inside the previous match
                match = self.pattern.match(text, start)
                if match is not None:  # always: the anchor checked it
                    found.append(match)
                    end = match.end()
        return found

    def _merged(self, text: str, hints: Sequence[int]) -> list[re.Match[str]]:
        anchor = self._anchor
        hit = anchor.search(text) if anchor is not None else None
        found: list[re.Match[str]] = []
        index = 0
        position = 0
        while True:
            if anchor is not None and hit is not None and hit.start() < position:
                hit = anchor.search(text, position)
            while index < len(hints) and hints[index] < position:
                index += 1
            if index < len(hints) and (hit is None or hints[index] < hit.start()):
                start = hints[index]
            elif hit is not None:
                start = hit.start()
            else:
                return found
            match = self.pattern.match(text, start)
            if match is None or match.end() == start:
                position = start + 1
            else:
                found.append(match)
                position = match.end()


def fold(text: str) -> bytes | None:
    """``text`` lower-cased with one byte per character (``?`` for every non-ASCII one), so offsets are
    kept; None when it holds a character that ``re`` matches to an ASCII letter when ignoring case but
    lower-casing does not (ı, İ): look at such text with the case-insensitive pattern instead."""
    views = _views(text)
    return None if views is None else views[1]


def ascii_views(text: str) -> tuple[bytes, bytes] | None:
    """``text`` with one byte per character (``?`` for every non-ASCII one), as it is and lower-cased;
    None when it holds a character that ``re`` matches to an ASCII letter when ignoring case (see
    :func:`fold`)."""
    return _views(text)


def keyword_anchor(keywords: Iterable[str], word_start: bool = False) -> re.Pattern[bytes]:
    """A pattern for :func:`keyword_starts`: one byte where one of the lower-case ASCII ``keywords``
    starts (a character class first, so ``re`` skips other bytes in C; one byte, so no start is
    hidden inside another keyword); with ``word_start``, only where no letter comes before."""
    words = sorted({keyword.lower() for keyword in keywords})
    firsts = "".join(sorted({re.escape(word[0]) for word in words}))
    alternatives = "|".join(re.escape(word) for word in words)
    boundary = "(?<![a-z].)" if word_start else ""
    return re.compile(f"[{firsts}]{boundary}(?<=(?={alternatives}).)".encode("ascii"))


def keyword_starts(folded: bytes | None, anchor: re.Pattern[bytes]) -> list[int] | None:
    """Where the keywords of ``anchor`` start in the :func:`fold`-ed text, in order; None if unfolded."""
    if folded is None:
        return None
    return [hit.start() for hit in anchor.finditer(folded)]


def start_anchor(pattern: str, firsts: str) -> re.Pattern[bytes]:
    """A pattern for :func:`ascii_starts`: one byte, from ``firsts``, where the (ASCII) ``pattern``
    matches; one byte, so that no start is hidden inside another match."""
    return re.compile(f"[{firsts}](?<=(?={pattern}).)".encode("ascii"))


def ascii_starts(text: str, anchor: re.Pattern[bytes]) -> list[int] | None:
    """Where ``anchor`` (see :func:`start_anchor`) matches ``text`` seen as ASCII, one byte a character
    (``?`` for every other one), in order; None for text with a character that ``re`` matches to an
    ASCII letter when ignoring case, which the ASCII view loses."""
    views = _views(text)
    return None if views is None else [hit.start() for hit in anchor.finditer(views[0])]
