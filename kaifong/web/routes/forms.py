"""Guided form filling on the web: the JSON API at ``/api/v1/forms``, the no-JavaScript pages at ``/forms``.

Both drive the same :class:`~kaifong.tools.forms.store.FormSessionStore` (in memory, one per app).  The
session id in a URL is a bearer secret for the answers, so every response that can show an answer is
sent with ``Cache-Control: no-store``.  Kaifong never submits a form (GOV-02): the last step says where
and how to submit it.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from kaifong.language.messages import message, parse_form
from kaifong.tools.forms.pdf import FontUnavailable
from kaifong.tools.forms.schema import FormDefinition, bundled_forms
from kaifong.tools.forms.session import FormError, FormSession
from kaifong.tools.forms.store import DOWNLOAD_MINUTES, SESSION_MINUTES, FormSessionStore
from kaifong.tools.forms.validators import Refused
from kaifong.types import Form
from kaifong.web.deps import request_form, services
from kaifong.web.errors import error_body
from kaifong.web.routes.api import ErrorResponse
from kaifong.web.routes.chat import HTML_LANG, page

log = logging.getLogger("kaifong.web.forms")
router = APIRouter()
API = "/api/v1/forms"
SESSION = API + "/{form_id}/sessions/{session_id}"
NO_STORE = {"cache-control": "no-store", "referrer-policy": "no-referrer"}


def form_store(request: Request) -> FormSessionStore:
    """The app's form sessions, created on first use with the app's audit log."""
    state = request.app.state
    store: FormSessionStore | None = getattr(state, "form_sessions", None)
    if store is None:
        store = state.form_sessions = FormSessionStore(bundled_forms(), services(request).audit)
    return store


# --- API models -------------------------------------------------------------------------------------------


class FormSummary(BaseModel):
    """A form Kaifong can help to fill in."""

    id: str
    form_number: str | None = Field(description="The official number; null when the official page has none.")
    title: str
    department: str
    source: str = Field(description="The official page the definition was taken from.")


class FormList(BaseModel):
    """Every form, in the caller's language."""

    forms: list[FormSummary]


class StartRequest(BaseModel):
    """Which language form to ask in (default: the client's Accept-Language)."""

    language: str | None = Field(default=None, description="en, zh-Hant, zh-Hans or yue-Hant")


class AnswerRequest(BaseModel):
    """The answer to the current question, as typed; an empty answer skips an optional question."""

    value: str = Field(max_length=2000, description="e.g. A123456(3), 9123 4567, 一九五八年三月二日")


class ChangeRequest(BaseModel):
    """Which question to answer again."""

    field: str


class ChoiceModel(BaseModel):
    """One option of a choice question (answer with its value, number or label)."""

    value: str
    label: str


class QuestionModel(BaseModel):
    """The question being asked."""

    field: str
    section: str
    label: str
    help: str
    type: str = Field(description="text, hkid, phone, date, address, amount, integer, yes_no, choice, email")
    required: bool
    choices: list[ChoiceModel]
    position: int
    total: int
    current: str | None = Field(description="The answer given earlier, when the question is asked again.")


class ReviewItemModel(BaseModel):
    """One answer in the review."""

    field: str
    section: str
    label: str
    value: str | None
    status: Literal["answered", "skipped", "missing"]


class SessionState(BaseModel):
    """Where a session stands: a question to answer, or the review before finishing."""

    session_id: str
    form: str
    language: str
    state: Literal["asking", "review"]
    question: QuestionModel | None
    review: list[ReviewItemModel] | None


class FinishResponse(BaseModel):
    """The finished form: one-time download links, and where and how to submit it (Kaifong never does)."""

    state: Literal["finished"]
    downloads: dict[str, str] = Field(description="pdf and json: each link works once")
    expires_in_minutes: int
    submit: str
    notice: str


class ErasedResponse(BaseModel):
    """The session and its answers are gone."""

    erased: bool
    message: str


_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorResponse, "description": "Unknown form or session (sessions end after inactivity)."},
    409: {"model": ErrorResponse, "description": "Not now: first question, incomplete form, finished."},
    422: {"model": ErrorResponse, "description": "An invalid answer (the message says how to fix it)."},
}
_ROUTE: dict[str, Any] = {"responses": _ERRORS, "tags": ["forms"]}


