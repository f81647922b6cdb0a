"""The conversation page: plain posts redirect to it (reload asks nothing again), it shows every turn as it
was first shown, and it opens only in the browser that started the conversation."""

from __future__ import annotations

import asyncio
import html
import re
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx
import pytest
from sqlalchemy import func, select

from kaifong.governance import retention
from kaifong.language.messages import message
from kaifong.services import Services
from kaifong.store.tables import escalations
from kaifong.types import FORMS
from kaifong.web import create_app
from kaifong.web.deps import NOTICE_COOKIE
from kaifong.web.routes.chat_owner import MAX_REMEMBERED, OWNER_COOKIE

T = TypeVar("T")
HTMX = {"HX-Request": "true"}
Browser = Callable[[], httpx.AsyncClient]
ARTICLE = re.compile(r"<article .*?</article>", re.S)
TOKEN = re.compile(r'name="subject_token" value="(kfs_[A-Za-z0-9_-]+)"')


def in_browsers(services: Services, scenario: Callable[[Browser], Awaitable[T]]) -> T:
    """Run ``scenario`` against one app; each ``browser()`` it opens has its own cookies (notices read)."""

    async def go() -> T:
        app = create_app(services=services)

        def browser() -> httpx.AsyncClient:
            transport = httpx.ASGITransport(app=app)
            return httpx.AsyncClient(
                transport=transport, base_url="http://kaifong.test", cookies={NOTICE_COOKIE: "1"}
            )

        return await scenario(browser)

    return asyncio.run(go())


def conversation_of(response: httpx.Response) -> str:
    """The conversation id a plain post was redirected to."""
    location = response.headers["location"]
    found = re.fullmatch(r"/chat/([A-Za-z0-9_-]+)#latest", location)
    assert found, location
    return found.group(1)


def articles(page: str) -> list[str]:
    return ARTICLE.findall(page)


def test_a_plain_post_redirects_and_reloading_the_page_asks_nothing_again(services: Services) -> None:
    async def scenario(browser: Browser) -> None:
        async with browser() as b:
            posted = await b.post("/chat", data={"question": "How do I renew my driving licence?"})
            assert posted.status_code == 303
            cookie = posted.headers["set-cookie"]
            assert cookie.startswith(f"{OWNER_COOKIE}=") and "HttpOnly" in cookie
            assert "Path=/chat" in cookie and "SameSite=strict" in cookie and "Max-Age" not in cookie
            conversation_id = conversation_of(posted)
            audited = services.audit.count()
            first, again = await b.get(f"/chat/{conversation_id}"), await b.get(f"/chat/{conversation_id}")
            assert first.status_code == again.status_code == 200
            assert first.headers["cache-control"] == "no-store"
            assert first.headers["referrer-policy"] == "no-referrer"
            assert services.conversations.turn_count(conversation_id) == 1
            assert services.audit.count() == audited
            assert articles(first.text) == articles(again.text) and len(articles(first.text)) == 1
            assert '<div id="latest" tabindex="-1"><article class="exchange"' in first.text
            assert f'id="conversation_id" name="conversation_id" value="{conversation_id}"' in first.text
            token = TOKEN.search(first.text)
            assert token and f'id="token-shown" type="text" readonly value="{token.group(1)}"' in first.text
            assert html.escape(message("chat.token_hint_kept", "en")) in first.text

    in_browsers(services, scenario)


