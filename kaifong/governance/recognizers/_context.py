"""Shared helpers for recognizers: the Finding type, CJK-safe boundaries and context-word windows."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

__all__ = [
    "AFTER",
    "BEFORE",
    "LEFT",
    "LEFT_OF_FIRST",
    "RIGHT",
    "Context",
    "Finding",
    "case_variants",
    "caseless",
    "finding",
]

# ASCII look-arounds instead of \b: \b does not separate an ID from Chinese text (係A123456(3)).
LEFT = r"(?<![A-Za-z0-9])"
RIGHT = r"(?![A-Za-z0-9])"
# LEFT written after a pattern's first character, so that the pattern starts with a character class:
# ``re`` then skips, in C, to the characters of that class instead of trying every position.
LEFT_OF_FIRST = r"(?<![A-Za-z0-9].)"

# Default context windows, in characters, before and after a candidate.
BEFORE = 20
AFTER = 12


class Finding(NamedTuple):
    """One piece of personal data: its kind (``HKID``, ``PHONE``, ``EMAIL``...), span and confidence.

    ``text`` holds the matched value; it is left out of ``repr`` so findings can be logged safely.  A
    named tuple rather than a frozen dataclass: as immutable, and about four times cheaper to make
    (several are made for each message).
    """

    kind: str
    start: int
    end: int
    score: float
    text: str = ""

    def __repr__(self) -> str:
        return f"Finding(kind={self.kind!r}, start={self.start!r}, end={self.end!r}, score={self.score!r})"


def finding(kind: str, match: re.Match[str], score: float, group: int | str = 0) -> Finding:
    """A :class:`Finding` for ``match`` (or one of its groups)."""
    start, end = match.span(group)
    return Finding(kind, start, end, score, match.string[start:end])


def check_digit_score(valid: bool, context: bool) -> float | None:
    """Score of an identifier with a check character: valid 0.95 (1.0 after a context word); a wrong
    check character is kept only after a context word, at 0.3 (a likely typo, below redaction); else None."""
    if valid:
        return 1.0 if context else 0.95
    return 0.3 if context else None


# The characters that re, ignoring case, matches to an ASCII letter besides its two cases.
_ODD_CASES = ("\u0130", "\u0131", "\u017f", "\u212a")  # İ ı ſ K


def case_variants(char: str) -> set[str]:
    """The characters that ``(?i:char)`` matches."""
    candidates = {char, char.lower(), char.upper(), *_ODD_CASES}
    return {c for c in candidates if len(c) == 1 and re.fullmatch(f"(?i:{re.escape(char)})", c)}


# What ``(?i:[a-z0-9])`` matches: ASCII letters in either case, digits, and the four characters that
# re matches to an ASCII letter when ignoring case.  The boundaries of context words, without (?i).
_CASED_ALNUM = "A-Za-z0-9" + "".join(_ODD_CASES)
_NO_ALNUM_BEFORE_LAST = f"(?<![{_CASED_ALNUM}].)"  # none before the character just matched
_NO_ALNUM_AFTER = f"(?![{_CASED_ALNUM}])"


def caseless(word: str) -> str:
    """A pattern that matches what ``(?i:word)`` matches, written without ignoring case: each letter is
    the class of its :func:`case_variants`.  ``re`` can then reject an alternative of such words at its
    first character in C, which it does not do for a literal that ignores case."""
    pieces = []
    for char in word:
        variants = case_variants(char)
        if len(variants) > 1:
            pieces.append("[" + "".join(re.escape(v) for v in sorted(variants)) + "]")
        else:
            pieces.append(re.escape(char))
    return "".join(pieces)


class Context:
    """Context words searched as substrings in a character window around a candidate.

    Chinese words (身份證, 護照) are plain substrings: Chinese has no spaces to tokenise on.  Words made
    of ASCII letters and digits must stand alone (``br`` is not found in ``brother``).  Matching
    ignores case.  The search is bounded by the window, so it costs O(window) per candidate.
    """

    def __init__(self, words: Iterable[str], before: int = BEFORE, after: int = 0) -> None:
        self.words = tuple(sorted(set(words), key=lambda word: (-len(word), word)))
        parts = []
        for word in self.words:
            escaped = caseless(word.lower())
            if word.isascii() and word[:1].isalnum():  # the boundary after the first character, so
                # that each alternative starts with a class (re rejects those at once, in C)
                first = caseless(word[:1].lower())
                escaped = first + _NO_ALNUM_BEFORE_LAST + escaped.removeprefix(first)
            if word.isascii() and word[-1:].isalnum():
                escaped += _NO_ALNUM_AFTER
            parts.append(escaped)
        # Written without ignoring case (see caseless), which would make re try every alternative at
        # every candidate; the words' first characters, in each case, let it skip the others in C.
        firsts = "".join(
            sorted({re.escape(variant) for word in self.words for variant in case_variants(word[0])})
        )
        self._pattern = re.compile(f"[{firsts}](?<=(?={'|'.join(parts)}).)")
        # The words without their right boundary: found wherever a window's search could find one (a
        # window's end counts as a boundary even before "s" in "banks").
        loose = [part.removesuffix(_NO_ALNUM_AFTER) for part in parts]
        self._anywhere = re.compile(f"[{firsts}](?<=(?={'|'.join(loose)}).)")
        self.before = before
        self.after = after

    def before_span(self, text: str, start: int, window: int | None = None) -> bool:
        """Whether a context word ends within ``window`` characters before ``start``."""
        size = self.before if window is None else window
        return self._pattern.search(text, max(0, start - size), start) is not None

    def after_span(self, text: str, end: int, window: int | None = None) -> bool:
        """Whether a context word starts within ``window`` characters after ``end``."""
        size = self.after if window is None else window
        return size > 0 and self._pattern.search(text, end, min(len(text), end + size)) is not None

    def anywhere(self, text: str) -> bool:
        """Whether a context word may be in ``text`` at all: if not, no window of it has one."""
        return self._anywhere.search(text) is not None

    def around(self, text: str, start: int, end: int) -> bool:
        """Whether a context word is in the window before ``start`` or after ``end``."""
        return self.before_span(text, start) or self.after_span(text, end)


_Trie = dict[str, "_Trie"]


def trie_pattern(words: Iterable[str]) -> str:
    """A regex alternation of ``words`` factored by common prefixes, so each position is tested cheaply.

    ``re`` tries the branches of ``a|b|c`` one by one; ``中(?:環|西區)`` rejects a non-matching
    character once.  Longer words are preferred (``九龍城`` before ``九龍``).
    """
    trie: _Trie = {}
    for word in set(words):
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: _Trie) -> str:
        ends = "" in node
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            body = ("(?:" + body + ")?") if len(branches) == 1 else body + "?"
        return body

    return "(?:" + build(trie) + ")"
