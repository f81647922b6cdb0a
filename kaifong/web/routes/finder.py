"""The service and course finder over HTTP: ``POST /api/v1/finder`` (JSON) and the no-JS ``/finder`` page."""

from __future__ import annotations

import json
import threading
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from kaifong.governance import pii
from kaifong.language.messages import message, parse_form
from kaifong.tools.finder.catalogue import default_catalogue
from kaifong.tools.finder.facts import (
    BENEFITS,
    BOOLEAN,
    DESCRIPTIONS,
    EDUCATION,
    EMPLOYMENT,
    FACT_NAMES,
    NUMERIC,
    Benefit,
    Education,
    Employment,
)
from kaifong.tools.finder.finder import Finder, FinderInputError, FinderRequest
from kaifong.tools.finder.memory import FactMemory
from kaifong.tools.finder.names import districts, languages
from kaifong.tools.finder.present import reply_view
from kaifong.types import Form
from kaifong.web.deps import request_form, services
from kaifong.web.errors import error_response
from kaifong.web.routes.chat import page

router = APIRouter(tags=["finder"])
#: A finder request is a short text and a few facts; a body past this is refused while it is read.
MAX_BODY_BYTES = 64 * 1024
SESSION_COOKIE = "kaifong_finder"
_lock = threading.Lock()


def finder(request: Request) -> Finder:
    """The app's Finder: bundled catalogue, in-memory session store, audit log and crisis guard."""
    with _lock:
        existing: Finder | None = getattr(request.app.state, "finder", None)
        if existing is None:
            svc = services(request)
            crisis = next((guard for guard in svc.guards if guard.name == "crisis"), None)
            existing = Finder(
                default_catalogue(),
                FactMemory(),
                svc.audit,
                crisis=crisis,
                max_chars=svc.settings.max_question_chars,
            )
            request.app.state.finder = existing
        return existing


def _facts_fields() -> dict[str, Any]:
    """The short form's fields, typed from the finder's own fact list (:mod:`kaifong.tools.finder.facts`)."""
    types: dict[str, Any] = dict.fromkeys(NUMERIC, int) | dict.fromkeys(BOOLEAN, bool)
    types |= {
        "district": str,
        "employment": Employment,
        "education": Education,
        "benefits": list[Benefit | Literal["none"]],
    }
    return {
        name: (types[name] | None, Field(default=None, description=DESCRIPTIONS[name]))
        for name in FACT_NAMES
        if name in types
    }


#: Facts from a short form; every field is optional and unknown is never held against you. Only the
#: types are checked here: ranges, districts and contradictions are checked by ``facts_from_mapping``,
#: the same code the page and the CLI use.
FactsModel = create_model(
    "FactsModel",
    __config__=ConfigDict(extra="forbid"),
    __doc__="Facts from a short form; every field is optional and unknown is never held against you.",
    **_facts_fields(),
)


class FiltersModel(BaseModel):
    """Narrow the list; a district filter defaults to the district the resident lives in."""

    model_config = ConfigDict(extra="forbid")

    district: str | None = Field(default=None, description="Any district name or alias, or 'any'.")
    language: str | None = Field(
        default=None, description="Language of the service or course: 'English', '普通話'."
    )
    kind: Literal["service", "course", "any"] | None = None


class FinderRequestModel(BaseModel):
    """What the resident says about themselves (free text and/or facts) and how to filter."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(
        default=None, description="In English, Chinese or written Cantonese (≤ 2,000 characters)."
    )
    facts: FactsModel | None = None  # type: ignore[valid-type]
    filters: FiltersModel | None = None
    session_id: str | None = Field(
        default=None, description="From an earlier reply, to keep the facts given then."
    )
    lang: str | None = Field(default=None, description="Reply language form: en, zh-Hant, zh-Hans, yue-Hant.")
    forget: bool = Field(default=False, description="Drop the session's remembered facts first.")


class UnderstoodModel(BaseModel):
    """A fact the finder understood, shown back in words."""

    fact: str
    value: Any
    text: str


class ProblemModel(BaseModel):
    """Something that could not be used as given, and what to do."""

    code: str
    fact: str | None
    message: str


class RuleOutcomeModel(BaseModel):
    """One eligibility rule of a result, and how the resident's facts meet it."""

    id: str
    text: str
    outcome: Literal["met", "unknown"]
    applies: bool | None
    outcome_text: str
    as_of: str | None = Field(description="Date of a money limit, as its source gives it.")
    source: str | None


class ResultModel(BaseModel):
    """A service or course that may fit; the department decides."""

    id: str
    kind: Literal["service", "course"]
    name: str
    department: str
    summary: str
    status: Literal["fits", "may_fit", "open"]
    status_text: str
    for_a_group: bool = Field(description="All that is unknown is whether you belong to the group it serves.")
    rules: list[RuleOutcomeModel]
    missing: list[dict[str, str]]
    apply: dict[str, str]
    hotline: str | None
    amounts: list[dict[str, str]]
    sources: list[dict[str, str]]
    checked: str
    districts: str | list[str]
    where: str | None
    languages: list[str]
    languages_note: str | None
    schedule: str | None
    also_checked: list[str]


