"""The no-JavaScript form pages: plain form posts, labelled fields, errors announced, one-time downloads."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx

from kaifong.services import Services
from kaifong.tools.forms.schema import bundled_forms
from kaifong.tools.forms.store import FormSessionStore
from kaifong.web import create_app

T = TypeVar("T")


def run(services: Services, scenario: Callable[[httpx.AsyncClient], Awaitable[T]]) -> T:
    async def go() -> T:
        app = create_app(services=services)
        # the real renderer is exercised by test_forms_api; here the pages are under test
        app.state.form_sessions = FormSessionStore(
            bundled_forms(), services.audit, renderer=lambda filled: b"%PDF-1.4 test"
        )
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://kaifong.test", follow_redirects=True
        ) as client:
            return await scenario(client)

    return asyncio.run(go())


def action_of(html: str) -> str:
    match = re.search(r'<form method="post" action="(/forms/[^"]+/s/[^"]+)"', html)
    assert match, html
    return match.group(1)


def test_a_resident_fills_a_form_with_plain_form_posts(shared_services: Services) -> None:
    answers = [
        "CHAN Tai Man",
        "",
        "A123456(3)",
        "2/3/1958",
        "lost",
        "1/11/2026",
        "kowloon",
        "1/12/2026",
        "",
        "9123 4567",
    ]

    async def scenario(client: httpx.AsyncClient) -> None:
        listing = await client.get("/forms?lang=yue-Hant")
        assert listing.status_code == 200 and "補領身份證：預約資料" in listing.text
        page = await client.post("/forms/hkid-replacement-appointment/start")
        assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
        assert '<label for="answer">英文姓名（跟身份證寫）</label>' in page.text
        assert 'aria-describedby="answer-help"' in page.text and "第 1 條" in page.text
        target = action_of(page.text)
        wrong = await client.post(target, data={"action": "answer", "value": "陳大文"})
        assert wrong.status_code == 422
        assert (
            'role="alert"' in wrong.text and 'aria-invalid="true"' in wrong.text and "英文字母" in wrong.text
        )
        for value in answers:
            page = await client.post(target, data={"action": "answer", "value": value})
            assert page.status_code == 200, page.text
            if "<fieldset" in page.text:
                assert "<legend>" in page.text and 'type="radio"' in page.text
        assert "填完之前請檢查下你啲答案" in page.text and "A123456(3)" in page.text
        change = await client.post(target, data={"action": "change:office"})
        assert 'value="kowloon"' in change.text and "checked" in change.text
        page = await client.post(target, data={"action": "answer", "value": "fo_tan"})
        assert "火炭辦事處" in page.text
        done = await client.post(target, data={"action": "finish"})
        assert done.status_code == 200 and "你張表整好咗喇" in done.text
        assert "2598 0888" in done.text and "批唔批由部門決定" in done.text
        links = re.findall(r'href="(/forms/download/[^"]+)"', done.text)
        assert len(links) == 2
        first = await client.get(links[0])
        assert first.status_code == 200 and first.content.startswith(b"%PDF")
        assert "attachment" in first.headers["content-disposition"]
        again = await client.get(links[0])
        assert again.status_code == 410 and "只可以下載一次" in again.text
        ended = await client.get(target)
        assert ended.status_code == 404 and "重新開始填過" in ended.text

    run(shared_services, scenario)


def test_back_skip_review_and_erase_buttons(shared_services: Services) -> None:
    async def scenario(client: httpx.AsyncClient) -> None:
        page = await client.post("/forms/erb-course-application/start", headers={"accept-language": "en"})
        target = action_of(page.text)
        back = await client.post(target, data={"action": "back"})
        assert back.status_code == 409 and "first question" in back.text
        skip = await client.post(target, data={"action": "skip"})
        assert skip.status_code == 422 and "cannot be skipped" in skip.text
        await client.post(target, data={"action": "answer", "value": "EB123AB"})
        page = await client.post(target, data={"action": "skip"})
        assert "What kind of course is it?" in page.text
        review = await client.post(target, data={"action": "review"})
        assert "(not answered yet)" in review.text and 'value="change:course_code"' in review.text
        early = await client.post(target, data={"action": "finish"})
        assert early.status_code == 409 and "Some required questions are not answered yet" in early.text
        erased = await client.post(target, data={"action": "erase"})
        assert erased.status_code == 200 and "Nothing was kept" in erased.text
        gone = await client.get(target)
        assert gone.status_code == 404

    run(shared_services, scenario)


def test_unknown_form_page(shared_services: Services) -> None:
    async def scenario(client: httpx.AsyncClient) -> httpx.Response:
        return await client.post("/forms/no-such-form/start")

    response = run(shared_services, scenario)
    assert response.status_code == 404 and "no-such-form" in response.text
