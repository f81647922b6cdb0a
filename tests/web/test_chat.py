"""The server-rendered chat: notices before the first question, answers, languages, large text, errors."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from kaifong.language.messages import message
from kaifong.services import Services
from kaifong.web import create_app

FOLLOW: dict[str, Any] = {"follow_redirects": True}
HTMX = {"HX-Request": "true"}


def session(services: Services, steps: list[tuple[str, str, dict[str, Any]]]) -> list[httpx.Response]:
    """Run requests in order with one cookie jar, like one browser."""

    async def go() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=create_app(services=services))
        async with httpx.AsyncClient(transport=transport, base_url="http://kaifong.test") as client:
            return [await client.request(method, path, **kwargs) for method, path, kwargs in steps]

    return asyncio.run(go())


def test_notices_come_before_the_first_question(shared_services: Services) -> None:
    (page,) = session(shared_services, [("GET", "/", {})])
    assert page.status_code == 200
    assert "Personal Information Collection Statement" in page.text
    assert "AI assistant" in page.text
    assert 'name="question"' not in page.text


def test_posting_before_accepting_shows_the_notice_and_answers_nothing(shared_services: Services) -> None:
    (page,) = session(shared_services, [("POST", "/chat", {"data": {"question": "怎样申请公屋？"}})])
    assert "Personal Information Collection Statement" in page.text
    assert "申请步骤" not in page.text


def test_accepting_then_asking_shows_answer_sources_label_and_human_route(shared_services: Services) -> None:
    notice, page = session(
        shared_services,
        [
            ("POST", "/notice", {"follow_redirects": False}),
            ("POST", "/chat", {"data": {"question": "How do I renew my driving licence?"}, **FOLLOW}),
        ],
    )
    assert notice.status_code == 303
    assert [r.status_code for r in page.history] == [303] and page.status_code == 200
    assert "Renewing a full driving licence" in page.text
    assert "AI-generated answer" in page.text
    assert "Talk to a person" in page.text
    assert 'name="conversation_id" value="' in page.text
    assert 'lang="en-HK"' in page.text


def test_htmx_request_gets_the_exchange_and_the_conversation_id(shared_services: Services) -> None:
    _, fragment = session(
        shared_services,
        [
            ("POST", "/notice", {}),
            ("POST", "/chat", {"data": {"question": "怎样申请公屋？"}, "headers": {"HX-Request": "true"}}),
        ],
    )
    assert "<html" not in fragment.text
    assert 'lang="zh-Hans"' in fragment.text
    assert 'hx-swap-oob="true"' in fragment.text


def test_empty_question_is_explained_in_the_interface_language(shared_services: Services) -> None:
    _, page = session(
        shared_services,
        [("POST", "/notice", {}), ("POST", "/chat?lang=yue-Hant", {"data": {"question": "  "}})],
    )
    assert page.status_code == 422
    assert "請先打個問題" in page.text


def test_expired_conversation_is_explained_to_htmx(shared_services: Services) -> None:
    _, page = session(
        shared_services,
        [
            ("POST", "/notice", {}),
            ("POST", "/chat", {"data": {"question": "hi", "conversation_id": "gone"}, "headers": HTMX}),
        ],
    )
    assert page.status_code == 404
    assert "not known here" in page.text


def test_a_plain_post_to_a_conversation_this_browser_did_not_start_answers_nothing(
    shared_services: Services,
) -> None:
    before = shared_services.audit.count()
    _, page = session(
        shared_services,
        [
            ("POST", "/notice", {}),
            ("POST", "/chat?lang=zh-Hant", {"data": {"question": "hi", "conversation_id": "gone"}}),
        ],
    )
    assert page.status_code == 403
    assert message("chat.denied.title", "zh-Hant") in page.text
    assert shared_services.audit.count() == before


def test_interface_language_and_large_text_are_remembered(shared_services: Services) -> None:
    first, second = session(shared_services, [("GET", "/?lang=zh-Hans&size=large", {}), ("GET", "/", {})])
    assert 'lang="zh-Hans"' in first.text and "size-large" in first.text
    assert "收集个人资料声明" in second.text
    assert "size-large" in second.text


def test_follow_up_page_shows_the_earlier_exchange(shared_services: Services) -> None:
    _, first = session(
        shared_services,
        [
            ("POST", "/notice", {}),
            ("POST", "/chat", {"data": {"question": "How do I renew my driving licence?"}, **FOLLOW}),
        ],
    )
    marker = 'name="conversation_id" value="'
    conversation = first.text.split(marker, 1)[1].split('"', 1)[0]
    token = first.text.split('name="subject_token" value="', 1)[1].split('"', 1)[0]
    follow_up = {
        "question": "How much does it cost?",
        "conversation_id": conversation,
        "subject_token": token,
    }
    _, second = session(
        shared_services,
        [("POST", "/notice", {}), ("POST", "/chat", {"data": follow_up, **FOLLOW})],
    )
    assert second.url.path == f"/chat/{conversation}"
    assert "How do I renew my driving licence?" in second.text
    assert "How much does it cost?" in second.text


def test_static_files_are_served(shared_services: Services) -> None:
    css, js = session(
        shared_services, [("GET", "/static/style.css", {}), ("GET", "/static/htmx-2.0.11.min.js", {})]
    )
    assert css.status_code == 200 and "size-large" in css.text
    assert js.status_code == 200
