"""DEFAULT_STEPS — the table of contents of the product — and the loop that runs them."""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable

from kaifong.errors import BadQuestion
from kaifong.governance.receipts import answer_hash, sign_receipt
from kaifong.language import detect, to_hans
from kaifong.language.messages import localise, message
from kaifong.oversight.escalations import open_case
from kaifong.oversight.killswitch import KILL_SWITCH_STATUS, is_engaged
from kaifong.pipeline import steps
from kaifong.pipeline.context import ChatContext
from kaifong.services import Services
from kaifong.store.conversations import Turn
from kaifong.types import Answer, Escalation, Form

Step = Callable[[ChatContext, Services], Awaitable[None]]

DEFAULT_STEPS: tuple[Step, ...] = (
    steps.sanitise,  # NFKC; strip zero-width, bidi and tag characters
    steps.detect_language,  # yue | zh | en; Hant | Hans | Latn; code-switched
    steps.check_input,  # PII guard: redact and continue
    steps.check_guards,  # crisis → injection → harmful → scope/high-risk policy (configurable; fail closed)
    steps.retrieve,  # Cantonese-aware FTS; follow-ups use the conversation's context
    steps.compose_answer,  # backend drafts from passages (extractive by default: no model)
    steps.check_output,  # citations ⊆ retrieved sources, no PII, else no answer (GOV-11)
)

#: The steps that still run while the kill switch is on: they only read and redact (so the canned reply is
#: in the resident's language and only redacted text is stored); nothing is retrieved or generated.
KILL_SWITCH_STEPS: tuple[Step, ...] = (steps.sanitise, steps.detect_language, steps.check_input)

#: Which status an unexpected failure in a step becomes (everything else: ``error_internal``).
FAILURE_STATUS = {
    "check_input": "error_guard",
    "check_guards": "error_guard",
    "compose_answer": "error_backend",
}


def validate(question: object, limit: int) -> str:
    """The question as text, or BadQuestion naming what is wrong (empty, too long, not text)."""
    if not isinstance(question, str):
        raise BadQuestion("error.not_text")
    if not question.strip():
        raise BadQuestion("error.empty_question")
    if len(question) > limit:
        raise BadQuestion("error.question_too_long", f"{len(question)} > {limit}")
    return question


def _escalation(ctx: ChatContext, services: Services, status: str) -> Escalation:
    """The department's hotline from the cited entry, else the Government's enquiry line (1823); a person
    in crisis is routed to 999 and the Mental Health Support Hotline instead."""
    det = ctx.detection
    if status == "signposted_crisis":
        name = localise("human.crisis_name", det.language, det.script)
        text = localise("human.crisis_route", det.language, det.script)
        return Escalation(name=name, phone="18111", url="https://www.gov.hk", text=text)
    cited = {c.topic for c in ctx.citations}
    source = next(
        (sp.passage for sp in ctx.passages if sp.passage.topic in cited and sp.passage.hotline), None
    )
    fallback = services.settings.fallback_hotline
    if source is None:
        name, phone, url = (
            localise("human.default_name", det.language, det.script),
            fallback,
            "https://www.gov.hk",
        )
    else:
        name = to_hans(source.department) if det.script == "Hans" else source.department
        phone, url = source.hotline, source.url
    key = "human.route_only" if phone.replace(" ", "") == fallback.replace(" ", "") else "human.route"
    text = localise(key, det.language, det.script, phone=phone, name=name)
    return Escalation(name=name, phone=phone, url=url, text=text)


async def answer(
    question: object,
    services: Services,
    *,
    conversation_id: str | None = None,
    remember: bool = True,
    steps_to_run: tuple[Step, ...] = DEFAULT_STEPS,
) -> Answer:
    """Answer one question through the steps; expected failures become statuses, never exceptions.

    Raises BadQuestion (empty, too long, not text) before anything is stored, and UnknownConversation
    for a conversation id this server does not hold.
    """
    ctx = start(question, services, conversation_id=conversation_id)
    await run_steps(ctx, services, steps_to_run)
    return finish(ctx, services, remember=remember)


