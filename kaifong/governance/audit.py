"""The append-only, hash-chained audit log: one event per pipeline step, signed checkpoints, a verifier."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, func, select

from kaifong.governance.signing import Signer, verify_signature
from kaifong.store.tables import audit_checkpoints, audit_events

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


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement of the log's head: event ``seq`` has hash ``head``."""

    seq: int
    ts: float
    head: str
    key_id: str
    signature: str

    def message(self) -> bytes:
        """The bytes that are signed."""
        return canonical({"seq": self.seq, "ts": self.ts, "head": self.head, "key_id": self.key_id}).encode()

    def as_dict(self, public_key: str) -> dict[str, object]:
        """The printable form, with the public key a verifier needs."""
        return {
            "seq": self.seq,
            "ts": self.ts,
            "head": self.head,
            "key_id": self.key_id,
            "public_key": public_key,
            "signature": self.signature,
        }


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
            # driver-level SQL: this runs on every answer
            last = conn.exec_driver_sql(
                "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1"
            ).first()
            seq, prev = (int(last[0]), str(last[1])) if last is not None else (0, GENESIS)
            rows = []
            for event in batch:
                seq += 1
                ts = time.time()
                payload = canonical(event.payload)
                digest = event_hash(prev, seq, ts, event.request_id, event.kind, payload)
                rows.append((seq, ts, event.request_id, event.kind, payload, prev, digest))
                prev = digest
            if rows:
                conn.exec_driver_sql(
                    "INSERT INTO audit_events (seq, ts, request_id, kind, payload, prev_hash, hash) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
        return seq

    def count(self) -> int:
        """How many events the log holds."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(audit_events)).scalar_one())

    def checkpoint(self, signer: Signer) -> Checkpoint:
        """Sign the current head of the log and keep the checkpoint (one per head)."""
        with self._lock, self.engine.begin() as conn:
            last = conn.execute(
                select(audit_events.c.seq, audit_events.c.hash).order_by(audit_events.c.seq.desc()).limit(1)
            ).first()
            seq, head = (int(last.seq), str(last.hash)) if last is not None else (0, GENESIS)
            kept = conn.execute(select(audit_checkpoints).where(audit_checkpoints.c.seq == seq)).first()
            if kept is not None and kept.key_id == signer.key_id:
                return Checkpoint(kept.seq, kept.ts, kept.head, kept.key_id, kept.signature)
            unsigned = Checkpoint(seq, time.time(), head, signer.key_id, "")
            signed = Checkpoint(seq, unsigned.ts, head, signer.key_id, signer.sign(unsigned.message()))
            conn.execute(audit_checkpoints.delete().where(audit_checkpoints.c.seq == seq))
            conn.execute(
                audit_checkpoints.insert().values(
                    seq=seq, ts=signed.ts, head=head, key_id=signed.key_id, signature=signed.signature
                )
            )
        return signed

    def verify(self, public_key: str | None = None) -> Verification:
        """Walk the chain, then the checkpoints; the first changed, deleted, inserted or reordered event
        is named by its sequence number. With ``public_key`` every checkpoint's signature is checked too,
        so a log rewritten from an old point with recomputed hashes is still caught."""
        prev, expected_seq, count = GENESIS, 1, 0
        heads: dict[int, str] = {0: GENESIS}
        with self.engine.connect() as conn:
            for row in conn.execute(select(audit_events).order_by(audit_events.c.seq)):
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
                    return Verification(
                        False, count, row.seq, "its content does not match its hash (changed)"
                    )
                prev, expected_seq = row.hash, expected_seq + 1
                heads[row.seq] = row.hash
            checkpoints = conn.execute(select(audit_checkpoints).order_by(audit_checkpoints.c.seq)).all()
        for cp in checkpoints:
            if cp.seq not in heads:
                return Verification(
                    False, count, cp.seq, f"a checkpoint covers event {cp.seq}; the log ends earlier"
                )
            if heads[cp.seq] != cp.head:
                return Verification(False, count, cp.seq, "the signed checkpoint no longer matches the log")
            checkpoint = Checkpoint(cp.seq, cp.ts, cp.head, cp.key_id, cp.signature)
            if public_key is not None and not verify_signature(
                public_key, checkpoint.message(), cp.signature
            ):
                return Verification(
                    False, count, cp.seq, "the checkpoint's signature is not valid for this key"
                )
        return Verification(True, count)
