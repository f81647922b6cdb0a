"""Per-conversation data keys: sealing binds conversation and turn, wrapping binds the conversation."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kaifong.errors import StoreError
from kaifong.governance.conversation_keys import MasterKey, SealBroken, new_data_key, seal, unseal


def test_seal_round_trip_and_every_seal_is_different() -> None:
    key = new_data_key()
    first = seal(key, "conv-1", 7, "身份證 [HKID] 點樣補領？".encode())
    second = seal(key, "conv-1", 7, "身份證 [HKID] 點樣補領？".encode())
    assert first != second  # a fresh nonce each time
    assert unseal(key, "conv-1", 7, first).decode() == "身份證 [HKID] 點樣補領？"
    assert "點樣".encode() not in first


@pytest.mark.parametrize(
    ("conversation", "turn", "change"),
    [("conv-2", 7, False), ("conv-1", 8, False), ("conv-1", 7, True)],
    ids=["other conversation", "other turn", "changed byte"],
)
def test_a_seal_opens_only_where_it_was_made(conversation: str, turn: int, change: bool) -> None:
    key = new_data_key()
    sealed = bytearray(seal(key, "conv-1", 7, b"question"))
    if change:
        sealed[-1] ^= 1
    with pytest.raises(SealBroken):
        unseal(key, conversation, turn, bytes(sealed))


def test_a_seal_does_not_open_with_another_key_or_when_truncated() -> None:
    sealed = seal(new_data_key(), "c", 1, b"question")
    with pytest.raises(SealBroken):
        unseal(new_data_key(), "c", 1, sealed)
    with pytest.raises(SealBroken, match="too short"):
        unseal(new_data_key(), "c", 1, sealed[:20])


def test_master_key_is_created_private_reused_and_binds_the_conversation(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "kaifong-master-key"
    master = MasterKey.load_or_create(path)
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    again = MasterKey.load_or_create(path)
    assert again.key_id == master.key_id
    data_key = new_data_key()
    wrapped = master.wrap("conv-1", data_key)
    assert data_key not in wrapped
    assert again.unwrap("conv-1", wrapped) == data_key
    with pytest.raises(SealBroken):
        again.unwrap("conv-2", wrapped)
    with pytest.raises(SealBroken):
        MasterKey.load_or_create(tmp_path / "other").unwrap("conv-1", wrapped)


@pytest.mark.parametrize("content", ["not base64 !!", "c2hvcnQ=\n"], ids=["garbage", "wrong length"])
def test_a_file_that_is_not_a_master_key_is_refused_with_a_fix(tmp_path: Path, content: str) -> None:
    path = tmp_path / "kaifong-master-key"
    path.write_text(content)
    with pytest.raises(StoreError, match="master key"):
        MasterKey.load_or_create(path)


def test_an_unwritable_folder_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot use the master key"):
        MasterKey.load_or_create(blocker / "kaifong-master-key")
