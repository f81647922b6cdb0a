"""Catalogue text kept in English and Traditional Chinese, shown in any of the four language forms."""

from __future__ import annotations

from dataclasses import dataclass

from kaifong.language.convert import to_hans
from kaifong.types import Form


@dataclass(frozen=True)
class Bilingual:
    """One text in English and in Traditional Chinese; Simplified is derived, Cantonese uses Chinese."""

    en: str
    zh_hant: str

    def in_form(self, form: Form | str) -> str:
        """The text for ``form``: English, Traditional (also for written Cantonese) or Simplified."""
        if form == "en":
            return self.en
        if form == "zh-Hans":
            return to_hans(self.zh_hant)
        return self.zh_hant
