"""Eligibility rules: three-valued evaluation, limits that depend on another fact, scopes, and matching."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kaifong.tools.finder.bilingual import Bilingual
from kaifong.tools.finder.catalogue import default_catalogue
from kaifong.tools.finder.facts import BENEFITS, EDUCATION, EMPLOYMENT, Facts
from kaifong.tools.finder.matching import Filters, evaluate_entry, find_matches, passes_filters
from kaifong.tools.finder.rules import AllOf, AnyOf, Check, LimitTable, Rule, apply_rule, evaluate

CATALOGUE = default_catalogue()
TEXT = Bilingual("a rule", "一條規則")


def outcome(expr: Check | AnyOf | AllOf, facts: Facts) -> str:
    return evaluate(expr, facts).outcome


def test_a_missing_fact_is_unknown_never_a_failure() -> None:
    result = evaluate(Check("age", minimum=65), Facts())
    assert (result.outcome, result.missing) == ("unknown", frozenset({"age"}))


@pytest.mark.parametrize(("age", "expected"), [(64, "not_met"), (65, "met"), (66, "met")])
def test_minimum_is_inclusive(age: int, expected: str) -> None:
    assert outcome(Check("age", minimum=65), Facts(age=age)) == expected


@pytest.mark.parametrize(("age", "expected"), [(14, "not_met"), (15, "met"), (24, "met"), (25, "not_met")])
def test_a_range_includes_both_ends(age: int, expected: str) -> None:
    assert outcome(Check("age", minimum=15, maximum=24), Facts(age=age)) == expected


def test_kleene_or_and_and() -> None:
    old, carer = Check("age", minimum=60), Check("carer", equals=True)
    assert outcome(AnyOf((old, carer)), Facts(age=70)) == "met"
    assert outcome(AnyOf((old, carer)), Facts(age=40)) == "unknown"  # carer still unknown
    assert outcome(AnyOf((old, carer)), Facts(age=40, carer=False)) == "not_met"
    assert outcome(AllOf((old, carer)), Facts(age=40)) == "not_met"  # one part fails: decided
    assert outcome(AllOf((old, carer)), Facts(age=70)) == "unknown"
    assert evaluate(AllOf((old, carer)), Facts()).missing == {"age", "carer"}


def test_a_limit_that_depends_on_another_fact() -> None:
    table = LimitTable("couple", ((False, 10710.0), (True, 16330.0)))
    income = Check("monthly_income", maximum_by=table)
    assert outcome(income, Facts(monthly_income=10710, couple=False)) == "met"
    assert outcome(income, Facts(monthly_income=10711, couple=False)) == "not_met"
    assert outcome(income, Facts(monthly_income=16000, couple=True)) == "met"
    # the key unknown: below every limit is met, above every limit fails, between needs the key
    assert outcome(income, Facts(monthly_income=9000)) == "met"
    assert outcome(income, Facts(monthly_income=20000)) == "not_met"
    between = evaluate(income, Facts(monthly_income=12000))
    assert (between.outcome, between.missing) == ("unknown", frozenset({"couple"}))
    assert evaluate(income, Facts()).missing == {"monthly_income", "couple"}


def test_a_limit_the_catalogue_does_not_hold_is_unlisted() -> None:
    table = LimitTable("household_size", ((1, 100.0), (2, 200.0)))
    result = evaluate(Check("assets", maximum_by=table), Facts(assets=50, household_size=5))
    assert (result.outcome, result.unlisted, result.missing) == ("unknown", True, frozenset())


def test_benefits_received_and_not_received() -> None:
    none_of = Check("benefits", receives_none=frozenset({"oaa", "cssa"}))
    assert outcome(none_of, Facts(receives=frozenset({"cssa"}))) == "not_met"
    assert outcome(none_of, Facts(not_receiving=frozenset({"oaa", "cssa"}))) == "met"
    assert outcome(none_of, Facts(not_receiving=frozenset({"oaa"}))) == "unknown"
    any_of = Check("benefits", receives_any=frozenset({"oala"}))
    assert outcome(any_of, Facts(receives=frozenset({"oala"}))) == "met"
    assert outcome(any_of, Facts(not_receiving=frozenset({"oala"}))) == "not_met"


def test_education_is_compared_by_level() -> None:
    at_most_sub_degree = Check("education", maximum=float(EDUCATION.index("sub_degree")))
    assert outcome(at_most_sub_degree, Facts(education="lower_secondary")) == "met"
    assert outcome(at_most_sub_degree, Facts(education="sub_degree")) == "met"
    assert outcome(at_most_sub_degree, Facts(education="degree")) == "not_met"


def test_a_scoped_rule_applies_only_to_the_people_it_is_about() -> None:
    rule = Rule("residence", TEXT, Check("residence_years", minimum=1), (Check("age", minimum=18),))
    child = apply_rule(rule, Facts(age=12, residence_years=0))
    assert (child.outcome, child.applies) == ("met", False)
    adult = apply_rule(rule, Facts(age=30, residence_years=0))
    assert adult.outcome == "not_met"
    unknown_age = apply_rule(rule, Facts(residence_years=0))
    assert (unknown_age.outcome, unknown_age.missing) == ("unknown", frozenset({"age"}))
    assert apply_rule(rule, Facts(residence_years=3)).outcome == "met"


def _results(entry_id: str, facts: Facts) -> dict[str, str]:
    return {r.rule.id: r.outcome for r in evaluate_entry(CATALOGUE.get(entry_id), facts)}


def test_old_age_living_allowance_edges() -> None:
    base = Facts(age=65, residence_years=7, not_receiving=frozenset(BENEFITS), couple=False, assets=0)
    assert set(_results("old-age-living-allowance", replace(base, monthly_income=10710)).values()) == {"met"}
    assert _results("old-age-living-allowance", replace(base, monthly_income=10711))["income"] == "not_met"
    assert _results("old-age-living-allowance", replace(base, age=64))["age"] == "not_met"
    assert _results("old-age-living-allowance", replace(base, residence_years=6))["residence"] == "not_met"
    receiving_oaa = replace(base, receives=frozenset({"oaa"}), not_receiving=frozenset())
    assert _results("old-age-living-allowance", receiving_oaa)["no-other-allowance"] == "not_met"


def test_cssa_residence_rule_exempts_children_and_single_asset_limits() -> None:
    assert _results("cssa", Facts(age=12, residence_years=0))["residence"] == "met"
    assert _results("cssa", Facts(age=40, residence_years=0))["residence"] == "not_met"
    single = Facts(age=40, household_size=1, disability=False)
    assert _results("cssa", replace(single, assets=33000))["assets-single-able-bodied"] == "met"
    assert _results("cssa", replace(single, assets=34000))["assets-single-able-bodied"] == "not_met"
    assert _results("cssa", replace(single, age=70, assets=45000))["assets-single"] == "met"
    assert _results("cssa", Facts(age=40, household_size=4, assets=200000))["assets-single"] == "met"  # n/a


def test_youth_programme_age_and_education() -> None:
    young = Facts(age=24, education="upper_secondary", employment="unemployed")
    assert set(_results("yetp-pre-employment-training", young).values()) == {"met"}
    assert _results("yetp-pre-employment-training", replace(young, age=25))["age"] == "not_met"
    assert (
        _results("yetp-pre-employment-training", replace(young, education="degree"))["education"] == "not_met"
    )
    assert (
        _results("yetp-pre-employment-training", replace(young, employment="student"))["school-leaver"]
        == "not_met"
    )


def test_filters_by_kind_district_and_language() -> None:
    yes = CATALOGUE.get("youth-employment-start")
    assert passes_filters(yes, Filters(district="kwai-tsing"))
    assert not passes_filters(yes, Filters(district="islands"))
    assert passes_filters(CATALOGUE.get("cssa"), Filters(district="islands"))  # every district
    urdu = [e.id for e in CATALOGUE.entries if passes_filters(e, Filters(language="ur"))]
    assert urdu == ["cheer-ethnic-minorities"]
    assert all(e.kind == "course" for e in CATALOGUE.entries if passes_filters(e, Filters(kind="course")))


def test_results_are_ordered_fully_met_first() -> None:
    matches = find_matches(CATALOGUE, Facts(age=70, residence_years=30, living_alone=True), Filters())
    groups = [0 if m.complete else 2 if m.entry.open_to_all else 3 if m.for_a_group else 1 for m in matches]
    assert groups == sorted(groups)
    assert matches[0].complete


facts_strategy = st.builds(
    Facts,
    age=st.none() | st.integers(0, 120),
    residence_years=st.none() | st.integers(0, 80),
    monthly_income=st.none() | st.integers(0, 60000),
    assets=st.none() | st.integers(0, 1_000_000),
    household_size=st.none() | st.integers(1, 8),
    couple=st.none() | st.booleans(),
    employment=st.none() | st.sampled_from(EMPLOYMENT),
    education=st.none() | st.sampled_from(EDUCATION),
    receives=st.frozensets(st.sampled_from(BENEFITS)),
    disability=st.none() | st.booleans(),
    ethnic_minority=st.none() | st.booleans(),
    new_arrival=st.none() | st.booleans(),
    carer=st.none() | st.booleans(),
)


@settings(max_examples=150, deadline=None)
@given(facts_strategy)
def test_listed_entries_never_fail_a_rule_and_unlisted_ones_always_do(facts: Facts) -> None:
    listed = {m.entry.id for m in find_matches(CATALOGUE, facts, Filters())}
    for entry in CATALOGUE.entries:
        failing = any(r.outcome == "not_met" for r in evaluate_entry(entry, facts))
        assert (entry.id in listed) is not failing, entry.id
