"""Configuration audit: a config_loaded event at the first start and after every change, naming the parts."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, SecretStr

from kaifong.governance.audit import canonical
from kaifong.governance.guards.datafile import DATA
from kaifong.oversight import configuration
from kaifong.oversight.configuration import public_settings, record_configuration
from kaifong.settings import Settings
from tests.oversight.helpers import build, events

PARTS = [
    "kaifong",
    "settings",
    "guards",
    "backend",
    "retriever",
    "policy",
    "harm_taxonomy",
    "guard_data",
    "messages",
]


def loads(folder: Path, **overrides: Any) -> list[dict[str, object]]:
    """Start (and stop) Kaifong over ``folder``'s database, then return every config_loaded payload."""
    services = build(folder, **overrides)
    try:
        return [payload for _, _, payload in events(services, "config_loaded")]
    finally:
        services.close()


def test_the_first_start_records_the_whole_configuration(tmp_path: Path) -> None:
    (first,) = loads(tmp_path)
    assert first["changed"] == PARTS and first["previous_seq"] is None
    described = first["configuration"]
    assert isinstance(described, dict)
    assert [g["name"] for g in described["guards"]] == ["crisis", "injection", "harmful", "policy"]
    assert all(g["version"] for g in described["guards"])
    assert described["backend"] == {"name": "scripted", "version": "test", "model": None}
    assert set(described["policy"]) == {"policy.yaml"} and set(described["harm_taxonomy"]) == {
        "harm_taxonomy.yaml"
    }
    assert "messages-oversight.yaml" in described["messages"]
    assert isinstance(first["hash"], str) and len(first["hash"]) == 64


def test_an_unchanged_restart_records_nothing_and_each_change_is_named(tmp_path: Path) -> None:
    loads(tmp_path)
    assert len(loads(tmp_path)) == 1
    fewer = loads(tmp_path, guards=["crisis", "policy"])
    assert len(fewer) == 2 and fewer[1]["changed"] == ["settings", "guards"]
    assert fewer[1]["previous_seq"] == 1
    back = loads(tmp_path)  # back to the first configuration: still a change, and logged
    assert (
        len(back) == 3 and back[2]["changed"] == ["settings", "guards"] and back[2]["hash"] == back[0]["hash"]
    )
    top_k = loads(tmp_path, retrieval={"top_k": 3})
    assert top_k[3]["changed"] == ["settings"]


def test_an_edit_of_the_policy_table_or_the_harm_taxonomy_is_a_recorded_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "guard-data"
    shutil.copytree(DATA, data)
    monkeypatch.setattr(configuration, "GUARD_DATA", data)
    database = tmp_path / "db"
    database.mkdir()
    loads(database)
    with (data / "policy.yaml").open("a", encoding="utf-8") as policy:
        policy.write("# reviewed by the policy owner\n")
    assert loads(database)[-1]["changed"] == ["policy"]
    with (data / "harm_taxonomy.yaml").open("a", encoding="utf-8") as taxonomy:
        taxonomy.write("# reviewed\n")
    assert loads(database)[-1]["changed"] == ["harm_taxonomy"]
    (data / "crisis.yaml").write_text(
        (DATA / "crisis.yaml").read_text(encoding="utf-8") + "#\n", encoding="utf-8"
    )
    assert loads(database)[-1]["changed"] == ["guard_data"]


class _Provider(BaseModel):
    url: str = "http://kaifong:pw-in-url@llm.internal:8080/v1"
    api_key: str = "sk-plain-text-key"


class _WithSecrets(Settings):
    provider_token: SecretStr = SecretStr("tok-very-secret")
    provider: _Provider = _Provider()


def test_secrets_and_start_up_flags_stay_out_of_the_snapshot() -> None:
    settings = _WithSecrets(database_url="postgresql://kaifong:hunter2@db.internal/kaifong")
    public = public_settings(settings)
    dumped = canonical(public)
    for secret in ("hunter2", "tok-very-secret", "sk-plain-text-key", "pw-in-url"):
        assert secret not in dumped
    assert "provider_token" not in public and public["provider"] == {
        "url": "http://kaifong:***@llm.internal:8080/v1"
    }
    assert public["database_url"] == "postgresql://kaifong:***@db.internal/kaifong"
    assert "load_bundled_knowledge" not in public
    assert public_settings(settings.model_copy(update={"load_bundled_knowledge": False})) == public


def test_a_secret_setting_never_reaches_the_log(tmp_path: Path) -> None:
    services = build(tmp_path)
    try:
        services.settings = _WithSecrets(database_url=services.settings.database_url)
        recorded = record_configuration(services)
        assert recorded.seq is not None and recorded.changed == ("settings",)
        (_, _, payload) = events(services, "config_loaded")[-1]
        for secret in ("tok-very-secret", "sk-plain-text-key", "pw-in-url"):
            assert secret not in canonical(payload)
        assert record_configuration(services).seq is None
        assert services.audit.verify().ok
    finally:
        services.close()
