"""Which catalogue entries may fit a resident: rules evaluated, then district, language and kind filters.

An entry is listed when none of its rules is *not met*. It "fits what you told us" when every rule is
met, and otherwise "may fit" with the facts still needed. Nothing here decides eligibility: the
department does (GOV-02).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kaifong.tools.finder.catalogue import Catalogue, Entry
from kaifong.tools.finder.facts import FACT_NAMES, Facts
from kaifong.tools.finder.rules import RuleResult, apply_rule

Kind = Literal["service", "course"]
#: Facts that say whether someone belongs to a group a service is for (not whether they qualify in it).
GROUP_FACTS = frozenset({"ethnic_minority", "new_arrival", "disability", "carer"})


@dataclass(frozen=True)
class Filters:
    """What the resident narrowed the list to: a district (id), a language (id), services or courses."""

    district: str | None = None
    language: str | None = None
    kind: Kind | None = None


@dataclass(frozen=True)
class Match:
    """An entry that may fit, with the outcome of each of its rules."""

    entry: Entry
    results: tuple[RuleResult, ...]

    @property
    def complete(self) -> bool:
        """True when every rule is met by what the resident said (and the entry has rules)."""
        return bool(self.results) and all(r.outcome == "met" for r in self.results)

    @property
    def missing(self) -> tuple[str, ...]:
        """The facts that would settle the rules still unknown, in display order."""
        wanted = set().union(*(r.missing for r in self.results)) if self.results else set()
        return tuple(name for name in FACT_NAMES if name in wanted)

    @property
    def for_a_group(self) -> bool:
        """True when all that is unknown is whether the resident belongs to the group it serves."""
        missing = set(self.missing)
        return bool(missing) and missing <= GROUP_FACTS

    @property
    def met_rules(self) -> tuple[str, ...]:
        """Ids of the rules the resident's facts meet."""
        return tuple(r.rule.id for r in self.results if r.outcome == "met")


def evaluate_entry(entry: Entry, facts: Facts) -> tuple[RuleResult, ...]:
    """Every rule of ``entry`` evaluated against ``facts``."""
    return tuple(apply_rule(rule, facts) for rule in entry.rules)


def passes_filters(entry: Entry, filters: Filters) -> bool:
    """True when ``entry`` is offered in the filter's district and language and is of its kind."""
    if filters.kind is not None and entry.kind != filters.kind:
        return False
    if (
        filters.district is not None
        and entry.districts is not None
        and filters.district not in entry.districts
    ):
        return False
    return filters.language is None or filters.language in entry.languages


def _order(match: Match) -> tuple[int, int, int]:
    if match.complete:
        group = 0
    elif match.entry.open_to_all:
        group = 2
    elif match.for_a_group:
        group = 3
    else:
        group = 1
    unknown = sum(r.outcome == "unknown" for r in match.results)
    return (group, unknown, 0 if match.entry.kind == "service" else 1)


def find_matches(catalogue: Catalogue, facts: Facts, filters: Filters) -> tuple[Match, ...]:
    """The entries that may fit: fully met first, then those needing facts, then open-to-all ones, then
    those for a group the resident has not said they belong to."""
    matches = []
    for entry in catalogue.entries:
        if not passes_filters(entry, filters):
            continue
        results = evaluate_entry(entry, facts)
        if any(r.outcome == "not_met" for r in results):
            continue
        matches.append(Match(entry, results))
    return tuple(sorted(matches, key=_order))
