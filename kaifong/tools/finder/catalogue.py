"""The bundled, versioned catalogue of services and courses: YAML files checked entry by entry on load.

Every entry names its sources with the date each page shows, the day it was checked, its amounts each
with its own date, and its eligibility rules as data (see :mod:`kaifong.tools.finder.rules`). A file
that breaks a rule of the format (:mod:`kaifong.tools.finder.schema`) stops loading with a
CatalogueError naming the file, the line, the entry and the problem. The format: docs/finder.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pydantic import ValidationError

from kaifong.tools.finder.bilingual import Bilingual
from kaifong.tools.finder.datafiles import DATA_DIR, CatalogueError, read_yaml, validation_problem
from kaifong.tools.finder.rules import Rule
from kaifong.tools.finder.schema import MONEY_FACTS, EntryModel, Kind, MetaModel

__all__ = ["MONEY_FACTS", "Amount", "Catalogue", "Entry", "Source", "default_catalogue", "load_catalogue"]


@dataclass(frozen=True)
class Source:
    """A page and the date it shows (``undated`` when it shows none)."""

    url: str
    date: str


@dataclass(frozen=True)
class Amount:
    """A fee, allowance or limit, with the date its source gives and the source."""

    text: Bilingual
    as_of: str
    source: str


@dataclass(frozen=True)
class Entry:
    """A service or a course, ready to match and to show in any language form."""

    id: str
    kind: Kind
    name: Bilingual
    department: Bilingual
    summary: Bilingual
    apply_url: str
    apply_how: Bilingual
    hotline: str
    sources: tuple[Source, ...]
    checked: str
    amounts: tuple[Amount, ...]
    districts: frozenset[str] | None  # None: every district
    languages: tuple[str, ...]
    rules: tuple[Rule, ...]
    also_checked: tuple[Bilingual, ...] = ()
    where: Bilingual | None = None
    languages_note: Bilingual | None = None
    schedule: Bilingual | None = None
    topics: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    file: str = ""

    @property
    def open_to_all(self) -> bool:
        """True when the entry sets no eligibility rule at all."""
        return not self.rules


def _entry(model: EntryModel, file: str) -> Entry:
    area = None if model.districts == "all" else frozenset(model.districts)
    return Entry(
        id=model.id,
        kind=model.kind,
        name=model.name.value(),
        department=model.department.value(),
        summary=model.summary.value(),
        apply_url=model.apply.url,
        apply_how=model.apply.how.value(),
        hotline=model.hotline,
        sources=tuple(Source(s.url, s.date) for s in model.sources),
        checked=model.checked,
        amounts=tuple(Amount(a.value(), a.as_of, a.source) for a in model.amounts),
        districts=area,
        languages=tuple(model.languages),
        rules=tuple(rule.rule() for rule in model.rules),
        also_checked=tuple(text.value() for text in model.also_checked),
        where=model.where.value() if model.where else None,
        languages_note=model.languages_note.value() if model.languages_note else None,
        schedule=model.schedule.value() if model.schedule else None,
        topics=tuple(model.topics),
        keywords=tuple(model.keywords),
        file=file,
    )


@dataclass(frozen=True)
class Catalogue:
    """Every entry of one catalogue version."""

    version: str
    checked: str
    entries: tuple[Entry, ...]

    def get(self, entry_id: str) -> Entry:
        """The entry with this id (KeyError if there is none)."""
        for entry in self.entries:
            if entry.id == entry_id:
                return entry
        raise KeyError(entry_id)


def _load_file(path: Path) -> list[Entry]:
    raw, root = read_yaml(path)
    if not isinstance(raw, list):
        raise CatalogueError(path, 1, "the file must be a list of entries (each starting with '- id:')")
    entries = []
    for index, item in enumerate(raw):
        name = str(item.get("id", f"#{index + 1}")) if isinstance(item, dict) else f"#{index + 1}"
        try:
            model = EntryModel.model_validate(item)
        except ValidationError as exc:
            raise validation_problem(path, root, exc, (index,), name) from exc
        entries.append(_entry(model, path.name))
    return entries


def load_catalogue(folder: Path = DATA_DIR) -> Catalogue:
    """Read and check ``catalogue.yaml`` and every ``entries/*.yaml`` under ``folder``."""
    meta_path = folder / "catalogue.yaml"
    raw, root = read_yaml(meta_path)
    try:
        meta = MetaModel.model_validate(raw)
    except ValidationError as exc:
        raise validation_problem(meta_path, root, exc) from exc
    files = sorted((folder / "entries").glob("*.yaml"))
    if not files:
        raise CatalogueError(folder / "entries", None, "no entry files (*.yaml) found")
    entries: list[Entry] = []
    seen: dict[str, str] = {}
    for path in files:
        for entry in _load_file(path):
            if entry.id in seen:
                raise CatalogueError(path, None, f"id already used in {seen[entry.id]}", entry.id)
            seen[entry.id] = path.name
            entries.append(entry)
    return Catalogue(str(meta.version), meta.checked, tuple(entries))


@cache
def default_catalogue() -> Catalogue:
    """The bundled catalogue, loaded and checked once per process."""
    return load_catalogue()