# --- shared helpers ---------------------------------------------------------------------------------------


def _fail(exc: FormError, form: Form) -> JSONResponse:
    return JSONResponse(error_body(exc.code, exc.message(form)), status_code=exc.status, headers=NO_STORE)


def _state(session: FormSession) -> SessionState:
    """The session as the API shows it, in the session's language form."""
    form = session.form
    question = session.question()
    asked = review = None
    if question is not None:
        spec = question.field
        asked = QuestionModel(
            field=spec.id,
            section=question.section.title(form),
            label=spec.label(form),
            help=spec.help(form),
            type=spec.type,
            required=spec.required,
            choices=[ChoiceModel(value=c.value, label=c.label(form)) for c in spec.choices],
            position=question.position,
            total=question.total,
            current=question.current,
        )
    else:
        review = [
            ReviewItemModel(
                field=item.field.id,
                section=item.section.title(form),
                label=item.field.label(form),
                value=item.value,
                status=item.status,
            )
            for item in session.review()
        ]
    state: Literal["asking", "review"] = "asking" if question is not None else "review"
    return SessionState(
        session_id=session.id,
        form=session.definition.id,
        language=form,
        state=state,
        question=asked,
        review=review,
    )


def _session_response(session: FormSession, status: int = 200) -> JSONResponse:
    return JSONResponse(_state(session).model_dump(), status_code=status, headers=NO_STORE)


async def _finish(store: FormSessionStore, session: FormSession) -> dict[str, str]:
    """Tokens for the PDF and JSON; FontUnavailable is logged for the operator and becomes a FormError."""
    try:
        tokens = await run_in_threadpool(store.finish, session)
    except FontUnavailable as exc:
        log.warning("form PDF unavailable: %s", exc)
        raise FormError("pdf_unavailable", 503, "forms.error.pdf_unavailable") from exc
    return {str(kind): token for kind, token in tokens.items()}


def _download(store: FormSessionStore, token: str) -> Response:
    file = store.download(token)
    headers = NO_STORE | {"content-disposition": f'attachment; filename="{file.filename}"'}
    return Response(file.content, media_type=file.media_type, headers=headers)


# --- JSON API ---------------------------------------------------------------------------------------------


@router.get(API, response_model=FormList, tags=["forms"], summary="The forms Kaifong can help to fill in")
async def list_forms(request: Request) -> FormList:
    """Every form with its official number (or null), in the caller's language."""
    form = request_form(request)
    return FormList(
        forms=[
            FormSummary(
                id=d.id,
                form_number=d.form_number,
                title=d.title(form),
                department=d.department(form),
                source=d.sources[0].url,
            )
            for d in form_store(request).forms.values()
        ]
    )


@router.get(API + "/download/{token}", tags=["forms"], responses=_ERRORS | {410: {"model": ErrorResponse}})
async def api_download(request: Request, token: str) -> Response:
    """The finished PDF or JSON; each link works once (410 the second time)."""
    try:
        return _download(form_store(request), token)
    except FormError as exc:
        return _fail(exc, request_form(request))


@router.post(API + "/{form_id}/sessions", status_code=201, response_model=SessionState, **_ROUTE)
async def start_session(request: Request, form_id: str, body: StartRequest | None = None) -> Response:
    """Start filling in a form; the first question comes back."""
    form = request_form(request)
    if body is not None and body.language is not None:
        chosen = parse_form(body.language)
        if chosen is None:
            text = message("forms.error.bad_language", form, language=body.language)
            return JSONResponse(error_body("bad_language", text), status_code=422)
        form = chosen
    try:
        return _session_response(form_store(request).start(form_id, form), 201)
    except FormError as exc:
        return _fail(exc, form)


def _session(request: Request, form_id: str, session_id: str) -> FormSession:
    return form_store(request).get(session_id, form_id)


@router.get(SESSION, response_model=SessionState, **_ROUTE)
async def get_session(request: Request, form_id: str, session_id: str) -> Response:
    """The question being asked, or the review."""
    try:
        return _session_response(_session(request, form_id, session_id))
    except FormError as exc:
        return _fail(exc, request_form(request))


