"""The LLMBackend protocol: the seam between the pipeline and whatever writes the answer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from kaifong.types import Detection, ScoredPassage


@dataclass(frozen=True)
class CompletionRequest:
    """What a backend is given: the redacted question, how it is written, and the retrieved passages."""

    question: str
    detection: Detection
    passages: tuple[ScoredPassage, ...]


@dataclass(frozen=True)
class Completion:
    """A draft answer and the ids of the documents it draws on (each must be among the passages given).

    ``prompt_id`` names the versioned prompt that produced it (e.g. ``grounded-yue-v1``; empty when no
    prompt was used, as with the extractive backend); the pipeline records it in the audit log.
    """

    text: str
    cited_doc_ids: tuple[str, ...]
    prompt_id: str = ""


class LLMBackend(Protocol):
    """Writes a draft answer from numbered passages.

    Contract:
    - ``complete`` answers only from ``request.passages`` and lists in ``cited_doc_ids`` the documents it
      used; an empty list means "nothing to cite", which the pipeline turns into the no-source reply.
    - It writes in the register and script of ``request.detection``.
    - It receives redacted text only and must not add personal data.
    - It raises ``BackendError`` (never anything else) when it cannot answer; the pipeline then answers
      with the fallback backend (extractive, status ``answered_fallback``) or, with the fallback off,
      replies with status ``error_backend``.
    - ``name`` and ``version`` identify it on the transparency page and in the audit log.
    """

    name: str
    version: str

    async def complete(self, request: CompletionRequest) -> Completion:
        """A draft answer grounded in the request's passages."""
        ...


@runtime_checkable
class StreamingBackend(LLMBackend, Protocol):
    """A backend that can also hand its draft over piece by piece.

    Contract (in addition to LLMBackend's): ``stream`` yields Completion deltas whose ``text`` pieces,
    joined, are the whole draft and whose ``cited_doc_ids``, joined in order, are the documents cited so
    far (each among the passages given); it raises ``BackendError`` (never anything else) when it cannot
    go on, possibly after some pieces were yielded.
    """

    def stream(self, request: CompletionRequest) -> AsyncIterator[Completion]:
        """The draft in pieces, as it is written."""
        ...


class BackendError(Exception):
    """A backend could not produce an answer.

    ``reason`` is a short code for the audit log and the fallback decision (``connect``, ``timeout``,
    ``http_status``, ``malformed``, ``truncated``, ``garbage``, ``circuit_open``, …; ``error`` when none
    was given). The message says what went wrong and how to fix it; it never holds the question, the
    answer or a secret.
    """

    def __init__(self, message: str, *, reason: str = "error") -> None:
        super().__init__(message)
        self.reason = reason


def connections(backend: LLMBackend) -> AbstractAsyncContextManager[object]:
    """The backend's ``connections()`` block (connections to its server kept alive on the running event
    loop until the block ends), or a block that does nothing for a backend that has none."""
    opener = getattr(backend, "connections", None)
    block: AbstractAsyncContextManager[object] = opener() if callable(opener) else nullcontext()
    return block
