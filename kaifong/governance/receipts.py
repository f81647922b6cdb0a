"""Signed answer receipts (AUD-07): what was answered, from which sources, by what, at which log index."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping, Sequence

from sqlalchemy import Engine, select

from kaifong.governance.audit import canonical
from kaifong.governance.signing import Signer, verify_signature
from kaifong.store.tables import audit_events

RECEIPT_VERSION = 1
SIGNED_FIELDS = (
    "v",
    "status",
    "answer_hash",
    "sources",
    "backend",
    "backend_version",
    "guards",
    "log_index",
    "ts",
    "key_id",
)


def answer_hash(text: str) -> str:
    """The SHA-256 of an answer's text, as receipts and the ``answer_sent`` event record it."""
    return hashlib.sha256(text.encode()).hexdigest()


def _message(receipt: Mapping[str, object]) -> bytes:
    return canonical({k: receipt[k] for k in SIGNED_FIELDS}).encode()


def sign_receipt(
    signer: Signer,
    *,
    status: str,
    text: str,
    sources: Sequence[str],
    backend: str,
    backend_version: str,
    guards: Sequence[Mapping[str, str]],
    log_index: int,
) -> dict[str, object]:
    """A receipt for one answer, signed with the deployment's key."""
    receipt: dict[str, object] = {
        "v": RECEIPT_VERSION,
        "status": status,
        "answer_hash": answer_hash(text),
        "sources": list(sources),
        "backend": backend,
        "backend_version": backend_version,
        "guards": [dict(g) for g in guards],
        "log_index": log_index,
        "ts": round(time.time(), 3),
        "key_id": signer.key_id,
    }
    receipt["signature"] = signer.sign(_message(receipt))
    return receipt


def check_receipt(
    receipt: Mapping[str, object], public_key: str, engine: Engine | None = None, text: str | None = None
) -> list[str]:
    """Problems with a receipt (an empty list means it checks out).

    The signature must be valid for ``public_key``; with ``text`` the answer must hash to the receipt's
    ``answer_hash``; with ``engine`` the audit log must hold the ``answer_sent`` event at ``log_index``
    with the same answer hash.
    """
    missing = [k for k in (*SIGNED_FIELDS, "signature") if k not in receipt]
    if missing:
        return [f"the receipt lacks {', '.join(missing)}"]
    problems = []
    if not verify_signature(public_key, _message(receipt), str(receipt["signature"])):
        problems.append("the signature is not valid for this deployment's key (changed, or signed elsewhere)")
    if text is not None and answer_hash(text) != receipt["answer_hash"]:
        problems.append("the answer text does not match the receipt's answer_hash")
    if engine is not None:
        with engine.connect() as conn:
            row = conn.execute(select(audit_events).where(audit_events.c.seq == receipt["log_index"])).first()
        if row is None or row.kind != "answer_sent":
            problems.append(f"the audit log has no answer at index {receipt['log_index']}")
        elif json.loads(row.payload).get("answer_hash") != receipt["answer_hash"]:
            problems.append(f"the audit log's answer at index {receipt['log_index']} has a different hash")
    return problems
