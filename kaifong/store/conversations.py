"""Conversations: turns sealed with a per-conversation key (erasable by destroying it) and subject tokens.

Stored in plain text, because follow-ups and retention read them and none of it is personal data: a
conversation's random id, its times and its language form; each turn's id, time, status name (such as
``answered``) and the id of the knowledge-base topic that answered it (such as ``passport-renewal``).
Sealed with the conversation's own data key (AES-256-GCM, see kaifong.governance.conversation_keys):
the redacted question, the answer and every cited topic, and the resident's note on an escalation
case. The resident's subject token is stored only
as its SHA-256. Erasing a conversation deletes its wrapped data key with its rows (crypto-shredding).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, Row, func, select, update

from kaifong.errors import StoreError, UnknownConversation
from kaifong.governance.conversation_keys import (
    MasterKey,
    new_data_key,
    seal,
    seal_note,
    unseal,
    unseal_note,
)
from kaifong.store.tables import conversation_keys, conversations, escalations, subject_tokens, turns

TOKEN_PREFIX = "kfs_"
#: How a sealed escalation note starts in the ``escalations.note`` column (base64 after it).
NOTE_PREFIX = "sealed:v1:"


@dataclass(frozen=True)
class Turn:
    """One exchange: the redacted question, its status, the topic that answered it, the answer, the
    topics it cited."""

    question: str
    status: str
    topic: str
    answer: str = ""
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class NewConversation:
    """A conversation just started: its id and the resident's subject token (shown once, kept hashed)."""

    id: str
    subject_token: str = field(repr=False)


@dataclass(frozen=True)
class StoredTurn:
    """A turn as kept, with the time it was stored (seconds since the epoch)."""

    turn: Turn
    created_at: float


@dataclass(frozen=True)
class Transcript:
    """Everything kept about one conversation, opened with its key."""

    conversation_id: str
    form: str
    created_at: float
    updated_at: float
    turns: tuple[StoredTurn, ...]


@dataclass(frozen=True)
class TokenRecord:
    """What a subject token leads to: a live conversation, or how its conversation ended."""

    conversation_id: str | None
    ended: str  # "" while the conversation is kept, else "erased" or "expired"


@dataclass(frozen=True)
class Erased:
    """What one erasure removed."""

    conversation_id: str
    turns: int
    key_destroyed: bool
    escalations: int = 0  # staff cases about the conversation, deleted with it


