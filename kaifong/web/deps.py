"""Request helpers shared by the routes: the app's Services and the visitor's language form."""

from __future__ import annotations

from fastapi import Request

from kaifong.language.messages import parse_form
from kaifong.services import Services
from kaifong.types import Form

FORM_COOKIE = "kaifong_lang"
SIZE_COOKIE = "kaifong_size"
NOTICE_COOKIE = "kaifong_notice"


def services(request: Request) -> Services:
    """The Services the app was built with."""
    found: Services = request.app.state.services
    return found


def accept_language_form(header: str) -> Form | None:
    """The best of our forms for an Accept-Language header (``yue``, ``zh-HK``, ``zh-CN``, ``en`` …)."""
    for part in header.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("yue"):
            return "yue-Hant"
        if tag in {"zh-cn", "zh-sg", "zh-hans"} or tag.startswith("zh-hans"):
            return "zh-Hans"
        if tag.startswith("zh"):
            return "zh-Hant"
        if tag.startswith("en"):
            return "en"
    return None


def request_form(request: Request) -> Form:
    """The visitor's interface language: ``?lang=``, then the cookie, then Accept-Language, then English."""
    return (
        parse_form(request.query_params.get("lang"))
        or parse_form(request.cookies.get(FORM_COOKIE))
        or accept_language_form(request.headers.get("accept-language", ""))
        or "en"
    )
