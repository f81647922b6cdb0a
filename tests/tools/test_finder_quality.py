"""The finder benchmark: its hand-checked profiles agree with the catalogue, and its own checks work."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import cast

import pytest

from benchmarks.finder_quality import FORMS, _failing, print_table, profiles, run
from kaifong.tools.finder.catalogue import default_catalogue
from kaifong.tools.finder.facts import Facts, consistent
from kaifong.tools.finder.finder import Finder, FinderRequest
from kaifong.tools.finder.matching import Filters, Match, find_matches, passes_filters
from kaifong.tools.finder.memory import FactMemory

CATALOGUE = default_catalogue()
ROWS = profiles()
BY_PROFILE: dict[str, list[dict[str, object]]] = defaultdict(list)
for _row in ROWS:
    BY_PROFILE[str(_row["profile"])].append(_row)


def _gold_facts(gold: dict[str, object]) -> Facts:
    """The gold facts as the finder holds them, with what follows from them (living alone → one person)."""
    values = dict(gold)
    benefits: dict[str, bool] = values.pop("benefits", {})  # type: ignore[assignment]
    facts = Facts(
        **values,  # type: ignore[arg-type]
        receives=frozenset(b for b, stance in benefits.items() if stance),
        not_receiving=frozenset(b for b, stance in benefits.items() if not stance),
    )
    return consistent(facts)[0]


def _expected(row: dict[str, object]) -> list[str]:
    return cast(list[str], row["expected"])


def _gold_filters(row: dict[str, object]) -> Filters:
    chosen: dict[str, str] = row["filters"]  # type: ignore[assignment]
    return Filters(chosen.get("district"), chosen.get("language"), chosen.get("kind"))  # type: ignore[arg-type]


def test_the_set_has_at_least_sixty_distinct_profiles_each_in_four_forms() -> None:
    assert len(BY_PROFILE) >= 60
    assert len({row["id"] for row in ROWS}) == len(ROWS)
    for profile, rows in BY_PROFILE.items():
        assert sorted(str(row["form"]) for row in rows) == sorted(FORMS), profile
        for field in ("facts", "filters", "expected", "split"):
            assert len({json.dumps(row[field], sort_keys=True) for row in rows}) == 1, (profile, field)


def test_held_out_profiles_are_kept_out_of_the_tuning_split() -> None:
    held_out = {p for p, rows in BY_PROFILE.items() if rows[0]["split"] == "held_out"}
    assert len(held_out) >= 40
    assert {f"H{n:02d}" for n in range(7, 49)} <= held_out


@pytest.mark.parametrize("profile", sorted(BY_PROFILE))
def test_hand_written_lists_agree_with_the_catalogue_rules_on_the_gold_facts(profile: str) -> None:
    """If a rule or entry changes, the lists must be worked out again by hand (docs/finder.md)."""
    row = BY_PROFILE[profile][0]
    gold = cast(dict[str, object], row["facts"])
    found = find_matches(CATALOGUE, _gold_facts(gold), _gold_filters(row))
    assert sorted(m.entry.id for m in found) == sorted(_expected(row))


@pytest.mark.parametrize("profile", sorted(p for p, rows in BY_PROFILE.items() if "not_listed" in rows[0]))
def test_every_entry_is_either_expected_ruled_out_by_a_named_rule_or_filtered(profile: str) -> None:
    row = BY_PROFILE[profile][0]
    expected = set(_expected(row))
    ruled_out = cast(dict[str, str], row["not_listed"])
    shown = {entry.id for entry in CATALOGUE.entries if passes_filters(entry, _gold_filters(row))}
    assert not expected & set(ruled_out)
    assert expected | set(ruled_out) == shown
    assert all(reason.strip() for reason in ruled_out.values())


def test_the_rule_check_reports_a_listed_entry_whose_rule_fails() -> None:
    finder = Finder(CATALOGUE, FactMemory())
    reply = finder.answer(FinderRequest(text="I'm 30."))
    assert _failing(CATALOGUE, reply) == []
    voucher = CATALOGUE.get("elderly-health-care-voucher")
    smuggled = replace(reply, matches=(*reply.matches, Match(voucher, ())))
    assert _failing(CATALOGUE, smuggled) == ["elderly-health-care-voucher"]


def test_the_benchmark_counts_distinct_profiles_not_texts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = BY_PROFILE["A01"] + BY_PROFILE["H13"]
    path = tmp_path / "profiles.jsonl"
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    results = run(path)
    assert results["profiles"] == {"all": 2, "held_out": 1, "tune": 1}
    assert results["texts"] == 8
    assert results["listed_results_satisfying_rules"] == 1.0
    print_table(results)
    printed = capsys.readouterr().out
    assert "2 distinct profiles (8 texts, four forms each): 1 tuning, 1 held out" in printed
    assert "listed results whose rules are all met or unknown: 100%" in printed
