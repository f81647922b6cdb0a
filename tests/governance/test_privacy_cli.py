"""``kaifong retention purge`` and ``kaifong subject export | erase`` over a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from kaifong.cli import main


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("KAIFONG_DATABASE_URL", f"sqlite:///{path}")
    return path


def first_answer(runner: CliRunner) -> dict[str, str]:
    result = runner.invoke(main, ["ask", "How do I renew my driving licence?", "--json"])
    assert result.exit_code == 0, result.output
    data: dict[str, str] = json.loads(result.output)
    return data


def test_purge_counts_on_a_dry_run_then_shreds_what_is_due(database: Path) -> None:
    runner = CliRunner()
    first_answer(runner)
    engine = create_engine(f"sqlite:///{database}")
    with engine.begin() as conn:  # as if the last question was asked 40 days ago
        conn.execute(text("UPDATE conversations SET updated_at = updated_at - 40 * 86400"))
    engine.dispose()
    dry = runner.invoke(main, ["retention", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert dry.output.startswith("due (dry run, nothing changed): 1 conversations (1 turns)")
    real = runner.invoke(main, ["retention", "purge"])
    assert real.output.startswith("purged: 1 conversations (1 turns), 0 closed escalations")
    again = runner.invoke(main, ["retention", "purge"])
    assert again.output.startswith("purged: 0 conversations")
    verify = runner.invoke(main, ["audit", "verify"])
    assert verify.exit_code == 0 and verify.output.startswith("ok:")


def test_subject_export_and_erase_with_the_token(database: Path) -> None:
    runner = CliRunner()
    answer = first_answer(runner)
    token = answer["subject_token"]
    exported = runner.invoke(main, ["subject", "export", "--token", token])
    assert exported.exit_code == 0, exported.output
    assert json.loads(exported.output)["conversation_id"] == answer["conversation_id"]
    declined = runner.invoke(main, ["subject", "erase", "--token", token], input="n\n")
    assert declined.exit_code == 1 and "Aborted" in declined.output
    assert runner.invoke(main, ["subject", "export", "--token", token]).exit_code == 0  # still kept
    erased = runner.invoke(main, ["subject", "erase", "--token", token], input="y\n")
    assert erased.exit_code == 0, erased.output
    assert "1 questions and answers were erased" in erased.output
    twice = runner.invoke(main, ["subject", "erase", "--token", token, "--yes"])
    assert twice.exit_code == 1 and "already been erased" in twice.output


def test_the_key_is_asked_for_without_echo_when_left_out(database: Path) -> None:
    result = CliRunner().invoke(main, ["subject", "export"], input="kfs_" + "B" * 32 + "\n")
    assert result.exit_code == 1
    assert "Conversation key:" in result.output and "B" * 32 not in result.output
    assert "not known here" in result.output
