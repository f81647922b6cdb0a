"""The finder page in a real browser: keyboard only, JavaScript off, 200% zoom, in a Chinese form.

Starts ``kaifong serve`` on a fresh SQLite file and drives Debian's Chromium through Playwright, as
``tests/web/test_browser.py`` does. Skipped when either is missing.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
HAVE_PLAYWRIGHT = importlib.util.find_spec("playwright") is not None
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not HAVE_PLAYWRIGHT, reason="the playwright Python package is not installed"),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing (apt-get install chromium)"),
]
if HAVE_PLAYWRIGHT:
    from playwright.sync_api import Browser, Page, expect, sync_playwright

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("finder-serve")
    port = _free_port()
    env = dict(
        os.environ,
        KAIFONG_DATABASE_URL=f"sqlite:///{folder / 'kaifong.db'}",
        KAIFONG_LOAD_BUNDLED_KNOWLEDGE="false",
    )
    url = f"http://127.0.0.1:{port}"
    no_proxy = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    log_path = folder / "serve.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "kaifong.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if server.poll() is not None:
                    pytest.fail(f"kaifong serve exited:\n{log_path.read_text()}")
                try:
                    with no_proxy.open(f"{url}/healthz", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"kaifong serve did not start:\n{log_path.read_text()}")
                time.sleep(0.2)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


def _focused_id(page: Page) -> str:
    found: str = page.evaluate("() => document.activeElement.id || document.activeElement.name || ''")
    return found


def _tab_to(page: Page, target: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if _focused_id(page) == target:
            return
    pytest.fail(f"Tab never reached #{target}")


def test_keyboard_only_without_javascript(browser: Browser, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base_url}/finder?lang=yue-Hant")
    expect(page.get_by_role("heading", name="搵服務同課程")).to_be_visible()
    _tab_to(page, "text")
    page.keyboard.type("我六十八歲，住咗香港十年，獨居，住喺觀塘")
    _tab_to(page, "action")  # the Find button, reached by keyboard
    with page.expect_navigation():
        page.keyboard.press("Enter")
    results = page.locator("#results")
    expect(results.get_by_role("heading", name="結果")).to_be_visible()
    expect(results.get_by_text("年紀：68歲")).to_be_visible()
    expect(results.get_by_role("heading", name="長者醫療券計劃")).to_be_visible()
    expect(page.get_by_label("你嘅情況")).to_be_visible()  # the text box keeps its accessible name
    context.close()


def test_the_page_reflows_at_200_percent_zoom(browser: Browser, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 640, "height": 900}, device_scale_factor=2)
    page = context.new_page()
    page.goto(f"{base_url}/finder?lang=en")
    page.locator("#text").fill("I'm 45, unemployed, live in Sham Shui Po, Form 3 education")
    with page.expect_navigation():
        page.locator("button[name=action][value=find]").click()
    widths: list[int] = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths
    expect(page.locator("#results").get_by_role("heading", name="ERB placement-tied courses")).to_be_visible()
    context.close()


MENU = {"en": "Main menu", "zh-Hant": "主選單", "zh-Hans": "主菜单", "yue-Hant": "主選單"}


@pytest.mark.parametrize(
    ("lang", "size", "labels"),
    [
        (
            "en",
            "normal",
            ["Ask a question", "Find services and courses", "Fill in a form", "Translate a document"],
        ),
        ("zh-Hant", "large", ["提問", "尋找服務及課程", "填寫表格", "翻譯文件"]),
        ("zh-Hans", "normal", ["提问", "寻找服务及课程", "填写表格", "翻译文件"]),
        ("yue-Hant", "large", ["問問題", "搵服務同課程", "填表", "翻譯文件"]),
    ],
)
def test_the_main_menu_reaches_every_tool_at_200_percent_zoom_and_in_large_text(
    browser: Browser, base_url: str, lang: str, size: str, labels: list[str]
) -> None:
    """From the chat page, by keyboard, at 200% zoom: each menu link opens its page, none scrolls sideways."""
    context = browser.new_context(viewport={"width": 640, "height": 900}, device_scale_factor=2)
    page = context.new_page()
    page.goto(f"{base_url}/?lang={lang}&size={size}")
    for label, path in zip(labels[1:], ("/finder", "/forms", "/translate"), strict=True):
        menu = page.get_by_role("navigation", name=MENU[lang])
        link = menu.get_by_role("link", name=label, exact=True)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box is not None and box["height"] >= 44 * 0.99, box  # a target big enough to tap
        link.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.split("?")[0].endswith(path)
        expect(menu.get_by_role("link", name=label, exact=True)).to_have_attribute("aria-current", "page")
        widths: list[int] = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], (path, widths)
        assert page.locator(f"body.size-{size}").count() == 1
    expect(page.get_by_role("link", name=labels[0], exact=True)).to_have_attribute("href", "/")
    context.close()