def test_the_page_shows_the_whole_conversation_oldest_first(services: Services) -> None:
    questions = [
        "How do I renew my driving licence?",
        "How much does it cost?",
        "How do I renew my passport?",
        "What documents do I need?",
        "怎樣申請公屋？",
        "How do I apply for public housing?",
        "How do I register a birth?",
    ]

    async def scenario(browser: Browser) -> str:
        async with browser() as b:
            conversation_id = ""
            for question in questions:
                fields = {"question": question, "conversation_id": conversation_id}
                conversation_id = conversation_of(await b.post("/chat", data=fields))
            return (await b.get(f"/chat/{conversation_id}")).text

    page = in_browsers(services, scenario)
    shown = articles(page)
    assert len(shown) == len(questions)  # more than the six the page used to show
    for article, question in zip(shown, questions, strict=True):
        assert f"</span> {question}</p>" in article
        assert 'class="ai-label"' in article and 'action="/chat/' in article
    assert [("exchange earlier" in a) for a in shown] == [True] * 6 + [False]
    assert '<ol class="sources">' in shown[0] and '<ol class="sources">' in shown[4]


@pytest.mark.parametrize(
    "question",
    [
        "How do I renew my driving licence?",
        "怎樣申請公屋？",
        "怎样申请公屋？",
        "我阿媽今年六十七歲，點樣申請長者生活津貼？",
        "My phone is 9123 4567, how do I renew my passport?",
        "我唔想再生存落去，想自殺",
        "What is the weather like on Mars today?",
    ],
    ids=["en", "zh-Hant", "zh-Hans", "yue-Hant", "redacted", "crisis", "no-sources"],
)
def test_an_earlier_answer_is_shown_as_it_was_first_shown(shared_services: Services, question: str) -> None:
    """Sources (title, department, URL, reviewed date), AI label, language, human route, redaction note."""

    async def scenario(browser: Browser) -> tuple[str, str]:
        async with browser() as b:
            fresh = await b.post("/chat", data={"question": question}, headers=HTMX)
            conversation_id = re.search(r'name="conversation_id" value="([^"]+)"', fresh.text)
            token = TOKEN.search(fresh.text)
            assert conversation_id and token
            follow_up = {
                "question": "Thank you",
                "conversation_id": conversation_id.group(1),
                "subject_token": token.group(1),
            }
            posted = await b.post("/chat", data=follow_up)
            return fresh.text, (await b.get(posted.headers["location"])).text

    fresh, page = in_browsers(shared_services, scenario)
    (first,) = articles(fresh)
    earlier = articles(page)[0]
    assert earlier == first.replace('class="exchange"', 'class="exchange earlier"', 1)
    assert 'class="ai-label"' in earlier and 'class="human"' in earlier


def test_another_browser_cannot_open_continue_or_escalate_the_conversation(services: Services) -> None:
    async def scenario(browser: Browser) -> str:
        async with browser() as owner, browser() as other:
            conversation_id = conversation_of(await owner.post("/chat", data={"question": "怎樣申請公屋？"}))
            page = await other.get(f"/chat/{conversation_id}?lang=yue-Hant")
            assert page.status_code == 403
            assert message("chat.denied.title", "yue-Hant") in page.text
            assert "公屋" not in page.text and conversation_id not in page.text
            follow_up = {"question": "要準備甚麼文件？", "conversation_id": conversation_id}
            assert (await other.post("/chat", data=follow_up)).status_code == 403
            assert (await other.post(f"/chat/{conversation_id}/person")).status_code == 403
            # Pairing someone else's conversation with one's own key in the cookie opens nothing either.
            own = await other.post("/chat", data={"question": "How do I renew my passport?"})
            own_token = TOKEN.search((await other.get(own.headers["location"])).text)
            assert own_token
            other.cookies.set(OWNER_COOKIE, f"{conversation_id}~{own_token.group(1)}", path="/chat")
            assert (await other.get(f"/chat/{conversation_id}")).status_code == 403
            assert (await owner.get(f"/chat/{conversation_id}")).status_code == 200
            return conversation_id

    conversation_id = in_browsers(services, scenario)
    assert (
        services.conversations.turn_count(conversation_id) == 1
    )  # the other browser's question was not asked
    with services.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(escalations)).scalar_one() == 0


