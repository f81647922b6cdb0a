"""The exception tree; expected failures carry a message that says how to fix them.

KaifongError
├── BadQuestion          the question is empty, too long or not text (HTTP 422 / CLI error)
├── UnknownConversation  a conversation id that does not exist (HTTP 404)
├── IngestError          one file could not be ingested (reported by name, skipped)
└── StoreError           the database is unreachable or not initialised
"""

from __future__ import annotations


class KaifongError(Exception):
    """Base class of every error Kaifong raises on purpose."""

    code = "kaifong_error"


class BadQuestion(KaifongError):
    """The question cannot be answered as sent; ``reason`` names a message in ``language.messages``."""

    code = "bad_question"

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason


class UnknownConversation(KaifongError):
    """A conversation id that this server never issued or has already erased."""

    code = "unknown_conversation"


class IngestError(KaifongError):
    """A file that cannot be added to the knowledge base."""

    code = "ingest_error"


class StoreError(KaifongError):
    """The database cannot be used."""

    code = "store_error"
