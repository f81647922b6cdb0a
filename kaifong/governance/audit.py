"""The append-only, hash-chained audit log: one event per pipeline step, verifiable end to end."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, func, select

from kaifong.store.tables import audit_events

GENESIS = "0" * 64


@dataclass(frozen=True)
class Event:
    """An audit event before it is chained: ids, verdicts, versions and hashes only — never raw text."""

    request_id: str
    kind: str
    payload: dict[str, object]


@dataclass(frozen=True)
class Verification:
    """The result of checking the chain: ``ok``, how many events, and the first bad one."""

    ok: bool
    count: int
    first_bad_seq: int | None = None
    problem: str = ""


def canonical(payload: Mapping[str, object]) -> str:
    """Canonical JSON (sorted keys, no spaces, UTF-8) so a hash never depends on formatting."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(prev_hash: str, seq: int, ts: float, request_id: str, kind: str, payload: str) -> str:
    """The hash that links an event to the one before it."""
    material = "\x1f".join([prev_hash, str(seq), repr(ts), request_id, kind, payload])
    return hashlib.sha256(material.encode()).hexdigest()


def text_hash(text: str) -> str:
    """A short content hash to put in events instead of the content itself."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class AuditLog:
    """Appends events in order under a lock (one writer per process) and verifies the chain."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()

    def append(self, events: Iterable[Event], conn: Connection | None = None) -> int:
        """Chain and store events; returns the sequence number of the last one.

        With ``conn`` the events join the caller's transaction (so a request's records and its audit
        events commit together, or not at all); otherwise they get a transaction of their own.
        """
        if conn is None:
            with self.engine.begin() as own:
                return self.append(events, own)
        batch = list(events)
        with self._lock:
            last = conn.execute(
                select(audit_events.c.seq, audit_events.c.hash).order_by(audit_events.c.seq.desc()).limit(1)
            ).first()
            seq, prev = (last.seq, last.hash) if last is not None else (0, GENESIS)
            rows = []
            for event in batch:
                seq += 1
                ts = time.time()
                payload = canonical(event.payload)
                digest = event_hash(prev, seq, ts, event.request_id, event.kind, payload)
                rows.append(
                    {
                        "seq": seq,
                        "ts": ts,
                        "request_id": event.request_id,
                        "kind": event.kind,
                        "payload": payload,
                        "prev_hash": prev,
                        "hash": digest,
                    }
                )
                prev = digest
            if rows:
                conn.execute(audit_events.insert(), rows)
        return seq

    def count(self) -> int:
        """How many events the log holds."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(audit_events)).scalar_one())

    def verify(self) -> Verification:
        """Walk the chain; a changed, deleted, inserted or reordered event is named by its sequence number."""
        prev, expected_seq, count = GENESIS, 1, 0
        with self.engine.connect() as conn:
            rows = conn.execute(select(audit_events).order_by(audit_events.c.seq)).all()
        for row in rows:
            count += 1
            if row.seq != expected_seq:
                problem = (
                    f"expected event {expected_seq} but found {row.seq}: an event was deleted or inserted"
                )
                return Verification(False, count, expected_seq, problem)
            if row.prev_hash != prev:
                return Verification(False, count, row.seq, "its link to the previous event is broken")
            digest = event_hash(prev, row.seq, row.ts, row.request_id, row.kind, row.payload)
            if digest != row.hash:
                return Verification(False, count, row.seq, "its content does not match its hash (changed)")
            prev, expected_seq = row.hash, expected_seq + 1
        return Verification(True, count)
