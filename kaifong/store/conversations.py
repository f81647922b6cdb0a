"""Conversations: redacted questions and the topics they led to, so follow-ups keep their context."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, select, update

from kaifong.errors import UnknownConversation
from kaifong.store.tables import conversations, turns


@dataclass(frozen=True)
class Turn:
    """One earlier exchange: the redacted question, its status, the topic that answered it, the answer."""

    question: str
    status: str
    topic: str
    answer: str = ""


class ConversationStore:
    """Creates conversations and records turns; only redacted text ever reaches it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @staticmethod
    def start(conn: Connection, form: str) -> str:
        """A new conversation (URL-safe, unguessable id), created in ``conn``."""
        conversation_id = secrets.token_urlsafe(16)
        now = time.time()
        conn.execute(
            conversations.insert().values(id=conversation_id, created_at=now, updated_at=now, form=form)
        )
        return conversation_id

    def history(self, conversation_id: str, limit: int = 3) -> list[Turn]:
        """The last ``limit`` turns, oldest first; an unknown id raises UnknownConversation."""
        with self.engine.connect() as conn:
            if (
                conn.execute(select(conversations.c.id).where(conversations.c.id == conversation_id)).first()
                is None
            ):
                raise UnknownConversation(conversation_id)
            rows = conn.execute(
                select(turns.c.question, turns.c.status, turns.c.topic, turns.c.answer)
                .where(turns.c.conversation_id == conversation_id)
                .order_by(turns.c.id.desc())
                .limit(limit)
            ).all()
        return [Turn(r.question, r.status, r.topic, r.answer) for r in reversed(rows)]

    @staticmethod
    def add_turn(conn: Connection, conversation_id: str, turn: Turn) -> None:
        """Record one exchange and touch its conversation, inside the caller's transaction ``conn``."""
        now = time.time()
        conn.execute(
            turns.insert().values(
                conversation_id=conversation_id,
                created_at=now,
                question=turn.question,
                status=turn.status,
                topic=turn.topic,
                answer=turn.answer,
            )
        )
        conn.execute(
            update(conversations).where(conversations.c.id == conversation_id).values(updated_at=now)
        )
