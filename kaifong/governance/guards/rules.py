"""Pattern sets per language form, folded to one script and lower-cased, compiled once at load."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from kaifong.governance.guards.datafile import GuardDataError, load_model, node_line
from kaifong.language.convert import fold

#: The language forms a pattern list may be written for (Chinese forms are folded alike).
PATTERN_FORMS = ("en", "zh-Hant", "zh-Hans", "yue-Hant")
#: English patterns are wrapped in ASCII look-arounds: ``\\b`` does not separate Latin from Han text.
_EN_WRAP = r"(?<![a-z0-9])(?:{})(?![a-z0-9])"
_SPACES = re.compile(r"\s+")


class Patterns(BaseModel):
    """Regular expressions per language form; English ones match whole words, ``any`` ones as written."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    en: list[str] = Field(default_factory=list)
    zh_hant: list[str] = Field(default_factory=list, alias="zh-Hant")
    zh_hans: list[str] = Field(default_factory=list, alias="zh-Hans")
    yue_hant: list[str] = Field(default_factory=list, alias="yue-Hant")
    #: Language-neutral patterns (markup, symbols): no word boundaries added.
    any: list[str] = Field(default_factory=list)

    def by_form(self) -> dict[str, list[str]]:
        """The lists keyed by their YAML form names."""
        return {
            "en": self.en,
            "zh-Hant": self.zh_hant,
            "zh-Hans": self.zh_hans,
            "yue-Hant": self.yue_hant,
            "any": self.any,
        }


class _CharFolder(dict[int, str]):
    """A ``str.translate`` table that folds each Han character alone, computed on first sight.

    Folding is per character, not per phrase: OpenCC's phrase tables make the result depend on the
    neighbours (自制 stays 自制 alone but 自制炸弹 becomes 自製炸彈), so folding a pattern and a text
    phrase by phrase could disagree. Character by character, both sides fold the same way.
    """

    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = fold(char) if _HAN.match(char) else char
        value = folded if len(folded) == 1 else char
        self[code] = value
        return value


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_FOLDER = _CharFolder()


def fold_chars(text: str) -> str:
    """Chinese characters folded one by one to Hong Kong Traditional (see _CharFolder)."""
    return text.translate(_FOLDER)


def fold_for_match(text: str) -> str:
    """The text every rule reads: NFKC, Han characters folded to HK Traditional, lower-case, one space."""
    return _SPACES.sub(" ", fold_chars(unicodedata.normalize("NFKC", text)).lower())


def compile_patterns(
    patterns: Patterns, path: Path, root: yaml.Node | None, loc: Sequence[str | int]
) -> re.Pattern[str] | None:
    """One alternation over every form's patterns (None when there are none).

    A pattern that does not compile raises GuardDataError naming the file and the pattern's line.
    """
    parts: list[str] = []
    for form, items in patterns.by_form().items():
        for index, source in enumerate(items):
            folded = source if form == "en" else fold_chars(source)
            try:
                re.compile(folded)
            except re.error as exc:
                line = node_line(root, [*loc, form, index])
                raise GuardDataError(path, line, f"pattern {source!r} is not a valid regex: {exc}") from exc
            parts.append(_EN_WRAP.format(folded) if form == "en" else f"(?:{folded})")
    if not parts:
        return None
    return re.compile("|".join(parts), re.IGNORECASE)


def require_forms(
    patterns: Patterns, path: Path, root: yaml.Node | None, loc: Sequence[str | int], forms: Sequence[str]
) -> None:
    """GuardDataError unless every form in ``forms`` has a pattern (``any``-only rules excepted)."""
    if patterns.any:
        return
    missing = [form for form, items in patterns.by_form().items() if form in forms and not items]
    if missing:
        where = ".".join(str(part) for part in loc)
        raise GuardDataError(path, node_line(root, loc), f"{where}: no patterns for {', '.join(missing)}")


def first_match(compiled: Mapping[str, re.Pattern[str] | None], folded: str) -> str | None:
    """The first rule id (in order) whose pattern is found in ``folded``, else None."""
    for rule_id, pattern in compiled.items():
        if pattern is not None and pattern.search(folded):
            return rule_id
    return None


def blank_out(pattern: re.Pattern[str] | None, folded: str) -> str:
    """``folded`` with every match of ``pattern`` replaced by spaces (benign look-alikes removed)."""
    if pattern is None:
        return folded
    return pattern.sub(lambda m: " " * len(m.group(0)), folded)


class RuleFile(BaseModel):
    """A versioned rule file: benign look-alikes to blank out, then rule id → patterns."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1)
    exclusions: Patterns = Field(default_factory=Patterns)
    rules: dict[str, Patterns] = Field(min_length=1)


class CompiledRules:
    """A RuleFile compiled: ``match(text)`` gives the first rule id that fires, or None."""

    def __init__(self, data: RuleFile, path: Path, root: yaml.Node | None, forms: Sequence[str]) -> None:
        self.version = data.version
        self.exclusions = compile_patterns(data.exclusions, path, root, ["exclusions"])
        self.rules: dict[str, re.Pattern[str] | None] = {}
        for rule_id, patterns in data.rules.items():
            require_forms(patterns, path, root, ["rules", rule_id], forms)
            self.rules[rule_id] = compile_patterns(patterns, path, root, ["rules", rule_id])

    def match(self, text: str) -> str | None:
        """The first rule id whose pattern fires on ``text`` (folded, look-alikes blanked), else None."""
        return first_match(self.rules, blank_out(self.exclusions, fold_for_match(text)))


def load_rules(path: Path, forms: Sequence[str] = ("en", "zh-Hant")) -> CompiledRules:
    """Load and compile a RuleFile; GuardDataError naming the file and line when it is invalid."""
    data, root = load_model(path, RuleFile)
    return CompiledRules(data, path, root, forms)
