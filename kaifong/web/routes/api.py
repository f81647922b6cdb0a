"""The JSON API: ``POST /api/v1/answers`` — the same answer as the chat and the CLI, as data."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from kaifong.errors import BadQuestion
from kaifong.pipeline import answer
from kaifong.pipeline.runner import bad_question_message
from kaifong.web.deps import request_form, services
from kaifong.web.errors import error_body, error_response

router = APIRouter(prefix="/api/v1", tags=["answers"])


class AnswerRequest(BaseModel):
    """A resident's question, optionally continuing a conversation."""

    question: str = Field(
        description="The question, in English, Chinese or written Cantonese (≤ 2,000 characters)."
    )
    conversation_id: str | None = Field(
        default=None, description="The id from an earlier answer, so that a follow-up keeps its context."
    )


class CitationModel(BaseModel):
    """One official source under an answer."""

    title: str
    url: str
    department: str
    reviewed: str = Field(
        description="ISO date the knowledge-base entry was last checked against its source."
    )


class EscalationModel(BaseModel):
    """The human route offered beside every answer."""

    name: str
    phone: str
    url: str
    text: str = Field(description="The route in words, in the answer's language.")


class AnswerResponse(BaseModel):
    """An answer, in the register and script of the question, with its sources and a human route."""

    status: str = Field(description="answered, no_sources, error_backend, error_internal …")
    language: str = Field(description="yue (written Cantonese), zh (standard written Chinese) or en")
    script: str = Field(description="Hant, Hans or Latn")
    code_switched: bool
    answer: str
    citations: list[CitationModel]
    escalation: EscalationModel | None
    ai_label: str = Field(description="The visible AI-generated label, in the answer's language.")
    conversation_id: str
    redacted: list[str] = Field(
        description="Kinds of personal data removed from the question (never the values)."
    )
    label: dict[str, object] = Field(
        description='Machine-readable AI label: {"ai_generated": true, "text": …}.'
    )
    receipt: dict[str, object] = Field(
        description="Signed receipt (answer hash, source ids, backend and version, guard verdicts, audit log "
        "index, Ed25519 signature); check it with `kaifong audit receipt`."
    )
    subject_token: str | None = Field(
        default=None,
        description="With a conversation's first answer only (null on follow-ups): the resident's secret "
        "key to download or erase the conversation (POST /api/v1/subject/export, /erase). Shown once; "
        "kept only as a hash.",
    )


class ErrorDetail(BaseModel):
    """What went wrong and how to fix it."""

    code: str
    message: str


class ErrorResponse(BaseModel):
    """Every error has this shape."""

    error: ErrorDetail


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "The body is not UTF-8 or not valid JSON."},
    404: {"model": ErrorResponse, "description": "Unknown conversation_id."},
    422: {"model": ErrorResponse, "description": "Missing, empty, non-text or too long question."},
}


@router.post(
    "/answers",
    response_model=AnswerResponse,
    responses=_ERRORS,
    summary="Answer a question from official Hong Kong sources",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": AnswerRequest.model_json_schema()}},
        }
    },
)
async def post_answer(request: Request) -> JSONResponse:
    """Answer one question; errors say what is wrong in the question's language (or the client's)."""
    form = request_form(request)
    raw = await request.body()
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        return error_response(400, "not_utf8", "error.not_utf8", form)
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        return error_response(400, "invalid_json", "error.invalid_json", form, detail=f"line {exc.lineno}")
    if not isinstance(data, dict):
        return error_response(
            422, "invalid_request", "error.invalid_request", form, detail="expected an object"
        )
    question = data.get("question")
    conversation_id = data.get("conversation_id")
    if conversation_id is not None and not isinstance(conversation_id, str):
        return error_response(
            422, "invalid_request", "error.invalid_request", form, detail="conversation_id must be a string"
        )
    svc = services(request)
    try:
        result = await answer(question, svc, conversation_id=conversation_id or None)
    except BadQuestion as exc:
        text = bad_question_message(exc, question, svc.settings.max_question_chars, form)
        return JSONResponse(error_body(exc.code, text), status_code=422)
    return JSONResponse(result.as_dict())
