"""The escalation queue: cases for staff (open → claimed → closed), each holding redacted text only.

A case is opened when a turn ends with an ``escalated_<reason>`` status (``open_case``, inside the turn's
own transaction) or when the resident asks to talk to a person (``request_person``). A conversation has at
most one case that is not closed: asking again adds to it. Staff read and change cases through
``StaffDesk``, and every read is a ``staff_access`` audit event written before the text is handed over.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import Connection, Engine, Row, select

from kaifong.errors import UnknownConversation
from kaifong.governance import pii
from kaifong.governance.audit import AuditLog, Event, text_hash
from kaifong.governance.sanitise import strip_invisible
from kaifong.oversight.errors import CaseConflict, NoteTooLong, UnknownCase
from kaifong.oversight.killswitch import iso
from kaifong.oversight.people import checked_name
from kaifong.store.conversations import ConversationStore, Turn
from kaifong.store.tables import conversations, escalations

#: The reason of a case the resident asked for ("talk to a person").
RESIDENT_REQUEST = "resident_request"
STATUSES: tuple[str, ...] = ("open", "claimed", "closed")
#: The cases staff still have to deal with (the default of ``StaffDesk.list``).
ACTIVE: tuple[str, ...] = ("open", "claimed")
MAX_NOTE_CHARS = 1000
#: How many of a conversation's turns ``StaffDesk.show`` hands over, newest last.
MAX_TURNS = 200


@dataclass(frozen=True)
class Case:
    """One escalation: which conversation, why, where it stands, who has it."""

    id: int
    conversation_id: str
    reason: str
    status: str
    note: str
    staff_id: str
    created_at: float
    updated_at: float

    @classmethod
    def from_row(cls, row: Row[tuple[object, ...]], note: str = "") -> Case:
        """A Case from an ``escalations`` row; the stored note is sealed, so the opened one is passed in
        (left empty where the note is not read)."""
        m = row._mapping
        return cls(
            int(m["id"]),
            str(m["conversation_id"]),
            str(m["reason"]),
            str(m["status"]),
            note,
            str(m["staff_id"]),
            float(m["created_at"]),
            float(m["updated_at"]),
        )

    def as_dict(self) -> dict[str, object]:
        """The JSON shape staff tools print."""
        return {
            "id": self.id,
            "conversation_id": self.conversation_id,
            "reason": self.reason,
            "status": self.status,
            "note": self.note,
            "staff_id": self.staff_id,
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
        }


@dataclass(frozen=True)
class Opened:
    """The case a request was queued in; ``new`` is False when it joined a case already waiting.

    ``status`` is the case's (open, or claimed when staff already have it); ``redacted`` the kinds of
    personal data removed from the resident's note.
    """

    case_id: int
    reason: str
    new: bool
    status: str = "open"
    redacted: tuple[str, ...] = ()

    def payload(self, source: str, **extra: object) -> dict[str, object]:
        """The ``escalation_opened`` audit event's payload (ids and codes only)."""
        return {"case_id": self.case_id, "reason": self.reason, "new": self.new, "source": source, **extra}


@dataclass(frozen=True)
class CaseFile:
    """What ``StaffDesk.show`` hands a member of staff: the case and the conversation's redacted turns."""

    case: Case
    turns: list[Turn]

    def as_dict(self) -> dict[str, object]:
        """The JSON shape staff tools print."""
        return self.case.as_dict() | {
            "turns": [
                {"question": t.question, "status": t.status, "topic": t.topic, "answer": t.answer}
                for t in self.turns
            ]
        }


def open_case(conn: Connection, conversation_id: str, reason: str) -> Opened:
    """Queue ``conversation_id`` for staff inside the caller's transaction ``conn``.

    When the conversation has a case that is not closed, no second case is opened: that one is returned.
    """
    now = time.time()
    waiting = conn.execute(
        select(escalations.c.id, escalations.c.reason, escalations.c.status)
        .where(escalations.c.conversation_id == conversation_id, escalations.c.status.in_(ACTIVE))
        .order_by(escalations.c.id)
        .limit(1)
    ).first()
    if waiting is not None:
        conn.execute(escalations.update().where(escalations.c.id == waiting.id).values(updated_at=now))
        return Opened(int(waiting.id), str(waiting.reason), new=False, status=str(waiting.status))
    inserted = conn.execute(
        escalations.insert().values(
            conversation_id=conversation_id,
            reason=reason,
            status="open",
            note="",
            staff_id="",
            created_at=now,
            updated_at=now,
        )
    )
    key = inserted.inserted_primary_key
    assert key is not None
    return Opened(int(key[0]), reason, new=True)


def add_note(
    conn: Connection, store: ConversationStore, opened: Opened, conversation_id: str, note: str
) -> None:
    """Append ``note`` (already redacted) to the case's note, sealed with the conversation's key."""
    if not note:
        return
    stored = conn.execute(select(escalations.c.note).where(escalations.c.id == opened.case_id)).scalar_one()
    earlier = store.open_note(conn, conversation_id, opened.case_id, str(stored))
    combined = "\n".join(n for n in (earlier, note) if n)
    sealed = store.seal_note(conn, conversation_id, opened.case_id, combined)
    conn.execute(escalations.update().where(escalations.c.id == opened.case_id).values(note=sealed))


def redacted_note(note: str | None) -> pii.Redaction:
    """The resident's note with invisible characters stripped and personal data redacted, or NoteTooLong."""
    text = strip_invisible(note or "").strip()
    if len(text) > MAX_NOTE_CHARS:
        raise NoteTooLong(len(text), MAX_NOTE_CHARS)
    return pii.redact(text) if text else pii.Redaction("", ())