def test_the_conversation_key_opens_the_conversation_in_another_browser(services: Services) -> None:
    """The key is the resident's proof: posted with the form (as htmx pages do), it is remembered."""

    async def scenario(browser: Browser) -> None:
        async with browser() as first, browser() as second:
            posted = await first.post("/chat", data={"question": "How do I renew my passport?"})
            conversation_id = conversation_of(posted)
            token = TOKEN.search((await first.get(posted.headers["location"])).text)
            assert token
            fields = {"question": "How much is it?", "conversation_id": conversation_id}
            follow = await second.post("/chat", data=fields | {"subject_token": token.group(1)})
            assert follow.status_code == 303
            page = await second.get(f"/chat/{conversation_id}")
            assert page.status_code == 200 and len(articles(page.text)) == 2

    in_browsers(services, scenario)


@pytest.mark.parametrize("form", FORMS)
def test_an_erased_or_expired_conversation_says_so_in_the_visitors_language(
    services: Services, form: str
) -> None:
    async def scenario(browser: Browser) -> tuple[httpx.Response, httpx.Response]:
        async with browser() as b:
            erased_id = conversation_of(
                await b.post("/chat", data={"question": "How do I renew my passport?"})
            )
            token = TOKEN.search((await b.get(f"/chat/{erased_id}")).text)
            assert token
            await b.post("/my-conversation/erase", data={"token": token.group(1), "confirm": "yes"})
            erased = await b.get(f"/chat/{erased_id}?lang={form}")
            expired_id = conversation_of(await b.post("/chat", data={"question": "怎樣申請公屋？"}))
            retention.purge(services, now=time.time() + 400 * 86400)
            expired = await b.get(f"/chat/{expired_id}")
            return erased, expired

    erased, expired = in_browsers(services, scenario)
    days = services.settings.retention.conversation_days
    assert erased.status_code == expired.status_code == 410
    assert message("chat.ended.title", form) in erased.text
    assert message("chat.ended.erased", form) in erased.text
    assert message("chat.ended.expired", form, days=days) in expired.text
    assert 'href="/my-conversation"' in expired.text


def test_an_empty_follow_up_shows_the_conversation_with_the_reason(services: Services) -> None:
    async def scenario(browser: Browser) -> httpx.Response:
        async with browser() as b:
            conversation_id = conversation_of(
                await b.post("/chat", data={"question": "How do I renew my driving licence?"})
            )
            return await b.post(
                "/chat?lang=zh-Hans", data={"question": " ", "conversation_id": conversation_id}
            )

    page = in_browsers(services, scenario)
    assert page.status_code == 422
    assert message("error.empty_question", "zh-Hans") in page.text
    assert len(articles(page.text)) == 1


def test_the_browser_remembers_its_last_few_conversations(services: Services) -> None:
    async def scenario(browser: Browser) -> list[int]:
        async with browser() as b:
            ids = [
                conversation_of(
                    await b.post("/chat", data={"question": f"How do I renew my passport? ({n})"})
                )
                for n in range(MAX_REMEMBERED + 1)
            ]
            return [(await b.get(f"/chat/{cid}")).status_code for cid in ids]

    assert in_browsers(services, scenario) == [403] + [200] * MAX_REMEMBERED


def test_choices_survive_the_redirect_and_chat_itself_leads_home(shared_services: Services) -> None:
    async def scenario(browser: Browser) -> tuple[httpx.Response, httpx.Response, httpx.Response]:
        async with browser() as b:
            posted = await b.post("/chat?lang=yue-Hant&size=large", data={"question": "點樣續領護照？"})
            page = await b.get(posted.headers["location"])
            return posted, page, await b.get("/chat")

    posted, page, home = in_browsers(shared_services, scenario)
    assert "kaifong_lang=yue-Hant" in posted.headers["set-cookie"]
    assert 'lang="yue-Hant-HK"' in page.text and "size-large" in page.text
    conversation_id = conversation_of(posted)
    assert f'href="/chat/{conversation_id}?lang=en"' in page.text  # the switch keeps the conversation
    assert home.status_code == 303 and home.headers["location"] == "/"
