"""A finder request end to end over a real SQLite audit log: session memory, replies, audit events."""

from __future__ import annotations

import copy
import json
import pickle
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from kaifong.governance.guards import load_guards
from kaifong.services import Services, build_services
from kaifong.store.tables import audit_events
from kaifong.tools.finder.catalogue import default_catalogue
from kaifong.tools.finder.facts import Facts, Problem
from kaifong.tools.finder.finder import Finder, FinderInputError, FinderRequest
from kaifong.tools.finder.memory import FactMemory
from kaifong.tools.finder.present import fact_lines, problem_text, reply_view
from tests.conftest import make_settings


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    built = build_services(make_settings(tmp_path, load_bundled_knowledge=False))
    yield built
    built.close()


@pytest.fixture
def finder(services: Services) -> Finder:
    crisis = load_guards(["crisis"])[0]
    return Finder(default_catalogue(), FactMemory(), services.audit, crisis=crisis, max_chars=2000)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_memory_expires_evicts_and_forgets() -> None:
    clock = Clock()
    memory = FactMemory(ttl=60, max_sessions=2, clock=clock)
    memory.remember("a", Facts(age=68))
    clock.now = 59
    assert memory.recall("a") == Facts(age=68)  # renews the time to live
    clock.now = 118
    assert memory.recall("a") is not None
    clock.now = 179
    assert memory.recall("a") is None
    memory.remember("b", Facts(age=1))
    memory.remember("c", Facts(age=2))
    memory.remember("d", Facts(age=3))
    assert memory.recall("b") is None and len(memory) == 2
    assert memory.forget("c") and not memory.forget("c")


def test_memory_is_never_pickled_or_copied() -> None:
    memory = FactMemory()
    memory.remember("a", Facts(age=68))
    with pytest.raises(TypeError):
        pickle.dumps(memory)
    with pytest.raises(TypeError):
        copy.deepcopy(memory)
    assert "68" not in repr(memory)


def test_a_session_keeps_facts_and_reports_changes(finder: Finder) -> None:
    first = finder.answer(FinderRequest(text="我六十八歲，住咗香港十年，獨居"))
    assert first.form == "yue-Hant" and first.facts.age == 68
    second = finder.answer(FinderRequest(text="其實我七十歲，住喺觀塘", session_id=first.session_id))
    assert second.session_id == first.session_id
    assert (second.facts.age, second.facts.residence_years, second.facts.district) == (70, 10, "kwun-tong")
    assert second.updated == (("age", 68, 70),)
    view = reply_view(second)
    assert view["updated"][0]["text"] == "已經更新你幾多歲：68 → 70"
    assert view["filters"]["district"] == {"id": "kwun-tong", "name": "觀塘區"}  # "near me" from where I live
    assert "old-age-allowance" in [r["id"] for r in view["results"]]  # 70 now


def test_forget_drops_the_facts(finder: Finder) -> None:
    first = finder.answer(FinderRequest(text="I'm 45 and unemployed"))
    forgotten = finder.answer(FinderRequest(session_id=first.session_id, forget=True))
    assert forgotten.facts.is_empty()
    assert finder.memory.recall(first.session_id) is None


def test_an_expired_session_starts_again_and_says_so(finder: Finder) -> None:
    reply = finder.answer(FinderRequest(text="I'm 45", session_id="not-a-session"))
    assert reply.session_expired and reply.session_id != "not-a-session"
    view = reply_view(reply)
    assert view["problems"][0]["code"] == "session_expired"


def test_results_explain_rules_missing_facts_and_the_department_decides(finder: Finder) -> None:
    view = reply_view(finder.answer(FinderRequest(text="I'm 68, lived in Hong Kong 10 years, live alone")))
    oala = next(r for r in view["results"] if r["id"] == "old-age-living-allowance")
    assert oala["status"] == "may_fit"
    assert [m["fact"] for m in oala["missing"]] == ["monthly_income", "assets", "benefits"]
    outcomes = {rule["id"]: rule["outcome"] for rule in oala["rules"]}
    assert outcomes == {"age": "met", "residence": "met", "income": "unknown", "assets": "unknown"} | {
        "no-other-allowance": "unknown"
    }
    income = next(rule for rule in oala["rules"] if rule["id"] == "income")
    assert income["as_of"] == "2024-02-01" and income["source"].startswith("https://")
    assert oala["apply"]["url"].startswith("https://")
    assert "department decides" in view["messages"]["decides"]
    assert "old-age-allowance" not in [r["id"] for r in view["results"]]  # 68 < 70


def test_simplified_text_gets_a_simplified_reply(finder: Finder) -> None:
    view = reply_view(finder.answer(FinderRequest(text="我今年五十岁，失业，住在观塘")))
    assert view["language"] == "zh-Hans"
    assert "年龄：50岁" in [u["text"] for u in view["understood"]]
    assert view["filters"]["district"]["name"] == "观塘区"
    erb = next(r for r in view["results"] if r["id"] == "erb-placement-tied-courses")
    assert erb["name"] == "雇员再培训局就业挂钩课程" and erb["status"] == "fits"


def test_problems_come_in_the_residents_language(finder: Finder) -> None:
    view = reply_view(finder.answer(FinderRequest(text="我住喺火星區，我200歲")))
    messages = [p["message"] for p in view["problems"]]
    assert any("「火星」" in m and "觀塘區" in m for m in messages)
    assert any("200唔係可能嘅年紀" in m for m in messages)
    nothing = reply_view(finder.answer(FinderRequest(text="hello there")))
    assert nothing["problems"][0]["code"] == "nothing_understood"


