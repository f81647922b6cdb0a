"""ChatContext: everything one request carries between steps (the raw question never leaves it)."""

from __future__ import annotations

from dataclasses import dataclass, field

from kaifong.backends.base import Completion
from kaifong.governance.audit import Event
from kaifong.store.conversations import Turn
from kaifong.types import Citation, Detection, ScoredPassage


@dataclass
class ChatContext:
    """The state of one request; a step that sets ``status`` stops the run with that status."""

    question: str
    request_id: str
    conversation_id: str = ""
    history: list[Turn] = field(default_factory=list)
    text: str = ""  # sanitised and NFKC-normalised: what detection and retrieval read
    shown: str = ""  # sanitised, not normalised, redacted: what is stored and shown back
    redacted: str = ""  # ``text`` redacted: what retrieval and the backend see
    pii_kinds: tuple[str, ...] = ()
    detection: Detection = field(default_factory=lambda: Detection("en", "Latn"))
    passages: list[ScoredPassage] = field(default_factory=list)
    completion: Completion | None = None
    answer_text: str = ""
    citations: tuple[Citation, ...] = ()
    verdicts: list[dict[str, str]] = field(default_factory=list)  # guard → verdict, for the receipt
    signposts: tuple[str, ...] = ()  # canned texts a passing guard puts above the answer
    disclaimers: tuple[str, ...] = ()  # canned texts a passing guard puts after the answer
    status: str | None = None
    answered_status: str = "answered"  # the status when no step stops the run (answered_fallback: see steps)
    events: list[Event] = field(default_factory=list)

    def record(self, kind: str, **payload: object) -> None:
        """Add an audit event for this request (ids, verdicts and hashes only)."""
        self.events.append(Event(self.request_id, kind, payload))

    def stop(self, status: str) -> None:
        """End the run with ``status``; the reply becomes that status's canned message."""
        self.status = status
