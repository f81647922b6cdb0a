"""In-memory fakes of Kaifong's protocols (LLMBackend, Retriever), for our tests and for plugin authors."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from kaifong.backends.base import BackendError, Completion, CompletionRequest
from kaifong.language.normalise import search_text
from kaifong.language.tokens import index_tokens, query_tokens
from kaifong.types import Detection, Passage, ScoredPassage

#: One scripted reply: a ready Completion, a text (citing the first passage's document), or an error to raise.
Reply = Completion | str | Exception


def make_passage(
    doc_id: str,
    text: str,
    *,
    heading: str = "",
    language: str = "en",
    title: str | None = None,
    topic: str | None = None,
    position: int = 0,
    department: str = "Test Department",
    url: str = "https://www.gov.hk/",
    reviewed: str = "2026-01-01",
    hotline: str = "1823",
) -> Passage:
    """A Passage with sensible defaults, so a test names only what it is about.

    The id is ``{doc_id}#{position}``; topic defaults to the part of ``doc_id`` before ``:`` and title to
    the topic.
    """
    topic_ = topic if topic is not None else doc_id.split(":", 1)[0]
    return Passage(
        id=f"{doc_id}#{position}",
        doc_id=doc_id,
        topic=topic_,
        language=language,
        title=title if title is not None else topic_,
        department=department,
        url=url,
        reviewed=reviewed,
        hotline=hotline,
        heading=heading,
        text=text,
        position=position,
    )


class ScriptedBackend:
    """An LLMBackend that plays back queued replies, one per ``complete`` call, and records every request.

    Each reply is a ``Completion`` (returned as is), a ``str`` (returned as a Completion citing the first
    passage's document, or nothing when the request has no passages) or an ``Exception`` instance (raised).
    When the queue is empty, ``complete`` raises ``BackendError`` saying which call was not scripted.

    >>> backend = ScriptedBackend(["A grounded answer.", BackendError("model down")])
    """

    def __init__(
        self, replies: Iterable[Reply] = (), *, name: str = "scripted", version: str = "test"
    ) -> None:
        self.name = name
        self.version = version
        self._replies: deque[Reply] = deque(replies)
        #: Every request received, in order (including those answered by raising).
        self.calls: list[CompletionRequest] = []

    def queue(self, *replies: Reply) -> None:
        """Add replies to the end of the queue."""
        self._replies.extend(replies)

    @property
    def remaining(self) -> int:
        """How many replies are still queued."""
        return len(self._replies)

    async def complete(self, request: CompletionRequest) -> Completion:
        """The next scripted reply for ``request`` (recorded in ``calls``)."""
        self.calls.append(request)
        if not self._replies:
            raise BackendError(
                f"ScriptedBackend {self.name!r} has no reply queued for call {len(self.calls)} "
                f"(question {request.question!r}); queue one reply per expected complete() call"
            )
        reply = self._replies.popleft()
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, Completion):
            return reply
        cited = (request.passages[0].passage.doc_id,) if request.passages else ()
        return Completion(text=reply, cited_doc_ids=cited)


class InMemoryRetriever:
    """A deterministic Retriever over a fixed list of passages: token overlap, no database.

    Chinese questions (``detection.is_chinese``) search passages whose ``language`` is not ``"en"``;
    English questions search ``"en"`` passages. Questions are tokenised like the real retriever
    (``query_tokens(search_text(...))``) and passages with ``index_tokens`` over title, heading and text.
    ``coverage`` is the share of the question's tokens found anywhere in the passage's document; the score
    is that coverage plus half the share found in the passage itself. Ties keep the construction order.
    """

    def __init__(self, passages: Iterable[Passage], *, name: str = "in-memory") -> None:
        self.name = name
        self.passages: tuple[Passage, ...] = tuple(passages)
        self._passage_tokens: list[frozenset[str]] = [
            frozenset(index_tokens(f"{p.title} {p.heading} {p.text}")) for p in self.passages
        ]
        doc_tokens: dict[str, set[str]] = {}
        for passage, tokens in zip(self.passages, self._passage_tokens, strict=True):
            doc_tokens.setdefault(passage.doc_id, set()).update(tokens)
        self._doc_tokens: dict[str, frozenset[str]] = {d: frozenset(t) for d, t in doc_tokens.items()}

    def search(self, text: str, detection: Detection, top_k: int) -> list[ScoredPassage]:
        """The passages sharing the most question tokens, best first, at most ``top_k``."""
        terms = set(query_tokens(search_text(text, detection)))
        if not terms or top_k <= 0:
            return []
        want_english = not detection.is_chinese
        scored: list[tuple[float, int, ScoredPassage]] = []
        for index, (passage, tokens) in enumerate(zip(self.passages, self._passage_tokens, strict=True)):
            if (passage.language == "en") != want_english:
                continue
            own = len(terms & tokens) / len(terms)
            if own == 0.0:
                continue
            coverage = len(terms & self._doc_tokens[passage.doc_id]) / len(terms)
            score = coverage + 0.5 * own
            scored.append((score, index, ScoredPassage(passage, score=score, coverage=coverage)))
        scored.sort(key=lambda item: (-item[0], item[1]))
        return [sp for _, _, sp in scored[:top_k]]


class FailingRetriever:
    """A Retriever whose ``search`` always raises RuntimeError: for testing that the pipeline fails closed.

    ``calls`` counts the searches attempted.
    """

    def __init__(
        self, message: str = "FailingRetriever: the search index is unavailable", *, name: str = "failing"
    ) -> None:
        self.name = name
        self.message = message
        self.calls = 0

    def search(self, text: str, detection: Detection, top_k: int) -> list[ScoredPassage]:
        """Always raises RuntimeError."""
        self.calls += 1
        raise RuntimeError(self.message)
