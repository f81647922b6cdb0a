"""The conversation key, Download and Erase in a real browser: keyboard only, with and without JavaScript.

Reuses the ``kaifong serve`` + Debian Chromium fixtures of ``test_browser`` (skipped, or failing in CI, as
there when Playwright or Chromium is missing).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.web.test_browser import (
    ANSWER_TIMEOUT_MS,
    HAVE_PLAYWRIGHT,
    _active,
    _tab_to,
    base_url,
    browser,
    context,
    pytestmark,
)

__all__ = ["base_url", "browser", "context", "pytestmark"]  # fixtures and marks used from test_browser

if HAVE_PLAYWRIGHT:
    from playwright.sync_api import Browser, BrowserContext, Page, expect

TOKEN = re.compile(r"kfs_[A-Za-z0-9_-]{32}")


def _first_answer_by_keyboard(page: Page, base: str, lang: str) -> str:
    """Accept the notices and ask, with the keyboard only; the key shown under the answer."""
    page.goto(f"{base}/?lang={lang}")
    page.locator("form[action='/notice'] button").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.locator("#question").focus()
    page.keyboard.type("How do I renew my driving licence?")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    shown = page.locator("#token-shown")
    expect(shown).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    token = shown.input_value()
    assert TOKEN.fullmatch(token), token
    return token


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_erase_by_keyboard_asks_first_then_erases(browser: Browser, base_url: str, javascript: bool) -> None:
    ctx = browser.new_context(java_script_enabled=javascript, locale="en-HK")
    ctx.set_default_timeout(ANSWER_TIMEOUT_MS)
    try:
        page = ctx.new_page()
        _first_answer_by_keyboard(page, base_url, "yue-Hant")
        expect(page.get_by_role("heading", name="你嘅對話密碼匙")).to_be_visible()
        _tab_to(page, lambda a: a["tag"] == "button" and a["text"] == "刪除我嘅對話", limit=40)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="係咪要刪除呢段對話？")).to_be_visible()
        _tab_to(page, lambda a: a["tag"] == "button" and a["text"] == "係，刪除佢", limit=40)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="你嘅對話已經刪除咗")).to_be_visible()
        expect(page.get_by_role("status")).to_contain_text("1 組問題同答覆")
    finally:
        ctx.close()


def test_download_by_keyboard_saves_the_conversation_as_json(
    context: BrowserContext, base_url: str, tmp_path: Path
) -> None:
    page = context.new_page()
    token = _first_answer_by_keyboard(page, base_url, "en")
    _tab_to(page, lambda a: a["tag"] == "button" and a["text"] == "Download my conversation", limit=40)
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    saved = tmp_path / "conversation.json"
    download.value.save_as(saved)
    document = json.loads(saved.read_text(encoding="utf-8"))
    assert document["turns"][0]["question"] == "How do I renew my driving licence?"
    assert token not in saved.read_text(encoding="utf-8")
    assert _active(page)["text"] == "Download my conversation"  # the chat page stays where it was