@router.post(SESSION + "/answer", response_model=SessionState, **_ROUTE)
async def answer(request: Request, form_id: str, session_id: str, body: AnswerRequest) -> Response:
    """Answer the current question; an invalid answer gets 422 and a message saying how to fix it."""
    form = request_form(request)
    try:
        session = _session(request, form_id, session_id)
        form = session.form
        verdict = form_store(request).answer(session, body.value)
    except FormError as exc:
        return _fail(exc, form)
    if isinstance(verdict, Refused):
        return JSONResponse(error_body("invalid_answer", verdict.message), status_code=422, headers=NO_STORE)
    return _session_response(session)


def _action(name: str, summary: str) -> Any:
    """A POST endpoint that applies one session action (skip, back, review) and returns the new state."""

    route: dict[str, Any] = {"response_model": SessionState, "summary": summary, "name": f"forms_{name}"}
    route |= _ROUTE

    @router.post(f"{SESSION}/{name}", **route)
    async def act(request: Request, form_id: str, session_id: str) -> Response:
        form = request_form(request)
        try:
            session = _session(request, form_id, session_id)
            form = session.form
            if name == "skip":
                form_store(request).skip(session)
            elif name == "back":
                session.back()
            else:
                session.go_to_review()
        except FormError as exc:
            return _fail(exc, form)
        return _session_response(session)

    return act


_action("skip", "Skip the current optional question (422 for a required one)")
_action("back", "Go back to the previous question (409 at the first)")
_action("review", "Show every answer before finishing")


@router.post(SESSION + "/change", response_model=SessionState, **_ROUTE)
async def change(request: Request, form_id: str, session_id: str, body: ChangeRequest) -> Response:
    """Ask one question again (from the review)."""
    form = request_form(request)
    try:
        session = _session(request, form_id, session_id)
        form = session.form
        session.change(body.field)
    except FormError as exc:
        return _fail(exc, form)
    return _session_response(session)


@router.post(
    SESSION + "/finish",
    response_model=FinishResponse,
    responses=_ERRORS | {503: {"model": ErrorResponse, "description": "The PDF font is not installed."}},
    tags=["forms"],
)
async def finish(request: Request, form_id: str, session_id: str) -> Response:
    """Make the PDF and JSON (one download each), erase the answers, and say where to submit the form."""
    form = request_form(request)
    try:
        store = form_store(request)
        session = _session(request, form_id, session_id)
        form = session.form
        tokens = await _finish(store, session)
    except FormError as exc:
        return _fail(exc, form)
    body = FinishResponse(
        state="finished",
        downloads={kind: f"{API}/download/{token}" for kind, token in tokens.items()},
        expires_in_minutes=DOWNLOAD_MINUTES,
        submit=session.definition.submit(form),
        notice=message("forms.ui.never_submits", form),
    )
    return JSONResponse(body.model_dump(), headers=NO_STORE)


@router.delete(SESSION, response_model=ErasedResponse, **_ROUTE)
async def erase(request: Request, form_id: str, session_id: str) -> Response:
    """Erase the session and every answer in it now."""
    form = request_form(request)
    try:
        form = _session(request, form_id, session_id).form
        form_store(request).erase(session_id)
    except FormError as exc:
        return _fail(exc, form)
    body = ErasedResponse(erased=True, message=message("forms.ui.erased", form))
    return JSONResponse(body.model_dump(), headers=NO_STORE)


# --- pages without JavaScript -----------------------------------------------------------------------------


def _page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    # The language switch stays on a page that can be fetched again (a question, the review), else the list.
    switch_path = request.url.path if request.method == "GET" else "/forms"
    response = page(request, template, status, minutes=SESSION_MINUTES, switch_path=switch_path, **context)
    response.headers.update(NO_STORE)
    return response


def _message_page(request: Request, text: str, status: int, form_id: str = "") -> HTMLResponse:
    return _page(request, "forms_message.html", status, text=text, form_id=form_id, is_error=status >= 400)


