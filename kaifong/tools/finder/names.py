"""The 18 districts and the languages of instruction, found by any name residents use, in any script."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kaifong.language.convert import fold
from kaifong.tools.finder.bilingual import Bilingual
from kaifong.tools.finder.datafiles import DATA_DIR, CatalogueError, Version, read_yaml, validation_problem
from kaifong.types import Form

DISTRICTS_FILE = DATA_DIR / "districts.yaml"
LANGUAGES_FILE = DATA_DIR / "languages.yaml"


class _NameModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: str = Field(pattern=r"^[a-z]+(-[a-z]+)*$")
    en: str = Field(min_length=1)
    zh_hant: str = Field(alias="zh-Hant", min_length=1)
    aliases: list[str] = Field(default_factory=list)
    exact: list[str] = Field(default_factory=list)


class _DistrictFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Version
    districts: list[_NameModel] = Field(min_length=18, max_length=18)


class _LanguageFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Version
    languages: list[_NameModel] = Field(min_length=1)


@dataclass(frozen=True)
class Name:
    """A district or a language: its id, its name in two scripts, and the other names people use."""

    id: str
    name: Bilingual
    aliases: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()

    def display(self, form: Form | str) -> str:
        """The official name in ``form``."""
        return self.name.in_form(form)


@dataclass(frozen=True)
class Mention:
    """Where a name occurs in a text (offsets into the text as given)."""

    name: Name
    start: int
    end: int


def _is_latin(alias: str) -> bool:
    return all(ord(char) < 0x3000 for char in alias)


class NameIndex:
    """Looks names up whole (``resolve``) or finds every one in a running text (``mentions``).

    Chinese names match in Traditional or Simplified (the text is folded to one form, which keeps its
    length); Latin names match as whole words, ignoring case except the ``exact`` ones ("Central").
    """

    def __init__(self, names: list[Name]) -> None:
        self.names = tuple(names)
        self._by_id = {name.id: name for name in names}
        self._lookup: dict[str, Name] = {}
        folded_pairs: list[tuple[str, Name]] = []
        latin_pairs: list[tuple[str, Name]] = []
        exact_pairs: list[tuple[str, Name]] = []
        for name in names:
            spellings = [name.id, name.name.en, name.name.zh_hant, *name.aliases]
            for spelling in spellings:
                self._lookup[self._key(spelling)] = name
                if _is_latin(spelling):
                    if spelling != name.id:
                        latin_pairs.append((spelling, name))
                else:
                    folded_pairs.append((fold(spelling), name))
            for spelling in name.exact:
                self._lookup[self._key(spelling)] = name
                exact_pairs.append((spelling, name))
        self._folded = dict(folded_pairs)
        self._latin = {spelling.lower(): name for spelling, name in latin_pairs}
        self._exact = dict(exact_pairs)
        self._han_re = self._alternation([s for s, _ in folded_pairs], latin=False)
        self._latin_re = self._alternation([s for s, _ in latin_pairs], latin=True, flags=re.IGNORECASE)
        self._exact_re = self._alternation([s for s, _ in exact_pairs], latin=True)

    @staticmethod
    def _key(spelling: str) -> str:
        return fold(spelling).strip().lower().replace("&", "and").replace("-", " ")

    @staticmethod
    def _alternation(spellings: list[str], *, latin: bool, flags: int = 0) -> re.Pattern[str] | None:
        if not spellings:
            return None
        body = "|".join(
            re.escape(s).replace(r"\ ", r"[\s-]*") for s in sorted(spellings, key=len, reverse=True)
        )
        if latin:
            body = rf"(?<![A-Za-z])(?:{body})(?![A-Za-z])"
        return re.compile(body, flags)

    def get(self, name_id: str) -> Name:
        """The name with this id (KeyError if there is none)."""
        return self._by_id[name_id]

    def resolve(self, text: str) -> Name | None:
        """The name ``text`` spells in full (id, official name or alias, any script), else None."""
        key = self._key(text)
        found = self._lookup.get(key)
        if found is None and key.endswith(("區", "district")):
            found = self._lookup.get(key.removesuffix("區").removesuffix("district").strip())
        return found

    def mentions(self, text: str) -> list[Mention]:
        """Every name in ``text``, in order, longest spelling first where two overlap."""
        found: list[Mention] = []
        folded = fold(text)
        if len(folded) != len(text):  # a phrase conversion changed the length: match the original
            folded = text
        if self._han_re is not None:
            for match in self._han_re.finditer(folded):
                found.append(Mention(self._folded[match.group()], match.start(), match.end()))
        if self._latin_re is not None:
            for match in self._latin_re.finditer(text):
                spelling = re.sub(r"[\s-]+", " ", match.group().lower())
                name = self._latin.get(spelling) or self._lookup.get(self._key(spelling))
                if name is not None:
                    found.append(Mention(name, match.start(), match.end()))
        if self._exact_re is not None:
            for match in self._exact_re.finditer(text):
                found.append(Mention(self._exact[match.group()], match.start(), match.end()))
        found.sort(key=lambda mention: (mention.start, -(mention.end - mention.start)))
        kept: list[Mention] = []
        for mention in found:
            if kept and mention.start < kept[-1].end:
                continue
            kept.append(mention)
        return kept


def _load(path: Path, model: type[_DistrictFile] | type[_LanguageFile], field: str) -> NameIndex:
    raw, root = read_yaml(path)
    try:
        data = model.model_validate(raw)
    except ValidationError as exc:
        raise validation_problem(path, root, exc) from exc
    items: list[_NameModel] = getattr(data, field)
    ids = [item.id for item in items]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise CatalogueError(path, None, f"{field} defined twice: {', '.join(duplicated)}")
    return NameIndex(
        [
            Name(item.id, Bilingual(item.en, item.zh_hant), tuple(item.aliases), tuple(item.exact))
            for item in items
        ]
    )


@cache
def districts(path: Path = DISTRICTS_FILE) -> NameIndex:
    """The 18 districts (loaded once)."""
    return _load(path, _DistrictFile, "districts")


@cache
def languages(path: Path = LANGUAGES_FILE) -> NameIndex:
    """The languages services are offered and courses taught in (loaded once)."""
    return _load(path, _LanguageFile, "languages")
