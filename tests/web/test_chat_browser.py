"""The conversation page and "Talk to a person" in a real browser: reload without JavaScript, keyboard only.

Reuses the ``kaifong serve`` + Debian Chromium fixtures of ``test_browser`` (skipped, or failing in CI, as
there when Playwright or Chromium is missing).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.web.test_browser import (
    ANSWER_TIMEOUT_MS,
    HAVE_PLAYWRIGHT,
    _active,
    _contrast,
    _tab_to,
    base_url,
    browser,
    pytestmark,
)

__all__ = ["base_url", "browser", "pytestmark"]  # fixtures and marks used from test_browser

if HAVE_PLAYWRIGHT:
    from playwright.sync_api import Browser, Page, expect

CONVERSATION_PAGE = re.compile(r"/chat/([A-Za-z0-9_-]+)#latest$")
#: The button, the confirmation's heading, per interface language.
PERSON = {
    "en": ("Talk to a person", "A person will look at this conversation"),
    "zh-Hant": ("與職員對話", "職員會跟進這段對話"),
    "zh-Hans": ("与职员对话", "职员会跟进这段对话"),
    "yue-Hant": ("搵真人傾", "會有職員睇呢段對話"),
}


def _ask_without_javascript(page: Page, question: str) -> None:
    page.locator("#question").fill(question)
    with page.expect_navigation():
        page.locator("#ask button[type=submit]").click()


def _press_until(page: Page, key: str, predicate: Any, limit: int = 40) -> dict[str, Any]:
    """Press ``key`` (Tab or Shift+Tab) until the focused element matches ``predicate``."""
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        active = _active(page)
        if predicate(active):
            return active
        seen.append(active)
    pytest.fail(f"{key} never reached the element; focus went through {seen}")


def test_without_javascript_reloading_the_answer_asks_nothing_again(
    browser: Browser, base_url: str, tmp_path: Path
) -> None:
    context = browser.new_context(java_script_enabled=False, locale="en-HK")
    context.set_default_timeout(ANSWER_TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto(f"{base_url}/?lang=en")
        with page.expect_navigation():
            page.locator("form[action='/notice'] button").click()
        _ask_without_javascript(page, "How do I renew my driving licence?")
        found = CONVERSATION_PAGE.search(page.url)
        assert found, page.url
        conversation_id = found.group(1)
        first_answer = page.locator("#latest .answer-text").inner_text()

        with page.expect_request(re.compile(rf"/chat/{conversation_id}$")) as reloaded:
            page.reload()
        assert reloaded.value.method == "GET"
        expect(page.locator("#log article.exchange")).to_have_count(1)
        assert page.locator("#latest .answer-text").inner_text() == first_answer

        _ask_without_javascript(page, "How much does it cost?")
        page.reload()
        expect(page.locator("#log article.exchange")).to_have_count(2)
        # The earlier answer keeps what it was first shown with: AI label, sources, human route.
        earlier = page.locator("#log article.earlier")
        expect(earlier.locator(".ai-label")).to_contain_text("AI-generated")
        expect(earlier.locator("ol.sources li a").first).to_have_attribute("href", re.compile(r"^https?://"))
        expect(earlier.locator("ol.sources li").first).to_contain_text("reviewed")
        expect(earlier.locator(".human")).to_contain_text("Talk to a person")

        # Two reloads, two questions kept: the download holds exactly the two turns.
        with page.expect_download() as download:
            page.get_by_role("button", name="Download my conversation").click()
        saved = tmp_path / "conversation.json"
        download.value.save_as(saved)
        turns = json.loads(saved.read_text(encoding="utf-8"))["turns"]
        assert [t["question"] for t in turns] == [
            "How do I renew my driving licence?",
            "How much does it cost?",
        ]

        # The address alone opens nothing in another browser.
        stranger = browser.new_context(java_script_enabled=False, locale="zh-HK")
        try:
            other = stranger.new_page()
            other.goto(f"{base_url}/?lang=zh-Hant")
            with other.expect_navigation():
                other.locator("form[action='/notice'] button").click()
            response = other.goto(f"{base_url}/chat/{conversation_id}")
            assert response is not None and response.status == 403
            expect(other.get_by_role("heading", name="未能在此顯示這段對話")).to_be_visible()
            expect(other.locator("article.exchange")).to_have_count(0)
        finally:
            stranger.close()
    finally:
        context.close()


@pytest.mark.parametrize(
    ("javascript", "form"), [(True, "yue-Hant"), (False, "zh-Hans"), (False, "en")], ids=["js", "no-js", "en"]
)
def test_talk_to_a_person_by_keyboard_opens_a_case_and_shows_1823(
    browser: Browser, base_url: str, javascript: bool, form: str
) -> None:
    context = browser.new_context(java_script_enabled=javascript, locale="zh-HK")
    context.set_default_timeout(ANSWER_TIMEOUT_MS)
    button, heading = PERSON[form]
    try:
        page = context.new_page()
        page.goto(f"{base_url}/?lang={form}")
        page.locator("form[action='/notice'] button").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.locator("#question").focus()
        page.keyboard.type("How do I renew my passport?")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        expect(page.locator("#log article.exchange")).to_have_count(1, timeout=ANSWER_TIMEOUT_MS)

        # With JavaScript focus is back in the question box, below the answer; without, the page opened at
        # the answer. Either way the button is reached by keyboard.
        key = "Shift+Tab" if javascript else "Tab"
        _press_until(page, key, lambda a: a["tag"] == "button" and a["text"] == button)
        style = page.evaluate(
            """() => { const s = getComputedStyle(document.activeElement);
                       return {style: s.outlineStyle, width: parseFloat(s.outlineWidth),
                               color: s.outlineColor}; }"""
        )
        assert style["style"] != "none" and style["width"] >= 2 and _contrast(style["color"]) >= 3, style
        with page.expect_navigation():
            page.keyboard.press("Enter")

        assert re.search(r"/chat/[A-Za-z0-9_-]+\?person=opened&case=\d+#person$", page.url), page.url
        confirmation = page.locator("#person")
        expect(confirmation.get_by_role("heading", name=heading)).to_be_visible()
        expect(confirmation).to_contain_text("1823")
        case_id = re.search(r"case=(\d+)", page.url)
        assert case_id and case_id.group(1) in confirmation.inner_text()
        # The page still holds the conversation, and asking again joins the same case.
        expect(page.locator("#log article.exchange")).to_have_count(1)
        _tab_to(page, lambda a: a["tag"] == "button" and a["text"] == button, limit=40)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert f"?person=joined&case={case_id.group(1)}#person" in page.url
    finally:
        context.close()
