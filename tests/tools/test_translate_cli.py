"""``kaifong translate`` and ``kaifong glossary`` on the command line (real SQLite file, no model)."""

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


def test_script_conversion_works_without_a_model(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "notice.md"
    source.write_text("## 申請方法\n\n- 請致電勞工處。\n", encoding="utf-8")
    result = runner.invoke(main, ["translate", str(source), "--to", "zh-Hans", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["text"] == "## 申请方法\n\n- 请致电劳工处。\n" and data["mode"] == "script"


def test_translation_without_a_model_says_so_in_the_documents_language(runner: CliRunner) -> None:
    result = runner.invoke(main, ["translate", "-", "--to", "en"], input="請致電勞工處查詢。")
    assert result.exit_code == 1
    assert "尚未設定" in result.output


def test_bad_files_are_named_errors(runner: CliRunner, tmp_path: Path) -> None:
    picture = tmp_path / "photo.png"
    picture.write_bytes(b"\x89PNG")
    result = runner.invoke(main, ["translate", str(picture), "--to", "en"])
    assert result.exit_code == 1 and "'.png' cannot be translated" in result.output
    missing = runner.invoke(main, ["translate", str(tmp_path / "none.md"), "--to", "en"])
    assert missing.exit_code == 1 and "cannot be read" in missing.output


def test_glossary_lookup(runner: CliRunner) -> None:
    result = runner.invoke(main, ["glossary", "綜援"])
    assert result.exit_code == 0
    assert "Comprehensive Social Security Assistance | 綜合社會保障援助 | 综合社会保障援助" in result.output
    assert runner.invoke(main, ["glossary", "nothing-like-this"]).exit_code == 1
