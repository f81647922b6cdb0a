"""The form session and store: one question at a time, back/skip/change/review, finish, erase, audit."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from kaifong.governance.audit import AuditLog
from kaifong.store.db import init_schema, make_engine
from kaifong.store.tables import audit_events
from kaifong.tools.forms.output import FilledForm
from kaifong.tools.forms.schema import bundled_forms
from kaifong.tools.forms.session import FormError, FormSession
from kaifong.tools.forms.store import FormSessionStore
from kaifong.tools.forms.validators import Accepted, Refused

TODAY = date(2026, 11, 22)
OALA_SINGLE = {
    "name_en": "CHAN Tai Man",
    "name_zh": "陳大文",
    "hkid": "A123456(3)",
    "date_of_birth": "一九五八年三月二日",
    "address": "Flat A, 12/F, Sun Court, 1 Nathan Road, Mong Kok",
    "phone": "9123 4567",
    "years_in_hong_kong": "40",
    "days_away_last_year": "0",
    "monthly_income": "三千五百元",
    "total_assets": "HK$120,000",
    "marital_status": "single",
}


def oala() -> FormSession:
    return FormSession(bundled_forms()["oala-application"], "en", "test-session", today=lambda: TODAY)


def answer_all(session: FormSession, answers: dict[str, str]) -> None:
    while (question := session.question()) is not None and question.field.id in answers:
        verdict = session.answer(answers[question.field.id])
        assert not isinstance(verdict, Refused), (question.field.id, verdict)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def fake_pdf(filled: FilledForm) -> bytes:
    """Stands in for the (slow) real renderer in store tests; the real one is tested through the API."""
    return f"%PDF-1.4 {filled.definition.id}".encode()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    built = make_engine(f"sqlite:///{tmp_path / 'kaifong.db'}")
    init_schema(built)
    yield built
    built.dispose()


def audit_text(engine: Engine) -> str:
    with engine.connect() as conn:
        rows = conn.execute(select(audit_events.c.kind, audit_events.c.payload)).all()
    return "\n".join(f"{row.kind} {row.payload}" for row in rows)


def test_questions_come_one_at_a_time_in_order() -> None:
    session = oala()
    first = session.question()
    assert first is not None and first.field.id == "name_en" and first.position == 1
    assert first.total == len(
        [f for f in bundled_forms()["oala-application"].fields if not f.id.startswith("spouse")]
    )
    assert isinstance(session.answer("CHAN Tai Man"), Accepted)
    second = session.question()
    assert second is not None and second.field.id == "name_zh" and second.position == 2


def test_a_refused_answer_keeps_the_question_and_says_how_to_fix_it() -> None:
    session = oala()
    answer_all(session, {"name_en": "CHAN Tai Man", "name_zh": "陳大文"})
    verdict = session.answer("A123456(4)")
    assert isinstance(verdict, Refused) and "check each character" in verdict.message
    question = session.question()
    assert question is not None and question.field.id == "hkid"


def test_optional_questions_can_be_skipped_required_ones_cannot() -> None:
    session = oala()
    with pytest.raises(FormError) as caught:
        session.skip()
    assert caught.value.code == "cannot_skip" and caught.value.status == 422
    session.answer("CHAN Tai Man")
    assert session.answer("") is None  # empty answer to the optional Chinese name skips it
    question = session.question()
    assert question is not None and question.field.id == "hkid"


def test_back_shows_the_earlier_answer_and_stops_at_the_first_question() -> None:
    session = oala()
    with pytest.raises(FormError, match="first_question"):
        session.back()
    answer_all(session, {"name_en": "CHAN Tai Man", "name_zh": "陳大文"})
    session.back()
    question = session.question()
    assert question is not None and question.field.id == "name_zh" and question.current == "陳大文"
    session.answer("陳小文")
    assert session.value("name_zh") == "陳小文"


def test_conditional_section_appears_and_disappears_with_the_answer() -> None:
    session = oala()
    answer_all(session, OALA_SINGLE | {"marital_status": "married"})
    question = session.question()
    assert question is not None and question.field.id == "spouse_name_en"
    total_married = question.total
    answer_all(session, {"spouse_name_en": "WONG Mei Ling", "spouse_hkid": "G123456(A)"})
    session.change("marital_status")
    session.answer("Single")
    assert session.state == "review"
    fields = [item.field.id for item in session.review()]
    assert "spouse_hkid" not in fields and len(fields) == total_married - 4
    session.change("marital_status")
    session.answer("married")
    question = session.question()
    assert question is not None and question.field.id == "spouse_name_en" and question.current is None


def test_review_then_finish_or_be_told_what_is_missing() -> None:
    session = oala()
    answer_all(session, {"name_en": "CHAN Tai Man"})
    session.go_to_review()
    statuses = {item.field.id: item.status for item in session.review()}
    assert (
        statuses["name_en"] == "answered"
        and statuses["name_zh"] == "skipped"
        and statuses["hkid"] == "missing"
    )
    with pytest.raises(FormError) as caught:
        session.filled()
    assert caught.value.code == "incomplete" and caught.value.status == 409
    assert "Your identity card number" in caught.value.message("en")
    with pytest.raises(FormError, match="not_asking"):
        session.answer("x")
    session.change("hkid")
    answer_all(session, OALA_SINGLE)
    assert session.state == "review"
    filled = session.filled()
    shown = {entry.field_id: entry.shown for entry in filled.entries}
    assert shown["date_of_birth"] == "1958-03-02" and shown["monthly_income"] == "HK$3,500.00"
    assert filled.as_json()["answers"]["phone"] == "+852 9123 4567"  # type: ignore[index]


def test_change_refuses_a_question_that_does_not_apply() -> None:
    session = oala()
    with pytest.raises(FormError) as caught:
        session.change("spouse_hkid")
    assert caught.value.code == "unknown_field" and "spouse_hkid" in caught.value.message("en")


def test_closing_erases_every_value() -> None:
    session = oala()
    answer_all(session, OALA_SINGLE)
    assert session.value("hkid") == "A123456(3)"
    session.close()
    assert session.value("hkid") is None and session.state == "finished"
    assert "A123456" not in repr(session) and "CHAN" not in repr(session)
    with pytest.raises(FormError, match="form_finished"):
        session.filled()


def test_store_finish_gives_one_time_downloads_and_audits_ids_only(engine: Engine) -> None:
    store = FormSessionStore(bundled_forms(), AuditLog(engine), today=lambda: TODAY, renderer=fake_pdf)
    session = store.start("oala-application", "zh-Hant")
    for field_id, raw in OALA_SINGLE.items():
        question = session.question()
        assert question is not None and question.field.id == field_id
        if field_id == "name_zh":
            store.skip(session)
            continue
        store.answer(session, "A123456(4)" if field_id == "hkid" else raw)
        if field_id == "hkid":
            store.answer(session, raw)
    tokens = store.finish(session)
    assert set(tokens) == {"pdf", "json"} and len(store) == 0
    with pytest.raises(FormError, match="unknown_session"):
        store.get(session.id)
    pdf = store.download(tokens["pdf"])
    assert pdf.content.startswith(b"%PDF") and pdf.filename == "oala-application-2026-11-22.pdf"
    data = store.download(tokens["json"])
    assert '"hkid": "A123456(3)"' in data.content.decode()
    with pytest.raises(FormError) as caught:
        store.download(tokens["pdf"])
    assert caught.value.status == 410 and "only once" in caught.value.message("en")
    log = audit_text(engine)
    for kind in ("form_started", "form_answered", "form_skipped", "form_finished", "form_downloaded"):
        assert kind in log
    assert '"verdict":"hkid_check"' in log
    for value in ("A123456", "CHAN", "陳大文", "Nathan", "9123", "1958", "3500", "120000", session.id):
        assert value not in log, value
    assert AuditLog(engine).verify().ok


def test_idle_sessions_expire_and_their_values_are_erased(engine: Engine) -> None:
    clock = Clock()
    store = FormSessionStore(bundled_forms(), AuditLog(engine), clock=clock, ttl=60, renderer=fake_pdf)
    session = store.start("hcv-consent", "yue-Hant")
    store.answer(session, "CHAN Tai Man")
    clock.now += 61
    with pytest.raises(FormError) as caught:
        store.get(session.id)
    assert caught.value.status == 404 and "1 分鐘" in caught.value.message("yue-Hant")
    assert session.value("name_en") is None
    assert '"by":"expired"' in audit_text(engine)


def test_erase_and_unknown_things(engine: Engine) -> None:
    store = FormSessionStore(bundled_forms(), AuditLog(engine), renderer=fake_pdf)
    with pytest.raises(FormError) as caught:
        store.start("no-such-form", "en")
    assert caught.value.status == 404 and "no-such-form" in caught.value.message("en")
    session = store.start("erb-course-application", "zh-Hans")
    store.answer(session, "EC123AB")
    with pytest.raises(FormError, match="unknown_session"):
        store.get(session.id, form_id="hcv-consent")
    store.erase(session.id)
    assert session.value("course_code") is None
    with pytest.raises(FormError, match="unknown_session"):
        store.erase(session.id)
    with pytest.raises(FormError) as unknown:
        store.download("not-a-token")
    assert unknown.value.status == 404
    assert '"by":"resident"' in audit_text(engine)


def test_downloads_expire(engine: Engine) -> None:
    clock = Clock()
    store = FormSessionStore(bundled_forms(), None, clock=clock, download_ttl=60, renderer=fake_pdf)
    session = store.start("hkid-replacement-appointment", "en")
    for raw in (
        "CHAN Tai Man",
        "",
        "A123456(3)",
        "2/3/1958",
        "damaged",
        "kowloon",
        "1/12/2026",
        "",
        "91234567",
    ):
        store.answer(session, raw)
    tokens = store.finish(session)
    clock.now += 61
    with pytest.raises(FormError, match="download_unknown"):
        store.download(tokens["json"])


def test_the_oldest_session_is_evicted_beyond_the_limit() -> None:
    store = FormSessionStore(bundled_forms(), max_sessions=2, renderer=fake_pdf)
    first = store.start("hcv-consent", "en")
    store.answer(first, "CHAN Tai Man")
    store.start("hcv-consent", "en")
    store.start("hcv-consent", "en")
    assert len(store) == 2 and first.value("name_en") is None


def _until(done: Callable[[], bool]) -> bool:
    """Wait (at most ~20 s, not a timing claim) for the background sweep to have happened."""
    for _ in range(2000):
        if done():
            return True
        time.sleep(0.01)
    return done()


def test_a_form_abandoned_half_way_is_erased_without_another_visit(engine: Engine) -> None:
    clock = Clock()
    store = FormSessionStore(
        bundled_forms(), AuditLog(engine), clock=clock, ttl=60, renderer=fake_pdf, sweep_every=0.01
    )
    session = store.start("hcv-consent", "en")
    store.answer(session, "CHAN Tai Man")
    assert session.value("name_en") == "CHAN Tai Man"
    clock.now += 61  # the resident has gone; nobody calls the store again
    assert _until(lambda: session.value("name_en") is None)
    assert len(store) == 0
    assert _until(lambda: not store._sweeper.running)  # nothing held: the timer stops by itself
    assert '"by":"expired"' in audit_text(engine)


def test_sweep_erases_what_has_expired_and_keeps_the_rest(engine: Engine) -> None:
    clock = Clock()
    store = FormSessionStore(bundled_forms(), clock=clock, ttl=60, renderer=fake_pdf, sweep_every=0)
    old = store.start("hcv-consent", "en")
    store.answer(old, "CHAN Tai Man")
    clock.now += 30
    young = store.start("hcv-consent", "en")
    clock.now += 31
    assert store.sweep() == 1
    assert old.state == "finished" and old.value("name_en") is None
    assert store.get(young.id) is young
