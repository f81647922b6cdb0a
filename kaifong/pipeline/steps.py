"""The steps of one request, each a small async function over ChatContext (run alone by evaluation)."""

from __future__ import annotations

import re

from kaifong.backends.base import BackendError, CompletionRequest
from kaifong.governance import pii
from kaifong.governance.audit import text_hash
from kaifong.governance.guards import ERROR_STATUS, run_guards
from kaifong.governance.sanitise import clean, strip_invisible
from kaifong.language import detect, to_hans
from kaifong.language.normalise import is_fragment
from kaifong.pipeline.context import ChatContext
from kaifong.services import Services
from kaifong.types import Citation, ScoredPassage

_PLACEHOLDER = re.compile(r"\[[A-Z_]+\]")


async def sanitise(ctx: ChatContext, services: Services) -> None:
    """NFKC and strip invisible, bidi and tag characters (ASCII smuggling)."""
    ctx.text = clean(ctx.question).strip()
    ctx.record("sanitise", chars=len(ctx.question), removed=len(ctx.question) - len(ctx.text))


async def detect_language(ctx: ChatContext, services: Services) -> None:
    """Register (yue/zh/en), script (Hant/Hans/Latn) and code-switching."""
    ctx.detection = detect(ctx.text)
    ctx.record("detect_language", tag=ctx.detection.tag, code_switched=ctx.detection.code_switched)


async def check_input(ctx: ChatContext, services: Services) -> None:
    """The PII guard: redact identifiers and continue; from here on only redacted text travels."""
    redaction = pii.redact(ctx.text)
    ctx.redacted = redaction.text
    ctx.pii_kinds = redaction.kinds
    ctx.verdicts.append({"guard": "pii", "verdict": "pass"})
    ctx.shown = pii.redact(strip_invisible(ctx.question)).text
    ctx.record(
        "check_input",
        guard="pii",
        verdict="pass",
        redacted=list(redaction.kinds),
        question_hash=text_hash(ctx.redacted),
    )


async def check_guards(ctx: ChatContext, services: Services) -> None:
    """Crisis, injection, harmful and scope/high-risk guards in the configured order; each verdict is an
    event; the first fail or error stops the run (fail closed); passing guards may add notices."""
    for verdict in run_guards(services.guards, ctx.redacted, ctx.detection):
        ctx.verdicts.append(verdict.as_dict())
        ctx.record("check_guards", **verdict.as_dict())
        if verdict.stops:
            ctx.stop(verdict.status or ERROR_STATUS)
            return
        for key, notice in zip(verdict.notice_keys, verdict.notices, strict=True):
            if ".signpost." in key:
                ctx.signposts += (notice,)
            else:
                ctx.disclaimers += (notice,)


async def retrieve(ctx: ChatContext, services: Services) -> None:
    """Find passages; a follow-up is also searched with the previous question (kept if it explains more,
    or always when the follow-up is too short to name a topic)."""
    settings = services.settings.retrieval
    question = _PLACEHOLDER.sub(" ", ctx.redacted)  # "[HKID]" says nothing about the topic
    found = services.retriever.search(question, ctx.detection, settings.top_k)
    used_context = False
    if ctx.history:
        previous = _PLACEHOLDER.sub(" ", clean(ctx.history[-1].question))
        with_context = services.retriever.search(f"{previous} {question}", ctx.detection, settings.top_k)
        better = not found or (with_context and with_context[0].coverage > found[0].coverage)
        if with_context and (better or is_fragment(ctx.redacted, ctx.detection)):
            found, used_context = with_context, True
    ctx.passages = found + _rest_of_document(services, found)  # neutralised when ingested
    best = found[0].coverage if found else 0.0
    ctx.record(
        "retrieve",
        retriever=services.retriever.name,
        passages=[sp.passage.id for sp in found],
        coverage=round(best, 3),
        context_used=used_context,
    )
    if not found or best < settings.min_coverage:
        ctx.stop("no_sources")


def _rest_of_document(services: Services, found: list[ScoredPassage]) -> list[ScoredPassage]:
    """The best document's other sections, so the answer can use its steps even if they ranked lower."""
    if not found:
        return []
    have = {sp.passage.id for sp in found}
    top = found[0]
    return [
        ScoredPassage(p, score=0.0, coverage=top.coverage)
        for p in services.knowledge.passages_of(top.passage.doc_id)
        if p.id not in have
    ]


async def compose_answer(ctx: ChatContext, services: Services) -> None:
    """Ask the backend for a draft grounded in the passages; when it fails (down, slow, garbage, circuit
    open) the fallback backend (extractive) drafts instead, the status becomes ``answered_fallback`` and a
    ``backend_fallback`` event records why. The draft still goes through check_output."""
    backend, fallback = services.backend, services.fallback
    request = CompletionRequest(ctx.redacted, ctx.detection, tuple(ctx.passages))
    try:
        ctx.completion = await backend.complete(request)
    except BackendError as exc:
        if fallback is None:
            ctx.record(
                "compose_answer",
                backend=backend.name,
                version=backend.version,
                error=exc.__class__.__name__,
                reason=exc.reason,
            )
            ctx.stop("error_backend")
            return
        ctx.record(
            "backend_fallback",
            backend=backend.name,
            version=backend.version,
            reason=exc.reason,
            fallback=fallback.name,
        )
        backend = fallback
        try:
            ctx.completion = await backend.complete(request)
        except BackendError as second:
            ctx.record(
                "compose_answer",
                backend=backend.name,
                version=backend.version,
                error=second.__class__.__name__,
                reason=second.reason,
            )
            ctx.stop("error_backend")
            return
        ctx.answered_status = "answered_fallback"
    ctx.answer_text = ctx.completion.text
    ctx.record(
        "compose_answer",
        backend=backend.name,
        version=backend.version,
        cited=list(ctx.completion.cited_doc_ids),
        answer_hash=text_hash(ctx.answer_text),
        **({"prompt": ctx.completion.prompt_id} if ctx.completion.prompt_id else {}),
    )


async def check_output(ctx: ChatContext, services: Services) -> None:
    """Citations only to retrieved sources (none → no answer, GOV-11) and no personal data in the reply."""
    retrieved = {sp.passage.doc_id: sp.passage for sp in ctx.passages}
    cited = [
        doc_id for doc_id in (ctx.completion.cited_doc_ids if ctx.completion else ()) if doc_id in retrieved
    ]
    script = to_hans if ctx.detection.script == "Hans" else str
    ctx.citations = tuple(
        Citation(
            title=script(retrieved[d].title),
            url=retrieved[d].url,
            department=script(retrieved[d].department),
            reviewed=retrieved[d].reviewed,
            topic=retrieved[d].topic,
            doc_id=d,
        )
        for d in dict.fromkeys(cited)
    )
    published = "\n".join(sp.passage.text for sp in ctx.passages)
    redaction = pii.redact(ctx.answer_text, published=published)
    ctx.answer_text = (
        "\n\n".join([*ctx.signposts, redaction.text, *ctx.disclaimers]) if redaction.text else ""
    )
    ctx.record("check_output", citations=[c.topic for c in ctx.citations], pii_removed=list(redaction.kinds))
    if not ctx.citations or not ctx.answer_text.strip():
        ctx.stop("no_sources")
