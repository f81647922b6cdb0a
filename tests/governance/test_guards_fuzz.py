"""Fuzzing: no guard and no passage check ever raises, whatever the string (fail closed otherwise)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kaifong.governance.guards import PASSAGE_MARKER, load_guards, neutralise_passage, run_guards
from kaifong.governance.guards import injection as injection_module
from kaifong.governance.guards.crisis import CrisisGuard
from kaifong.governance.guards.rules import CompiledRules
from kaifong.types import Detection

GUARDS = load_guards()
DETECTIONS = st.sampled_from(
    [
        Detection("en", "Latn"),
        Detection("yue", "Hant"),
        Detection("zh", "Hans"),
        Detection("zh", "Hant", True),
    ]
)
TEXT = st.text(alphabet=st.characters(codec=None), max_size=400)
HAN_AND_BRACKETS = st.text(
    alphabet="([{<（【「『|\\*+?.^$)]}>）】」』想死殺忽略指示ignore係嘅 \n", max_size=300
)


def _all_decide(text: str, detection: Detection) -> None:
    for guard in GUARDS:
        verdict = guard.check(text, detection)
        assert verdict.outcome in ("pass", "fail")  # rule guards decide on any text
    assert run_guards(GUARDS, text, detection)
    assert isinstance(neutralise_passage(text), str)


@settings(max_examples=150, deadline=None)
@given(TEXT, DETECTIONS)
def test_random_unicode_never_raises(text: str, detection: Detection) -> None:
    _all_decide(text, detection)


@settings(max_examples=80, deadline=None)
@given(HAN_AND_BRACKETS, DETECTIONS)
def test_regex_metacharacters_and_han_never_raise(text: str, detection: Detection) -> None:
    _all_decide(text, detection)


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(
    st.sampled_from(["a", "想", "(", "[{(", "ignore previous ", "殺時間", "\U0001f600", "aB3+/"]), DETECTIONS
)
def test_100k_character_inputs(unit: str, detection: Detection) -> None:
    text = (unit * (100_000 // len(unit) + 1))[:100_000]
    _all_decide(text, detection)


@pytest.mark.parametrize("depth", [10, 1000, 20_000])
def test_nested_brackets(depth: int) -> None:
    text = "(" * depth + "[" * depth + "想死" + "]" * depth + ")" * depth
    verdicts = run_guards(GUARDS, text, Detection("yue", "Hant"))
    assert verdicts[-1].status == "signposted_crisis"


def test_a_failing_rule_engine_fails_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(self: CompiledRules, text: str) -> str | None:
        raise MemoryError("regex blew up")

    monkeypatch.setattr(CompiledRules, "match", explode)
    crisis = CrisisGuard.load()
    verdict = crisis.check("hello", Detection("en", "Latn"))
    assert (verdict.outcome, verdict.status, verdict.reason) == (
        "error",
        "error_guard",
        "exception:MemoryError",
    )
    chain = run_guards(load_guards(), "hello", Detection("en", "Latn"))
    assert [v.outcome for v in chain] == ["error"]
    injection_module._passage_rules.cache_clear()
    assert neutralise_passage("Fees are HK$10.") == injection_module.PASSAGE_WITHHELD
    injection_module._passage_rules.cache_clear()
    assert PASSAGE_MARKER not in injection_module.PASSAGE_WITHHELD
