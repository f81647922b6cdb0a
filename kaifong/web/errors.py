"""The one place that maps exceptions to HTTP answers: a clear message, the right 4xx, never a traceback."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from kaifong.errors import BadQuestion, KaifongError, UnknownConversation
from kaifong.language.messages import message
from kaifong.types import Form
from kaifong.web.deps import request_form

log = logging.getLogger("kaifong.web")


def error_body(code: str, text: str) -> dict[str, object]:
    """The JSON shape of every error: ``{"error": {"code", "message"}}``."""
    return {"error": {"code": code, "message": text}}


def error_response(status: int, code: str, key: str, form: Form, **values: object) -> JSONResponse:
    """A JSON error whose message comes from the catalogue in the caller's language form."""
    return JSONResponse(error_body(code, message(key, form, **values)), status_code=status)


def install(app: FastAPI) -> None:
    """Register the handlers on an app."""

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "request"
        detail = f"{where}: {first.get('msg', 'invalid value')}"
        return error_response(
            422, "invalid_request", "error.invalid_request", request_form(request), detail=detail
        )

    @app.exception_handler(UnknownConversation)
    async def unknown_conversation(request: Request, exc: UnknownConversation) -> Response:
        return error_response(404, exc.code, "error.unknown_conversation", request_form(request))

    @app.exception_handler(BadQuestion)
    async def bad_question(request: Request, exc: BadQuestion) -> Response:
        return error_response(422, exc.code, exc.reason, request_form(request), length=0, limit=0)

    @app.exception_handler(KaifongError)
    async def kaifong_error(request: Request, exc: KaifongError) -> Response:
        log.warning("request failed: %s", exc.__class__.__name__)
        return error_response(503, exc.code, "status.error_internal", request_form(request))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return error_response(404, "not_found", "error.not_found", request_form(request))
        detail = str(exc.detail)
        return error_response(
            exc.status_code, "http_error", "error.invalid_request", request_form(request), detail=detail
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.error("unexpected %s on %s", exc.__class__.__name__, request.url.path)
        return error_response(500, "internal_error", "status.error_internal", request_form(request))
