"""Resident self-service (GOV-06, DPP6): export or erase a conversation with its subject token, audited.

A conversation's first answer carries a secret subject token (separate from the conversation id, kept
only as a hash). With it a resident downloads the conversation as JSON or erases it at once. Erasure is
crypto-shredding (AUD-04): the conversation's data key is destroyed with its rows, and the audit log,
which holds ids and hashes only, still verifies. Both acts are audit events (``subject_export``,
``subject_erase``) that name the conversation by id and nothing else.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Literal

from kaifong.errors import KaifongError, UnknownConversation
from kaifong.governance.audit import Event
from kaifong.language.messages import message
from kaifong.services import Services
from kaifong.store.conversations import TOKEN_PREFIX, Erased, Transcript
from kaifong.types import Form

Rejection = Literal["missing", "unknown", "expired", "erased"]
EXPORT_VERSION = 1
#: What a subject token looks like (``kfs_`` and URL-safe base64); anything else is not looked up.
TOKEN_SHAPE = re.compile(re.escape(TOKEN_PREFIX) + r"[A-Za-z0-9_-]{16,64}")


class SubjectTokenRejected(KaifongError):
    """A subject token that is missing, unknown, or whose conversation has expired or been erased."""

    code = "subject_token_rejected"

    def __init__(self, reason: Rejection) -> None:
        super().__init__(f"subject token {reason}")
        self.reason: Rejection = reason


def conversation_for(services: Services, token: str | None) -> str:
    """The id of the conversation ``token`` opens, or SubjectTokenRejected saying why there is none."""
    if not token or not token.strip():
        raise SubjectTokenRejected("missing")
    token = token.strip()
    if not TOKEN_SHAPE.fullmatch(token):
        raise SubjectTokenRejected("unknown")
    record = services.conversations.token_record(token)
    if record is None:
        raise SubjectTokenRejected("unknown")
    if record.conversation_id is None:
        raise SubjectTokenRejected("expired" if record.ended == "expired" else "erased")
    return record.conversation_id


def _iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def transcript_json(transcript: Transcript, form: Form) -> dict[str, object]:
    """The export document: the conversation's turns as kept (questions were redacted before storing),
    with a note in the resident's language ``form``."""
    return {
        "kaifong_export": EXPORT_VERSION,
        "conversation_id": transcript.conversation_id,
        "language_form": transcript.form,
        "started": _iso(transcript.created_at),
        "last_question": _iso(transcript.updated_at),
        "turns": [
            {
                "time": _iso(stored.created_at),
                "question": stored.turn.question,
                "answer": stored.turn.answer,
                "status": stored.turn.status,
                "citations": list(stored.turn.sources) or ([stored.turn.topic] if stored.turn.topic else []),
            }
            for stored in transcript.turns
        ],
        "note": message("privacy.export_note", form),
    }


def export(services: Services, token: str | None, channel: str, form: Form = "en") -> dict[str, object]:
    """The conversation ``token`` opens, as an export document; audited as ``subject_export``."""
    conversation_id = conversation_for(services, token)
    try:
        transcript = services.conversations.transcript(conversation_id)
    except UnknownConversation:  # erased between the lookup and the read
        raise SubjectTokenRejected("erased") from None
    event = Event(
        uuid.uuid4().hex,
        "subject_export",
        {"conversation_id": conversation_id, "turns": len(transcript.turns), "channel": channel},
    )
    services.audit.append([event])
    return transcript_json(transcript, form)


def erase(services: Services, token: str | None, channel: str) -> Erased:
    """Crypto-shred the conversation ``token`` opens; the erasure and its ``subject_erase`` event commit
    together. The token's hash is kept (without the conversation) so a second try hears "erased"."""
    conversation_id = conversation_for(services, token)
    with services.engine.begin() as conn:
        erased = services.conversations.erase(conn, conversation_id, "erased")
        if not erased.key_destroyed:  # erased by a concurrent request first
            raise SubjectTokenRejected("erased")
        payload: dict[str, object] = {
            "conversation_id": conversation_id,
            "turns": erased.turns,
            "escalations": erased.escalations,
            "key_destroyed": erased.key_destroyed,
            "channel": channel,
        }
        services.audit.append([Event(uuid.uuid4().hex, "subject_erase", payload)], conn)
    services.conversations.release_deleted()
    return erased


def erased_json(erased: Erased, form: Form) -> dict[str, object]:
    """What an erasure removed, as the API returns it, with a sentence in the resident's ``form``."""
    return {
        "erased": {
            "conversation_id": erased.conversation_id,
            "turns": erased.turns,
            "escalations": erased.escalations,
            "key_destroyed": erased.key_destroyed,
        },
        "message": message("privacy.erased_text", form, turns=erased.turns),
    }
