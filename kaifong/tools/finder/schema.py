"""The shape of the catalogue files: pydantic models that check each entry and build its rules."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kaifong.tools.finder.datafiles import (
    BilingualModel,
    CheckedDate,
    Identifier,
    SourceDate,
    Url,
    Version,
)
from kaifong.tools.finder.facts import BENEFITS, BOOLEAN, EDUCATION, EMPLOYMENT, FACT_NAMES, NUMERIC
from kaifong.tools.finder.names import districts, languages
from kaifong.tools.finder.rules import AllOf, AnyOf, Check, Expr, LimitTable, Rule

Kind = Literal["service", "course"]
#: Facts whose limits are money: a rule on them must say from when the limit applies, and where from.
MONEY_FACTS = frozenset({"monthly_income", "assets"})
_ENUMS: dict[str, tuple[str, ...]] = {"employment": EMPLOYMENT, "education": EDUCATION}


class TestModel(BaseModel):
    """One check (``fact`` with a condition) or a combination (``any_of`` / ``all_of``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    fact: str | None = None
    min: float | str | None = None
    max: float | str | None = None
    max_by: dict[str, Any] | None = None
    is_: bool | None = Field(default=None, alias="is")
    in_: list[str] | None = Field(default=None, alias="in")
    not_in: list[str] | None = None
    receives_any: list[str] | None = None
    receives_none: list[str] | None = None
    any_of: list[TestModel] | None = None
    all_of: list[TestModel] | None = None

    @model_validator(mode="after")
    def _coherent(self) -> TestModel:
        combos = [part for part in (self.any_of, self.all_of) if part is not None]
        if combos:
            if self.fact is not None or len(combos) > 1:
                raise ValueError("use either a fact with a condition, or any_of / all_of, not both")
            if len(combos[0]) < 2:
                raise ValueError("any_of / all_of needs at least two parts")
            return self
        if self.fact is None:
            raise ValueError("a check needs 'fact' (or any_of / all_of)")
        if self.fact not in FACT_NAMES:
            raise ValueError(f"unknown fact '{self.fact}'; known facts: {', '.join(FACT_NAMES)}")
        self._check_condition()
        return self

    def _conditions(self) -> list[str]:
        names = ("min", "max", "max_by", "is_", "in_", "not_in", "receives_any", "receives_none")
        return [name.rstrip("_") for name in names if getattr(self, name) is not None]

    def _check_condition(self) -> None:
        fact = str(self.fact)
        given = self._conditions()
        if not given:
            raise ValueError(f"the check on '{fact}' has no condition (min, max, is, in ...)")
        if fact == "benefits":
            allowed = {"receives_any", "receives_none"}
        elif fact in NUMERIC:
            allowed = {"min", "max", "max_by"}
        elif fact in BOOLEAN:
            allowed = {"is"}
        elif fact == "education":
            allowed = {"min", "max", "in", "not_in"}
        else:
            allowed = {"in", "not_in"}
        wrong = sorted(set(given) - allowed)
        if wrong:
            raise ValueError(
                f"'{fact}' cannot be checked with {', '.join(wrong)}; use {', '.join(sorted(allowed))}"
            )
        for bound in (self.min, self.max):
            if bound is None:
                continue
            if fact == "education" and bound not in EDUCATION:
                raise ValueError(f"education levels are {', '.join(EDUCATION)}, not '{bound}'")
            if fact != "education" and not isinstance(bound, int | float):
                raise ValueError(f"min/max of '{fact}' must be a number, not '{bound}'")
        if self.min is not None and self.max is not None and self._rank(self.min) > self._rank(self.max):
            raise ValueError(f"min ({self.min}) is above max ({self.max})")
        for values in (self.in_, self.not_in):
            if values is not None:
                bad = sorted(set(values) - set(_ENUMS.get(fact, ())))
                if bad:
                    raise ValueError(f"'{fact}' has no value(s) {', '.join(bad)}")
        for items in (self.receives_any, self.receives_none):
            if items is not None:
                bad = sorted(set(items) - set(BENEFITS))
                if bad or not items:
                    raise ValueError(
                        f"benefits are {', '.join(BENEFITS)}; not {', '.join(bad) or 'an empty list'}"
                    )
        if self.max_by is not None:
            self._check_table(self.max_by)

    def _rank(self, bound: float | str) -> float:
        return float(EDUCATION.index(bound)) if isinstance(bound, str) else float(bound)

    @staticmethod
    def _check_table(table: dict[str, Any]) -> None:
        if set(table) != {"fact", "values"}:
            raise ValueError("max_by needs exactly 'fact' and 'values'")
        if table["fact"] not in ("couple", "household_size"):
            raise ValueError("max_by can depend on 'couple' or 'household_size'")
        values = table["values"]
        if not isinstance(values, dict) or not values:
            raise ValueError("max_by.values must map each case to a limit")
        key_type = bool if table["fact"] == "couple" else int
        for key, limit in values.items():
            if type(key) is not key_type or isinstance(limit, bool) or not isinstance(limit, int | float):
                raise ValueError(
                    f"max_by.values: '{key}: {limit}' must map a {key_type.__name__} to a number"
                )

    def expr(self) -> Expr:
        """The runtime check."""
        if self.any_of is not None:
            return AnyOf(tuple(part.expr() for part in self.any_of))
        if self.all_of is not None:
            return AllOf(tuple(part.expr() for part in self.all_of))
        fact = str(self.fact)
        table = None
        if self.max_by is not None:
            rows = tuple((key, float(limit)) for key, limit in self.max_by["values"].items())
            table = LimitTable(str(self.max_by["fact"]), rows)
        return Check(
            fact,
            minimum=None if self.min is None else self._rank(self.min),
            maximum=None if self.max is None else self._rank(self.max),
            maximum_by=table,
            equals=self.is_,
            one_of=frozenset(self.in_) if self.in_ is not None else None,
            none_of=frozenset(self.not_in) if self.not_in is not None else None,
            receives_any=frozenset(self.receives_any) if self.receives_any is not None else None,
            receives_none=frozenset(self.receives_none) if self.receives_none is not None else None,
        )


class RuleModel(TestModel):
    """A rule: an id, its wording, one check (or combination), optional scope and date."""

    id: Identifier
    text: BilingualModel
    when: list[TestModel] = Field(default_factory=list)
    as_of: SourceDate | None = None
    source: Url | None = None

    @model_validator(mode="after")
    def _dated(self) -> RuleModel:
        rule = Rule(self.id, self.text.value(), self.expr())
        if rule.facts() & MONEY_FACTS and (self.as_of is None or self.source is None):
            raise ValueError(
                f"rule '{self.id}' sets a money limit: give as_of (the date) and source (the page)"
            )
        return self

    def rule(self) -> Rule:
        """The runtime rule."""
        when = tuple(part.expr() for part in self.when)
        return Rule(self.id, self.text.value(), self.expr(), when, self.as_of or "", self.source or "")


class SourceModel(BaseModel):
    """An official page an entry's facts come from, and the date the page shows."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: Url
    date: SourceDate


class AmountModel(BilingualModel):
    """A fee, allowance or limit in words, dated by its source."""

    as_of: SourceDate
    source: Url


class ApplyModel(BaseModel):
    """Where and how to apply."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: Url
    how: BilingualModel


class EntryModel(BaseModel):
    """One service or course."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Identifier
    kind: Kind
    topics: list[str] = Field(default_factory=list)
    name: BilingualModel
    department: BilingualModel
    summary: BilingualModel
    apply: ApplyModel
    hotline: Annotated[str, Field(pattern=r"^[0-9 ]{0,12}$")] = ""
    sources: list[SourceModel] = Field(min_length=1)
    checked: CheckedDate
    amounts: list[AmountModel] = Field(min_length=1)
    districts: Literal["all"] | list[str]
    where: BilingualModel | None = None
    languages: list[str]
    languages_note: BilingualModel | None = None
    schedule: BilingualModel | None = None
    rules: list[RuleModel]
    also_checked: list[BilingualModel] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)

    @field_validator("districts")
    @classmethod
    def _known_districts(cls, value: str | list[str]) -> str | list[str]:
        if value != "all":
            unknown = [d for d in value if districts().resolve(d) is None or d != districts().resolve(d).id]  # type: ignore[union-attr]
            if unknown or not value:
                raise ValueError(f"unknown district id(s) {', '.join(unknown) or '(empty list)'}")
        return value

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: list[str]) -> list[str]:
        unknown = [code for code in value if code not in _language_ids()]
        if unknown:
            raise ValueError(f"unknown language id(s) {', '.join(unknown)}")
        return value

    @field_validator("rules")
    @classmethod
    def _distinct_rules(cls, value: list[RuleModel]) -> list[RuleModel]:
        ids = [rule.id for rule in value]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"rule id(s) used twice: {', '.join(twice)}")
        return value


def _language_ids() -> frozenset[str]:
    return frozenset(name.id for name in languages().names)


class MetaModel(BaseModel):
    """``catalogue.yaml``: the format and the catalogue's version."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal[1]
    version: Version
    checked: CheckedDate
