"""The server-rendered chat: notices first, then questions and answers (htmx swaps, or plain form posts)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kaifong.errors import BadQuestion, UnknownConversation
from kaifong.governance.subject_rights import TOKEN_SHAPE
from kaifong.language.messages import message, parse_form
from kaifong.pipeline import answer
from kaifong.pipeline.runner import bad_question_message
from kaifong.types import FORMS, Answer, Form
from kaifong.web.deps import FORM_COOKIE, NOTICE_COOKIE, SIZE_COOKIE, request_form, services

router = APIRouter(include_in_schema=False)

#: HTML ``lang`` attribute per form (BCP 47, Hong Kong region where it applies).
HTML_LANG = {"en": "en-HK", "zh-Hant": "zh-Hant-HK", "zh-Hans": "zh-Hans", "yue-Hant": "yue-Hant-HK"}
FORM_NAMES = {"en": "English", "zh-Hant": "繁體中文", "zh-Hans": "简体中文", "yue-Hant": "廣東話"}
COOKIE_AGE = 60 * 60 * 24 * 365


def _answer_lang(result: Answer) -> str:
    return HTML_LANG[result.detection.form]


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a page in the visitor's interface language, remembering ``?lang=`` and ``?size=`` choices."""
    form = request_form(request)
    size = request.query_params.get("size") or request.cookies.get(SIZE_COOKIE) or "normal"
    size = size if size in {"normal", "large"} else "normal"
    base: dict[str, Any] = {
        "form": form,
        "forms": FORMS,
        "form_names": FORM_NAMES,
        "html_lang": HTML_LANG[form],
        "size": size,
        "accepted": request.cookies.get(NOTICE_COOKIE) == "1",
        "t": lambda key, **values: message(key, form, **values),
        "answer_lang": _answer_lang,
        "conversation_id": "",
        "subject_token": "",
        "retention_days": services(request).settings.retention.conversation_days,
        "exchanges": [],
        "error": "",
    }
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, template, base | context, status_code=status
    )
    if parse_form(request.query_params.get("lang")):
        response.set_cookie(FORM_COOKIE, form, max_age=COOKIE_AGE, samesite="lax")
    if request.query_params.get("size") in {"normal", "large"}:
        response.set_cookie(SIZE_COOKIE, size, max_age=COOKIE_AGE, samesite="lax")
    if context.get("subject_token"):  # a page holding the resident's secret is never cached
        response.headers["cache-control"] = "no-store"
    return response


@router.get("/", response_class=HTMLResponse)
async def index(request: Request) -> HTMLResponse:
    """The chat page; the collection and AI notices come before the first question."""
    return page(request, "index.html")


@router.post("/notice")
async def accept_notice(request: Request) -> Response:
    """Remember that the visitor has read the notices, then back to the chat."""
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(NOTICE_COOKIE, "1", max_age=COOKIE_AGE, samesite="lax")
    return response


async def _form_fields(request: Request) -> tuple[str, str, str]:
    """The question, the conversation id and the subject token (only when it is shaped like one)."""
    try:
        data = await request.form()
    except Exception:
        return "", "", ""
    question = data.get("question")
    conversation_id = data.get("conversation_id")
    token = data.get("subject_token")
    return (
        question if isinstance(question, str) else "",
        conversation_id if isinstance(conversation_id, str) else "",
        token if isinstance(token, str) and TOKEN_SHAPE.fullmatch(token) else "",
    )


@router.post("/chat", response_class=HTMLResponse)
async def chat(request: Request) -> HTMLResponse:
    """Answer a question from the form; htmx gets the new exchange only, a plain post the whole page.

    A conversation's first answer brings the resident's subject token; the page shows it with the
    download and erase buttons and carries it in the form so that later (no-JS) pages keep them.
    """
    if request.cookies.get(NOTICE_COOKIE) != "1":
        return page(request, "index.html")
    question, conversation_id, subject_token = await _form_fields(request)
    svc = services(request)
    partial = request.headers.get("hx-request") == "true"
    template = "_exchange.html" if partial else "index.html"
    form: Form = request_form(request)
    try:
        result = await answer(question, svc, conversation_id=conversation_id or None)
    except BadQuestion as exc:
        text = bad_question_message(exc, question, svc.settings.max_question_chars, form)
        return page(
            request, template, 422, error=text, conversation_id=conversation_id, subject_token=subject_token
        )
    except UnknownConversation:
        return page(request, template, 404, error=message("error.unknown_conversation", form))
    earlier = svc.conversations.history(result.conversation_id, limit=6)[:-1] if not partial else []
    return page(
        request,
        template,
        question=question,
        result=result,
        earlier=earlier,
        conversation_id=result.conversation_id,
        subject_token=result.subject_token or subject_token,
    )
