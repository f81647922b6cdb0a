"""The schema: documents, passages, their full-text index, conversations and the audit log."""

from __future__ import annotations

from sqlalchemy import Column, Float, ForeignKey, Index, Integer, LargeBinary, MetaData, String, Table, Text

metadata = MetaData()

documents = Table(
    "documents",
    metadata,
    Column(
        "id", String, primary_key=True
    ),  # "<topic>:<language>" for front-matter docs, path-based otherwise
    Column("topic", String, nullable=False, index=True),
    Column("language", String, nullable=False),
    Column("title", Text, nullable=False),
    Column("department", Text, nullable=False, default=""),
    Column("url", Text, nullable=False, default=""),
    Column("reviewed", String, nullable=False, default=""),
    Column("source_date", String, nullable=False, default=""),
    Column("hotline", String, nullable=False, default=""),
    Column("tags", Text, nullable=False, default=""),
    Column("aliases", Text, nullable=False, default=""),
    Column("source", Text, nullable=False, default=""),
    Column("content_hash", String, nullable=False),
    Column("ingested_at", Float, nullable=False),
)

passages = Table(
    "passages",
    metadata,
    Column("rowid", Integer, primary_key=True, autoincrement=True),
    Column("id", String, nullable=False, unique=True),
    Column("doc_id", String, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("heading", Text, nullable=False, default=""),
    Column("text", Text, nullable=False),
)

conversations = Table(
    "conversations",
    metadata,
    Column("id", String, primary_key=True),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("form", String, nullable=False, default="en"),
)

turns = Table(
    "turns",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String, ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("question", Text, nullable=False),  # "" (see ``sealed``); older files: redacted text
    Column("status", String, nullable=False),  # plain: a status name, no personal data (follow-ups read it)
    Column("topic", String, nullable=False, default=""),  # plain: a knowledge-base topic id, as above
    Column("answer", Text, nullable=False, default=""),  # "" (see ``sealed``)
    Index("ix_turns_conversation", "conversation_id", "id"),
    # the redacted question, the answer and the cited topics, sealed with the conversation's data key
    # (kaifong.governance.conversation_keys); NULL only in older rows not sealed yet
    Column("sealed", LargeBinary, nullable=True),
)

#: One data key per conversation, wrapped by the master key; deleting the row crypto-shreds the turns.
conversation_keys = Table(
    "conversation_keys",
    metadata,
    Column(
        "conversation_id",
        String,
        ForeignKey("conversations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("master_key_id", String, nullable=False),
    Column("wrapped", LargeBinary, nullable=False),
    Column("created_at", Float, nullable=False),
)

#: The resident's secret for self-service export and erasure, stored only as its SHA-256. When the
#: conversation ends (erased, or purged at the end of its retention) the row stays a while without a
#: conversation, so that the resident hears "already erased" or "expired" rather than "unknown".
subject_tokens = Table(
    "subject_tokens",
    metadata,
    Column("token_hash", String, primary_key=True),
    Column(
        "conversation_id",
        String,
        ForeignKey("conversations.id", ondelete="SET NULL"),
        nullable=True,
        unique=True,
    ),
    Column("issued_at", Float, nullable=False),
    Column("ended", String, nullable=False, default=""),  # "" | "erased" | "expired"
    Column("ended_at", Float, nullable=True),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("ts", Float, nullable=False),
    Column("request_id", String, nullable=False),
    Column("kind", String, nullable=False),
    Column("payload", Text, nullable=False),  # canonical JSON; ids, verdicts and hashes only
    Column("prev_hash", String, nullable=False),
    Column("hash", String, nullable=False),
)

audit_checkpoints = Table(
    "audit_checkpoints",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),  # the last event the checkpoint covers
    Column("ts", Float, nullable=False),
    Column("head", String, nullable=False),  # that event's hash
    Column("key_id", String, nullable=False),
    Column("signature", String, nullable=False),
)

#: Human oversight (kaifong.oversight): cases queued for staff, the kill switch, configuration loads.
escalations = Table(
    "escalations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String, ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("reason", String, nullable=False),  # escalated_<reason> of the turn, or resident_request
    Column("status", String, nullable=False),  # open | claimed | closed
    Column("note", Text, nullable=False, default=""),  # the resident's note, redacted
    Column("staff_id", String, nullable=False, default=""),  # who claimed or closed it
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Index("ix_escalations_status", "status", "id"),
    Index("ix_escalations_conversation", "conversation_id"),
)

kill_switch = Table(
    "kill_switch",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # always 1: one switch per deployment
    Column("engaged", Integer, nullable=False),  # 1 while answers are paused
    Column("reason", Text, nullable=False),  # redacted
    Column("changed_by", String, nullable=False),
    Column("changed_at", Float, nullable=False),
)

configuration_loads = Table(
    "configuration_loads",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),  # its config_loaded event in the log
    Column("hash", String, nullable=False),
    Column("loaded_at", Float, nullable=False),
)

#: Columns added to a table after it was first released, as (table, column, SQLite type): ``init_schema``
#: adds any that an older database file lacks (``ALTER TABLE … ADD COLUMN``; additive only).
ADDED_COLUMNS: tuple[tuple[str, str, str], ...] = (("turns", "sealed", "BLOB"),)

#: Full-text indexes over pre-tokenised text, one per language group so that English questions search
#: English passages and Chinese questions Chinese ones. Text arrives pre-tokenised (see
#: ``language.tokens``), so the FTS tokenizer only splits on the spaces between our tokens.
FTS_TABLES = {"en": "passage_fts_en", "zh": "passage_fts_zh"}


def fts_ddl(name: str) -> str:
    """The CREATE statement of one FTS5 index (columns: title terms, body terms)."""
    return (
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {name} USING fts5("
        "title, body, tokenize = 'unicode61 remove_diacritics 0')"
    )


def vocab_ddl(name: str) -> str:
    """The CREATE statement of the vocabulary view over one index (document frequency per term)."""
    return f"CREATE VIRTUAL TABLE IF NOT EXISTS {name}_vocab USING fts5vocab({name}, 'row')"
