"""The glossary of official Hong Kong names a translation must keep: departments, schemes, forms, places."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from kaifong.errors import KaifongError
from kaifong.language.convert import to_hans
from kaifong.types import Form

GLOSSARY_FILE = Path(__file__).parent / "data" / "glossary.yaml"
DISTRICTS_FILE = Path(__file__).parents[1] / "finder" / "data" / "districts.yaml"
#: The Home Affairs Department's page on its 18 District Offices (undated).
DISTRICTS_SOURCE = "https://www.had.gov.hk/en/about_us/welcome.htm"
#: District names that are ordinary English words: matched only when followed by "District".
_PLAIN_WORDS = {"Eastern", "Southern", "North", "Islands", "Central and Western"}


class GlossaryError(KaifongError):
    """The glossary file is invalid; the message names the file, the entry and the problem."""

    code = "glossary_error"


@dataclass(frozen=True)
class Term:
    """One official name: its English and Traditional Chinese forms and what residents also write."""

    id: str
    kind: str
    en: str
    zh_hant: str
    source: str
    aliases: tuple[str, ...] = ()

    def official(self, target: Form) -> str:
        """The official name in a language form (written Cantonese uses the Traditional name)."""
        if target == "en":
            return self.en
        return to_hans(self.zh_hant) if target == "zh-Hans" else self.zh_hant

    def spellings(self) -> tuple[str, ...]:
        """Every way the source may write it: both official names, the Simplified one and the aliases."""
        chinese = [
            self.zh_hant,
            to_hans(self.zh_hant),
            *(to_hans(a) for a in self.aliases if not a.isascii()),
        ]
        return tuple(dict.fromkeys([self.en, *chinese, *self.aliases]))


@dataclass(frozen=True)
class Match:
    """A glossary term found in a text: where, and which term."""

    start: int
    end: int
    term: Term


class Glossary:
    """Finds official names in any of the four forms (longest first) and renders them officially."""

    def __init__(self, terms: list[Term], version: str) -> None:
        self.terms = tuple(terms)
        self.version = version
        owner: dict[str, Term] = {}
        for term in terms:
            for spelling in term.spellings():
                owner.setdefault(_fold(spelling), term)
        self._owner = owner
        #: each spelling's first word, lower-cased: a cheap test of whether the spelling can occur at all
        self._first_words = [(spelling.split()[0].lower(), spelling) for spelling in owner]
        self._patterns: dict[frozenset[str], re.Pattern[str]] = {}

    def find(self, text: str) -> list[Match]:
        """The glossary terms in ``text``, left to right, never overlapping (the longest spelling wins).

        Only the spellings whose first word occurs in the text go into the pattern (one alternation of
        all ~300 spellings costs about a millisecond per line); patterns are cached by their spellings.
        """
        lowered = text.lower()
        candidates = frozenset(spelling for first, spelling in self._first_words if first in lowered)
        if not candidates:
            return []
        pattern = self._patterns.get(candidates)
        if pattern is None:
            ordered = sorted(candidates, key=len, reverse=True)
            pattern = re.compile("|".join(_boundary(s) for s in ordered), re.IGNORECASE)
            if len(self._patterns) < 4096:
                self._patterns[candidates] = pattern
        return [Match(m.start(), m.end(), self._owner[_fold(m.group(0))]) for m in pattern.finditer(text)]

    def lookup(self, query: str, limit: int = 10) -> list[Term]:
        """Terms whose names or aliases contain ``query`` (any form, any case), best (shortest) first."""
        needle = _fold(query.strip())
        if not needle:
            return []
        found = {
            term.id: term
            for spelling, term in sorted(self._owner.items(), key=lambda kv: len(kv[0]))
            if needle in spelling
        }
        return list(found.values())[:limit]


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _boundary(spelling: str) -> str:
    """A spelling as a pattern: Latin names must stand as whole words; whitespace may vary."""
    escaped = r"\s+".join(re.escape(part) for part in spelling.split())
    if spelling[:1].isascii() and spelling[:1].isalnum():
        escaped = r"(?<![A-Za-z0-9])" + escaped
    if spelling[-1:].isascii() and spelling[-1:].isalnum():
        escaped += r"(?![A-Za-z0-9])"
    return escaped


def _entries(raw: object, path: Path) -> list[Term]:
    if not isinstance(raw, dict) or not isinstance(raw.get("entries"), list):
        raise GlossaryError(f"{path.name}: expected a mapping with an 'entries' list")
    terms: list[Term] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw["entries"], start=1):
        where = f"{path.name}: entry {index}"
        if not isinstance(entry, dict):
            raise GlossaryError(f"{where}: expected a mapping, got {type(entry).__name__}")
        missing = [
            k for k in ("id", "kind", "en", "zh-Hant", "source") if not str(entry.get(k) or "").strip()
        ]
        if missing:
            raise GlossaryError(f"{where} ({entry.get('id', '?')}): missing {', '.join(missing)}")
        if entry["id"] in seen:
            raise GlossaryError(f"{where}: duplicate id '{entry['id']}'")
        if not str(entry["source"]).startswith("http"):
            raise GlossaryError(f"{where} ({entry['id']}): source must be the official page's URL")
        seen.add(str(entry["id"]))
        aliases = tuple(str(a) for a in entry.get("aliases") or ())
        terms.append(
            Term(
                str(entry["id"]),
                str(entry["kind"]),
                str(entry["en"]),
                str(entry["zh-Hant"]),
                str(entry["source"]),
                aliases,
            )
        )
    return terms


def _districts(path: Path) -> list[Term]:
    """The 18 districts by their official names (place aliases name smaller places: left out)."""
    if not path.exists():
        return []
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    terms = []
    for entry in raw.get("districts", []):
        en, zh = str(entry["en"]), str(entry["zh-Hant"])
        english = [f"{en} District"] if en in _PLAIN_WORDS else [en, f"{en} District"]
        chinese = [zh[:-1]] if zh.endswith("區") and len(zh) > 3 else []
        terms.append(
            Term(
                f"district-{entry['id']}",
                "place",
                english[0],
                zh,
                DISTRICTS_SOURCE,
                tuple(english[1:] + chinese),
            )
        )
    return terms


@cache
def load_glossary(path: Path = GLOSSARY_FILE, districts: Path = DISTRICTS_FILE) -> Glossary:
    """The bundled glossary (checked at load: a bad file raises GlossaryError naming the entry)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise GlossaryError(f"{path.name}: cannot be read ({exc.__class__.__name__})") from exc
    terms = _entries(raw, path) + _districts(districts)
    return Glossary(terms, str(raw.get("version", "")))
