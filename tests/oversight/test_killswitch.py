"""The kill switch: off until turned on; while on, a fixed reply in the question's language and no draft."""

from __future__ import annotations

import asyncio

import hanzidentifier
import pytest

from kaifong.governance.audit import AuditLog
from kaifong.language.messages import localise
from kaifong.oversight import (
    KILL_SWITCH_STATUS,
    BadName,
    BadReason,
    StaffDesk,
    flip,
    is_engaged,
    read_state,
)
from kaifong.pipeline.runner import DEFAULT_STEPS, KILL_SWITCH_STEPS
from kaifong.pipeline.streaming import Done, Piece, open_stream
from kaifong.services import Services
from kaifong.store.db import make_engine
from kaifong.testing.fakes import ScriptedBackend
from tests.oversight.helpers import DRIVING, ask, events, raw_log


def turn_on(services: Services, reason: str = "answers about fees are wrong") -> None:
    flip(services.engine, services.audit, engaged=True, reason=reason, operator="ops.lee")


def test_the_switch_is_off_until_an_operator_turns_it_on(
    oversight: Services, backend: ScriptedBackend
) -> None:
    state = read_state(oversight.engine)
    assert not state.engaged and state.changed_at is None
    assert not is_engaged(oversight.engine)
    assert state.public() == {"on": False, "since": None}
    backend.queue("Send form TD63 to the Transport Department.")
    assert ask(oversight, DRIVING).status == "answered"


@pytest.mark.parametrize(
    ("question", "form"),
    [
        (DRIVING, "en"),
        ("如何續期駕駛執照？", "zh-Hant"),
        ("怎样续期驾驶执照？", "zh-Hans"),
        ("我點樣續期車牌呀？", "yue-Hant"),
    ],
)
def test_while_on_every_question_gets_the_fixed_reply_in_its_language_and_nothing_is_drafted(
    oversight: Services, backend: ScriptedBackend, question: str, form: str
) -> None:
    turn_on(oversight)
    backend.queue("A draft that must never be shown.")
    result = ask(oversight, question)
    assert result.status == KILL_SWITCH_STATUS
    assert result.detection.form == form
    det = result.detection
    assert result.text == localise(f"status.{KILL_SWITCH_STATUS}", det.language, det.script)
    assert "1823" in result.text and result.escalation is not None and result.escalation.phone == "1823"
    assert result.citations == ()
    assert backend.calls == [] and backend.remaining == 1
    if form == "zh-Hans":
        assert hanzidentifier.identify(result.text) == hanzidentifier.SIMPLIFIED


def test_only_the_reading_and_redacting_steps_run_and_the_question_is_kept_redacted(
    oversight: Services, desk: StaffDesk
) -> None:
    turn_on(oversight)
    result = ask(oversight, "My phone is 91234567. How do I renew my driving licence?")
    assert "91234567" not in result.question and "[PHONE]" in result.question
    seq_on = events(oversight, "kill_switch")[-1][0]
    after = [kind for seq, kind, _ in events(oversight) if seq > seq_on]
    assert after == [s.__name__ for s in KILL_SWITCH_STEPS] + ["escalation_opened", "answer_sent"]
    assert set(KILL_SWITCH_STEPS) < set(DEFAULT_STEPS)
    (case,) = desk.list("alice")
    assert (case.reason, case.conversation_id) == ("kill_switch", result.conversation_id)
    assert desk.show("alice", case.id).turns[0].question == result.question
    assert "91234567" not in raw_log(oversight)


def test_a_flip_from_another_process_takes_effect_on_the_next_question(
    oversight: Services, backend: ScriptedBackend
) -> None:
    other = make_engine(str(oversight.settings.database_url))  # as the CLI would, with its own engine
    try:
        flip(other, AuditLog(other), engaged=True, reason="incident 42", operator="ops.lee")
        assert ask(oversight, DRIVING).status == KILL_SWITCH_STATUS
        flip(other, AuditLog(other), engaged=False, reason="fixed", operator="ops.wong")
        backend.queue("Send form TD63 to the Transport Department.")
        assert ask(oversight, DRIVING).status == "answered"
    finally:
        other.dispose()
    flips = [payload for _, _, payload in events(oversight, "kill_switch")]
    assert flips == [
        {"engaged": True, "was_engaged": False, "operator": "ops.lee", "reason": "incident 42"},
        {"engaged": False, "was_engaged": True, "operator": "ops.wong", "reason": "fixed"},
    ]
    state = read_state(oversight.engine)
    assert (state.engaged, state.changed_by, state.reason) == (False, "ops.wong", "fixed")
    assert oversight.audit.verify().ok


def test_the_state_residents_see_says_since_when_but_not_who_or_why(oversight: Services) -> None:
    turn_on(oversight)
    state = read_state(oversight.engine)
    public = state.public()
    assert public["on"] is True and str(public["since"]).endswith("+00:00")
    assert state.as_dict()["changed_by"] == "ops.lee" and "reason" not in public


def test_a_bad_reason_or_operator_changes_nothing(oversight: Services) -> None:
    before = oversight.audit.count()
    with pytest.raises(BadReason, match="give a reason"):
        flip(oversight.engine, oversight.audit, engaged=True, reason=" \u200b ", operator="ops")
    with pytest.raises(BadReason, match="500"):
        flip(oversight.engine, oversight.audit, engaged=True, reason="x" * 501, operator="ops")
    with pytest.raises(BadName, match="a-z"):
        flip(oversight.engine, oversight.audit, engaged=True, reason="incident", operator="ops; rm")
    assert oversight.audit.count() == before
    assert not is_engaged(oversight.engine)


def test_personal_data_in_a_reason_is_redacted(oversight: Services) -> None:
    turn_on(oversight, reason="complaint from the holder of A123456(3): wrong fees")
    assert "[HKID]" in read_state(oversight.engine).reason
    assert "A123456" not in raw_log(oversight)


def test_a_streamed_answer_releases_nothing_while_the_switch_is_on(
    oversight: Services, backend: ScriptedBackend
) -> None:
    turn_on(oversight)
    backend.queue("A draft that must never be shown.")

    async def read() -> list[Piece | Done]:
        stream = await open_stream(DRIVING, oversight)
        return [event async for event in stream]

    (done,) = asyncio.run(read())
    assert isinstance(done, Done)
    assert done.answer.status == KILL_SWITCH_STATUS and done.rest == done.answer.text
    assert backend.calls == []
