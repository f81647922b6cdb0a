"""The staff and operator commands over a real SQLite file: escalations list|show|claim|close, killswitch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kaifong.cli import main
from kaifong.store.db import make_engine
from tests.oversight.helpers import DRIVING, IMMIGRATION


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "cli.db"


@pytest.fixture
def runner(database: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("KAIFONG_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("KAIFONG_LOAD_BUNDLED_KNOWLEDGE", "false")  # guards answer these questions alone
    return CliRunner()


def run(runner: CliRunner, *args: str, code: int = 0) -> Result:
    result = runner.invoke(main, list(args))
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result


def logged(database: Path) -> list[tuple[str, dict[str, object]]]:
    engine = make_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT kind, payload FROM audit_events ORDER BY seq").all()
    finally:
        engine.dispose()
    return [(str(kind), json.loads(payload)) for kind, payload in rows]


def test_staff_work_a_case_from_the_command_line(runner: CliRunner, database: Path) -> None:
    asked = json.loads(
        run(runner, "ask", "--json", "My visa was refused. Call me on 91234567, what now?").output
    )
    assert asked["status"] == "escalated_immigration"
    listed = run(runner, "escalations", "list", "--staff", "alice").output
    assert "immigration" in listed and asked["conversation_id"] in listed and "91234567" not in listed
    shown = run(runner, "escalations", "show", "1", "--staff", "alice").output
    assert "[PHONE]" in shown and "91234567" not in shown and "escalated_immigration" in shown
    as_json = json.loads(run(runner, "escalations", "show", "1", "--staff", "alice", "--json").output)
    assert as_json["turns"][0]["answer"] == asked["answer"]
    assert "claimed by alice" in run(runner, "escalations", "claim", "1", "--staff", "alice").output
    refused = run(runner, "escalations", "close", "1", "--staff", "bob", code=1).output
    assert "only alice can close it" in refused
    assert "closed by alice" in run(runner, "escalations", "close", "1", "--staff", "alice").output
    assert "no open or claimed cases" in run(runner, "escalations", "list", "--staff", "alice").output
    every = json.loads(
        run(runner, "escalations", "list", "--staff", "bob", "--status", "all", "--json").output
    )
    assert [(c["id"], c["status"], c["staff_id"]) for c in every] == [(1, "closed", "alice")]
    reads = [p for kind, p in logged(database) if kind == "staff_access"]
    assert [(p["staff"], p["read"]) for p in reads] == [
        ("alice", ["queue"]),
        ("alice", ["case", "note", "turns"]),
        ("alice", ["case", "note", "turns"]),
        ("alice", ["queue"]),
        ("bob", ["queue"]),
    ]
    assert "ok:" in run(runner, "audit", "verify").output


def test_escalation_commands_explain_bad_input(runner: CliRunner) -> None:
    assert (
        "there is no case 99" in run(runner, "escalations", "show", "99", "--staff", "alice", code=1).output
    )
    assert "Missing option '--staff'" in run(runner, "escalations", "list", code=2).output
    assert "not valid" in run(runner, "escalations", "list", "--staff", "chan tai man", code=1).output
    assert (
        "not a valid integer" in run(runner, "escalations", "claim", "one", "--staff", "alice", code=2).output
    )
    assert (
        "'pending' is not one of"
        in run(runner, "escalations", "list", "--staff", "a", "--status", "pending", code=2).output
    )


def test_the_kill_switch_from_the_command_line(runner: CliRunner, database: Path) -> None:
    assert "off (never used)" in run(runner, "killswitch", "status").output
    on = run(
        runner, "killswitch", "on", "--reason", "fees in answers are out of date", "--operator", "ops.lee"
    )
    assert "ON" in on.output and "ops.lee" in on.output
    state = json.loads(run(runner, "killswitch", "status", "--json").output)
    assert (state["on"], state["changed_by"], state["reason"]) == (
        True,
        "ops.lee",
        "fees in answers are out of date",
    )
    paused = json.loads(run(runner, "ask", "--json", DRIVING).output)
    assert paused["status"] == "escalated_kill_switch" and "1823" in paused["answer"]
    assert "already on" in run(runner, "killswitch", "on", "--reason", "still out of date").output
    assert "off: answers are given" in run(runner, "killswitch", "off", "--reason", "fees updated").output
    assert json.loads(run(runner, "ask", "--json", IMMIGRATION).output)["status"] == "escalated_immigration"
    assert "Missing option '--reason'" in run(runner, "killswitch", "on", code=2).output
    assert "give a reason" in run(runner, "killswitch", "on", "--reason", "  ", code=1).output
    flips = [p["engaged"] for kind, p in logged(database) if kind == "kill_switch"]
    assert flips == [True, True, False]
