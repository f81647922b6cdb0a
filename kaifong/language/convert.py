"""Traditional/Simplified Chinese conversion with cached OpenCC converters (Hong Kong forms)."""

from __future__ import annotations

from functools import cache

import opencc

#: Simplified -> Hong Kong Traditional (HK glyph standard: 着, 裏, 衞, 綫 ...).
TO_HANT_CONFIG = "s2hk"
#: Hong Kong Traditional (or any Traditional) -> Simplified.
TO_HANS_CONFIG = "hk2s"


@cache
def _converter(config: str) -> opencc.OpenCC:
    """One OpenCC converter per config, built on first use and then reused."""
    return opencc.OpenCC(f"{config}.json")


def to_hant(text: str) -> str:
    """Convert Chinese text to Hong Kong Traditional characters (already-Traditional text is kept)."""
    if not text:
        return text
    result: str = _converter(TO_HANT_CONFIG).convert(text)
    return result


def to_hans(text: str) -> str:
    """Convert Chinese text (Traditional or Simplified) to Simplified characters."""
    if not text:
        return text
    result: str = _converter(TO_HANS_CONFIG).convert(text)
    return result


def fold(text: str) -> str:
    """Fold any Chinese text to one form, Hong Kong Traditional, for indexing and search.

    The text goes to Simplified and back to Hong Kong Traditional, so Simplified text and
    Traditional text in any variant (裡/裏, 衛/衞) fold to the same string:
    ``fold("申请公屋") == fold("申請公屋")``. Non-Chinese characters pass through unchanged.
    """
    return to_hant(to_hans(text))