def request_person(
    engine: Engine,
    audit: AuditLog,
    store: ConversationStore,
    conversation_id: str,
    note: str | None = None,
) -> Opened:
    """The resident's "talk to a person": queue the conversation (with the note, redacted) and audit it.

    The case and its ``escalation_opened`` event commit together. Raises NoteTooLong, or
    UnknownConversation for a conversation this server does not hold, before anything is written.
    """
    redaction = redacted_note(note)
    with engine.begin() as conn:
        known = conn.execute(select(conversations.c.id).where(conversations.c.id == conversation_id)).first()
        if known is None:
            raise UnknownConversation(conversation_id)
        opened = open_case(conn, conversation_id, RESIDENT_REQUEST)
        add_note(conn, store, opened, conversation_id, redaction.text)
        payload = opened.payload(
            "resident",
            conversation_id=conversation_id,
            note_hash=text_hash(redaction.text) if redaction.text else "",
            redacted=list(redaction.kinds),
        )
        audit.append([Event(uuid.uuid4().hex, "escalation_opened", payload)], conn)
    return replace(opened, redacted=redaction.kinds)


class StaffDesk:
    """Staff reads and changes of the queue; every read and every change is an audit event."""

    def __init__(self, engine: Engine, audit: AuditLog, conversations: ConversationStore) -> None:
        self.engine = engine
        self.audit = audit
        self.conversations = conversations

    def _log(self, kind: str, conn: Connection, **payload: object) -> None:
        self.audit.append([Event(uuid.uuid4().hex, kind, payload)], conn)

    def list(self, staff: str, statuses: Sequence[str] = ACTIVE, limit: int = 100) -> list[Case]:
        """Cases with one of ``statuses``, oldest first (ids, reasons and states; no resident text is
        printed, but the read is logged as ``staff_access`` all the same)."""
        name = checked_name(staff)
        unknown = [s for s in statuses if s not in STATUSES]
        if unknown:
            raise CaseConflict(f"unknown status {', '.join(unknown)}: use {', '.join(STATUSES)} or all")
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(escalations)
                .where(escalations.c.status.in_(list(statuses)))
                .order_by(escalations.c.id)
                .limit(limit)
            ).all()
            cases = [Case.from_row(row) for row in rows]
            self._log(
                "staff_access",
                conn,
                staff=name,
                read=["queue"],
                statuses=list(statuses),
                case_ids=[c.id for c in cases],
            )
        return cases

    def _case(self, conn: Connection, case_id: int) -> Case:
        row = conn.execute(select(escalations).where(escalations.c.id == case_id)).first()
        if row is None:
            raise UnknownCase(f"there is no case {case_id}: `kaifong escalations list` shows the open ones")
        return Case.from_row(row)

    def show(self, staff: str, case_id: int) -> CaseFile:
        """The case and its conversation's redacted turns; the ``staff_access`` event (who, which case,
        what was read) is committed before anything is returned."""
        name = checked_name(staff)
        with self.engine.begin() as conn:
            case = self._case(conn, case_id)
            stored = conn.execute(select(escalations.c.note).where(escalations.c.id == case_id)).scalar_one()
            note = self.conversations.open_note(conn, case.conversation_id, case_id, str(stored))
            case = replace(case, note=note)
        turns = self.conversations.history(case.conversation_id, limit=MAX_TURNS)
        with self.engine.begin() as conn:
            self._log(
                "staff_access",
                conn,
                staff=name,
                case_id=case.id,
                conversation_id=case.conversation_id,
                read=["case", "note", "turns"],
                turns=len(turns),
            )
        return CaseFile(case, turns)

    def claim(self, staff: str, case_id: int) -> Case:
        """Take an open case (``escalation_claimed`` event); claiming your own case again changes nothing.

        Raises UnknownCase, or CaseConflict when someone else holds it or it is closed.
        """
        name = checked_name(staff)
        with self.engine.begin() as conn:
            taken = conn.execute(
                escalations.update()
                .where(escalations.c.id == case_id, escalations.c.status == "open")
                .values(status="claimed", staff_id=name, updated_at=time.time())
            )
            case = self._case(conn, case_id)
            if taken.rowcount == 0:
                if case.status == "claimed" and case.staff_id == name:
                    return case
                raise CaseConflict(_conflict(case))
            self._log("escalation_claimed", conn, staff=name, case_id=case_id)
        return case

    def close(self, staff: str, case_id: int) -> Case:
        """Close an open case, or one you have claimed (``escalation_closed`` event).

        Raises UnknownCase, or CaseConflict when someone else holds it or it is already closed.
        """
        name = checked_name(staff)
        with self.engine.begin() as conn:
            before = self._case(conn, case_id)
            mine = (escalations.c.status == "open") | (
                (escalations.c.status == "claimed") & (escalations.c.staff_id == name)
            )
            closed = conn.execute(
                escalations.update()
                .where(escalations.c.id == case_id, mine)
                .values(status="closed", staff_id=name, updated_at=time.time())
            )
            case = self._case(conn, case_id)
            if closed.rowcount == 0:
                raise CaseConflict(_conflict(case))
            self._log("escalation_closed", conn, staff=name, case_id=case_id, was=before.status)
        return case


def _conflict(case: Case) -> str:
    if case.status == "closed":
        return f"case {case.id} is already closed (by {case.staff_id}); nothing to do"
    return f"case {case.id} is claimed by {case.staff_id}; only {case.staff_id} can close it"