def test_bad_requests_are_refused_before_anything_is_kept(finder: Finder) -> None:
    with pytest.raises(FinderInputError) as caught:
        finder.answer(FinderRequest(text="x" * 2001))
    assert caught.value.reason == "finder.error.too_long"
    with pytest.raises(FinderInputError):
        finder.answer(FinderRequest())
    with pytest.raises(FinderInputError):
        finder.answer(FinderRequest(text="I'm 40", kind="houses"))
    assert len(finder.memory) == 0


def test_a_person_in_crisis_gets_the_crisis_reply_not_a_list(finder: Finder) -> None:
    reply = finder.answer(FinderRequest(text="I want to kill myself, I'm 45 and unemployed"))
    view = reply_view(reply)
    assert view["status"] == "signposted_crisis" and view["results"] == []
    assert "18111" in view["messages"]["crisis"]


def _leaves(value: object) -> Iterator[object]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def test_audit_events_carry_ids_and_rule_ids_never_values(finder: Finder, services: Services) -> None:
    reply = finder.answer(FinderRequest(text="我六十八歲，月入一萬二，住喺旺角", facts={"assets": 123456}))
    with services.engine.connect() as conn:
        row = conn.execute(select(audit_events).where(audit_events.c.kind == "finder_answered")).one()
    payload = json.loads(row.payload)
    assert payload["listed"] == [m.entry.id for m in reply.matches]
    assert payload["rules_met"]["elderly-health-care-voucher"] == ["age"]
    assert set(payload["facts_stated"]) == {"age", "monthly_income", "district", "assets"}
    assert payload["session"] != reply.session_id
    leaves = list(_leaves(payload))
    for value in (68, 12000, 123456, "旺角", "yau-tsim-mong", reply.session_id):
        assert value not in leaves, value
    assert "旺角" not in row.payload and "yau-tsim-mong" not in row.payload
    assert payload["filters"]["district"] is True
    assert services.audit.verify().ok


def test_facts_and_problems_in_words() -> None:
    facts = Facts(
        age=70,
        monthly_income=12000,
        employment="retired",
        education="primary",
        receives=frozenset({"oaa"}),
        not_receiving=frozenset({"cssa"}),
        carer=False,
        district="kwun-tong",
    )
    lines = {line["text"] for line in fact_lines(facts, "en")}
    assert {"Age: 70", "Monthly income: HK$12,000", "Work: retired", "Education: primary"} <= lines
    assert {"Receives: Old Age Allowance", "Does not receive: CSSA", "District: Kwun Tong"} <= lines
    assert "Does not look after an older person" in lines
    assert "冇拎：綜援" in {line["text"] for line in fact_lines(facts, "yue-Hant")}
    assert "每月入息：12,000港元" in {line["text"] for line in fact_lines(facts, "zh-Hant")}
    unknown = problem_text(Problem("unknown_language", "language", ("Klingon",)), "zh-Hans")
    assert "Klingon" in unknown and "英语" in unknown
    invalid = problem_text(Problem("invalid_value", "household_size", ("abc",)), "en")
    assert invalid.startswith("We could not read “abc” as how many people live in your household")
    ambiguous = problem_text(Problem("district_ambiguous", "district", ("sha-tin", "tuen-mun")), "en")
    assert "Sha Tin, Tuen Mun" in ambiguous


def test_the_api_reply_for_a_group_and_unlisted_limits(finder: Finder) -> None:
    view = reply_view(finder.answer(FinderRequest(text="I'm 40 and unemployed", form="en")))
    cheer = next(r for r in view["results"] if r["id"] == "cheer-ethnic-minorities")
    assert cheer["for_a_group"] and cheer["missing"][0]["fact"] == "ethnic_minority"
    assert view["results"][-1]["for_a_group"]  # groups come last
    yes = reply_view(finder.answer(FinderRequest(text="I'm 20", district="Mong Kok", kind="course")))
    entry = next(r for r in yes["results"] if r["id"] == "youth-employment-start")
    assert entry["districts"] == ["Kwai Tsing", "Yau Tsim Mong"]


@pytest.mark.parametrize("text", ["I'm 45 and I don't get any allowance", "我45歲，我冇攞任何津貼"])
def test_a_negated_allowance_hides_neither_courses_nor_services(text: str) -> None:
    reply = Finder(default_catalogue(), FactMemory()).answer(FinderRequest(text=text))
    kinds = {match.entry.kind for match in reply.matches}
    assert reply.filters.kind is None
    assert kinds == {"service", "course"}


def test_facts_of_an_abandoned_session_are_dropped_without_another_visit() -> None:
    now = [1000.0]
    memory = FactMemory(ttl=60, clock=lambda: now[0], sweep_every=0.01)
    memory.remember("abandoned", Facts(age=68))
    assert "1 sessions" in repr(memory)
    now[0] += 61  # nobody calls the memory again
    for _ in range(2000):  # wait for the background sweep (at most ~20 s; not a timing claim)
        if "0 sessions" in repr(memory):
            break
        time.sleep(0.01)
    assert "0 sessions" in repr(memory)
    assert memory.sweep() == 0
