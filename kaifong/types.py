"""Shared value types: languages, detections, questions, passages, citations and answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Language = Literal["yue", "zh", "en"]
Script = Literal["Hant", "Hans", "Latn"]
#: The four language forms every resident-facing string exists in.
Form = Literal["en", "zh-Hant", "zh-Hans", "yue-Hant"]
FORMS: tuple[Form, ...] = ("en", "zh-Hant", "zh-Hans", "yue-Hant")


@dataclass(frozen=True)
class Detection:
    """What language, register and script a text is written in."""

    language: Language
    script: Script
    code_switched: bool = False

    @property
    def tag(self) -> str:
        """A BCP-47-like tag such as ``yue-Hant``, ``zh-Hans`` or ``en-Latn``."""
        return f"{self.language}-{self.script}"

    @property
    def form(self) -> Form:
        """The message form a reply uses: Simplified wins over register, Cantonese over SWC."""
        if self.language == "en":
            return "en"
        if self.script == "Hans":
            return "zh-Hans"
        if self.language == "yue":
            return "yue-Hant"
        return "zh-Hant"

    @property
    def is_chinese(self) -> bool:
        """True when the question should be searched against Chinese passages."""
        return self.language != "en"


@dataclass(frozen=True)
class Passage:
    """One retrievable chunk of a knowledge-base document."""

    id: str
    doc_id: str
    topic: str
    language: str
    title: str
    department: str
    url: str
    reviewed: str
    hotline: str
    heading: str
    text: str
    position: int = 0


@dataclass(frozen=True)
class ScoredPassage:
    """A passage with the retriever's score (higher is better) and how much of the question it covers.

    ``coverage`` is the weighted share (0–1) of the question's key terms found in the passage's document;
    the pipeline answers only when the best passage's coverage reaches ``retrieval.min_coverage``.
    """

    passage: Passage
    score: float
    coverage: float = 0.0


@dataclass(frozen=True)
class Citation:
    """A source shown under an answer."""

    title: str
    url: str
    department: str
    reviewed: str
    topic: str = ""
    doc_id: str = ""

    def as_dict(self) -> dict[str, str]:
        """The public JSON shape of a citation."""
        return {
            "title": self.title,
            "url": self.url,
            "department": self.department,
            "reviewed": self.reviewed,
        }


@dataclass(frozen=True)
class Escalation:
    """The human route offered beside every answer."""

    name: str
    phone: str
    url: str
    text: str = ""  # the route in words, in the answer's language

    def as_dict(self) -> dict[str, str]:
        """The public JSON shape of the human route."""
        return {"name": self.name, "phone": self.phone, "url": self.url, "text": self.text}


@dataclass(frozen=True)
class Answer:
    """What Kaifong tells the resident, with everything needed to show and audit it."""

    status: str
    detection: Detection
    text: str
    citations: tuple[Citation, ...] = ()
    escalation: Escalation | None = None
    ai_label: str = ""
    conversation_id: str = ""
    redacted_kinds: tuple[str, ...] = field(default=())
    question: str = field(default="", repr=False)  # the redacted question, for showing back
    receipt: dict[str, object] = field(default_factory=dict, repr=False)  # signed (AUD-07)
    subject_token: str = field(default="", repr=False)  # secret; only with a conversation's first answer

    def as_dict(self) -> dict[str, object]:
        """The public JSON shape shared by the CLI (``--json``) and the HTTP API."""
        return {
            "status": self.status,
            "language": self.detection.language,
            "script": self.detection.script,
            "code_switched": self.detection.code_switched,
            "answer": self.text,
            "citations": [c.as_dict() for c in self.citations],
            "escalation": self.escalation.as_dict() if self.escalation else None,
            "ai_label": self.ai_label,
            "conversation_id": self.conversation_id,
            "redacted": list(self.redacted_kinds),
            "label": {"ai_generated": True, "text": self.ai_label},
            "receipt": self.receipt,
            "subject_token": self.subject_token or None,
        }
