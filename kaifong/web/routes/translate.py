"""Translation routes: ``POST /api/v1/translations``, ``GET /api/v1/glossary`` and the /translate page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.datastructures import FormData, UploadFile

from kaifong.backends.base import BackendError
from kaifong.language import detect
from kaifong.language.convert import to_hans
from kaifong.language.messages import message
from kaifong.tools.translate import (
    DocumentError,
    Term,
    Translation,
    TranslationUnavailable,
    load_glossary,
    read_upload,
    translate,
)
from kaifong.tools.translate.documents import MAX_UPLOAD_BYTES
from kaifong.types import FORMS, Form
from kaifong.web.deps import request_form, services
from kaifong.web.errors import error_response
from kaifong.web.routes.chat import page

router = APIRouter(tags=["translation"])


class TranslationRequest(BaseModel):
    """A text to translate and the language form wanted."""

    text: str = Field(description="Markdown or plain text, up to 60,000 characters.")
    target: str = Field(description="One of en, zh-Hant, zh-Hans, yue-Hant.")


class GlossaryTerm(BaseModel):
    """One official name in every form, with the page it was taken from."""

    id: str
    kind: str
    en: str
    zh_Hant: str = Field(alias="zh-Hant")
    zh_Hans: str = Field(alias="zh-Hans")
    source: str


class TranslationResult(BaseModel):
    """A translation, labelled as machine translation, with the official names it kept."""

    text: str
    source: str
    target: str
    mode: str = Field(description="`model` (the configured generative backend) or `script` (OpenCC only).")
    label: str
    terms: list[GlossaryTerm]
    redacted_kinds: list[str] = Field(description="Kinds of personal data hidden from the model.")
    backend: str
    prompt: str


def _term(term: Term) -> dict[str, str]:
    return {
        "id": term.id,
        "kind": term.kind,
        "en": term.en,
        "zh-Hant": term.zh_hant,
        "zh-Hans": to_hans(term.zh_hant),
        "source": term.source,
    }


def _result(result: Translation) -> dict[str, Any]:
    key = "translate.label" if result.mode == "model" else "translate.label_script"
    glossary = {t.id: t for t in load_glossary().terms}
    return {
        "text": result.text,
        "source": result.source,
        "target": result.target,
        "mode": result.mode,
        "label": message(key, result.target),
        "terms": [_term(glossary[t]) for t in result.terms],
        "redacted_kinds": list(result.redacted_kinds),
        "backend": result.backend,
        "prompt": result.prompt_id,
    }


def _form_of(text: str, fallback: Form) -> Form:
    return detect(text[:4000]).form if text.strip() else fallback


def _failure(exc: Exception, form: Form) -> JSONResponse:
    """The JSON error for an expected translation failure, in the visitor's language form."""
    if isinstance(exc, DocumentError):
        status = 413 if exc.reason == "translate.error.too_large" else 422
        return error_response(status, "bad_document", exc.reason, form, **exc.detail)
    if isinstance(exc, TranslationUnavailable):
        return error_response(503, exc.code, "translate.unavailable", form)
    return error_response(503, "backend_unavailable", "translate.error.backend", form)


#: A request declared larger than this is refused before any of it is read: the file limit plus room for
#: the multipart headers and the ``target`` field (or, for JSON, the same size of text).
MAX_REQUEST_BYTES = MAX_UPLOAD_BYTES + 64 * 1024
#: The file limit as residents read it, in MB.
FILE_LIMIT_MB = str(MAX_UPLOAD_BYTES // 1_048_576)


def _refuse_declared_oversize(request: Request) -> None:
    """DocumentError when the Content-Length is past the limit: a 50 MB upload is not received or spooled.

    The page uses it to show the refusal in its own HTML; the API is refused by kaifong.web.body_limit."""
    declared = request.headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > MAX_REQUEST_BYTES:
        size = f"{int(declared) / 1_048_576:.1f}"
        raise DocumentError("translate.error.too_large", size=size, limit=FILE_LIMIT_MB)


async def _form_text(form: FormData) -> str:
    """The uploaded file as Markdown when one was chosen, else the pasted text.

    At most one byte more than the limit is read (a request declared larger is refused before this).
    """
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        return read_upload(upload.filename, await upload.read(MAX_UPLOAD_BYTES + 1))
    return str(form.get("text") or "")


@router.post(
    "/api/v1/translations",
    response_model=TranslationResult,
    summary="Translate a text or an uploaded document (JSON, or multipart with `file` and `target`)",
    responses={
        413: {"description": "File too large"},
        422: {"description": "Unreadable or invalid"},
        503: {"description": "No generative backend, or it did not answer"},
    },
)
async def create_translation(request: Request) -> Response:
    """Translate JSON ``{"text", "target"}``, or a multipart form: ``file`` (or ``text``) and ``target``."""
    fallback = request_form(request)
    text, target = "", ""
    try:  # the body is capped before this runs (kaifong.web.body_limit): 413 past MAX_REQUEST_BYTES
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            async with request.form() as form:
                target = str(form.get("target") or "")
                text = await _form_text(form)
        else:
            try:
                body = TranslationRequest.model_validate_json(await request.body())
            except ValueError:
                return error_response(
                    422,
                    "invalid_request",
                    "error.invalid_request",
                    fallback,
                    detail="expected {text, target}",
                )
            text, target = body.text, body.target
        result = await translate(text, target, services(request))
    except (DocumentError, TranslationUnavailable, BackendError) as exc:
        return _failure(exc, _form_of(text, fallback))
    return JSONResponse(_result(result))


@router.get("/api/v1/glossary", summary="Look up official names (departments, schemes, forms, places)")
async def glossary(q: str = "", limit: int = 10) -> dict[str, object]:
    """Official names whose names or abbreviations contain ``q``, in every form, with their sources."""
    found = load_glossary()
    return {"version": found.version, "terms": [_term(t) for t in found.lookup(q, max(1, min(limit, 50)))]}


@router.get("/translate", response_class=HTMLResponse, include_in_schema=False)
async def translate_page(request: Request, q: str = "") -> HTMLResponse:
    """The translation page, with the glossary lookup (which works without a model)."""
    return page(request, "translate.html", switch_path="/translate", **_page_context(q))


@router.post("/translate", response_class=HTMLResponse, include_in_schema=False)
async def translate_submit(request: Request) -> HTMLResponse:
    """Translate what the form sent and show it; every failure is shown on the page, in the visitor's form."""
    target, text = "", ""
    try:
        _refuse_declared_oversize(request)
        async with request.form() as form:
            target = str(form.get("target") or "")
            text = await _form_text(form)
        result = await translate(text, target, services(request))
    except (DocumentError, TranslationUnavailable, BackendError) as exc:
        visitor = request_form(request)
        if isinstance(exc, DocumentError):
            error = message(exc.reason, visitor, **exc.detail)
            status = 413 if exc.reason == "translate.error.too_large" else 422
        elif isinstance(exc, TranslationUnavailable):
            error, status = message("translate.unavailable", visitor), 503
        else:
            error, status = message("translate.error.backend", visitor), 503
        return page(
            request,
            "translate.html",
            switch_path="/translate",
            status=status,
            **_page_context("", error=error, target=target),
        )
    return page(
        request,
        "translate.html",
        switch_path="/translate",
        **_page_context("", result=_result(result), target=target),
    )


def _page_context(q: str, **extra: Any) -> dict[str, Any]:
    found = load_glossary().lookup(q) if q.strip() else []
    return {
        "query": q,
        "lookup": [_term(t) for t in found],
        "targets": FORMS,
        "result": None,
        "target": "",
    } | extra
