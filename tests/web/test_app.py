"""The app's life cycle and its last-resort error handling."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from fastapi import FastAPI

from kaifong.cli import main
from kaifong.services import Services
from kaifong.settings import Settings
from kaifong.web import create_app


def test_app_built_from_settings_initialises_and_loads_the_database(settings: Settings) -> None:
    app = create_app(settings)

    async def go() -> httpx.Response:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://kaifong.test") as client:
                return await client.get("/healthz")

    response = asyncio.run(go())
    assert response.status_code == 200
    assert response.json()["knowledge"]["topics"] >= 60
    assert Path(settings.database_url.removeprefix("sqlite:///")).exists()


def _broken_app(services: Services, error: Exception) -> FastAPI:
    app = create_app(services=services)

    @app.get("/boom")
    async def boom() -> None:
        raise error

    return app


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [(RuntimeError("secret detail"), 500, "internal_error"), (ValueError("x"), 500, "internal_error")],
)
def test_unexpected_errors_become_a_canned_message_without_details(
    shared_services: Services, error: Exception, status: int, code: str
) -> None:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=_broken_app(shared_services, error), raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://kaifong.test") as client:
            return await client.get("/boom", headers={"accept-language": "zh-HK"})

    response = asyncio.run(go())
    assert response.status_code == status
    body = response.json()["error"]
    assert body["code"] == code
    assert "secret detail" not in response.text and "Traceback" not in response.text
    assert "街坊" in body["message"]


def test_wrong_method_is_a_clear_error(shared_services: Services) -> None:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(services=shared_services))
        async with httpx.AsyncClient(transport=transport, base_url="http://kaifong.test") as client:
            return await client.get("/api/v1/answers")

    response = asyncio.run(go())
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "http_error"


def test_serve_builds_the_app_and_hands_it_to_uvicorn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, object] = {}

    def fake_run(app: object, host: str, port: int, log_level: str) -> None:
        seen.update(app=app, host=host, port=port)

    monkeypatch.setenv("KAIFONG_DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
    monkeypatch.setattr("uvicorn.run", fake_run)
    result = CliRunner().invoke(main, ["serve", "--host", "127.0.0.2", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert isinstance(seen["app"], FastAPI)
    assert (seen["host"], seen["port"]) == ("127.0.0.2", 8123)
    assert (tmp_path / "serve.db").exists()
