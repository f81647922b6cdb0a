"""The server-rendered chat: notices first, then questions and answers, and "Talk to a person".

An htmx post to ``/chat`` gets the new exchange only (``/chat/stream`` streams it: routes/stream.py). A
plain form post (no JavaScript) is answered and redirected (303, post/redirect/get) to the conversation's
own page, ``/chat/<conversation id>``, re-rendered from the stored turns, so that reloading it asks
nothing again. That page opens only in the browser that started the conversation (routes/chat_owner.py).
Every answer has a "Talk to a person" button, a plain form that opens an escalation case for the
conversation (kaifong.oversight.escalations.request_person) and comes back with the case reference and
the human route.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kaifong.errors import BadQuestion, UnknownConversation
from kaifong.governance.subject_rights import TOKEN_SHAPE
from kaifong.language.messages import message, parse_form
from kaifong.oversight.escalations import request_person
from kaifong.pipeline import answer
from kaifong.pipeline.runner import bad_question_message
from kaifong.types import FORMS, Answer
from kaifong.web.deps import FORM_COOKIE, NOTICE_COOKIE, SIZE_COOKIE, request_form, services
from kaifong.web.routes.chat_exchanges import HTML_LANG, from_answer, from_turns
from kaifong.web.routes.chat_owner import Ownership, ownership, remember

__all__ = ["COOKIE_AGE", "HTML_LANG", "page", "router"]

router = APIRouter(include_in_schema=False)

FORM_NAMES = {"en": "English", "zh-Hant": "繁體中文", "zh-Hans": "简体中文", "yue-Hant": "廣東話"}
COOKIE_AGE = 60 * 60 * 24 * 365
#: What "Talk to a person" did, as the conversation page's ``?person=`` says it: a new case, or the
#: conversation was already waiting in one.
PERSON_STATES = ("opened", "joined")


def _remember_choices(request: Request, response: Response) -> None:
    """Keep the visitor's ``?lang=`` and ``?size=`` choices in cookies."""
    form = parse_form(request.query_params.get("lang"))
    if form:
        response.set_cookie(FORM_COOKIE, form, max_age=COOKIE_AGE, samesite="lax")
    size = request.query_params.get("size")
    if size in {"normal", "large"}:
        response.set_cookie(SIZE_COOKIE, size, max_age=COOKIE_AGE, samesite="lax")


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a page in the visitor's interface language, remembering ``?lang=`` and ``?size=`` choices.

    An Answer passed as ``result`` is shown as its exchange (``exchange``), as every chat template expects.
    """
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
        "switch_path": "/",
        "conversation_id": "",
        "subject_token": "",
        "retention_days": services(request).settings.retention.conversation_days,
        "earlier": [],
        "exchange": None,
        "person": None,
        "key_in_browser": False,
        "error": "",
    }
    result = context.get("result")
    if isinstance(result, Answer):
        base["exchange"] = from_answer(result)
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, template, base | context, status_code=status
    )
    _remember_choices(request, response)
    if context.get("subject_token"):  # a page holding the resident's secret is never cached
        response.headers["cache-control"] = "no-store"
    return response


def _redirect(request: Request, location: str) -> RedirectResponse:
    """A 303 to ``location`` (post/redirect/get) that keeps the ``?lang=`` and ``?size=`` choices."""
    response = RedirectResponse(location, status_code=303)
    _remember_choices(request, response)
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


def _closed(request: Request, owner: Ownership) -> HTMLResponse:
    """The page for a conversation this browser cannot open (403) or whose conversation ended (410)."""
    form = request_form(request)
    if owner.state == "ended":
        days = services(request).settings.retention.conversation_days
        text = message(f"chat.ended.{owner.ended}", form, days=days)
        return page(request, "chat_closed.html", 410, title=message("chat.ended.title", form), text=text)
    title, text = message("chat.denied.title", form), message("chat.denied.text", form)
    return page(request, "chat_closed.html", 403, title=title, text=text)


def _conversation_page(
    request: Request, conversation_id: str, token: str, status: int = 200, **context: Any
) -> HTMLResponse:
    """The whole conversation, re-rendered from its stored turns; the newest one is the ``#latest``."""
    svc = services(request)
    try:
        transcript = svc.conversations.transcript(conversation_id)
    except UnknownConversation:  # erased or purged since its owner was checked
        return _closed(request, ownership(svc, request, conversation_id, token))
    turns = (stored.turn for stored in transcript.turns)
    exchanges = from_turns(turns, svc.engine, svc.settings.fallback_hotline)
    response = page(
        request,
        "index.html",
        status,
        earlier=exchanges[:-1],
        exchange=exchanges[-1] if exchanges else None,
        conversation_id=conversation_id,
        subject_token=token,
        switch_path=f"/chat/{conversation_id}",
        key_in_browser=True,  # the rights box says the key stays on show until the browser is closed
        **context,
    )
    response.headers["referrer-policy"] = "no-referrer"  # the address holds the conversation id
    return response


