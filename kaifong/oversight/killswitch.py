"""The kill switch (GOV-08): while operators have it on, every question gets a canned reply and a human route.

The switch is one row in the database, so every replica and the CLI see the same state. ``is_engaged`` is
read at the start of every request (one primary-key lookup; ``benchmarks/kill_switch.py`` measures it
beside the whole answer), so flipping it takes effect on the next question, with no cache to expire.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine

from kaifong.governance import pii
from kaifong.governance.audit import AuditLog, Event
from kaifong.governance.sanitise import strip_invisible
from kaifong.oversight.errors import BadReason
from kaifong.oversight.people import checked_name
from kaifong.store.tables import kill_switch

#: The status of every answer while the switch is on (an ``escalated_<reason>`` status: a case is queued).
KILL_SWITCH_STATUS = "escalated_kill_switch"
MAX_REASON_CHARS = 500
_ROW = 1


def iso(timestamp: float | None) -> str | None:
    """A UTC ISO-8601 time to the second, or None."""
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class KillSwitchState:
    """The switch: on or off, why (redacted), who changed it last and when."""

    engaged: bool
    reason: str = ""
    changed_by: str = ""
    changed_at: float | None = None

    def public(self) -> dict[str, object]:
        """What residents may see (/transparency, /healthz): on or off and since when; not who or why."""
        return {"on": self.engaged, "since": iso(self.changed_at)}

    def as_dict(self) -> dict[str, object]:
        """Everything, for operators (``kaifong killswitch status --json``)."""
        return {
            "on": self.engaged,
            "reason": self.reason,
            "changed_by": self.changed_by,
            "changed_at": iso(self.changed_at),
        }


def is_engaged(engine: Engine) -> bool:
    """True while answers are paused; one primary-key read (driver-level SQL: it runs on every request)."""
    with engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT engaged FROM kill_switch WHERE id = 1").first()
    return bool(row is not None and row[0])


def _read(conn: Connection) -> KillSwitchState:
    row = conn.execute(kill_switch.select().where(kill_switch.c.id == _ROW)).first()
    if row is None:
        return KillSwitchState(False)
    return KillSwitchState(bool(row.engaged), row.reason, row.changed_by, row.changed_at)


def read_state(engine: Engine) -> KillSwitchState:
    """The switch's full state (off, never changed, when the database has no row yet)."""
    with engine.connect() as conn:
        return _read(conn)


def checked_reason(reason: str) -> str:
    """The reason with invisible characters stripped and personal data redacted, or BadReason."""
    text = strip_invisible(reason).strip()
    if not text:
        raise BadReason('give a reason (--reason "…"): it goes into the audit log with the change')
    if len(text) > MAX_REASON_CHARS:
        raise BadReason(f"the reason is {len(text)} characters long; keep it under {MAX_REASON_CHARS}")
    return pii.redact(text).text


def flip(
    engine: Engine, audit: AuditLog, *, engaged: bool, reason: str, operator: str
) -> tuple[KillSwitchState, KillSwitchState]:
    """Set the switch and append a ``kill_switch`` audit event in one transaction: (before, after).

    Raises BadReason or BadName before anything is written. Setting the state it already has is still
    recorded (the reason may have changed, and the log shows every use of the switch).
    """
    text = checked_reason(reason)
    name = checked_name(operator, "operator")
    with engine.begin() as conn:
        before = _read(conn)
        after = KillSwitchState(engaged, text, name, time.time())
        values = {
            "engaged": int(engaged),
            "reason": text,
            "changed_by": name,
            "changed_at": after.changed_at,
        }
        updated = conn.execute(kill_switch.update().where(kill_switch.c.id == _ROW).values(**values))
        if updated.rowcount == 0:
            conn.execute(kill_switch.insert().values(id=_ROW, **values))
        payload: dict[str, object] = {
            "engaged": engaged,
            "was_engaged": before.engaged,
            "operator": name,
            "reason": text,
        }
        audit.append([Event(uuid.uuid4().hex, "kill_switch", payload)], conn)
    return before, after
