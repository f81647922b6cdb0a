"""Facts: what a resident has told the finder about themselves, checked, merged and shown back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Literal, get_args

from kaifong.tools.finder.names import districts

Employment = Literal["employed", "unemployed", "retired", "student", "homemaker"]
EMPLOYMENT: tuple[Employment, ...] = get_args(Employment)
#: Education levels from lowest to highest (rules compare them by position).
Education = Literal[
    "none", "primary", "lower_secondary", "upper_secondary", "sub_degree", "degree", "postgraduate"
]
EDUCATION: tuple[Education, ...] = get_args(Education)
#: Benefits whose receipt excludes or qualifies for something: CSSA, Old Age Allowance, Old Age Living
#: Allowance, Disability Allowance, Working Family Allowance.
Benefit = Literal["cssa", "oaa", "oala", "da", "wfa"]
BENEFITS: tuple[Benefit, ...] = get_args(Benefit)
#: The range a numeric fact can take; values outside are impossible and are not kept.
LIMITS: dict[str, tuple[int, int]] = {
    "age": (0, 120),
    "residence_years": (0, 120),
    "monthly_income": (0, 10_000_000),
    "assets": (0, 10_000_000_000),
    "household_size": (1, 20),
}
NUMERIC = tuple(LIMITS)
BOOLEAN = ("couple", "living_alone", "disability", "ethnic_minority", "new_arrival", "carer")
#: What each fact of a short form means (the HTTP API's schema is built from these and the tuples above;
#: the values themselves are checked only by :func:`facts_from_mapping`).
DESCRIPTIONS: dict[str, str] = {
    "age": "Age in years (0–120).",
    "residence_years": "Years as a Hong Kong resident.",
    "district": "District lived in, any name: 'Kwun Tong', '旺角'.",
    "household_size": "People in the household.",
    "living_alone": "Lives alone.",
    "couple": "Lives with a spouse.",
    "monthly_income": "Monthly income in HK$.",
    "assets": "Assets and savings in HK$.",
    "employment": "Work: " + ", ".join(EMPLOYMENT) + ".",
    "education": "Highest education level: " + ", ".join(EDUCATION) + ".",
    "benefits": "Allowances received now (CSSA, OAA, OALA, DA, WFA); ['none'] for none of them.",
    "disability": "Has a disability.",
    "ethnic_minority": "Belongs to an ethnic minority.",
    "new_arrival": "Arrived in Hong Kong recently (a new arrival).",
    "carer": "Looks after an older person.",
}
#: Every fact, in the order they are shown back ("benefits" covers receiving and not receiving).
FACT_NAMES = (
    "age",
    "residence_years",
    "district",
    "household_size",
    "living_alone",
    "couple",
    "monthly_income",
    "assets",
    "employment",
    "education",
    "benefits",
    "disability",
    "ethnic_minority",
    "new_arrival",
    "carer",
)


@dataclass(frozen=True)
class Problem:
    """Something the resident said that cannot be used as it is; ``code`` names a finder message."""

    code: str
    fact: str = ""
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Facts:
    """A resident's stated facts; None means "not known" (which never counts as failing a rule).

    ``repr`` shows only which facts are known, never their values, so a Facts in a log or a traceback
    reveals nothing about the person.
    """

    age: int | None = None
    residence_years: int | None = None
    monthly_income: int | None = None
    assets: int | None = None
    household_size: int | None = None
    couple: bool | None = None
    living_alone: bool | None = None
    employment: str | None = None
    education: str | None = None
    receives: frozenset[str] = field(default_factory=frozenset)
    not_receiving: frozenset[str] = field(default_factory=frozenset)
    disability: bool | None = None
    ethnic_minority: bool | None = None
    new_arrival: bool | None = None
    carer: bool | None = None
    district: str | None = None

    def __repr__(self) -> str:
        return f"Facts(known={list(self.known())})"

    def known(self) -> dict[str, object]:
        """The known facts by name, in display order (``benefits`` maps each benefit to True/False)."""
        values: dict[str, object] = {}
        for name in FACT_NAMES:
            if name == "benefits":
                benefits = {b: True for b in sorted(self.receives)}
                benefits |= {b: False for b in sorted(self.not_receiving - self.receives)}
                if benefits:
                    values[name] = benefits
                continue
            value = getattr(self, name)
            if value is not None:
                values[name] = value
        return values

    def is_empty(self) -> bool:
        """True when nothing is known."""
        return not self.known()

    def merged(self, newer: Facts) -> tuple[Facts, tuple[tuple[str, object, object], ...]]:
        """These facts updated by ``newer`` (newer wins), and the changes as (fact, before, after)."""
        changes: list[tuple[str, object, object]] = []
        updates: dict[str, object] = {}
        for item in fields(self):
            if item.name in {"receives", "not_receiving"}:
                continue
            before, after = getattr(self, item.name), getattr(newer, item.name)
            if after is not None and after != before:
                updates[item.name] = after
                if before is not None:
                    changes.append((item.name, before, after))
        receives = (self.receives - newer.not_receiving) | newer.receives
        not_receiving = (self.not_receiving - newer.receives) | newer.not_receiving
        merged = replace(self, receives=receives, not_receiving=not_receiving, **updates)  # type: ignore[arg-type]
        return merged, tuple(changes)


def consistent(facts: Facts) -> tuple[Facts, tuple[Problem, ...]]:
    """Facts with what follows from them filled in, and problems for facts that cannot all be true.

    Living alone means a one-person household and no spouse at home; receiving Disability Allowance
    means having a disability. Facts that contradict each other are dropped (unknown is safer than a
    wrong guess) and reported.
    """
    problems: list[Problem] = []
    updates: dict[str, object] = {}
    if facts.living_alone and facts.household_size is not None and facts.household_size > 1:
        problems.append(Problem("contradiction", "household_size", ("1", str(facts.household_size))))
        updates |= {"living_alone": None, "household_size": None}
    elif facts.living_alone and facts.couple:
        problems.append(Problem("contradiction", "living_alone", ()))
        updates |= {"living_alone": None, "couple": None}
    elif facts.living_alone:
        updates |= {"household_size": 1, "couple": False}
    elif facts.household_size == 1 and facts.living_alone is None:
        if facts.couple:
            problems.append(Problem("contradiction", "household_size", ("1", "2")))
            updates |= {"household_size": None, "couple": None}
        else:
            updates |= {"living_alone": True, "couple": False}
    elif facts.couple and facts.living_alone is None:
        updates["living_alone"] = False
    if facts.age is not None and facts.residence_years is not None and facts.residence_years > facts.age:
        problems.append(
            Problem("residence_over_age", "residence_years", (str(facts.residence_years), str(facts.age)))
        )
        updates["residence_years"] = None
    fixed = replace(facts, **updates)  # type: ignore[arg-type]
    if "da" in fixed.receives and fixed.disability is None:
        fixed = replace(fixed, disability=True)
    return fixed, tuple(problems)


def _integer(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip().replace(",", "").removeprefix("HK$").removeprefix("$")
        if text.lstrip("-").isdigit():
            return int(text)
    return None


def _boolean(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in {"yes", "true", "1", "on", "y"}:
            return True
        if text in {"no", "false", "0", "off", "n"}:
            return False
    return None


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def check_number(name: str, value: int) -> Problem | None:
    """A problem when ``value`` is outside what ``name`` can be (an age of 200, a household of 0)."""
    low, high = LIMITS[name]
    if low <= value <= high:
        return None
    return Problem("impossible_age" if name == "age" else "impossible_value", name, (str(value)[:40],))


def facts_from_mapping(data: Mapping[str, object]) -> tuple[Facts, tuple[Problem, ...]]:
    """Facts from a short form or JSON (strings or typed values); bad values become problems, not errors.

    Keys are the fact names; ``benefits`` is a list of benefit ids received (``none`` for none of them);
    ``district`` may be any district name or alias. Unknown keys are ignored by this function; the API's
    request model rejects them before.
    """
    values: dict[str, object] = {}
    problems: list[Problem] = []
    for name in NUMERIC:
        raw = data.get(name)
        if _blank(raw):
            continue
        number = _integer(raw)
        problem = Problem("invalid_value", name, (str(raw)[:40],)) if number is None else None
        if number is not None:
            problem = check_number(name, number)
        if problem is not None:
            problems.append(problem)
        else:
            values[name] = number
    for name in BOOLEAN:
        raw = data.get(name)
        if _blank(raw):
            continue
        flag = _boolean(raw)
        if flag is None:
            problems.append(Problem("invalid_value", name, (str(raw)[:40],)))
        else:
            values[name] = flag
    for name, allowed in (("employment", EMPLOYMENT), ("education", EDUCATION)):
        raw = data.get(name)
        if _blank(raw):
            continue
        if isinstance(raw, str) and raw.strip() in allowed:
            values[name] = raw.strip()
        else:
            problems.append(Problem("invalid_value", name, (str(raw)[:40],)))
    raw_district = data.get("district")
    if not _blank(raw_district):
        found = districts().resolve(str(raw_district))
        if found is None:
            problems.append(Problem("unknown_district", "district", (str(raw_district)[:40],)))
        else:
            values["district"] = found.id
    raw_benefits = data.get("benefits")
    if not _blank(raw_benefits):
        items = [raw_benefits] if isinstance(raw_benefits, str) else raw_benefits
        if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
            problems.append(Problem("invalid_value", "benefits", (str(raw_benefits)[:40],)))
        else:
            chosen = {i.strip().lower() for i in items if i.strip()}
            unknown = sorted(chosen - set(BENEFITS) - {"none"})
            if unknown:
                problems.append(Problem("invalid_value", "benefits", tuple(unknown)))
            received = frozenset(chosen & set(BENEFITS))
            values["receives"] = received
            values["not_receiving"] = frozenset(BENEFITS) - received
    return Facts(**values), tuple(problems)  # type: ignore[arg-type]