@router.get("/chat")
async def chat_start(request: Request) -> Response:
    """Nothing to show at ``/chat`` itself: back to the chat page."""
    return _redirect(request, "/")


@router.post("/chat", response_class=HTMLResponse)
async def chat(request: Request) -> Response:
    """Answer a question from the form: htmx gets the new exchange only; a plain post is redirected to the
    conversation's page (303), where the answer is the newest exchange.

    A conversation's first answer brings the resident's subject token; the page shows it with the
    download and erase buttons and carries it in the form.
    """
    if request.cookies.get(NOTICE_COOKIE) != "1":
        return page(request, "index.html")
    question, conversation_id, subject_token = await _form_fields(request)
    if request.headers.get("hx-request") == "true":
        return await _answer_fragment(request, question, conversation_id, subject_token)
    return await _answer_and_redirect(request, question, conversation_id, subject_token)


async def _answer_fragment(request: Request, question: str, conversation_id: str, token: str) -> Response:
    """The new exchange alone (htmx), with the conversation id and key swapped into the form."""
    svc = services(request)
    form = request_form(request)
    try:
        result = await answer(question, svc, conversation_id=conversation_id or None)
    except BadQuestion as exc:
        text = bad_question_message(exc, question, svc.settings.max_question_chars, form)
        return page(
            request, "_exchange.html", 422, error=text, conversation_id=conversation_id, subject_token=token
        )
    except UnknownConversation:
        return page(request, "_exchange.html", 404, error=message("error.unknown_conversation", form))
    token = result.subject_token or token
    response = page(
        request,
        "_exchange.html",
        question=question,
        result=result,
        conversation_id=result.conversation_id,
        subject_token=token,
    )
    remember(response, request, result.conversation_id, token)
    return response


async def _answer_and_redirect(
    request: Request, question: str, conversation_id: str, posted_token: str
) -> Response:
    """Answer, then redirect to the conversation's page (post/redirect/get). A follow-up to a
    conversation this browser did not start (no key of its own opens it) is not asked."""
    svc = services(request)
    owner = Ownership("not_mine")
    if conversation_id:
        owner = ownership(svc, request, conversation_id, posted_token)
        if owner.state != "mine":
            return _closed(request, owner)
    try:
        result = await answer(question, svc, conversation_id=conversation_id or None)
    except BadQuestion as exc:
        form = request_form(request)
        text = bad_question_message(exc, question, svc.settings.max_question_chars, form)
        if conversation_id:
            return _conversation_page(request, conversation_id, owner.token, 422, error=text)
        return page(request, "index.html", 422, error=text)
    except UnknownConversation:  # erased or purged since its owner was checked
        return _closed(request, ownership(svc, request, conversation_id, posted_token))
    response = _redirect(request, f"/chat/{result.conversation_id}#latest")
    remember(response, request, result.conversation_id, result.subject_token or owner.token)
    return response


def _person(request: Request) -> dict[str, Any] | None:
    """What "Talk to a person" did, from the conversation page's ``?person=<state>&case=<id>``."""
    state = request.query_params.get("person", "")
    case = request.query_params.get("case", "")
    if state in PERSON_STATES and case.isascii() and case.isdigit():
        return {"state": state, "case_id": int(case)}
    return None


@router.get("/chat/{conversation_id}", response_class=HTMLResponse)
async def conversation(request: Request, conversation_id: str) -> HTMLResponse:
    """The conversation's page, for the browser that started it; 403 for another, 410 once it has ended."""
    if request.cookies.get(NOTICE_COOKIE) != "1":
        return page(request, "index.html")
    owner = ownership(services(request), request, conversation_id)
    if owner.state != "mine":
        return _closed(request, owner)
    return _conversation_page(request, conversation_id, owner.token, person=_person(request))


@router.post("/chat/{conversation_id}/person")
async def talk_to_a_person(request: Request, conversation_id: str) -> Response:
    """Queue the conversation for staff (one case per conversation) and go back to its page, which says
    so and gives the human route."""
    if request.cookies.get(NOTICE_COOKIE) != "1":
        return page(request, "index.html")
    _, _, subject_token = await _form_fields(request)
    svc = services(request)
    owner = ownership(svc, request, conversation_id, subject_token)
    if owner.state != "mine":
        return _closed(request, owner)
    try:
        opened = request_person(svc.engine, svc.audit, svc.conversations, conversation_id)
    except UnknownConversation:  # erased or purged since its owner was checked
        return _closed(request, ownership(svc, request, conversation_id, subject_token))
    state = "opened" if opened.new else "joined"
    response = _redirect(request, f"/chat/{conversation_id}?person={state}&case={opened.case_id}#person")
    remember(response, request, conversation_id, owner.token)
    return response
