"""The command line: ask (text and JSON), ingest with good and bad files, audit verify, serve's options."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kaifong.cli import main


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("KAIFONG_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    return CliRunner()


def test_ask_json_prints_the_documented_fields(runner: CliRunner) -> None:
    result = runner.invoke(main, ["ask", "我想renew我個passport，要帶咩？", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["status"] == "answered"
    assert (data["language"], data["script"], data["code_switched"]) == ("yue", "Hant", True)
    assert data["citations"] and set(data["citations"][0]) == {"title", "url", "department", "reviewed"}
    assert data["escalation"]["phone"]


def test_ask_prints_answer_sources_and_label(runner: CliRunner) -> None:
    result = runner.invoke(main, ["ask", "How do I renew my driving licence?"])
    assert result.exit_code == 0, result.output
    assert "Renewing a full driving licence" in result.output
    assert "https://" in result.output
    assert "AI-generated" in result.output


def test_ask_continues_a_conversation(runner: CliRunner) -> None:
    first = json.loads(runner.invoke(main, ["ask", "How do I renew my driving licence?", "--json"]).output)
    follow = runner.invoke(
        main, ["ask", "How much does it cost?", "--json", "--conversation", first["conversation_id"]]
    )
    assert json.loads(follow.output)["citations"][0]["title"] == first["citations"][0]["title"]


def test_ask_refuses_an_empty_question_with_a_message(runner: CliRunner) -> None:
    result = runner.invoke(main, ["ask", "   "])
    assert result.exit_code == 2
    assert "empty" in result.output
    assert "Traceback" not in result.output


def test_ask_with_unknown_conversation(runner: CliRunner) -> None:
    result = runner.invoke(main, ["ask", "hello", "--conversation", "nope"])
    assert result.exit_code == 2
    assert "not known" in result.output


def test_ingest_adds_good_files_and_names_bad_ones(runner: CliRunner, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "garden.md").write_text(
        "---\ntitle: Community garden allotments\ndepartment: District Council\nlanguage: en\n---\n"
        "## How to apply\nResidents ballot for a garden allotment plot each spring at the district office.\n",
        encoding="utf-8",
    )
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    (docs / "blob.bin").write_bytes(b"\x00\x01\x02")
    result = runner.invoke(main, ["ingest", str(docs), str(docs / "blob.bin")])
    assert result.exit_code == 1
    assert "1 added" in result.output
    assert "broken.pdf" in result.output and "blob.bin" in result.output
    again = runner.invoke(main, ["ingest", str(docs / "garden.md")])
    assert again.exit_code == 0
    assert "1 unchanged" in again.output
    answer = runner.invoke(main, ["ask", "How do I get a community garden allotment plot?", "--json"])
    assert json.loads(answer.output)["citations"][0]["title"] == "Community garden allotments"


def test_audit_verify_reports_an_intact_chain(runner: CliRunner) -> None:
    runner.invoke(main, ["ask", "How do I renew my driving licence?"])
    result = runner.invoke(main, ["audit", "verify"])
    assert result.exit_code == 0
    assert "chain intact" in result.output


def test_non_sqlite_database_is_a_clear_error(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAIFONG_DATABASE_URL", "postgresql://localhost/test")
    result = runner.invoke(main, ["ask", "hello"])
    assert result.exit_code == 1
    assert "not SQLite" in result.output


def test_serve_rejects_a_bad_port(runner: CliRunner) -> None:
    result = runner.invoke(main, ["serve", "--port", "70000"])
    assert result.exit_code == 2
    assert "70000" in result.output
