"""The escalation queue: cases opened with the turn or by the resident, staff reads and changes audited."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from kaifong.errors import UnknownConversation
from kaifong.governance.conversation_keys import SealBroken
from kaifong.oversight import (
    BadName,
    CaseConflict,
    NoteTooLong,
    StaffDesk,
    UnknownCase,
    request_person,
)
from kaifong.oversight.escalations import MAX_NOTE_CHARS, RESIDENT_REQUEST, open_case
from kaifong.services import Services
from kaifong.store.conversations import NOTE_PREFIX
from kaifong.store.tables import conversations, escalations
from kaifong.testing.fakes import ScriptedBackend
from tests.oversight.helpers import DRIVING, IMMIGRATION, ask, events, raw_log


def count(services: Services, table: object) -> int:
    with services.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_an_escalated_turn_queues_its_conversation_with_the_turn(
    oversight: Services, desk: StaffDesk
) -> None:
    result = ask(oversight, IMMIGRATION)
    assert result.status == "escalated_immigration"
    (case,) = desk.list("alice")
    assert (case.conversation_id, case.reason, case.status, case.staff_id) == (
        result.conversation_id,
        "immigration",
        "open",
        "",
    )
    kinds = [kind for _, kind, _ in events(oversight)]
    opened = kinds.index("escalation_opened")
    assert kinds[opened + 1] == "answer_sent"
    payload = events(oversight, "escalation_opened")[0][2]
    assert payload == {"case_id": case.id, "reason": "immigration", "new": True, "source": "pipeline"}


def test_a_turn_that_fails_to_store_leaves_no_case(oversight: Services) -> None:
    with oversight.engine.begin() as conn:  # the last write of the turn's transaction fails
        conn.execute(
            text(
                "CREATE TRIGGER refuse_answer BEFORE INSERT ON audit_events WHEN NEW.kind = 'answer_sent' "
                "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
            )
        )
    with pytest.raises(DBAPIError):
        ask(oversight, IMMIGRATION)
    assert count(oversight, escalations) == 0 and count(oversight, conversations) == 0


def test_answered_and_unremembered_turns_open_no_case(oversight: Services, backend: ScriptedBackend) -> None:
    backend.queue("Send form TD63 to the Transport Department.")
    assert ask(oversight, DRIVING).status == "answered"
    assert ask(oversight, IMMIGRATION, remember=False).status == "escalated_immigration"
    assert count(oversight, escalations) == 0


def test_a_conversation_has_one_case_until_it_is_closed(oversight: Services, desk: StaffDesk) -> None:
    first = ask(oversight, IMMIGRATION)
    ask(oversight, IMMIGRATION, conversation_id=first.conversation_id)
    (case,) = desk.list("alice")
    assert [p["new"] for _, _, p in events(oversight, "escalation_opened")] == [True, False]
    desk.close("alice", case.id)
    ask(oversight, IMMIGRATION, conversation_id=first.conversation_id)
    (again,) = desk.list("alice")
    assert again.id != case.id and again.conversation_id == first.conversation_id


def test_a_resident_asks_for_a_person_and_the_note_is_redacted(
    oversight: Services, backend: ScriptedBackend, desk: StaffDesk
) -> None:
    backend.queue("Send form TD63 to the Transport Department.")
    result = ask(oversight, DRIVING)
    opened = request_person(
        oversight.engine,
        oversight.audit,
        oversight.conversations,
        result.conversation_id,
        "Please call 91234567 about A123456(3)",
    )
    assert opened.new and opened.status == "open" and opened.reason == RESIDENT_REQUEST
    assert set(opened.redacted) == {"PHONE", "HKID"}
    note = desk.show("alice", opened.case_id).case.note
    assert "[PHONE]" in note and "[HKID]" in note and "91234567" not in note
    payload = events(oversight, "escalation_opened")[0][2]
    assert payload["source"] == "resident" and payload["note_hash"] and payload["case_id"] == opened.case_id
    log = raw_log(oversight)
    assert "91234567" not in log and "A123456" not in log and "Please call" not in log
    again = request_person(
        oversight.engine, oversight.audit, oversight.conversations, result.conversation_id, "Still waiting"
    )
    assert (again.case_id, again.new) == (opened.case_id, False)
    assert desk.show("alice", opened.case_id).case.note.endswith("\nStill waiting")


def test_an_unknown_conversation_or_a_long_note_writes_nothing(oversight: Services) -> None:
    result = ask(oversight, IMMIGRATION)
    before = oversight.audit.count()
    with pytest.raises(UnknownConversation):
        request_person(
            oversight.engine, oversight.audit, oversight.conversations, "no-such-conversation", "hello"
        )
    with pytest.raises(NoteTooLong) as caught:
        request_person(
            oversight.engine,
            oversight.audit,
            oversight.conversations,
            result.conversation_id,
            "x" * (MAX_NOTE_CHARS + 1),
        )
    assert (caught.value.length, caught.value.limit) == (MAX_NOTE_CHARS + 1, MAX_NOTE_CHARS)
    assert oversight.audit.count() == before and count(oversight, escalations) == 1


def test_every_staff_read_is_logged_before_the_text_is_handed_over(
    oversight: Services, desk: StaffDesk
) -> None:
    result = ask(oversight, "My visa was refused. My phone is 91234567, what now?")
    (case,) = desk.list("alice")
    seq, kind, payload = events(oversight)[-1]
    assert kind == "staff_access"
    assert payload == {
        "staff": "alice",
        "read": ["queue"],
        "statuses": ["open", "claimed"],
        "case_ids": [case.id],
    }
    case_file = desk.show("bob", case.id)
    last_seq, kind, payload = events(oversight)[-1]
    assert kind == "staff_access" and last_seq == seq + 1
    assert payload == {
        "staff": "bob",
        "case_id": case.id,
        "conversation_id": result.conversation_id,
        "read": ["case", "note", "turns"],
        "turns": 1,
    }
    (turn,) = case_file.turns
    assert "[PHONE]" in turn.question and "91234567" not in turn.question
    assert turn.status == "escalated_immigration" and turn.answer == result.text
    assert case_file.as_dict()["turns"] == [
        {"question": turn.question, "status": turn.status, "topic": "", "answer": turn.answer}
    ]


def test_claim_and_close(oversight: Services, desk: StaffDesk) -> None:
    ask(oversight, IMMIGRATION)
    (case,) = desk.list("alice")
    claimed = desk.claim("alice", case.id)
    assert (claimed.status, claimed.staff_id) == ("claimed", "alice")
    assert desk.claim("alice", case.id) == claimed  # your own case again: nothing changes
    with pytest.raises(CaseConflict, match="claimed by alice"):
        desk.claim("bob", case.id)
    with pytest.raises(CaseConflict, match="only alice can close it"):
        desk.close("bob", case.id)
    closed = desk.close("alice", case.id)
    assert (closed.status, closed.staff_id) == ("closed", "alice")
    with pytest.raises(CaseConflict, match="already closed"):
        desk.close("alice", case.id)
    with pytest.raises(CaseConflict, match="already closed"):
        desk.claim("bob", case.id)
    changes = [
        (kind, p) for _, kind, p in events(oversight) if kind.startswith("escalation_") and "staff" in p
    ]
    assert changes == [
        ("escalation_claimed", {"staff": "alice", "case_id": case.id}),
        ("escalation_closed", {"staff": "alice", "case_id": case.id, "was": "claimed"}),
    ]
    assert desk.list("alice") == []
    assert [c.status for c in desk.list("alice", ("closed",))] == ["closed"]
    assert oversight.audit.verify().ok


def test_an_open_case_can_be_closed_without_claiming_it(oversight: Services, desk: StaffDesk) -> None:
    ask(oversight, IMMIGRATION)
    (case,) = desk.list("alice")
    assert desk.close("bob", case.id).staff_id == "bob"


def test_bad_names_unknown_cases_and_statuses_are_explained_and_not_logged(
    oversight: Services, desk: StaffDesk
) -> None:
    before = oversight.audit.count()
    for name in ("", "chan tai man", "x" * 65, "-dash"):
        with pytest.raises(BadName, match="not valid"):
            desk.list(name)
    with pytest.raises(UnknownCase, match="kaifong escalations list"):
        desk.show("alice", 99)
    with pytest.raises(UnknownCase):
        desk.claim("alice", 99)
    with pytest.raises(CaseConflict, match="unknown status pending"):
        desk.list("alice", ("pending",))
    assert oversight.audit.count() == before


def stored_note(services: Services, case_id: int) -> str:
    with services.engine.connect() as conn:
        return str(conn.execute(select(escalations.c.note).where(escalations.c.id == case_id)).scalar_one())


def test_the_note_is_sealed_with_the_conversation_key_and_only_show_opens_it(
    oversight: Services, desk: StaffDesk
) -> None:
    result = ask(oversight, DRIVING)
    opened = request_person(
        oversight.engine,
        oversight.audit,
        oversight.conversations,
        result.conversation_id,
        "Call me after six",
    )
    stored = stored_note(oversight, opened.case_id)
    assert stored.startswith(NOTE_PREFIX) and "six" not in stored
    (listed,) = desk.list("alice")
    assert listed.note == "" and "six" not in str(listed.as_dict())
    assert desk.show("alice", opened.case_id).case.note == "Call me after six"
    with oversight.engine.begin() as conn:  # a sealed note moved to another case no longer opens
        other = open_case(conn, ask(oversight, IMMIGRATION).conversation_id, "immigration")
        conn.execute(escalations.update().where(escalations.c.id == other.case_id).values(note=stored))
    with pytest.raises(SealBroken):
        desk.show("alice", other.case_id)


def test_a_plain_note_from_an_older_database_is_sealed_on_start(oversight: Services, desk: StaffDesk) -> None:
    result = ask(oversight, IMMIGRATION)
    (case,) = desk.list("alice")
    with oversight.engine.begin() as conn:
        conn.execute(escalations.update().where(escalations.c.id == case.id).values(note="[PHONE] after six"))
    assert oversight.conversations.seal_legacy_notes() == 1
    assert oversight.conversations.seal_legacy_notes() == 0
    assert stored_note(oversight, case.id).startswith(NOTE_PREFIX)
    assert desk.show("alice", case.id).case.note == "[PHONE] after six"
    assert result.conversation_id == case.conversation_id
