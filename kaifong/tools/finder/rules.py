"""Eligibility rules as data, evaluated by code in three-valued logic: met, not met, or unknown.

A fact the resident has not stated makes a check *unknown*, never *not met*: the finder then lists the
service as "may fit" and says which fact it still needs. ``any_of`` and ``all_of`` combine checks
(Kleene logic: an unknown part decides nothing on its own); ``when`` limits a rule to the people it is
about (a rule that does not apply counts as met).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kaifong.tools.finder.bilingual import Bilingual
from kaifong.tools.finder.facts import EDUCATION, Facts

Outcome = Literal["met", "not_met", "unknown"]


@dataclass(frozen=True)
class LimitTable:
    """A limit that depends on another fact: a single person's limit and a couple's, say."""

    fact: str
    values: tuple[tuple[bool | int, float], ...]

    def limit_for(self, key: object) -> float | None:
        """The limit for ``key`` (None when the table has no row for it)."""
        for row_key, limit in self.values:
            if row_key == key and type(row_key) is type(key):
                return limit
        return None


@dataclass(frozen=True)
class Check:
    """One test on one fact: a range, a yes/no, a set of allowed values, or benefits received."""

    fact: str
    minimum: float | None = None
    maximum: float | None = None
    maximum_by: LimitTable | None = None
    equals: bool | None = None
    one_of: frozenset[str] | None = None
    none_of: frozenset[str] | None = None
    receives_any: frozenset[str] | None = None
    receives_none: frozenset[str] | None = None


@dataclass(frozen=True)
class AnyOf:
    """Met when one part is met."""

    parts: tuple[Expr, ...]


@dataclass(frozen=True)
class AllOf:
    """Met when every part is met."""

    parts: tuple[Expr, ...]


Expr = Check | AnyOf | AllOf


@dataclass(frozen=True)
class Result:
    """An outcome and, when it is unknown, the facts that would decide it.

    ``unlisted`` marks a limit the catalogue does not hold for the resident's case (a household size
    with no published figure): unknown to us, decided by the department.
    """

    outcome: Outcome
    missing: frozenset[str] = frozenset()
    unlisted: bool = False


MET = Result("met")
NOT_MET = Result("not_met")


def _rank(fact: str, value: object) -> float:
    """A comparable number for a fact value (education levels by position)."""
    if fact == "education":
        return float(EDUCATION.index(str(value)))
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{fact} is not a number")
    return float(value)


def _unknown(*facts: str) -> Result:
    return Result("unknown", frozenset(facts))


def _check_benefits(check: Check, facts: Facts) -> Result:
    if check.receives_any is not None:
        if check.receives_any & facts.receives:
            return MET
        if check.receives_any <= facts.not_receiving:
            return NOT_MET
        return _unknown("benefits")
    assert check.receives_none is not None
    if check.receives_none & facts.receives:
        return NOT_MET
    if check.receives_none <= facts.not_receiving:
        return MET
    return _unknown("benefits")


def _check_limit_table(check: Check, table: LimitTable, facts: Facts, value: float) -> Result:
    key = getattr(facts, table.fact)
    if key is not None:
        limit = table.limit_for(key)
        if limit is None:
            return Result("unknown", unlisted=True)
        return MET if value <= limit else NOT_MET
    limits = [limit for _, limit in table.values]
    if value <= min(limits):
        return MET
    if value > max(limits):
        return NOT_MET
    return _unknown(table.fact)


def check(test: Check, facts: Facts) -> Result:
    """Evaluate one check against the facts."""
    if test.fact == "benefits":
        return _check_benefits(test, facts)
    value = getattr(facts, test.fact)
    if value is None:
        missing = {test.fact}
        if test.maximum_by is not None and getattr(facts, test.maximum_by.fact) is None:
            missing.add(test.maximum_by.fact)
        return Result("unknown", frozenset(missing))
    if test.equals is not None:
        return MET if value == test.equals else NOT_MET
    if test.one_of is not None and value not in test.one_of:
        return NOT_MET
    if test.none_of is not None and value in test.none_of:
        return NOT_MET
    if test.minimum is not None or test.maximum is not None or test.maximum_by is not None:
        number = _rank(test.fact, value)
        if test.minimum is not None and number < test.minimum:
            return NOT_MET
        if test.maximum is not None and number > test.maximum:
            return NOT_MET
        if test.maximum_by is not None:
            return _check_limit_table(test, test.maximum_by, facts, number)
    return MET


def evaluate(expr: Expr, facts: Facts) -> Result:
    """Evaluate a check or a combination of checks (Kleene logic for unknowns)."""
    if isinstance(expr, Check):
        return check(expr, facts)
    results = [evaluate(part, facts) for part in expr.parts]
    if isinstance(expr, AnyOf):
        if any(r.outcome == "met" for r in results):
            return MET
        if all(r.outcome == "not_met" for r in results):
            return NOT_MET
    else:
        if any(r.outcome == "not_met" for r in results):
            return NOT_MET
        if all(r.outcome == "met" for r in results):
            return MET
    undecided = [r for r in results if r.outcome == "unknown"]
    return Result(
        "unknown",
        frozenset().union(*(r.missing for r in undecided)),
        any(r.unlisted for r in undecided),
    )


@dataclass(frozen=True)
class Rule:
    """One eligibility rule of a catalogue entry: what it says (in two scripts) and how it is checked.

    ``as_of`` and ``source`` date a money limit by the page that states it.
    """

    id: str
    text: Bilingual
    test: Expr
    when: tuple[Expr, ...] = ()
    as_of: str = ""
    source: str = ""

    def facts(self) -> frozenset[str]:
        """Every fact this rule can look at."""
        found: set[str] = set()
        pending: list[Expr] = [self.test, *self.when]
        while pending:
            expr = pending.pop()
            if isinstance(expr, Check):
                found.add(expr.fact)
                if expr.maximum_by is not None:
                    found.add(expr.maximum_by.fact)
            else:
                pending.extend(expr.parts)
        return frozenset(found)


@dataclass(frozen=True)
class RuleResult:
    """A rule's outcome for one resident; ``applies`` is False when its ``when`` conditions are not met."""

    rule: Rule
    outcome: Outcome
    missing: frozenset[str] = frozenset()
    unlisted: bool = False
    applies: bool | None = True


def apply_rule(rule: Rule, facts: Facts) -> RuleResult:
    """Evaluate ``rule``: (not when) or test, so a rule about someone else counts as met."""
    if rule.when:
        scope = evaluate(AllOf(rule.when), facts)
        if scope.outcome == "not_met":
            return RuleResult(rule, "met", applies=False)
        result = evaluate(rule.test, facts)
        if scope.outcome == "met" or result.outcome == "met":
            applies = True if scope.outcome == "met" else None
            return RuleResult(rule, result.outcome, result.missing, result.unlisted, applies)
        missing = scope.missing | result.missing
        return RuleResult(rule, "unknown", missing, result.unlisted, None)
    result = evaluate(rule.test, facts)
    return RuleResult(rule, result.outcome, result.missing, result.unlisted)
