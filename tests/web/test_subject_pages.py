"""The resident's key on the chat page and the no-JS download / erase pages (confirmation before erasing)."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import httpx
import pytest

from kaifong.language.messages import message
from kaifong.services import Services
from kaifong.types import FORMS
from kaifong.web import create_app

TOKEN = re.compile(r'name="subject_token" value="(kfs_[A-Za-z0-9_-]+)"')


def browse(services: Services, steps: list[tuple[str, str, dict[str, Any]]]) -> list[httpx.Response]:
    """Requests in order with one cookie jar, like one browser, after accepting the notices."""

    async def go() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=create_app(services=services))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://kaifong.test", follow_redirects=True
        ) as client:
            await client.post("/notice")
            return [await client.request(method, path, **kwargs) for method, path, kwargs in steps]

    return asyncio.run(go())


def first_answer(services: Services, question: str = "How do I renew my driving licence?") -> tuple[str, str]:
    (page,) = browse(services, [("POST", "/chat", {"data": {"question": question}})])
    token = TOKEN.search(page.text)
    conversation = re.search(r'name="conversation_id" value="([^"]+)"', page.text)
    assert token and conversation, page.text
    return token.group(1), conversation.group(1)


def test_the_first_answer_shows_the_key_and_both_buttons_and_is_not_cached(shared_services: Services) -> None:
    (page,) = browse(shared_services, [("POST", "/chat", {"data": {"question": "怎样申请公屋？"}})])
    token = TOKEN.search(page.text)
    assert token is not None
    assert f'id="token-shown" type="text" readonly value="{token.group(1)}"' in page.text
    assert (
        'action="/my-conversation/download"' in page.text and 'action="/my-conversation/erase"' in page.text
    )
    assert message("privacy.download", "en") in page.text and message("privacy.erase", "en") in page.text
    assert page.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("form", FORMS)
def test_button_labels_follow_the_interface_language(shared_services: Services, form: str) -> None:
    (page,) = browse(
        shared_services, [("POST", f"/chat?lang={form}", {"data": {"question": "怎样申请公屋？"}})]
    )
    for key in ("privacy.download", "privacy.erase", "privacy.token_title", "chat.token_hint_kept"):
        assert message(key, form) in page.text, key


def test_a_plain_follow_up_keeps_the_key_and_htmx_swaps_it_in_once(shared_services: Services) -> None:
    token, conversation = first_answer(shared_services)
    fields = {"question": "How much does it cost?", "conversation_id": conversation, "subject_token": token}
    plain, partial_first, partial_next = browse(
        shared_services,
        [
            ("POST", "/chat", {"data": fields}),
            ("POST", "/chat", {"data": {"question": "怎样申请公屋？"}, "headers": {"hx-request": "true"}}),
            ("POST", "/chat", {"data": fields, "headers": {"hx-request": "true"}}),
        ],
    )
    assert f'value="{token}"' in plain.text and 'id="token-shown"' in plain.text
    assert '<div id="rights" hx-swap-oob="true">' in partial_first.text
    assert TOKEN.search(partial_first.text) is not None
    assert 'id="rights"' not in partial_next.text  # the box from the first answer stays on the page
    assert f'id="subject_token" name="subject_token" value="{token}" hx-swap-oob="true"' in partial_next.text


def test_a_forged_key_in_the_chat_form_is_not_echoed(shared_services: Services) -> None:
    (page,) = browse(
        shared_services,
        [
            (
                "POST",
                "/chat",
                {"data": {"question": "怎样申请公屋？", "subject_token": '"><script>x</script>'}},
            )
        ],
    )
    assert "<script>x" not in page.text


def test_download_is_a_json_attachment_of_the_conversation(services: Services) -> None:
    token, conversation = first_answer(services)
    (download,) = browse(services, [("POST", "/my-conversation/download", {"data": {"token": token}})])
    assert download.status_code == 200
    assert download.headers["content-disposition"] == 'attachment; filename="kaifong-conversation.json"'
    document = json.loads(download.text)
    assert document["conversation_id"] == conversation
    assert document["turns"][0]["question"] == "How do I renew my driving licence?"


def test_erase_asks_first_then_erases_and_the_log_still_verifies(services: Services) -> None:
    token, _ = first_answer(services)
    confirm, erased, again = browse(
        services,
        [
            ("POST", "/my-conversation/erase", {"data": {"token": token}}),
            ("POST", "/my-conversation/erase", {"data": {"token": token, "confirm": "yes"}}),
            ("POST", "/my-conversation/download", {"data": {"token": token}}),
        ],
    )
    assert confirm.status_code == 200 and confirm.headers["cache-control"] == "no-store"
    assert message("privacy.erase_confirm_title", "en") in confirm.text
    assert (
        'name="confirm" value="yes"' in confirm.text and message("privacy.erase_cancel", "en") in confirm.text
    )
    assert erased.status_code == 200
    assert message("privacy.erased_text", "en", turns=1) in erased.text
    assert again.status_code == 410 and message("error.token_erased", "en") in again.text
    assert services.audit.verify(services.signer.public_key).ok
    assert services.conversations.token_record(token) is not None


def test_the_confirmation_page_erases_nothing(services: Services) -> None:
    token, conversation = first_answer(services)
    browse(services, [("POST", "/my-conversation/erase", {"data": {"token": token}})])
    assert len(services.conversations.history(conversation)) == 1


@pytest.mark.parametrize("form", FORMS)
def test_a_wrong_key_on_the_page_says_so_in_the_visitors_language(
    shared_services: Services, form: str
) -> None:
    (page,) = browse(
        shared_services,
        [("POST", f"/my-conversation/download?lang={form}", {"data": {"token": "kfs_wrong"}})],
    )
    assert page.status_code == 401
    assert message("error.token_unknown", form) in page.text
    assert 'aria-invalid="true"' in page.text and 'role="alert"' in page.text


def test_the_rights_page_has_a_labelled_key_box_and_both_actions(shared_services: Services) -> None:
    (page,) = browse(shared_services, [("GET", "/my-conversation?lang=yue-Hant", {})])
    assert page.status_code == 200
    assert '<label for="token">對話密碼匙</label>' in page.text
    assert 'formaction="/my-conversation/erase"' in page.text
    assert message("privacy.page_intro", "yue-Hant", days=30) in page.text


def test_the_transparency_page_states_the_retention_read_from_the_settings(services: Services) -> None:
    services.settings.retention.conversation_days = 12
    services.settings.retention.purge_interval_minutes = 0
    facts, page = browse(
        services, [("GET", "/api/v1/transparency", {}), ("GET", "/transparency?lang=zh-Hant", {})]
    )
    retention = facts.json()["retention"]
    assert (retention["conversation_days"], retention["automatic_purge"]) == (12, False)
    assert message("ui.transparency.retention", "zh-Hant", days=12) in page.text


def test_the_collection_statement_states_the_period(services: Services) -> None:
    services.settings.retention.conversation_days = 45

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(services=services))
        async with httpx.AsyncClient(transport=transport, base_url="http://kaifong.test") as client:
            return await client.get("/?lang=yue-Hant")

    page = asyncio.run(go())
    assert message("ui.pics", "yue-Hant", days=45) in page.text
