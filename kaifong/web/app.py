"""``create_app(settings)``: the FastAPI application with its services, routes and error handlers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import replace
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from kaifong import __version__
from kaifong.backends.base import connections
from kaifong.governance.retention import start_scheduled_purge
from kaifong.services import Services, build_services
from kaifong.settings import Settings
from kaifong.web import errors
from kaifong.web.body_limit import BodyLimit, Cap, limits
from kaifong.web.routes import api, chat, escalations, health, subject, transparency
from kaifong.web.routes import finder as service_finder
from kaifong.web.routes import forms as guided_forms
from kaifong.web.routes import openai as openai_api
from kaifong.web.routes import stream as chat_stream
from kaifong.web.routes import translate as translation

HERE = Path(__file__).parent


def body_caps() -> Callable[[str], Cap]:
    """Each path's body cap (kaifong.web.body_limit): a translation's 5 MB file (+ form overhead), the
    finder's 64 KB, and 1 MB for anything else; each refusal worded as the route itself words it."""
    upload = Cap(
        translation.MAX_REQUEST_BYTES,
        "translate.error.too_large",
        1_048_576,
        translation.FILE_LIMIT_MB,
        "bad_document",
    )
    finder = Cap(service_finder.MAX_BODY_BYTES, "finder.error.too_large")
    return limits(
        {
            "/translate": replace(upload, declared_by_route=True),  # the page shows it in its own HTML
            "/api/v1/translations": upload,
            "/api/v1/finder": finder,
        }
    )


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """Build the app; services are created at start-up from ``settings`` unless given ready-made."""
    settings = settings or (services.settings if services else Settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = services is None
        app.state.services = services or build_services(settings)
        purging = start_scheduled_purge(app.state.services)  # retention.purge_interval_minutes; 0: none
        app.state.retention_purge = purging
        try:
            async with connections(app.state.services.backend):  # kept alive to the model server, closed here
                yield
        finally:
            if purging is not None:
                purging.cancel()
                with suppress(asyncio.CancelledError):
                    await purging
            if owned:
                app.state.services.close()

    app = FastAPI(
        title="Kaifong",
        version=__version__,
        description=(
            "An open, self-hostable public-service assistant for Hong Kong: short answers from official "
            "sources, with citations, in English, standard written Chinese or written Cantonese."
        ),
        lifespan=lifespan,
    )
    if services is not None:
        app.state.services = services
    app.state.templates = Jinja2Templates(directory=str(HERE / "templates"))
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(chat.router)
    app.include_router(chat_stream.router)
    app.include_router(api.router)
    app.include_router(openai_api.router)
    app.include_router(escalations.router)
    app.include_router(health.router)
    app.include_router(subject.router)
    app.include_router(transparency.router)
    app.include_router(service_finder.router)
    app.include_router(guided_forms.router)
    app.include_router(translation.router)
    errors.install(app)
    app.add_middleware(BodyLimit, limit_for=body_caps())
    return app
