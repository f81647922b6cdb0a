"""The transparency page is built from the running configuration, in the visitor's language."""

from __future__ import annotations

import asyncio

import httpx

from kaifong.services import Services
from kaifong.web import create_app


def get(services: Services, path: str) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(services=services))
        async with httpx.AsyncClient(transport=transport, base_url="http://kaifong.test") as client:
            return await client.get(path)

    return asyncio.run(go())


def test_json_lists_backend_guards_pii_and_signing_key(shared_services: Services) -> None:
    facts = get(shared_services, "/api/v1/transparency").json()
    assert facts["backend"] == {
        "name": "extractive",
        "version": "1",
        "model": None,
        "local": True,
        "runs": "in this process, no model",
    }
    assert [g["name"] for g in facts["guards"]] == [g.name for g in shared_services.guards]
    assert all(g["version"] for g in facts["guards"])
    assert "HKID" in facts["personal_data_redacted"]
    assert facts["audit"]["signing_key_id"] == shared_services.signer.key_id
    assert facts["knowledge"]["topics"] >= 60


def test_page_follows_the_configuration_and_the_language(shared_services: Services) -> None:
    original = shared_services.guards
    shared_services.guards = original[:2]
    try:
        page = get(shared_services, "/transparency?lang=yue-Hant")
    finally:
        shared_services.guards = original
    assert page.status_code == 200
    assert "街坊點樣運作" in page.text and "唔會傳去任何其他服務" in page.text
    assert "<code>crisis</code>" in page.text and "<code>policy</code>" not in page.text
    assert shared_services.signer.key_id in page.text


def test_every_page_links_to_it(shared_services: Services) -> None:
    assert 'href="/transparency"' in get(shared_services, "/").text