def _session_page(request: Request, session: FormSession, status: int = 200, error: str = "") -> HTMLResponse:
    form = session.form
    context: dict[str, Any] = {
        "session": session,
        "definition": session.definition,
        "sform": form,
        "session_lang": HTML_LANG[form],
        "ts": lambda key, **values: message(key, form, **values),
        "action": f"/forms/{session.definition.id}/s/{session.id}",
        "error": error,
    }
    question = session.question()
    if question is None:
        return _page(request, "forms_review.html", status, items=session.review(), **context)
    spec = question.field
    options = [(c.value, c.label(form)) for c in spec.choices]
    if spec.type == "yes_no":
        options = [("yes", message("forms.ui.yes", form)), ("no", message("forms.ui.no", form))]
    value = session.value(spec.id) or ""
    context |= {"q": question, "options": options, "current_value": value}
    return _page(request, "forms_question.html", status, **context)


@router.get("/forms", response_class=HTMLResponse, include_in_schema=False)
async def forms_page(request: Request) -> HTMLResponse:
    """The list of forms, each with a Start button."""
    definitions: list[FormDefinition] = list(form_store(request).forms.values())
    return _page(request, "forms.html", definitions=definitions)


@router.post("/forms/{form_id}/start", include_in_schema=False)
async def start_page(request: Request, form_id: str) -> Response:
    """Start a session in the page's language and show its first question."""
    try:
        session = form_store(request).start(form_id, request_form(request))
    except FormError as exc:
        return _message_page(request, exc.message(request_form(request)), exc.status)
    return RedirectResponse(f"/forms/{form_id}/s/{session.id}", status_code=303, headers=NO_STORE)


@router.get("/forms/{form_id}/s/{session_id}", response_class=HTMLResponse, include_in_schema=False)
async def session_page(request: Request, form_id: str, session_id: str) -> HTMLResponse:
    """The current question, or the review."""
    try:
        return _session_page(request, _session(request, form_id, session_id))
    except FormError as exc:
        return _message_page(request, exc.message(request_form(request)), exc.status, form_id)


async def _posted(request: Request) -> tuple[str, str]:
    try:
        data = await request.form()
    except Exception:
        return "", ""
    action, value = data.get("action"), data.get("value")
    return (action if isinstance(action, str) else "answer", value if isinstance(value, str) else "")


@router.post("/forms/{form_id}/s/{session_id}", include_in_schema=False)
async def session_post(request: Request, form_id: str, session_id: str) -> Response:
    """One button press: answer, skip, back, review, change:<field>, finish or erase; then the next page."""
    action, value = await _posted(request)
    store = form_store(request)
    try:
        session = _session(request, form_id, session_id)
    except FormError as exc:
        return _message_page(request, exc.message(request_form(request)), exc.status, form_id)
    here = RedirectResponse(f"/forms/{form_id}/s/{session_id}", status_code=303, headers=NO_STORE)
    try:
        if action == "answer":
            verdict = store.answer(session, value[:2000])
            if isinstance(verdict, Refused):
                return _session_page(request, session, 422, verdict.message)
        elif action == "skip":
            store.skip(session)
        elif action == "back":
            session.back()
        elif action == "review":
            session.go_to_review()
        elif action.startswith("change:"):
            session.change(action.removeprefix("change:"))
        elif action == "erase":
            store.erase(session_id)
            return _message_page(request, message("forms.ui.erased", session.form), 200, form_id)
        elif action == "finish":
            tokens = await _finish(store, session)
            return _page(
                request,
                "forms_done.html",
                definition=session.definition,
                sform=session.form,
                session_lang=HTML_LANG[session.form],
                ts=lambda key, **values: message(key, session.form, **values),
                downloads={kind: f"/forms/download/{token}" for kind, token in tokens.items()},
                download_minutes=DOWNLOAD_MINUTES,
            )
        else:
            text = message("forms.error.unknown_field", session.form, field=action)
            return _session_page(request, session, 422, text)
    except FormError as exc:
        return _session_page(request, session, exc.status, exc.message(session.form))
    return here


@router.get("/forms/download/{token}", include_in_schema=False)
async def page_download(request: Request, token: str) -> Response:
    """The file, or a page saying it was already downloaded or has expired."""
    try:
        return _download(form_store(request), token)
    except FormError as exc:
        return _message_page(request, exc.message(request_form(request)), exc.status)
