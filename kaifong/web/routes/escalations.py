"""``POST /api/v1/escalations``: the resident's "talk to a person" — the conversation is queued for staff."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from kaifong.errors import UnknownConversation
from kaifong.language.messages import message
from kaifong.oversight.errors import NoteTooLong
from kaifong.oversight.escalations import MAX_NOTE_CHARS, request_person
from kaifong.web.deps import request_form, services
from kaifong.web.errors import error_response

router = APIRouter(prefix="/api/v1", tags=["escalations"])


class EscalationRequest(BaseModel):
    """Ask for a person to look at a conversation."""

    conversation_id: str = Field(description="The conversation_id of an answer.")
    note: str | None = Field(
        default=None,
        description=f"Optional words for staff (≤ {MAX_NOTE_CHARS} characters); personal data is removed.",
    )


class EscalationResponse(BaseModel):
    """The case the conversation is queued in."""

    escalation_id: int = Field(description="The case reference; the same while the case is not closed.")
    status: str = Field(description="Always open or claimed: a case waiting for, or with, staff.")
    new: bool = Field(description="False when the conversation was already queued (the note is added).")
    message: str = Field(description="What happens next and the human route, in the caller's language.")
    redacted: list[str] = Field(description="Kinds of personal data removed from the note (never values).")


class _ErrorDetail(BaseModel):
    code: str
    message: str


class _ErrorResponse(BaseModel):
    error: _ErrorDetail


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": _ErrorResponse, "description": "The body is not UTF-8 or not valid JSON."},
    404: {"model": _ErrorResponse, "description": "Unknown conversation_id."},
    422: {
        "model": _ErrorResponse,
        "description": "Missing conversation_id, or a note that is not text or too long.",
    },
}


@router.post(
    "/escalations",
    response_model=EscalationResponse,
    status_code=201,
    responses={200: {"model": EscalationResponse, "description": "Already queued."}, **_ERRORS},
    summary="Talk to a person: queue a conversation for staff",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": EscalationRequest.model_json_schema()}},
        }
    },
)
async def post_escalation(request: Request) -> JSONResponse:
    """Queue the conversation (201, or 200 when it is already queued); errors say what to send instead."""
    form = request_form(request)
    raw = await request.body()
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return error_response(400, "not_utf8", "escalation.error.request", form, detail="not UTF-8")
    except json.JSONDecodeError as exc:
        detail = f"not JSON, line {exc.lineno}"
        return error_response(400, "invalid_json", "escalation.error.request", form, detail=detail)
    conversation_id = data.get("conversation_id") if isinstance(data, dict) else None
    note = data.get("note") if isinstance(data, dict) else None
    if not isinstance(conversation_id, str) or not conversation_id.strip():
        detail = "conversation_id is missing"
        return error_response(422, "invalid_request", "escalation.error.request", form, detail=detail)
    if note is not None and not isinstance(note, str):
        detail = "note must be text"
        return error_response(422, "invalid_request", "escalation.error.request", form, detail=detail)
    svc = services(request)
    try:
        opened = request_person(svc.engine, svc.audit, svc.conversations, conversation_id.strip(), note)
    except UnknownConversation:
        return error_response(404, "unknown_conversation", "escalation.error.unknown_conversation", form)
    except NoteTooLong as exc:
        return error_response(
            422, exc.code, "escalation.error.note_too_long", form, length=exc.length, limit=exc.limit
        )
    body = EscalationResponse(
        escalation_id=opened.case_id,
        status=opened.status,
        new=opened.new,
        message=message("escalation.received", form, case_id=opened.case_id),
        redacted=list(opened.redacted),
    )
    return JSONResponse(body.model_dump(), status_code=201 if opened.new else 200)