def start(question: object, services: Services, *, conversation_id: str | None = None) -> ChatContext:
    """A new request's context: the validated question and, for a follow-up, the conversation's history.

    Raises BadQuestion or UnknownConversation before anything is stored. While the kill switch is on the
    context starts stopped with ``escalated_kill_switch`` (read per request: see oversight.killswitch).
    """
    text = validate(question, services.settings.max_question_chars)
    ctx = ChatContext(question=text, request_id=uuid.uuid4().hex)
    if conversation_id:
        ctx.history = services.conversations.history(conversation_id)
        ctx.conversation_id = conversation_id
    if is_engaged(services.engine):
        ctx.stop(KILL_SWITCH_STATUS)
    return ctx


async def run_steps(ctx: ChatContext, services: Services, steps_to_run: tuple[Step, ...]) -> None:
    """Run ``steps_to_run`` in order until one sets a status; a step that raises sets a failure status.

    A context that is already stopped (the kill switch) runs only its KILL_SWITCH_STEPS and keeps its status.
    """
    stopped = ctx.status
    if stopped:
        steps_to_run = tuple(step for step in steps_to_run if step in KILL_SWITCH_STEPS)
    for step in steps_to_run:
        started = time.perf_counter()
        try:
            await step(ctx, services)
        except Exception as exc:
            ctx.record(step.__name__, verdict="error", error=exc.__class__.__name__)
            ctx.stop(FAILURE_STATUS.get(step.__name__, "error_internal"))
        if ctx.events and ctx.events[-1].kind == step.__name__:
            ctx.events[-1].payload["ms"] = round((time.perf_counter() - started) * 1000, 3)
        if ctx.status != stopped:
            break


def finish(ctx: ChatContext, services: Services, *, remember: bool = True) -> Answer:
    """Store the turn and its audit events in one transaction, sign the receipt, build the Answer."""
    status = ctx.status or ctx.answered_status
    det = ctx.detection
    if not status.startswith("answered"):  # answered, answered_fallback: the draft is the reply
        canned = localise(f"status.{status}", det.language, det.script)
        ctx.answer_text = "\n\n".join([*ctx.signposts, canned]) if status == "no_sources" else canned
        ctx.citations = ()
    subject_token = ""  # issued with a new conversation: the resident's key to export or erase it
    with services.engine.begin() as conn:  # the turn and its audit events commit together, or not at all
        if remember and not ctx.conversation_id:
            started = services.conversations.start(conn, det.form)
            ctx.conversation_id, subject_token = started.id, started.subject_token
        if ctx.conversation_id:
            topic = ctx.citations[0].topic if ctx.citations else ""
            cited = tuple(c.topic for c in ctx.citations)
            turn = Turn(ctx.shown or ctx.redacted, status, topic, ctx.answer_text, cited)
            services.conversations.add_turn(conn, ctx.conversation_id, turn)
        if status.startswith("escalated_") and ctx.conversation_id:  # a case for staff, with the turn
            opened = open_case(conn, ctx.conversation_id, status.removeprefix("escalated_"))
            ctx.record("escalation_opened", **opened.payload("pipeline"))
        ctx.record(
            "answer_sent",
            status=status,
            form=det.form,
            answer_hash=answer_hash(ctx.answer_text),
            sources=[c.topic for c in ctx.citations],
            conversation_id=ctx.conversation_id,
        )
        log_index = services.audit.append(ctx.events, conn)
    drafted_by = services.backend  # the receipt names the backend that wrote this answer
    if status == "answered_fallback" and services.fallback is not None:
        drafted_by = services.fallback
    receipt = sign_receipt(
        services.signer,
        status=status,
        text=ctx.answer_text,
        sources=[c.doc_id for c in ctx.citations],
        backend=drafted_by.name,
        backend_version=drafted_by.version,
        guards=ctx.verdicts,
        log_index=log_index,
    )
    return Answer(
        status=status,
        detection=det,
        text=ctx.answer_text,
        citations=ctx.citations,
        escalation=_escalation(ctx, services, status),
        ai_label=localise("label.ai", det.language, det.script),
        conversation_id=ctx.conversation_id,
        redacted_kinds=ctx.pii_kinds,
        question=ctx.shown or ctx.redacted,
        receipt=receipt,
        subject_token=subject_token,
    )


def bad_question_message(exc: BadQuestion, question: object, limit: int, fallback: Form = "en") -> str:
    """The text of a BadQuestion in the question's own language, or ``fallback`` when it has none."""
    length = len(question) if isinstance(question, str) else 0
    if not isinstance(question, str) or not question.strip():
        return message(exc.reason, fallback, length=length, limit=limit)
    det = detect(question[:limit])
    return localise(exc.reason, det.language, det.script, length=length, limit=limit)