class FinderResponse(BaseModel):
    """The finder's reply in the resident's language form."""

    status: Literal["answered", "signposted_crisis"]
    language: str
    session_id: str
    catalogue_version: str
    request_id: str
    understood: list[UnderstoodModel]
    updated: list[dict[str, str]]
    problems: list[ProblemModel]
    filters: dict[str, Any]
    results: list[ResultModel]
    counts: dict[str, int]
    messages: dict[str, str]


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "The body is not UTF-8 or not valid JSON."},
    413: {"description": "The body is over 64 KB (refused while it is read)."},
    422: {"description": "Nothing to go on, text too long, or a field of the wrong type."},
}


def _input_error(exc: FinderInputError, form: Form) -> JSONResponse:
    return error_response(422, "invalid_request", exc.reason, form, **exc.values)


@router.post(
    "/api/v1/finder",
    response_model=FinderResponse,
    responses=_ERRORS,
    summary="Services and courses that may fit a resident, from stated facts checked against published rules",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": FinderRequestModel.model_json_schema()}},
        }
    },
)
async def post_finder(request: Request) -> JSONResponse:
    """Read facts from text and/or a short form, and list what may fit; the department decides (GOV-02)."""
    form = request_form(request)
    raw = await request.body()  # capped at MAX_BODY_BYTES before this runs (kaifong.web.body_limit)
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
    if "text" in data and data["text"] is not None and not isinstance(data["text"], str):
        return error_response(422, "invalid_request", "finder.error.not_text", form)
    try:
        body = FinderRequestModel.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "request"
        return error_response(
            422, "invalid_request", "error.invalid_request", form, detail=f"{where}: {first['msg']}"
        )
    filters = body.filters or FiltersModel()
    finder_request = FinderRequest(
        text=body.text or "",
        facts=body.facts.model_dump(exclude_none=True) if body.facts else None,
        district=filters.district,
        language=filters.language,
        kind=filters.kind,
        session_id=body.session_id,
        form=parse_form(body.lang),
        fallback_form=form,
        forget=body.forget,
    )
    try:
        reply = finder(request).answer(finder_request)
    except FinderInputError as exc:
        return _input_error(exc, form)
    return JSONResponse(reply_view(reply))


def _choices(form: Form) -> dict[str, Any]:
    """The short form's options, in ``form``."""
    return {
        "districts": sorted(((d.id, d.display(form)) for d in districts().names), key=lambda item: item[1]),
        "languages": [(name.id, name.display(form)) for name in languages().names],
        "employment": [(value, message(f"finder.value.employment.{value}", form)) for value in EMPLOYMENT],
        "education": [(value, message(f"finder.value.education.{value}", form)) for value in EDUCATION],
        "benefits": [(value, message(f"finder.value.benefit.{value}", form)) for value in BENEFITS],
    }


#: The page's short form: every fact but the allowances (a checkbox list) and new arrival.
FORM_FACTS = tuple(name for name in FACT_NAMES if name not in {"benefits", "new_arrival"})


@router.get("/finder", response_class=HTMLResponse, include_in_schema=False)
async def finder_page(request: Request) -> HTMLResponse:
    """The finder page: a free-text box and a short form."""
    form = request_form(request)
    return page(
        request, "finder.html", choices=_choices(form), values={}, view=None, said="", switch_path="/finder"
    )


@router.post("/finder", response_class=HTMLResponse, include_in_schema=False)
async def finder_submit(request: Request) -> Response:
    """Answer the page's form; the session lives in a cookie that holds only a random id."""
    form = request_form(request)
    try:
        data = await request.form()
    except Exception:
        data = None
    values: dict[str, Any] = {}
    if data is not None:
        values = {
            name: data.get(name) for name in (*FORM_FACTS, "text", "near", "language", "kind", "action")
        }
        values["benefits"] = [b for b in data.getlist("benefits") if isinstance(b, str)]
    text = values.get("text") if isinstance(values.get("text"), str) else ""
    session_id = request.cookies.get(SESSION_COOKIE)
    forget = values.get("action") == "forget"
    facts = {name: values[name] for name in (*FORM_FACTS, "benefits") if values.get(name)}
    finder_request = FinderRequest(
        text="" if forget else str(text),
        facts=None if forget else facts,
        district=None if forget else (str(values["near"]) if values.get("near") else None),
        language=None if forget else (str(values["language"]) if values.get("language") else None),
        kind=None if forget else (str(values["kind"]) if values.get("kind") else None),
        session_id=session_id,
        fallback_form=form,
        forget=forget,
    )
    context: dict[str, Any] = {"choices": _choices(form), "values": {} if forget else values, "view": None}
    status = 200
    try:
        reply = finder(request).answer(finder_request)
        session_id = reply.session_id
        context["view"] = None if forget else reply_view(reply)
        context["forgotten"] = forget
    except FinderInputError as exc:
        status = 422
        context["error"] = message(exc.reason, form, **exc.values)
    context["said"] = pii.redact(str(text)).text if text and not forget else ""
    response = page(request, "finder.html", status, switch_path="/finder", **context)
    if session_id:
        response.set_cookie(SESSION_COOKIE, session_id, httponly=True, samesite="lax")
    return response
