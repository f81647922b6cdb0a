"""Per-conversation data keys (AES-256-GCM) wrapped by the deployment's master key, for crypto-shredding.

Each conversation gets its own random 256-bit data key. Its turns are sealed with that key (AES-GCM, a
fresh 96-bit nonce per seal, associated data binding the conversation id and the turn id, so a sealed
turn moved to another row or conversation no longer opens). The data key is stored only wrapped by the
master key (AES-GCM again, associated data binding the conversation id). The master key is 32 random
bytes in a file beside the database (mode 0600), created on first start. Destroying a conversation's
wrapped key makes its sealed turns unreadable for good, even in backups of the database file taken
before, as long as the master key is not backed up beside them. A resident's note to staff on an
escalation case is sealed with the same conversation key (bound to the case), so it is shredded too.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kaifong.errors import StoreError

KEY_BYTES = 32
NONCE_BYTES = 12
_WRAP_CONTEXT = "kaifong/data-key/v1"
_SEAL_CONTEXT = "kaifong/turn/v1"
_NOTE_CONTEXT = "kaifong/escalation-note/v1"


class SealBroken(StoreError):
    """Sealed data that does not open: wrong key, wrong conversation or turn, or changed bytes."""

    code = "seal_broken"


def _associated(context: str, *parts: object) -> bytes:
    return "\x1f".join([context, *(str(p) for p in parts)]).encode()


def _encrypt(key: bytes, plaintext: bytes, associated: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, associated)


def _decrypt(key: bytes, sealed: bytes, associated: bytes) -> bytes:
    if len(sealed) < NONCE_BYTES + 16:
        raise SealBroken("sealed data is too short to be ours")
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated)
    except InvalidTag as exc:
        raise SealBroken("sealed data does not open with this key (changed, moved or wrong key)") from exc


def new_data_key() -> bytes:
    """A fresh random 256-bit data key for one conversation."""
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def seal(data_key: bytes, conversation_id: str, turn_id: int, plaintext: bytes) -> bytes:
    """``plaintext`` encrypted with the conversation's key, bound to this conversation and turn."""
    return _encrypt(data_key, plaintext, _associated(_SEAL_CONTEXT, conversation_id, turn_id))


def unseal(data_key: bytes, conversation_id: str, turn_id: int, sealed: bytes) -> bytes:
    """The plaintext of :func:`seal`; SealBroken when the key, conversation or turn do not match."""
    return _decrypt(data_key, sealed, _associated(_SEAL_CONTEXT, conversation_id, turn_id))


def seal_note(data_key: bytes, conversation_id: str, case_id: int, plaintext: bytes) -> bytes:
    """A resident's note to staff sealed with the conversation's key, bound to the conversation and case."""
    return _encrypt(data_key, plaintext, _associated(_NOTE_CONTEXT, conversation_id, case_id))


def unseal_note(data_key: bytes, conversation_id: str, case_id: int, sealed: bytes) -> bytes:
    """The plaintext of :func:`seal_note`; SealBroken when the key, conversation or case do not match."""
    return _decrypt(data_key, sealed, _associated(_NOTE_CONTEXT, conversation_id, case_id))


class MasterKey:
    """The deployment's key-encryption key: wraps and unwraps conversation data keys; ``key_id`` names it."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise StoreError(f"a master key is {KEY_BYTES} bytes, not {len(key)}")
        self._key = key
        self.key_id = hashlib.sha256(b"kaifong-master-key\x1f" + key).hexdigest()[:16]

    @classmethod
    def load_or_create(cls, path: Path) -> MasterKey:
        """The key in ``path`` (base64, one line); a new one is created there (mode 0600) when none exists."""
        try:
            if path.exists():
                try:
                    raw = base64.b64decode(path.read_text(encoding="ascii").strip(), validate=True)
                except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
                    raise StoreError(
                        f"{path} is not a Kaifong master key (expected one line of base64); "
                        "restore the right file, or move it away only if no conversation must be read again"
                    ) from exc
                return cls(raw)
            path.parent.mkdir(parents=True, exist_ok=True)
            key = os.urandom(KEY_BYTES)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(base64.b64encode(key).decode("ascii") + "\n")
            return cls(key)
        except OSError as exc:
            raise StoreError(f"cannot use the master key {path}: {exc.strerror or exc}") from exc

    def wrap(self, conversation_id: str, data_key: bytes) -> bytes:
        """``data_key`` encrypted under the master key, bound to ``conversation_id``."""
        return _encrypt(self._key, data_key, _associated(_WRAP_CONTEXT, conversation_id))

    def unwrap(self, conversation_id: str, wrapped: bytes) -> bytes:
        """The data key of :meth:`wrap`; SealBroken when it was wrapped for another conversation or key."""
        return _decrypt(self._key, wrapped, _associated(_WRAP_CONTEXT, conversation_id))
