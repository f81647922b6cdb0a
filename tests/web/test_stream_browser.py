"""Streamed and whole answers in a real browser (Debian Chromium through Playwright; skipped without them)."""
# ruff: noqa: F811  (the shared fixtures are imported by name and then requested as parameters)

from __future__ import annotations

import re

from tests.web.test_browser import (  # noqa: F401  (fixtures and markers shared with the chat's browser tests)
    ANSWER_TIMEOUT_MS,
    HAVE_PLAYWRIGHT,
    _accept_notice,
    _active,
    base_url,
    browser,
    context,
    pytestmark,
)

if HAVE_PLAYWRIGHT:
    from playwright.sync_api import BrowserContext, expect


def test_answers_stream_into_the_chat_and_end_as_the_whole_exchange(
    context: BrowserContext, base_url: str
) -> None:
    page = context.new_page()
    page.goto(f"{base_url}/?lang=en")
    _accept_notice(page)
    page.evaluate("window.__sameDocument = true")
    page.locator("#question").fill("How do I renew my driving licence?")
    with page.expect_response(re.compile(r"/chat/stream$")) as streamed:
        page.locator("#ask button[type=submit]").click()
    assert streamed.value.headers["content-type"].startswith("text/event-stream")
    exchange = page.locator("#log article.exchange")
    expect(exchange).to_have_count(1, timeout=ANSWER_TIMEOUT_MS)
    expect(page.locator("#log .draft")).to_have_count(0)
    expect(exchange.locator(".ai-label")).to_be_visible()
    expect(exchange.locator("ol.sources li a").first).to_have_attribute("href", re.compile(r"^https?://"))
    expect(exchange.locator(".human")).to_contain_text("1823")
    assert page.evaluate("window.__sameDocument") is True, "the page reloaded instead of streaming"
    expect(page.locator("#question")).to_have_value("")
    assert _active(page)["id"] == "question"
    conversation_id = page.locator("#conversation_id").input_value()
    assert conversation_id

    page.locator("#question").fill("How much does it cost?")
    page.locator("#ask button[type=submit]").click()
    expect(exchange).to_have_count(2, timeout=ANSWER_TIMEOUT_MS)
    assert page.locator("#conversation_id").input_value() == conversation_id
    assert page.locator("#conversation_id").count() == 1


def test_whole_answers_when_chosen_use_the_ordinary_post(context: BrowserContext, base_url: str) -> None:
    page = context.new_page()
    page.goto(f"{base_url}/?lang=zh-Hant")
    _accept_notice(page)
    with page.expect_navigation():
        page.get_by_role("link", name="完整顯示答覆（適合屏幕閱讀器）").click()
    expect(page.get_by_role("link", name="邊撰寫邊顯示答覆")).to_be_visible()
    page.locator("#question").fill("怎樣申請公屋？")
    with page.expect_response(re.compile(r"/chat$")) as whole:
        page.locator("#ask button[type=submit]").click()
    assert whole.value.headers["content-type"].startswith("text/html")
    expect(page.locator("#log article.exchange")).to_have_count(1, timeout=ANSWER_TIMEOUT_MS)
    assert page.locator("#log[aria-live=polite] article.exchange .answer-text").inner_text()
