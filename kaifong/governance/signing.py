"""Ed25519 signing for audit checkpoints and answer receipts: one key per deployment, kept in a file."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kaifong.errors import StoreError


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class Signer:
    """Signs bytes with the deployment's Ed25519 key; ``public_key`` and ``key_id`` identify it."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key
        raw = private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self.public_key = _b64(raw)
        self.key_id = hashlib.sha256(raw).hexdigest()[:16]

    @classmethod
    def load_or_create(cls, path: Path) -> Signer:
        """The key in ``path`` (PEM, PKCS#8); a new one is created there (mode 0600) when none exists."""
        try:
            if path.exists():
                key = serialization.load_pem_private_key(path.read_bytes(), password=None)
                if not isinstance(key, Ed25519PrivateKey):
                    raise StoreError(
                        f"{path} holds a key that is not Ed25519; move it away to create a new one"
                    )
                return cls(key)
            path.parent.mkdir(parents=True, exist_ok=True)
            key = Ed25519PrivateKey.generate()
            pem = key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
            return cls(key)
        except (OSError, ValueError) as exc:
            raise StoreError(f"cannot use the signing key {path}: {exc}") from exc

    def sign(self, data: bytes) -> str:
        """A base64 Ed25519 signature of ``data``."""
        return _b64(self._key.sign(data))


def verify_signature(public_key: str, data: bytes, signature: str) -> bool:
    """True when ``signature`` is a valid Ed25519 signature of ``data`` by ``public_key`` (both base64)."""
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True))
        key.verify(base64.b64decode(signature, validate=True), data)
    except (InvalidSignature, ValueError):
        return False
    return True
