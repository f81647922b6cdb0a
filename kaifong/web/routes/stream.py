"""The web chat's streamed answers (server-sent events) and the choice between streamed and whole answers.

``POST /chat/stream`` takes the chat form and sends ``piece`` events (checked text, as released by
kaifong.pipeline.streaming) and one ``done`` event holding the finished exchange rendered by the same
template as ``POST /chat``, which replaces the streamed draft. ``static/stream.js`` uses it only while the
visitor has not chosen whole answers (``GET /answers?show=whole``, remembered in a cookie); without
JavaScript the form posts to ``/chat`` as before.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from kaifong.errors import BadQuestion, UnknownConversation
from kaifong.language.messages import message
from kaifong.pipeline.runner import bad_question_message
from kaifong.pipeline.streaming import Piece, StreamEvent, open_stream
from kaifong.web.deps import NOTICE_COOKIE, request_form, services
from kaifong.web.routes.chat import COOKIE_AGE, page
from kaifong.web.sse import AnswerStreamResponse, frame

router = APIRouter(include_in_schema=False)

#: The visitor's choice: ``stream`` (answers appear as they are written) or ``whole`` (an answer appears
#: only when complete, so that a screen reader announces it once, whole).
ANSWERS_COOKIE = "kaifong_answers"
ANSWER_MODES = ("stream", "whole")
MAX_FIELD_CHARS = 10_000


async def _fields(request: Request) -> dict[str, str]:
    """The chat form's text fields (question, conversation_id, subject_token); others are ignored."""
    try:
        data = await request.form()
    except Exception:
        return {}
    fields = {}
    for name in ("question", "conversation_id", "subject_token"):
        value = data.get(name)
        fields[name] = value[:MAX_FIELD_CHARS] if isinstance(value, str) else ""
    return fields


@router.get("/answers")
async def choose_answers(request: Request) -> Response:
    """Remember whether answers are streamed or shown whole (``?show=stream|whole``); back to the chat."""
    response = RedirectResponse("/", status_code=303)
    show = request.query_params.get("show")
    if show in ANSWER_MODES:
        response.set_cookie(ANSWERS_COOKIE, show, max_age=COOKIE_AGE, samesite="lax")
    return response


@router.post("/chat/stream")
async def chat_stream(request: Request) -> Response:
    """Answer the chat form as server-sent events; a question that cannot be asked gets the exchange
    template's error (HTML, 4xx), as ``POST /chat`` gives it."""
    form = request_form(request)
    if request.cookies.get(NOTICE_COOKIE) != "1":
        return page(request, "_exchange.html", 403, error=message("stream.notice_first", form))
    fields = await _fields(request)
    question, conversation_id = fields.get("question", ""), fields.get("conversation_id", "")
    svc = services(request)
    try:
        stream = await open_stream(question, svc, conversation_id=conversation_id or None)
    except BadQuestion as exc:
        text = bad_question_message(exc, question, svc.settings.max_question_chars, form)
        return page(request, "_exchange.html", 422, error=text, **fields)
    except UnknownConversation:
        return page(request, "_exchange.html", 404, error=message("error.unknown_conversation", form))

    async def frames(events: AsyncGenerator[StreamEvent, None]) -> AsyncGenerator[str, None]:
        async with aclosing(events):
            async for event in events:
                if isinstance(event, Piece):
                    yield frame({"text": event.text}, "piece")
                    continue
                result = event.answer
                rendered = page(
                    request,
                    "_exchange.html",
                    question=question,
                    result=result,
                    conversation_id=result.conversation_id,
                    subject_token=result.subject_token or fields.get("subject_token", ""),
                )
                yield frame({"html": bytes(rendered.body).decode()}, "done")

    return AnswerStreamResponse(frames(stream.events()), stream)