def token_hash(token: str) -> str:
    """The SHA-256 (hex) under which a subject token is stored; the token itself never is."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _pack(turn: Turn) -> bytes:
    body = {"question": turn.question, "answer": turn.answer, "sources": list(turn.sources)}
    return json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")


def _unpack(plain: bytes, status: str, topic: str) -> Turn:
    body = json.loads(plain.decode("utf-8", "surrogatepass"))
    return Turn(body["question"], status, topic, body["answer"], tuple(body["sources"]))


class ConversationStore:
    """Creates conversations, seals and opens their turns, erases them; only redacted text reaches it."""

    def __init__(self, engine: Engine, master_key: MasterKey) -> None:
        self.engine = engine
        self.master_key = master_key

    def start(self, conn: Connection, form: str) -> NewConversation:
        """A new conversation (URL-safe, unguessable id) with its data key and subject token, in ``conn``."""
        conversation_id = secrets.token_urlsafe(16)
        token = TOKEN_PREFIX + secrets.token_urlsafe(24)
        now = time.time()
        conn.execute(
            conversations.insert().values(id=conversation_id, created_at=now, updated_at=now, form=form)
        )
        conn.execute(
            conversation_keys.insert().values(
                conversation_id=conversation_id,
                master_key_id=self.master_key.key_id,
                wrapped=self.master_key.wrap(conversation_id, new_data_key()),
                created_at=now,
            )
        )
        conn.execute(
            subject_tokens.insert().values(
                token_hash=token_hash(token), conversation_id=conversation_id, issued_at=now, ended=""
            )
        )
        return NewConversation(conversation_id, token)

    def _data_key(self, conn: Connection, conversation_id: str) -> bytes:
        row = conn.execute(
            select(conversation_keys.c.master_key_id, conversation_keys.c.wrapped).where(
                conversation_keys.c.conversation_id == conversation_id
            )
        ).first()
        if row is None:
            raise UnknownConversation(conversation_id)
        if row.master_key_id != self.master_key.key_id:
            raise StoreError(
                f"conversation keys were wrapped by master key {row.master_key_id}, but this deployment "
                f"has {self.master_key.key_id}: restore the master key file that was in use"
            )
        return self.master_key.unwrap(conversation_id, bytes(row.wrapped))

    def add_turn(self, conn: Connection, conversation_id: str, turn: Turn) -> None:
        """Seal and record one exchange and touch its conversation, inside the caller's transaction."""
        data_key = self._data_key(conn, conversation_id)
        now = time.time()
        turn_id = conn.execute(
            turns.insert()
            .values(
                conversation_id=conversation_id,
                created_at=now,
                question="",
                status=turn.status,
                topic=turn.topic,
                answer="",
            )
            .returning(turns.c.id)
        ).scalar_one()
        sealed = seal(data_key, conversation_id, turn_id, _pack(turn))
        conn.execute(update(turns).where(turns.c.id == turn_id).values(sealed=sealed))
        conn.execute(
            update(conversations).where(conversations.c.id == conversation_id).values(updated_at=now)
        )

    def seal_note(self, conn: Connection, conversation_id: str, case_id: int, note: str) -> str:
        """``note`` (already redacted) sealed with the conversation's key for the ``escalations.note``
        column, bound to the case; an empty note stays empty."""
        if not note:
            return ""
        sealed = seal_note(self._data_key(conn, conversation_id), conversation_id, case_id, note.encode())
        return NOTE_PREFIX + base64.b64encode(sealed).decode("ascii")

    def open_note(self, conn: Connection, conversation_id: str, case_id: int, stored: str) -> str:
        """The note :meth:`seal_note` stored (a note from before sealing is returned as it is)."""
        if not stored.startswith(NOTE_PREFIX):
            return stored
        sealed = base64.b64decode(stored.removeprefix(NOTE_PREFIX))
        plain = unseal_note(self._data_key(conn, conversation_id), conversation_id, case_id, sealed)
        return plain.decode()

    def _open(self, conn: Connection, conversation_id: str, rows: Sequence[Row[Any]]) -> list[StoredTurn]:
        data_key = self._data_key(conn, conversation_id)
        opened = []
        for r in rows:
            if r.sealed is None:  # from before encryption at rest (see seal_legacy_turns)
                turn = Turn(r.question, r.status, r.topic, r.answer)
            else:
                turn = _unpack(unseal(data_key, conversation_id, r.id, bytes(r.sealed)), r.status, r.topic)
            opened.append(StoredTurn(turn, float(r.created_at)))
        return opened

    def history(self, conversation_id: str, limit: int = 3) -> list[Turn]:
        """The last ``limit`` turns, oldest first; an unknown or erased id raises UnknownConversation."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(turns)
                .where(turns.c.conversation_id == conversation_id)
                .order_by(turns.c.id.desc())
                .limit(limit)
            ).all()
            return [stored.turn for stored in self._open(conn, conversation_id, rows[::-1])]

    def transcript(self, conversation_id: str) -> Transcript:
        """Everything kept about a conversation, opened; UnknownConversation when it is not kept."""
        with self.engine.connect() as conn:
            head = conn.execute(select(conversations).where(conversations.c.id == conversation_id)).first()
            if head is None:
                raise UnknownConversation(conversation_id)
            rows = conn.execute(
                select(turns).where(turns.c.conversation_id == conversation_id).order_by(turns.c.id)
            ).all()
            opened = self._open(conn, conversation_id, rows)
        return Transcript(conversation_id, head.form, head.created_at, head.updated_at, tuple(opened))

    def turn_count(self, conversation_id: str, conn: Connection | None = None) -> int:
        """How many turns a conversation holds (nothing is opened); in ``conn`` when given."""
        if conn is None:
            with self.engine.connect() as own:
                return self.turn_count(conversation_id, own)
        query = select(func.count()).select_from(turns).where(turns.c.conversation_id == conversation_id)
        return int(conn.execute(query).scalar_one())

    def token_record(self, token: str) -> TokenRecord | None:
        """What ``token`` leads to, or None when this server never issued it (or forgot it)."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(subject_tokens.c.conversation_id, subject_tokens.c.ended).where(
                    subject_tokens.c.token_hash == token_hash(token)
                )
            ).first()
        return None if row is None else TokenRecord(row.conversation_id, row.ended)

    @staticmethod
    def erase(conn: Connection, conversation_id: str, reason: str, now: float | None = None) -> Erased:
        """Destroy the conversation's data key and delete its rows, in the caller's transaction.

        ``reason`` (``erased`` or ``expired``) is kept beside the token's hash, with the time ``now``
        (default: the clock), so that the resident is told what happened. SQLite's secure_delete is
        switched on first so that the freed pages holding the wrapped key are overwritten, not just
        unlinked; call :meth:`release_deleted` after commit.
        """
        conn.exec_driver_sql("PRAGMA secure_delete=ON")
        count = int(
            conn.execute(
                select(func.count()).select_from(turns).where(turns.c.conversation_id == conversation_id)
            ).scalar_one()
        )
        cases = int(  # deleted below by the foreign key's cascade
            conn.execute(
                select(func.count())
                .select_from(escalations)
                .where(escalations.c.conversation_id == conversation_id)
            ).scalar_one()
        )
        destroyed = conn.execute(
            conversation_keys.delete().where(conversation_keys.c.conversation_id == conversation_id)
        ).rowcount
        conn.execute(
            update(subject_tokens)
            .where(subject_tokens.c.conversation_id == conversation_id)
            .values(conversation_id=None, ended=reason, ended_at=time.time() if now is None else now)
        )
        conn.execute(turns.delete().where(turns.c.conversation_id == conversation_id))
        conn.execute(conversations.delete().where(conversations.c.id == conversation_id))
        return Erased(conversation_id, count, destroyed == 1, cases)

    @staticmethod
    def idle_since(conn: Connection, cutoff: float) -> list[str]:
        """Ids of conversations with no activity since ``cutoff`` (seconds since the epoch)."""
        rows = conn.execute(
            select(conversations.c.id)
            .where(conversations.c.updated_at < cutoff)
            .order_by(conversations.c.updated_at)
        )
        return [str(r.id) for r in rows]

    @staticmethod
    def forget_ended_tokens(conn: Connection, cutoff: float, *, dry_run: bool = False) -> int:
        """Delete (or with ``dry_run`` count) token hashes whose conversation ended before ``cutoff``."""
        ended = (subject_tokens.c.conversation_id.is_(None)) & (subject_tokens.c.ended_at < cutoff)
        if dry_run:
            count = conn.execute(select(func.count()).select_from(subject_tokens).where(ended)).scalar_one()
            return int(count)
        return int(conn.execute(subject_tokens.delete().where(ended)).rowcount)

    def release_deleted(self) -> None:
        """Checkpoint and truncate SQLite's write-ahead log, so pages from before an erasure leave the
        ``-wal`` file too (best effort: a concurrent reader can keep the log from being truncated)."""
        with self.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def seal_legacy_turns(self) -> int:
        """Give every conversation from before encryption at rest a data key, seal its plain-text turns
        and blank their plain columns; returns how many turns were sealed. Idempotent; quick when idle."""
        with self.engine.begin() as conn:
            unkeyed = conn.execute(
                select(conversations.c.id).where(
                    conversations.c.id.not_in(select(conversation_keys.c.conversation_id))
                )
            ).all()
            rows = conn.execute(select(turns).where(turns.c.sealed.is_(None)).order_by(turns.c.id)).all()
            if not unkeyed and not rows:
                return 0
            conn.exec_driver_sql("PRAGMA secure_delete=ON")  # overwrite the plain text, do not just unlink
            for (conversation_id,) in unkeyed:
                conn.execute(
                    conversation_keys.insert().values(
                        conversation_id=conversation_id,
                        master_key_id=self.master_key.key_id,
                        wrapped=self.master_key.wrap(conversation_id, new_data_key()),
                        created_at=time.time(),
                    )
                )
            for r in rows:
                plain = _pack(Turn(r.question, r.status, r.topic, r.answer))
                sealed = seal(self._data_key(conn, r.conversation_id), r.conversation_id, r.id, plain)
                conn.execute(
                    update(turns).where(turns.c.id == r.id).values(sealed=sealed, question="", answer="")
                )
        self.release_deleted()
        return len(rows)

    def seal_legacy_notes(self) -> int:
        """Seal escalation notes stored in plain text before notes were sealed; returns how many.
        Idempotent; quick when idle."""
        plain = escalations.c.note.not_like(NOTE_PREFIX + "%") & (escalations.c.note != "")
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(escalations.c.id, escalations.c.conversation_id, escalations.c.note).where(plain)
            ).all()
            if not rows:
                return 0
            conn.exec_driver_sql("PRAGMA secure_delete=ON")
            for r in rows:
                sealed = self.seal_note(conn, r.conversation_id, r.id, r.note)
                conn.execute(update(escalations).where(escalations.c.id == r.id).values(note=sealed))
        self.release_deleted()
        return len(rows)
