"""Streamed answers through the governed pipeline: only cited, redacted, checked text is released (ADR 0008).

``open_stream`` runs the steps before the draft (sanitise → detect → PII → guards → retrieve) with
``run_steps``; iterating the returned ``AnswerStream`` then drafts with ``StreamingBackend.stream`` (or
``complete``, as one piece) and releases text a sentence run at a time, each run redacted with the same
detectors as ``check_output`` and only after the draft has cited at least one retrieved document. A draft
that ends without a valid citation releases nothing and becomes the no-source reply (GOV-11). The turn and
its audit events are stored by ``runner.finish`` in one transaction, as for a whole answer; a stream that
is abandoned (the client went away) is finished with status ``aborted_client``.
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from dataclasses import dataclass

from kaifong.backends.base import Completion, CompletionRequest, LLMBackend, StreamingBackend
from kaifong.governance import pii
from kaifong.governance.audit import text_hash
from kaifong.language.messages import localise
from kaifong.pipeline import steps
from kaifong.pipeline.context import ChatContext
from kaifong.pipeline.runner import DEFAULT_STEPS, Step, finish, run_steps, start
from kaifong.services import Services
from kaifong.store.conversations import Turn
from kaifong.types import Answer

#: The steps that run before any text is drafted; the draft and its checks are streamed (below).
PRE_DRAFT_STEPS: tuple[Step, ...] = DEFAULT_STEPS[: DEFAULT_STEPS.index(steps.compose_answer)]

#: Where a sentence ends: CJK and full-width end marks, ``!?;`` , a ``.`` or ``:`` before white space, or a
#: line break. A ``.`` inside ``3.5`` or ``www.gov.hk`` is not an end, so amounts and addresses stay whole.
_SENTENCE_END = re.compile(r"[。！？；!?;\n]|[.:](?=\s)")


@dataclass(frozen=True)
class Piece:
    """Text that has passed the output checks and may be shown now."""

    text: str


@dataclass(frozen=True)
class Done:
    """The end of a stream: the stored, signed answer and ``rest``, the part of it not yet released.

    When the answer was streamed, ``rest`` is empty (the pieces, joined, are ``answer.text``); for any
    other status (no source, refusal, crisis, error, …) nothing was released and ``rest`` is the whole
    canned reply.
    """

    answer: Answer
    rest: str


StreamEvent = Piece | Done


def split_complete(text: str) -> tuple[str, str]:
    """``text`` cut after its last sentence end (and the white space after it): (complete, unfinished)."""
    ends = list(_SENTENCE_END.finditer(text))
    if not ends:
        return "", text
    end = ends[-1].end()
    while end < len(text) and text[end].isspace():
        end += 1
    return text[:end], text[end:]


class AnswerStream:
    """One answer being streamed: iterate it for Pieces and a final Done; ``abort`` if the reader leaves."""

    def __init__(self, ctx: ChatContext, services: Services, *, remember: bool = True) -> None:
        self.ctx = ctx
        self.services = services
        self.remember = remember
        self.answer: Answer | None = None
        self._released: list[str] = []
        self._started = time.perf_counter()
        self._first_ms: float | None = None  # when the first piece was released, from open_stream

    @property
    def finished(self) -> bool:
        """True once the answer has been stored (answered, stopped or aborted)."""
        return self.answer is not None

    @property
    def released_text(self) -> str:
        """Everything released to the reader so far."""
        return "".join(self._released)

    def __aiter__(self) -> AsyncGenerator[StreamEvent, None]:
        """``events()``: ``async for event in stream``."""
        return self.events()

    async def events(self) -> AsyncGenerator[StreamEvent, None]:
        """Checked pieces of the answer as they are written, then Done (stored and signed).

        Close it (``contextlib.aclosing``) or cancel it to stop early: the answer is then stored with status
        ``aborted_client``.
        """
        if self.finished:
            raise RuntimeError("this AnswerStream has already been read")
        try:
            if self.ctx.status is None:
                async for text in self._draft():
                    self._released.append(text)
                    yield Piece(text)
            answer = self._finish()
            yield Done(answer, rest=self._unreleased(answer))
        finally:
            if not self.finished:  # closed or cancelled before the end: the reader went away
                self.abort()

    def abort(self) -> Answer | None:
        """Finish an unfinished stream with status ``aborted_client``; the audit record says what was
        released (length and hash, never the text). Does nothing when the stream has already finished."""
        if self.finished:
            return None
        released = self.released_text
        self.ctx.record(
            "stream_aborted",
            backend=self.services.backend.name,
            released_chars=len(released),
            released_hash=text_hash(released),
            ms=_ms_since(self._started),
        )
        self.ctx.stop("aborted_client")
        return self._finish()

    def _unreleased(self, answer: Answer) -> str:
        if not self._released:
            return answer.text
        if answer.status.startswith("answered"):
            return ""
        return f"\n\n{answer.text}"  # a failure after text was released: the canned reply follows it

    def _finish(self) -> Answer:
        self.answer = finish(self.ctx, self.services, remember=self.remember)
        return self.answer

    async def _draft(self) -> AsyncIterator[str]:
        """Draft with the backend, or — when it fails — with the fallback backend (``answered_fallback``);
        release checked text as it comes; finish with check_output over everything released."""
        ctx, services = self.ctx, self.services
        request = CompletionRequest(ctx.redacted, ctx.detection, tuple(ctx.passages))
        draft = _Draft(ctx, self)
        fallback = services.fallback
        backends = [services.backend] if fallback is None else [services.backend, fallback]
        for backend in backends:
            async for text in draft.write(backend, request):
                yield text
            if draft.failure is None:
                break
            reason = getattr(draft.failure, "reason", "error")
            if backend is not backends[-1]:
                ctx.record(
                    "backend_fallback",
                    backend=backend.name,
                    version=backend.version,
                    reason=reason,
                    fallback=backends[-1].name,
                    released_chars=len(self.released_text),
                )
                ctx.answered_status = "answered_fallback"
                if draft.body:  # the first backend's checked part stands; the fallback's answer follows it
                    notice = localise("stream.fallback", ctx.detection.language, ctx.detection.script)
                    yield draft.release(f"\n\n{notice}\n\n")
                continue
            ctx.record(
                "compose_answer",
                backend=backend.name,
                version=backend.version,
                error=draft.failure.__class__.__name__,
                reason=reason,
                streamed=True,
                released_chars=len(self.released_text),
            )
            if not draft.body:
                ctx.stop("error_backend")
                return
            cut = localise("stream.interrupted", ctx.detection.language, ctx.detection.script)
            ctx.disclaimers = (cut, *ctx.disclaimers)  # what was released stands (it was checked)
        ctx.record(
            "check_stream", pieces=len(draft.body), pii_removed=draft.removed, first_piece_ms=self._first_ms
        )
        ctx.completion = Completion("".join(draft.text), tuple(dict.fromkeys(draft.cited)))
        ctx.answer_text = "".join(draft.body)
        await run_steps(ctx, services, (steps.check_output,))  # citations and the whole-text PII check
        if ctx.status is None and ctx.disclaimers:
            yield "".join(f"\n\n{d}" for d in ctx.disclaimers)
        if ctx.status is None and ctx.answer_text != self.released_text:
            # the whole-text check found personal data the sentence checks missed: the stored answer is
            # the redacted one, and the log says that the reader saw a different text
            ctx.record("stream_late_redaction", released_hash=text_hash(self.released_text))


class _Draft:
    """The drafting state of one stream: what each backend wrote, what was cited, what was released."""

    def __init__(self, ctx: ChatContext, stream: AnswerStream) -> None:
        self.ctx = ctx
        self.stream = stream
        self.retrieved = {sp.passage.doc_id for sp in ctx.passages}
        self.published = "\n".join(sp.passage.text for sp in ctx.passages)
        self.text: list[str] = []  # everything every backend wrote
        self.cited: list[str] = []  # every document cited, in order
        self.body: list[str] = []  # the released answer, without signposts and disclaimers
        self.removed: list[str] = []  # kinds of personal data taken out of released pieces
        self.failure: Exception | None = None

    def release(self, text: str) -> str:
        """``text`` redacted (as check_output redacts), with the signposts before the first piece."""
        redaction = pii.redact(text, published=self.published)
        self.removed.extend(redaction.kinds)
        prefix = ""
        if not self.body:
            prefix = "".join(f"{s}\n\n" for s in self.ctx.signposts)
            self.stream._first_ms = _ms_since(self.stream._started)
        self.body.append(redaction.text)
        return prefix + redaction.text

    async def write(self, backend: LLMBackend, request: CompletionRequest) -> AsyncIterator[str]:
        """Release ``backend``'s draft sentence run by sentence run once it has cited a retrieved document
        (GOV-11); a failure ends the draft and is kept in ``failure``."""
        self.failure = None
        started = time.perf_counter()
        own_text: list[str] = []
        own_cited: list[str] = []
        prompt = ""
        pending = ""
        deltas = _deltas(backend, request)
        try:
            while True:
                try:
                    delta = await anext(deltas)
                except StopAsyncIteration:
                    break
                except Exception as exc:  # a backend that breaks its contract is still a backend failure
                    self.failure = exc
                    break
                own_text.append(delta.text)
                own_cited.extend(delta.cited_doc_ids)
                prompt = prompt or delta.prompt_id
                pending += delta.text
                if not any(d in self.retrieved for d in own_cited):
                    continue  # nothing is shown before this draft cites a retrieved source
                complete, unfinished = split_complete(pending)
                if complete.strip():
                    pending = unfinished
                    yield self.release(complete)
        finally:
            await deltas.aclose()
        self.text.extend(own_text)
        self.cited.extend(own_cited)
        if self.failure is not None:
            return  # an unfinished sentence is not released
        if pending.strip() and any(d in self.retrieved for d in own_cited):
            yield self.release(pending)
        self.ctx.record(
            "compose_answer",
            backend=backend.name,
            version=backend.version,
            cited=list(dict.fromkeys(own_cited)),
            answer_hash=text_hash("".join(own_text)),
            streamed=True,
            first_piece_ms=self.stream._first_ms,
            ms=_ms_since(started),
            **({"prompt": prompt} if prompt else {}),
        )


async def _deltas(backend: LLMBackend, request: CompletionRequest) -> AsyncGenerator[Completion, None]:
    """The backend's draft in pieces: its stream, or its whole completion as one piece."""
    if isinstance(backend, StreamingBackend):
        deltas = backend.stream(request)
        try:
            async for delta in deltas:
                yield delta
        finally:
            closer = getattr(deltas, "aclose", None)
            if closer is not None:
                await closer()
    else:
        yield await backend.complete(request)


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


async def open_stream(
    question: object,
    services: Services,
    *,
    conversation_id: str | None = None,
    history: Sequence[Turn] = (),
    remember: bool = True,
) -> AnswerStream:
    """Validate the question and run the steps before the draft; the stream drafts when it is read.

    ``history`` gives a question without a stored conversation its context (redacted earlier questions, as
    a stateless API client sends them); a stored conversation's own history wins. Raises BadQuestion or
    UnknownConversation (as ``runner.answer`` does) before anything is stored, so a web route can still
    answer with a 4xx instead of a stream.
    """
    ctx = start(question, services, conversation_id=conversation_id)
    ctx.history = ctx.history or list(history)
    stream = AnswerStream(ctx, services, remember=remember)
    await run_steps(ctx, services, PRE_DRAFT_STEPS)
    return stream
