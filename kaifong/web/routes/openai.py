"""The OpenAI-compatible API: ``POST /v1/chat/completions`` (whole or streamed) and ``GET /v1/models``.

The same governed pipeline as the chat and ``/api/v1/answers`` (guards, retrieval, backend, output checks,
audit, receipt). The answer's text is the message content, followed by a "Sources:" list so that plain
clients show the citations; Kaifong's extras travel in the extension object ``kaifong`` (the
``/api/v1/answers`` JSON) on the completion and on the last chunk of a stream. See docs/api.md.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncGenerator, Sequence
from contextlib import aclosing
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from kaifong.errors import BadQuestion, UnknownConversation
from kaifong.governance import pii
from kaifong.governance.sanitise import clean
from kaifong.language.messages import localise, message
from kaifong.pipeline.runner import DEFAULT_STEPS, bad_question_message, finish, run_steps, start
from kaifong.pipeline.streaming import Done, Piece, open_stream
from kaifong.store.conversations import Turn
from kaifong.types import Answer, Form
from kaifong.web.deps import request_form, services
from kaifong.web.openai_request import (
    MAX_BODY_BYTES,
    MODELS,
    ChatCall,
    OpenAIRequestError,
    read_chat_call,
)
from kaifong.web.sse import AnswerStreamResponse, frame

router = APIRouter(prefix="/v1", tags=["openai-compatible"])
log = logging.getLogger("kaifong.web")

#: When the model ids were first served (OpenAI's ``created``: seconds since the epoch).
MODELS_CREATED = 1_767_225_600  # 2026-01-01
#: How many earlier user messages of a stateless request are kept as the conversation's context.
EARLIER_TURNS = 3


def openai_error(status: int, text: str, code: str, param: str | None = None, kind: str = "") -> JSONResponse:
    """An error in OpenAI's shape: ``{"error": {"message", "type", "param", "code"}}``."""
    kind = kind or ("invalid_request_error" if status < 500 else "server_error")
    body = {"error": {"message": text, "type": kind, "param": param, "code": code}}
    return JSONResponse(body, status_code=status)


def _request_error(exc: OpenAIRequestError, form: Form) -> JSONResponse:
    return openai_error(exc.status, message(exc.key, form, **exc.values), exc.code, exc.param, exc.type)


async def _body(request: Request) -> bytes:
    """The request body, read no further than one byte past MAX_BODY_BYTES."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            break
    return b"".join(chunks)


def earlier_turns(questions: Sequence[str]) -> list[Turn]:
    """A stateless client's earlier questions as context turns: sanitised and redacted, like any question."""
    return [Turn(pii.redact(clean(q).strip()).text, "answered", "") for q in questions[-EARLIER_TURNS:]]


def sources_text(answer: Answer) -> str:
    """The citations as text after the answer (numbered as the answer's ``[n]`` tokens), or ``""``."""
    if not answer.citations:
        return ""
    det = answer.detection
    lines = [localise("openai.sources", det.language, det.script)]
    lines += [f"[{n}] {c.title} — {c.department}: {c.url}" for n, c in enumerate(answer.citations, 1)]
    return "\n\n" + "\n".join(lines)


def completion_body(answer: Answer, call: ChatCall, completion_id: str, created: int) -> dict[str, Any]:
    """A ``chat.completion`` object with the extension ``kaifong``."""
    content = answer.text + sources_text(answer)
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": call.model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "kaifong": answer.as_dict(),
    }


async def completion_frames(
    events: AsyncGenerator[Piece | Done, None], call: ChatCall, completion_id: str, created: int
) -> AsyncGenerator[str, None]:
    """``chat.completion.chunk`` frames: the role, each released piece, the sources, a last chunk with
    ``finish_reason`` and ``kaifong``, then ``[DONE]``."""
    head = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": call.model}

    def chunk(delta: dict[str, str], finish_reason: str | None = None, **extra: object) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}
        return frame({**head, "choices": [choice], **extra})

    yield chunk({"role": "assistant", "content": ""})
    try:
        async with aclosing(events):
            async for event in events:
                if isinstance(event, Piece):
                    yield chunk({"content": event.text})
                    continue
                rest = event.rest + sources_text(event.answer)
                if rest:
                    yield chunk({"content": rest})
                yield chunk({}, "stop", kaifong=event.answer.as_dict())
    except Exception as exc:  # the answer could not be stored: say so in the stream, as OpenAI does
        log.error("streamed answer failed: %s", exc.__class__.__name__)
        text = message("status.error_internal", "en")
        yield frame(
            {"error": {"message": text, "type": "server_error", "param": None, "code": "internal_error"}}
        )
    yield frame("[DONE]")


@router.get("/models", summary="The model ids this server answers as")
async def list_models() -> dict[str, object]:
    """OpenAI's model list: ``kaifong``, the governed pipeline (the backend behind it is on /transparency)."""
    data = [{"id": m, "object": "model", "created": MODELS_CREATED, "owned_by": "kaifong"} for m in MODELS]
    return {"object": "list", "data": data}


@router.get("/models/{model_id}", summary="One model id", response_model=None)
async def get_model(model_id: str, request: Request) -> dict[str, object] | JSONResponse:
    """One entry of the model list, or OpenAI's 404."""
    if model_id not in MODELS:
        text = message(
            "openai.error.unknown_model", request_form(request), model=model_id[:80], models=", ".join(MODELS)
        )
        return openai_error(404, text, "model_not_found", "model")
    return {"id": model_id, "object": "model", "created": MODELS_CREATED, "owned_by": "kaifong"}


@router.post("/chat/completions", summary="Answer the last user message (OpenAI chat completions)")
async def chat_completions(request: Request) -> Response:
    """Answer through the governed pipeline; ``"stream": true`` sends server-sent chunks ending ``[DONE]``."""
    form = request_form(request)
    svc = services(request)
    try:
        call = read_chat_call(await _body(request))
    except OpenAIRequestError as exc:
        return _request_error(exc, form)
    created = int(time.time())
    history = [] if call.conversation_id else earlier_turns(call.earlier_questions)
    try:
        if call.stream:
            stream = await open_stream(
                call.question, svc, conversation_id=call.conversation_id, history=history
            )
            completion_id = f"chatcmpl-{stream.ctx.request_id}"
            frames = completion_frames(stream.events(), call, completion_id, created)
            return AnswerStreamResponse(frames, stream)
        ctx = start(call.question, svc, conversation_id=call.conversation_id)
    except BadQuestion as exc:
        text = bad_question_message(exc, call.question, svc.settings.max_question_chars, form)
        return openai_error(400, text, exc.reason.removeprefix("error."), "messages")
    except UnknownConversation as exc:
        text = message("error.unknown_conversation", form)
        return openai_error(404, text, exc.code, "kaifong.conversation_id")
    ctx.history = ctx.history or history
    await run_steps(ctx, svc, DEFAULT_STEPS)
    answer = finish(ctx, svc)
    return JSONResponse(completion_body(answer, call, f"chatcmpl-{ctx.request_id}", created))
