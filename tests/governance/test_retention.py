"""Retention purge with a fake clock: what is due is crypto-shredded and audited, nothing else is touched."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from kaifong.governance import subject_rights
from kaifong.governance.retention import DAY, purge, purge_periodically, start_scheduled_purge
from kaifong.oversight.escalations import StaffDesk, open_case
from kaifong.services import Services, build_services
from kaifong.store.conversations import Turn
from kaifong.store.tables import audit_events, conversations, escalations
from kaifong.web import create_app
from tests.conftest import make_settings


@pytest.fixture
def bare(tmp_path: Path) -> Iterator[Services]:
    built = build_services(make_settings(tmp_path, load_bundled_knowledge=False))
    yield built
    built.close()


def converse(services: Services, turns: int = 1) -> tuple[str, str]:
    with services.engine.begin() as conn:
        new = services.conversations.start(conn, "zh-Hant")
        for n in range(turns):
            services.conversations.add_turn(conn, new.id, Turn(f"問題{n}", "answered", "oala", f"答{n}"))
    return new.id, new.subject_token


def kept(services: Services) -> set[str]:
    with services.engine.connect() as conn:
        return {r.id for r in conn.execute(select(conversations.c.id))}


def purge_events(services: Services) -> list[dict[str, object]]:
    with services.engine.connect() as conn:
        rows = conn.execute(select(audit_events.c.payload).where(audit_events.c.kind == "retention_purge"))
        return [json.loads(r.payload) for r in rows]


def test_nothing_is_due_before_the_period_ends(bare: Services) -> None:
    converse(bare)
    report = purge(bare, now=time.time() + 29 * DAY)
    assert (report.conversations, report.removed_anything) == (0, False)
    assert purge_events(bare) == []


def test_a_dry_run_counts_and_changes_nothing(bare: Services) -> None:
    first, _ = converse(bare, turns=2)
    second, _ = converse(bare)
    report = purge(bare, now=time.time() + 31 * DAY, dry_run=True)
    assert (report.dry_run, report.conversations, report.turns) == (True, 2, 3)
    assert set(report.conversation_ids) == {first, second}
    assert kept(bare) == {first, second} and purge_events(bare) == []


def test_due_conversations_are_shredded_audited_and_their_tokens_say_expired(bare: Services) -> None:
    conversation_id, token = converse(bare, turns=2)
    now = time.time() + 31 * DAY
    report = purge(bare, now=now)
    assert (report.conversations, report.turns, report.dry_run) == (1, 2, False)
    assert kept(bare) == set()
    with bare.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM conversation_keys")).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM turns")).scalar_one() == 0
    (event,) = purge_events(bare)
    assert event["conversation_ids"] == [conversation_id] and event["turns"] == 2
    assert bare.audit.verify(bare.signer.public_key).ok
    with pytest.raises(subject_rights.SubjectTokenRejected) as rejected:
        subject_rights.export(bare, token, "test")
    assert rejected.value.reason == "expired"
    # the token's hash is forgotten one more period later: then the key is simply unknown
    later = purge(bare, now=now + 31 * DAY)
    assert later.tokens_forgotten == 1 and len(purge_events(bare)) == 2
    with pytest.raises(subject_rights.SubjectTokenRejected) as unknown:
        subject_rights.export(bare, token, "test")
    assert unknown.value.reason == "unknown"


def test_an_open_escalation_holds_its_conversation_and_a_closed_one_expires(bare: Services) -> None:
    held, _ = converse(bare)
    with bare.engine.begin() as conn:
        case = open_case(conn, held, "immigration")
    assert purge(bare, now=time.time() + 400 * DAY).conversations == 0
    StaffDesk(bare.engine, bare.audit, bare.conversations).close("chan.tm", case.case_id)
    soon = purge(bare, now=time.time() + 31 * DAY)  # closed, but staff may still need it
    assert soon.conversations == 0 and kept(bare) == {held}
    report = purge(bare, now=time.time() + 91 * DAY)
    assert (report.conversations, report.escalations) == (1, 1)
    with bare.engine.connect() as conn:
        assert conn.execute(select(escalations)).all() == []


def test_the_scheduled_purge_runs_at_once_then_sleeps_the_interval(bare: Services) -> None:
    converse(bare)
    slept: list[float] = []

    async def stop_after_first_sleep(seconds: float) -> None:
        slept.append(seconds)
        raise asyncio.CancelledError

    future = time.time() + 31 * DAY
    with pytest.raises(asyncio.CancelledError):
        asyncio.run(purge_periodically(bare, 90.0, clock=lambda: future, sleep=stop_after_first_sleep))
    assert slept == [90.0] and kept(bare) == set()


def test_a_failing_scheduled_purge_is_logged_and_the_loop_goes_on(
    bare: Services, caplog: pytest.LogCaptureFixture
) -> None:
    async def stop(_seconds: float) -> None:
        raise asyncio.CancelledError

    def broken_clock() -> float:
        raise RuntimeError("clock failed")

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(purge_periodically(bare, 1.0, clock=broken_clock, sleep=stop))
    assert "retention purge failed: RuntimeError" in caplog.text


def test_the_schedule_is_off_at_zero_and_a_task_otherwise(bare: Services) -> None:
    async def check() -> None:
        bare.settings.retention.purge_interval_minutes = 0
        assert start_scheduled_purge(bare) is None
        bare.settings.retention.purge_interval_minutes = 60
        task = start_scheduled_purge(bare)
        assert task is not None and task.get_name() == "kaifong-retention-purge"
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(check())


@pytest.mark.parametrize(("minutes", "scheduled"), [(60.0, True), (0.0, False)])
def test_the_server_schedules_the_purge_in_its_lifespan_and_stops_it(
    bare: Services, minutes: float, scheduled: bool
) -> None:
    bare.settings.retention.purge_interval_minutes = minutes
    app = create_app(services=bare)
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        task = app.state.retention_purge
        assert (task is not None) == scheduled
        if task is not None:
            assert task.get_name() == "kaifong-retention-purge" and not task.done()
    assert task is None or task.cancelled()
