"""Resident self-service over HTTP (GOV-06): export or erase a conversation with its subject token.

JSON: ``POST /api/v1/subject/export`` and ``POST /api/v1/subject/erase``, the token in an
``Authorization: Bearer`` header or as ``{"token": …}``. Web: ``/my-conversation`` (paste a key) and the
buttons beside the chat, plain forms that work without JavaScript; erasing asks for confirmation first.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from kaifong.governance import subject_rights
from kaifong.governance.subject_rights import SubjectTokenRejected
from kaifong.language.messages import message
from kaifong.services import Services
from kaifong.types import Form
from kaifong.web.deps import request_form, services
from kaifong.web.errors import error_response
from kaifong.web.routes.chat import page

router = APIRouter()

#: HTTP status per rejection: no or unknown key is an authentication failure; an ended conversation is gone.
REJECTION_STATUS = {"missing": 401, "unknown": 401, "expired": 410, "erased": 410}


class SubjectRequest(BaseModel):
    """The subject token from a conversation's first answer (or send it as ``Authorization: Bearer``)."""

    token: str = Field(description="The `subject_token` of the conversation's first answer (kfs_…).")


class ExportTurn(BaseModel):
    """One exchange as it is kept."""

    time: str = Field(description="When it was stored (ISO 8601, UTC).")
    question: str = Field(description="The question as stored: personal details were removed first.")
    answer: str
    status: str
    citations: list[str] = Field(description="Knowledge-base topics the answer cited.")


class ExportResponse(BaseModel):
    """Everything kept about the conversation."""

    kaifong_export: int
    conversation_id: str
    language_form: str
    started: str
    last_question: str
    turns: list[ExportTurn]
    note: str


class ErasedDetail(BaseModel):
    """What was erased."""

    conversation_id: str
    turns: int
    escalations: int = Field(description="Staff cases about the conversation, deleted with it.")
    key_destroyed: bool


class EraseResponse(BaseModel):
    """The erasure's result, with a sentence for the resident."""

    erased: ErasedDetail
    message: str


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "The body is not UTF-8 or not valid JSON."},
    401: {"description": "No subject token, or one this server does not know."},
    410: {"description": "The conversation has already been erased, or expired and was deleted."},
}


def _rejected(exc: SubjectTokenRejected, form: Form) -> JSONResponse:
    response = error_response(
        REJECTION_STATUS[exc.reason], f"token_{exc.reason}", f"error.token_{exc.reason}", form
    )
    if response.status_code == 401:
        response.headers["www-authenticate"] = "Bearer"
    return response


async def _api_token(request: Request, form: Form) -> str | JSONResponse:
    """The token from the Authorization header, else from the JSON body; or the error to answer with."""
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    raw = await request.body()
    if not raw.strip():
        return ""
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return error_response(400, "not_utf8", "error.not_utf8", form)
    except json.JSONDecodeError as exc:
        return error_response(400, "invalid_json", "error.invalid_json", form, detail=f"line {exc.lineno}")
    if not isinstance(data, dict):
        return error_response(
            422, "invalid_request", "error.invalid_request", form, detail="expected an object"
        )
    token = data.get("token")
    if token is not None and not isinstance(token, str):
        return error_response(422, "invalid_request", "error.invalid_request", form, detail="token: not text")
    return token or ""


_BODY = {
    "requestBody": {
        "required": False,
        "content": {"application/json": {"schema": SubjectRequest.model_json_schema()}},
    }
}


@router.post(
    "/api/v1/subject/export",
    response_model=ExportResponse,
    responses=_ERRORS,
    tags=["subject rights"],
    summary="Download a conversation (DPP6 access)",
    openapi_extra=_BODY,
)
async def api_export(request: Request) -> JSONResponse:
    """The conversation the token opens, as kept; the access is an audit event (ids only)."""
    return await _subject_api(
        request, lambda svc, token, form: subject_rights.export(svc, token, "api", form)
    )


@router.post(
    "/api/v1/subject/erase",
    response_model=EraseResponse,
    responses=_ERRORS,
    tags=["subject rights"],
    summary="Erase a conversation for good (crypto-shredding)",
    openapi_extra=_BODY,
)
async def api_erase(request: Request) -> JSONResponse:
    """Destroy the conversation's key and delete its rows; the audit log keeps the id and still verifies."""
    return await _subject_api(
        request,
        lambda svc, token, form: subject_rights.erased_json(subject_rights.erase(svc, token, "api"), form),
    )


async def _subject_api(
    request: Request, act: Callable[[Services, str, Form], dict[str, object]]
) -> JSONResponse:
    """Read the token, run ``act`` with it and answer its document (never cached), or the error."""
    form = request_form(request)
    token = await _api_token(request, form)
    if isinstance(token, JSONResponse):
        return token
    try:
        document = act(services(request), token, form)
    except SubjectTokenRejected as exc:
        return _rejected(exc, form)
    return JSONResponse(document, headers={"cache-control": "no-store"})


async def _form_field(request: Request, name: str) -> str:
    try:
        value = (await request.form()).get(name)
    except Exception:
        return ""
    return value if isinstance(value, str) else ""


def _rejected_page(request: Request, exc: SubjectTokenRejected) -> HTMLResponse:
    text = message(f"error.token_{exc.reason}", request_form(request))
    return page(request, "subject.html", REJECTION_STATUS[exc.reason], step="enter", error=text)


@router.get("/my-conversation", response_class=HTMLResponse, include_in_schema=False)
async def rights_page(request: Request) -> HTMLResponse:
    """Paste a conversation key to download or erase that conversation."""
    return page(request, "subject.html", step="enter")


@router.post("/my-conversation/download", include_in_schema=False)
async def download(request: Request) -> Response:
    """The conversation as a JSON file (a download: the page the resident is on stays)."""
    token = await _form_field(request, "token")
    try:
        document = subject_rights.export(services(request), token, "web", request_form(request))
    except SubjectTokenRejected as exc:
        return _rejected_page(request, exc)
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={
            "content-disposition": 'attachment; filename="kaifong-conversation.json"',
            "cache-control": "no-store",
        },
    )


@router.post("/my-conversation/erase", response_class=HTMLResponse, include_in_schema=False)
async def erase(request: Request) -> HTMLResponse:
    """First a confirmation page (nothing is erased); with ``confirm=yes`` the erasure and its result."""
    token = await _form_field(request, "token")
    svc = services(request)
    try:
        if await _form_field(request, "confirm") != "yes":
            conversation_id = subject_rights.conversation_for(svc, token)
            turns = svc.conversations.turn_count(conversation_id)
            response = page(request, "subject.html", step="confirm", token=token.strip(), turns=turns)
            response.headers["cache-control"] = "no-store"  # the key is in the page
            return response
        erased = subject_rights.erase(svc, token, "web")
    except SubjectTokenRejected as exc:
        return _rejected_page(request, exc)
    return page(request, "subject.html", step="erased", turns=erased.turns)
