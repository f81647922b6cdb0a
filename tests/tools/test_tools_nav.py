"""The main menu in every page's header: the chat and the three tools, in the page's language form."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

from kaifong.language.messages import message
from kaifong.services import Services, build_services
from kaifong.web import create_app
from tests.conftest import make_settings

FORMS = ("en", "zh-Hant", "zh-Hans", "yue-Hant")
LINKS = {
    "/": "ui.nav.chat",
    "/finder": "ui.nav.finder",
    "/forms": "ui.nav.forms",
    "/translate": "ui.nav.translate",
}
MENU = re.compile(r'<nav class="tools" aria-label="([^"]+)">(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)"( aria-current="page")?>([^<]+)</a>')


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    built: Services = build_services(
        make_settings(tmp_path_factory.mktemp("nav"), load_bundled_knowledge=False)
    )
    yield create_app(services=built)
    built.close()


def get(app: FastAPI, path: str) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kaifong.test") as client:
            return await client.get(path)

    return asyncio.run(go())


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("here", ["/", "/finder", "/forms", "/translate", "/transparency"])
def test_every_page_links_to_each_tool_and_marks_where_you_are(app: FastAPI, form: str, here: str) -> None:
    response = get(app, f"{here}?lang={form}")
    assert response.status_code == 200
    menus = MENU.findall(response.text)
    assert len(menus) == 1
    label, body = menus[0]
    assert label == message("ui.nav.label", form)
    links = LINK.findall(body)
    assert [(href, text) for href, _, text in links] == [
        (path, message(key, form)) for path, key in LINKS.items()
    ]
    assert [href for href, current, _ in links if current] == ([here] if here in LINKS else [])
    if form == "en":
        assert not re.search(r"[\u4e00-\u9fff]", label + body)


@pytest.mark.parametrize("here", ["/finder", "/forms", "/translate"])
def test_the_language_switch_stays_on_the_tools_page(app: FastAPI, here: str) -> None:
    html = get(app, f"{here}?lang=en").text
    assert f'href="{here}?lang=zh-Hant"' in html
    assert 'href="/?lang=zh-Hant"' not in html
