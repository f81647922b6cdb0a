"""An app-wide cap on request bodies, checked before any route reads them: over it, a 413 that says so.

Routes keep their own, tighter limits (the finder's 64 KB, ``/v1``'s 256 KB, a translation's 5 MB file);
this is the net under all of them, so that no route — and no multipart parser — ever holds more than
its path's cap in memory. A declared ``Content-Length`` over the cap is refused before a byte of the body
is read; a body sent without one (chunked) is read up to the cap, and refused as soon as it goes past.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kaifong.web.deps import request_form
from kaifong.web.errors import error_response

#: The cap on any request body, unless a path prefix allows more.
DEFAULT_LIMIT = 1024 * 1024


@dataclass(frozen=True)
class Cap:
    """A body cap and how a refusal says it: ``key`` in the catalogue, with ``size`` in ``unit`` and ``limit``
    as the visitor should read it (a translation says its 5 MB file limit, not the bytes of a request)."""

    bytes: int
    key: str = "error.body_too_large"
    unit: int = 1024  # KB; 1_048_576 for MB
    limit: str = ""
    code: str = "request_too_large"
    #: The route refuses a declared oversize itself (a page that shows the error in its own HTML): only a
    #: body sent without a length is capped here.
    declared_by_route: bool = False

    def shown(self, size: int, over: bool) -> dict[str, str]:
        """The message's ``size`` and ``limit`` values (a size still growing when cut off ends in "+")."""
        amount = f"{size / self.unit:.1f}" if self.unit > 1024 else str(size // self.unit)
        return {"size": amount + ("+" if over else ""), "limit": self.limit or str(self.bytes // self.unit)}


DEFAULT_CAP = Cap(DEFAULT_LIMIT)


class BodyLimit:
    """ASGI middleware: refuse a request whose body is over ``limit_for(path)`` bytes with a 413."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], Cap]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self.limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length", b"").strip()
        if declared.isdigit():
            if int(declared) > cap.bytes and not cap.declared_by_route:
                await self._refuse(scope, receive, send, cap, cap.shown(int(declared), over=False))
            else:
                await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        size = 0
        while True:  # no declared length: read ahead, up to the cap
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > cap.bytes:
                await self._refuse(scope, receive, send, cap, cap.shown(size, over=True))
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, cap: Cap, values: dict[str, str]) -> None:
        form = request_form(Request(scope, receive))
        response = error_response(413, cap.code, cap.key, form, **values)
        response.headers["connection"] = "close"
        await response(scope, receive, send)


def limits(prefixes: dict[str, Cap], default: Cap = DEFAULT_CAP) -> Callable[[str], Cap]:
    """``limit_for(path)``: the cap of the longest prefix of ``prefixes`` that ``path`` starts with, else
    ``default``."""
    ordered = sorted(prefixes.items(), key=lambda kv: -len(kv[0]))

    def limit_for(path: str) -> Cap:
        return next((cap for prefix, cap in ordered if path.startswith(prefix)), default)

    return limit_for
