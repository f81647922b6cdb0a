"""The combined prefilter: what a text must hold for a recognizer to find anything, checked once a text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kaifong.governance.recognizers._context import Context

__all__ = ["Needs", "TextFacts"]

# ASCII digits to "1", every other byte to a space: the digit runs of a text's ASCII view are then the
# words of the translated bytes, found by bytes.split in C.
_DIGITS_AS_WORDS = bytes(ord("1") if chr(byte).isdigit() and byte < 0x80 else ord(" ") for byte in range(256))


@dataclass(frozen=True)
class Needs:
    """A necessary condition for a recognizer's findings: in a text without it, ``find`` returns nothing.

    ``digit_run``: a run of at least this many ASCII digits; ``digits``: at least this many ASCII
    digits in all; ``char``: this character; ``context``: one of these context words (for recognizers
    that report nothing without one); ``pattern``: a match of this pattern (the cues of a name).  Each
    recognizer states its own, from its patterns (six digits in a row for an HKID, 13 digits for a card
    number...); a test checks them on random text.
    """

    digit_run: int = 0
    digits: int = 0
    char: str = ""
    context: Context | None = None
    pattern: re.Pattern[str] | None = None


class TextFacts:
    """The facts about one (normalised) text that :class:`Needs` are checked against, found in one scan."""

    def __init__(self, text: str) -> None:
        digits = text.encode("ascii", "replace").translate(_DIGITS_AS_WORDS)
        self.longest_digit_run = max(map(len, digits.split()), default=0)
        self.digits = digits.count(b"1")
        self._text = text

    def meet(self, needs: Needs) -> bool:
        """Whether the text holds what ``needs`` asks for."""
        return (
            self.longest_digit_run >= needs.digit_run
            and self.digits >= needs.digits
            and (not needs.char or needs.char in self._text)
            and (needs.context is None or needs.context.anywhere(self._text))
            and (needs.pattern is None or needs.pattern.search(self._text) is not None)
        )
