"""Tests for kaifong.governance.vault: session-scoped placeholders, restore, isolation and expiry."""

from __future__ import annotations

import copy
import pickle

import pytest

from kaifong.governance.vault import PiiVault, VaultRegistry

MESSAGE = "我叫陳大文，身份證A123456(3)，電話9123 4567，電郵chan@example.com。"


def test_protect_and_restore_round_trip() -> None:
    vault = PiiVault()
    redacted, tokens = vault.protect(MESSAGE)
    assert redacted == "我叫[NAME_1]，身份證[HKID_1]，電話[PHONE_1]，電郵[EMAIL_1]。"
    assert tokens == ("[NAME_1]", "[HKID_1]", "[PHONE_1]", "[EMAIL_1]")
    assert vault.restore(redacted) == MESSAGE
    assert len(vault) == 4 and "[HKID_1]" in vault


def test_same_value_same_placeholder_and_numbering_per_kind() -> None:
    vault = PiiVault()
    first, _ = vault.protect("身份證A123456(3)，另一個AB987654(3)")
    second, tokens = vault.protect("再講一次：Ａ１２３４５６（３）")
    assert first == "身份證[HKID_1]，另一個[HKID_2]"
    assert second == "再講一次：[HKID_1]" and tokens == ("[HKID_1]",)
    assert vault.restore("[HKID_2]") == "AB987654(3)"


def test_unknown_placeholders_in_model_output_are_left_as_is() -> None:
    vault = PiiVault()
    vault.protect("電話9123 4567")
    output = "I will call [PHONE_1], not [PHONE_7] or [HKID_1] or [PHONE] or [phone_1]."
    assert (
        vault.restore(output) == "I will call 9123 4567, not [PHONE_7] or [HKID_1] or [PHONE] or [phone_1]."
    )


def test_below_threshold_findings_are_kept() -> None:
    vault = PiiVault()
    assert vault.protect("order K12345678") == ("order K12345678", ())


def test_clear_forgets_values_and_restarts_numbering() -> None:
    vault = PiiVault()
    vault.protect("A123456(3)")
    vault.clear()
    assert len(vault) == 0
    assert vault.restore("[HKID_1]") == "[HKID_1]"
    assert vault.protect("AB987654(3)")[0] == "[HKID_1]"


def test_values_never_leak_through_repr_pickle_or_copy() -> None:
    vault = PiiVault()
    vault.protect(MESSAGE)
    assert "A123456" not in repr(vault) and "9123" not in repr(vault) and "陳大文" not in repr(vault)
    assert "4 values hidden" in repr(vault)
    with pytest.raises(TypeError):
        pickle.dumps(vault)
    with pytest.raises(TypeError):
        copy.copy(vault)
    with pytest.raises(TypeError):
        copy.deepcopy(vault)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_sessions_are_isolated() -> None:
    registry = VaultRegistry()
    alice, bob = registry.get("alice"), registry.get("bob")
    alice_text, _ = alice.protect("A123456(3)")
    bob_text, _ = bob.protect("AB987654(3)")
    assert alice_text == bob_text == "[HKID_1]"
    assert alice.restore("[HKID_1]") == "A123456(3)"
    assert bob.restore("[HKID_1]") == "AB987654(3)"
    assert registry.get("alice") is alice
    assert len(registry) == 2 and "alice" in registry and "carol" not in registry and 3 not in registry


def test_sessions_expire_after_ttl_and_use_renews() -> None:
    clock = FakeClock()
    registry = VaultRegistry(ttl=60, clock=clock)
    vault = registry.get("s1")
    vault.protect("A123456(3)")
    clock.now += 50
    assert registry.get("s1") is vault  # renewed
    clock.now += 50
    assert "s1" in registry
    clock.now += 61
    assert "s1" not in registry
    assert registry.purge() == 1
    assert len(vault) == 0  # cleared on expiry
    fresh = registry.get("s1")
    assert fresh is not vault and fresh.restore("[HKID_1]") == "[HKID_1]"


def test_max_sessions_evicts_least_recently_used() -> None:
    registry = VaultRegistry(max_sessions=2)
    first = registry.get("a")
    first.protect("A123456(3)")
    registry.get("b")
    registry.get("a")  # a is now the most recent
    registry.get("c")
    assert "b" not in registry and "a" in registry and "c" in registry
    registry.drop("a")
    assert "a" not in registry and len(first) == 0
    registry.drop("missing")
    assert "1 sessions" in repr(registry)


def test_registry_rejects_bad_limits() -> None:
    with pytest.raises(ValueError):
        VaultRegistry(ttl=0)
    with pytest.raises(ValueError):
        VaultRegistry(max_sessions=0)
