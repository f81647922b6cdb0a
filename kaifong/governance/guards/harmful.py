"""HarmfulGuard: requests for harm by the versioned Hong Kong harm taxonomy (data/harm_taxonomy.yaml)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kaifong.governance.guards.base import Severity, Verdict, error_verdict
from kaifong.governance.guards.datafile import (
    DATA,
    GuardDataError,
    load_model,
    node_line,
    reject_duplicates,
)
from kaifong.governance.guards.rules import (
    Patterns,
    blank_out,
    compile_patterns,
    fold_for_match,
    require_forms,
)
from kaifong.types import Detection

STATUS = "refused_harmful"
TAXONOMY_FILE = DATA / "harm_taxonomy.yaml"


class Category(BaseModel):
    """One harm category of the taxonomy."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    severity: Literal["low", "medium", "high", "critical"]
    description: str = Field(min_length=1)
    patterns: Patterns


class Taxonomy(BaseModel):
    """The versioned taxonomy file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1)
    exclusions: Patterns = Field(default_factory=Patterns)
    categories: list[Category] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> Taxonomy:
        reject_duplicates([c.id for c in self.categories], "category ids")
        return self


@dataclass(frozen=True)
class CompiledCategory:
    """A category with its patterns compiled."""

    id: str
    severity: Severity
    pattern: re.Pattern[str] | None


@dataclass
class HarmfulGuard:
    """Fails with ``refused_harmful`` (category id and severity in the verdict) on a taxonomy match."""

    version: str
    categories: list[CompiledCategory]
    exclusions: re.Pattern[str] | None = None
    name: str = field(default="harmful")

    @classmethod
    def load(cls, path: Path = TAXONOMY_FILE) -> HarmfulGuard:
        """The guard over the taxonomy at ``path`` (GuardDataError naming file and line if invalid)."""
        data, root = load_model(path, Taxonomy)
        compiled: list[CompiledCategory] = []
        for index, category in enumerate(data.categories):
            loc: list[str | int] = ["categories", index, "patterns"]
            require_forms(category.patterns, path, root, loc, ("en", "zh-Hant"))
            pattern = compile_patterns(category.patterns, path, root, loc)
            if pattern is None:  # pragma: no cover - require_forms guarantees patterns
                raise GuardDataError(path, node_line(root, loc), f"category {category.id} has no patterns")
            compiled.append(CompiledCategory(category.id, category.severity, pattern))
        return cls(data.version, compiled, compile_patterns(data.exclusions, path, root, ["exclusions"]))

    def check(self, text: str, detection: Detection) -> Verdict:
        """Fail with ``refused_harmful`` on the first (most severe first) matching category; never raises."""
        try:
            folded = blank_out(self.exclusions, fold_for_match(text))
            hit = next(
                (c for c in self.categories if c.pattern is not None and c.pattern.search(folded)), None
            )
        except Exception as exc:  # fail closed
            return error_verdict(self.name, self.version, exc)
        if hit is None:
            return Verdict(self.name, "pass", version=self.version)
        return Verdict(self.name, "fail", STATUS, f"category:{hit.id}", self.version, hit.id, hit.severity)
