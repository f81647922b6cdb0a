"""Staff and operator commands: ``kaifong escalations list|show|claim|close`` and ``kaifong killswitch``."""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import click

from kaifong.errors import KaifongError
from kaifong.oversight.escalations import ACTIVE, STATUSES, Case, StaffDesk
from kaifong.oversight.killswitch import KillSwitchState, flip, iso, read_state
from kaifong.services import Services, build_services
from kaifong.settings import Settings

T = TypeVar("T")

staff_option = click.option(
    "--staff",
    required=True,
    help="Your staff id (a login or staff number); every read and change is logged under it.",
)


@contextmanager
def _services() -> Iterator[Services]:
    """Services for an admin command (the knowledge base is not reloaded); errors become clean messages."""
    try:
        services = build_services(Settings().model_copy(update={"load_bundled_knowledge": False}))
    except KaifongError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        yield services
    finally:
        services.close()


def _run(action: Callable[[Services], T]) -> T:
    with _services() as services:
        try:
            return action(services)
        except KaifongError as exc:
            raise click.ClickException(str(exc)) from exc


def _desk(services: Services) -> StaffDesk:
    return StaffDesk(services.engine, services.audit, services.conversations)


_COLUMNS = "{:>5}  {:<8} {:<18} {:<25}  {:<25}  {:<12} {}"


def _line(case: Case) -> str:
    when = (iso(case.created_at), iso(case.updated_at))
    return _COLUMNS.format(
        case.id, case.status, case.reason, *when, case.staff_id or "-", case.conversation_id
    )


@click.group()
def escalations() -> None:
    """Work the queue of conversations that need a person (every read is an audit event)."""


@escalations.command("list")
@staff_option
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice([*STATUSES, "all"]),
    help="Which cases (repeatable); by default the open and claimed ones.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the cases as JSON.")
def escalations_list(staff: str, statuses: tuple[str, ...], as_json: bool) -> None:
    """List cases, oldest first: id, status, reason, opened, updated, staff, conversation."""
    wanted = STATUSES if "all" in statuses else (statuses or ACTIVE)
    cases = _run(lambda s: _desk(s).list(staff, wanted))
    if as_json:
        click.echo(json.dumps([c.as_dict() for c in cases], ensure_ascii=False, indent=2))
        return
    if not cases:
        click.echo(f"no {' or '.join(wanted)} cases")
        return
    click.echo(_COLUMNS.format("id", "status", "reason", "opened (UTC)", "updated", "staff", "conversation"))
    for case in cases:
        click.echo(_line(case))


@escalations.command("show")
@click.argument("case_id", type=int)
@staff_option
@click.option("--json", "as_json", is_flag=True, help="Print the case and its turns as JSON.")
def escalations_show(case_id: int, staff: str, as_json: bool) -> None:
    """Show case CASE_ID with its conversation (redacted); the read is logged first."""
    case_file = _run(lambda s: _desk(s).show(staff, case_id))
    if as_json:
        click.echo(json.dumps(case_file.as_dict(), ensure_ascii=False, indent=2))
        return
    case = case_file.case
    click.echo(f"case {case.id} · {case.status} · {case.reason} · opened {iso(case.created_at)} UTC")
    click.echo(f"conversation {case.conversation_id} · staff {case.staff_id or '-'}")
    if case.note:
        click.echo(f"note from the resident (redacted):\n  {case.note}")
    click.echo(f"\n{len(case_file.turns)} turn(s), personal data redacted:")
    for number, turn in enumerate(case_file.turns, 1):
        click.echo(f"\n[{number}] question: {turn.question}\n    status: {turn.status}")
        if turn.answer:
            click.echo("    answer: " + turn.answer.replace("\n", "\n            "))


@escalations.command("claim")
@click.argument("case_id", type=int)
@staff_option
def escalations_claim(case_id: int, staff: str) -> None:
    """Take case CASE_ID, so others know you are dealing with it."""
    case = _run(lambda s: _desk(s).claim(staff, case_id))
    click.echo(f"case {case.id} is claimed by {case.staff_id}")


@escalations.command("close")
@click.argument("case_id", type=int)
@staff_option
def escalations_close(case_id: int, staff: str) -> None:
    """Close case CASE_ID (open, or claimed by you)."""
    case = _run(lambda s: _desk(s).close(staff, case_id))
    click.echo(f"case {case.id} is closed by {case.staff_id}")


def _current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _describe(state: KillSwitchState) -> str:
    if state.changed_at is None:
        return "kill switch: off (never used)"
    word = "ON: every question gets the fixed reply" if state.engaged else "off: answers are given"
    return f"kill switch: {word}\nchanged {iso(state.changed_at)} UTC by {state.changed_by}: {state.reason}"


@click.group()
def killswitch() -> None:
    """Pause (on) or resume (off) every automatic answer at once; each change is an audit event."""


def _flip(engaged: bool, reason: str, operator: str | None) -> None:
    before, after = _run(
        lambda s: flip(
            s.engine, s.audit, engaged=engaged, reason=reason, operator=operator or _current_user()
        )
    )
    if before.engaged == after.engaged:
        click.echo(f"(it was already {'on' if engaged else 'off'}; the new reason is recorded)")
    click.echo(_describe(after))


reason_option = click.option("--reason", required=True, help="Why; it goes into the audit log (redacted).")
operator_option = click.option(
    "--operator", default=None, help="Who is changing it (default: your login name)."
)


@killswitch.command("on")
@reason_option
@operator_option
def killswitch_on(reason: str, operator: str | None) -> None:
    """Pause answers: from the next question on, everyone gets a fixed reply with the human route."""
    _flip(True, reason, operator)


@killswitch.command("off")
@reason_option
@operator_option
def killswitch_off(reason: str, operator: str | None) -> None:
    """Resume answers."""
    _flip(False, reason, operator)


@killswitch.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the state as JSON.")
def killswitch_status(as_json: bool) -> None:
    """Say whether answers are paused, since when, by whom and why."""
    state = _run(lambda s: read_state(s.engine))
    click.echo(json.dumps(state.as_dict(), ensure_ascii=False) if as_json else _describe(state))
