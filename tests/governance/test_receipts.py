"""Signed checkpoints and answer receipts: valid ones verify, any change is caught and named."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from kaifong.cli import main
from kaifong.errors import StoreError
from kaifong.governance.audit import AuditLog, Event
from kaifong.governance.receipts import check_receipt
from kaifong.governance.signing import Signer, verify_signature
from kaifong.pipeline import answer
from kaifong.services import Services


def test_key_is_created_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "k.pem"
    first = Signer.load_or_create(path)
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    again = Signer.load_or_create(path)
    assert first.key_id == again.key_id and first.public_key == again.public_key
    signature = first.sign(b"data")
    assert verify_signature(again.public_key, b"data", signature)
    assert not verify_signature(again.public_key, b"other", signature)
    assert not verify_signature(again.public_key, b"data", "not base64!")


def test_a_key_file_that_is_not_ed25519_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "k.pem"
    path.write_text("not a key")
    with pytest.raises(StoreError, match="signing key"):
        Signer.load_or_create(path)


def test_every_answer_carries_a_receipt_that_checks_out(services: Services) -> None:
    result = asyncio.run(answer("How do I renew my driving licence?", services))
    receipt = result.receipt
    assert receipt["status"] == "answered"
    assert receipt["sources"] == ["driving-licence-renewal:en"]
    assert receipt["backend"] == "extractive"
    guards = receipt["guards"]
    assert isinstance(guards, list)
    assert [(g["guard"], g["verdict"]) for g in guards] == [
        ("pii", "pass"),
        ("crisis", "pass"),
        ("injection", "pass"),
        ("harmful", "pass"),
        ("policy", "pass"),
    ]
    assert check_receipt(receipt, services.signer.public_key, services.engine, result.text) == []


def test_a_changed_receipt_or_answer_is_caught(services: Services) -> None:
    result = asyncio.run(answer("How do I renew my driving licence?", services))
    forged = dict(result.receipt, sources=["legal-aid:en"])
    assert any("signature" in p for p in check_receipt(forged, services.signer.public_key))
    assert any(
        "answer text" in p for p in check_receipt(result.receipt, services.signer.public_key, text="x")
    )
    other = Signer.load_or_create(Path(services.settings.signing_key_file()).with_name("other.pem"))
    assert check_receipt(result.receipt, other.public_key)
    wrong_index = dict(result.receipt, log_index=1)
    problems = check_receipt(wrong_index, services.signer.public_key, services.engine)
    assert any("no answer at index 1" in p for p in problems)
    assert check_receipt({"v": 1}, services.signer.public_key)[0].startswith("the receipt lacks")


def test_checkpoints_catch_a_log_rewritten_with_fresh_hashes(services: Services) -> None:
    log = services.audit
    log.append([Event("r", "step", {"i": i}) for i in range(3)])
    head = log.count()  # build_services has already logged the configuration (config_loaded)
    checkpoint = log.checkpoint(services.signer)
    assert checkpoint.seq == head and log.checkpoint(services.signer) == checkpoint
    assert log.verify(services.signer.public_key).ok
    # rewrite the whole log consistently (new content, recomputed chain): the chain alone cannot tell
    with services.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events"))
    AuditLog(services.engine).append([Event("r", "forged", {"i": i}) for i in range(head)])
    result = log.verify(services.signer.public_key)
    assert not result.ok and result.first_bad_seq == head and "checkpoint" in result.problem


def test_a_truncated_log_and_a_forged_checkpoint_are_caught(services: Services) -> None:
    log = services.audit
    log.append([Event("r", "step", {"i": i}) for i in range(3)])
    log.checkpoint(services.signer)
    with services.engine.begin() as conn:
        conn.execute(text("UPDATE audit_checkpoints SET signature = :s"), {"s": services.signer.sign(b"x")})
    assert "signature" in log.verify(services.signer.public_key).problem
    with services.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE seq = (SELECT MAX(seq) FROM audit_events)"))
    assert "ends earlier" in log.verify().problem


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("KAIFONG_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    return CliRunner()


def test_cli_checkpoint_and_receipt(runner: CliRunner, tmp_path: Path) -> None:
    asked = runner.invoke(main, ["ask", "怎样申请公屋？", "--json"])
    saved = tmp_path / "answer.json"
    saved.write_text(asked.output, encoding="utf-8")
    checked = runner.invoke(main, ["audit", "receipt", str(saved)])
    assert checked.exit_code == 0, checked.output
    assert "ok: receipt" in checked.output
    data = json.loads(asked.output)
    data["answer"] = data["answer"] + " (edited)"
    saved.write_text(json.dumps(data), encoding="utf-8")
    tampered = runner.invoke(main, ["audit", "receipt", str(saved)])
    assert tampered.exit_code == 1 and "does not match" in tampered.output
    checkpoint = json.loads(runner.invoke(main, ["audit", "checkpoint"]).output)
    assert checkpoint["seq"] >= 7 and verify_signature(
        checkpoint["public_key"],
        json.dumps(
            {k: checkpoint[k] for k in ("head", "key_id", "seq", "ts")}, separators=(",", ":"), sort_keys=True
        ).encode(),
        checkpoint["signature"],
    )
    assert "checkpoints valid" in runner.invoke(main, ["audit", "verify"]).output


def test_cli_receipt_refuses_files_without_one(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert "not JSON" in runner.invoke(main, ["audit", "receipt", str(bad)]).output
    bad.write_text('{"answer": "x"}')
    assert "no receipt found" in runner.invoke(main, ["audit", "receipt", str(bad)]).output


def test_cli_pii_redacts_and_reports_kinds_without_values(runner: CliRunner) -> None:
    message = "我嘅身份證號碼係A123456(3)，電話91234567"
    redacted = runner.invoke(main, ["pii"], input=message)
    assert redacted.exit_code == 0
    assert "A123456" not in redacted.output and "[HKID]" in redacted.output and "[PHONE]" in redacted.output
    findings = json.loads(runner.invoke(main, ["pii", "--json"], input=message).output)
    assert [f["kind"] for f in findings] == ["HKID", "PHONE"]
    assert "A123456" not in json.dumps(findings)
