"""The hash-chained audit log: appends in order, names the first changed/deleted/inserted/moved event."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from kaifong.governance.audit import AuditLog, Event, canonical
from kaifong.store.db import init_schema, make_engine


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    built = make_engine(f"sqlite:///{tmp_path / 'audit.db'}")
    init_schema(built)
    return built


def filled(engine: Engine, n: int = 5) -> AuditLog:
    log = AuditLog(engine)
    log.append(Event("r1", f"step{i}", {"i": i, "verdict": "pass"}) for i in range(n))
    return log


def test_empty_log_verifies(engine: Engine) -> None:
    result = AuditLog(engine).verify()
    assert result.ok and result.count == 0


def test_appends_chain_across_batches(engine: Engine) -> None:
    log = filled(engine, 3)
    assert log.append([Event("r2", "more", {"x": 1})]) == 4
    assert log.verify().ok and log.count() == 4


def test_changed_event_is_named(engine: Engine) -> None:
    log = filled(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET payload = :p WHERE seq = 3"), {"p": canonical({"i": 99})})
    result = log.verify()
    assert not result.ok and result.first_bad_seq == 3 and "changed" in result.problem


def test_deleted_event_is_named(engine: Engine) -> None:
    log = filled(engine)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq = 2"))
    result = log.verify()
    assert not result.ok and result.first_bad_seq == 2


def test_inserted_event_is_detected(engine: Engine) -> None:
    log = filled(engine)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_events (seq, ts, request_id, kind, payload, prev_hash, hash) "
                "VALUES (6, 0, 'x', 'forged', '{}', 'abc', 'def')"
            )
        )
    result = log.verify()
    assert not result.ok and result.first_bad_seq == 6


def test_reordered_events_are_detected(engine: Engine) -> None:
    log = filled(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET seq = 100 WHERE seq = 2"))
        conn.execute(text("UPDATE audit_events SET seq = 2 WHERE seq = 3"))
        conn.execute(text("UPDATE audit_events SET seq = 3 WHERE seq = 100"))
    result = log.verify()
    assert not result.ok and result.first_bad_seq == 2


def test_canonical_json_ignores_key_order() -> None:
    assert canonical({"b": 1, "a": "街坊"}) == canonical({"a": "街坊", "b": 1}) == '{"a":"街坊","b":1}'
