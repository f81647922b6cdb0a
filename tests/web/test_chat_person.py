""" "Talk to a person" under every answer: one escalation case per conversation, through the oversight
code, then the case reference and the human route in the visitor's language."""

from __future__ import annotations

import html
import json
import re

import httpx
import pytest
from sqlalchemy import select

from kaifong.language.messages import message
from kaifong.oversight.escalations import RESIDENT_REQUEST
from kaifong.oversight.killswitch import flip
from kaifong.services import Services
from kaifong.store.tables import escalations
from kaifong.types import FORMS
from tests.oversight.helpers import events
from tests.web.test_chat_conversation import HTMX, TOKEN, Browser, conversation_of, in_browsers

PERSON = re.compile(r"/chat/([A-Za-z0-9_-]+)\?person=(opened|joined)&case=(\d+)#person")


def cases(services: Services) -> list[tuple[str, str, str]]:
    """Every escalation as (conversation id, reason, status)."""
    query = select(escalations.c.conversation_id, escalations.c.reason, escalations.c.status)
    with services.engine.connect() as conn:
        return [(str(r.conversation_id), str(r.reason), str(r.status)) for r in conn.execute(query)]


@pytest.mark.parametrize("form", FORMS)
def test_the_button_opens_one_case_and_the_page_gives_its_reference_and_1823(
    services: Services, form: str
) -> None:
    async def scenario(browser: Browser) -> tuple[str, list[httpx.Response], list[str]]:
        async with browser() as b:
            conversation_id = conversation_of(await b.post("/chat", data={"question": "怎樣申請公屋？"}))
            page = (await b.get(f"/chat/{conversation_id}?lang={form}")).text
            assert f'action="/chat/{conversation_id}/person#person"' in page
            assert f">{message('chat.person.button', form)}</button>" in page
            presses = [await b.post(f"/chat/{conversation_id}/person") for _ in range(2)]
            shown = [(await b.get(p.headers["location"])).text for p in presses]
            return conversation_id, presses, shown

    conversation_id, presses, shown = in_browsers(services, scenario)
    assert all(p.status_code == 303 for p in presses)
    found = [PERSON.fullmatch(p.headers["location"]) for p in presses]
    matched = [m.groups() for m in found if m is not None]
    assert [(cid, state) for cid, state, _ in matched] == [
        (conversation_id, "opened"),
        (conversation_id, "joined"),
    ]
    case_id = int(matched[0][2])
    assert int(matched[1][2]) == case_id
    assert cases(services) == [(conversation_id, RESIDENT_REQUEST, "open")]
    opened, joined = (html.unescape(page) for page in shown)
    for page in (opened, joined):
        assert '<section id="person"' in page and message("chat.person.title", form) in page
        assert message("chat.person.call", form) in page and "1823" in message("chat.person.call", form)
    assert message("chat.person.opened", form, case_id=case_id) in opened
    assert message("chat.person.joined", form, case_id=case_id) in joined
    logged = [payload for _, _, payload in events(services, "escalation_opened")]
    expected = [(case_id, "resident", True), (case_id, "resident", False)]
    assert [(e["case_id"], e["source"], e["new"]) for e in logged] == expected


def test_a_case_the_pipeline_opened_is_joined_not_doubled(services: Services) -> None:
    flip(services.engine, services.audit, engaged=True, reason="maintenance", operator="ops")

    async def scenario(browser: Browser) -> tuple[str, httpx.Response]:
        async with browser() as b:
            conversation_id = conversation_of(
                await b.post("/chat", data={"question": "How do I renew my passport?"})
            )
            return conversation_id, await b.post(f"/chat/{conversation_id}/person")

    conversation_id, pressed = in_browsers(services, scenario)
    assert "?person=joined&" in pressed.headers["location"]
    assert cases(services) == [(conversation_id, "kill_switch", "open")]


def test_an_answer_given_by_htmx_or_streamed_carries_the_key_so_the_button_works_anywhere(
    services: Services,
) -> None:
    async def scenario(browser: Browser) -> list[httpx.Response]:
        async with browser() as first, browser() as second, browser() as third:
            fragment = (await first.post("/chat", data={"question": "怎样申请公屋？"}, headers=HTMX)).text
            streamed = await first.post("/chat/stream", data={"question": "How do I renew my passport?"})
            done = json.loads(streamed.text.split("event: done\ndata: ", 1)[1].split("\n\n", 1)[0])["html"]
            pressed = []
            for shown, browser_ in ((fragment, second), (done, third)):
                action = re.search(r'<form class="person" method="post" action="([^"]+)"', shown)
                token = TOKEN.search(shown[shown.index('<form class="person"') :])
                assert action and token
                pressed.append(await browser_.post(action.group(1), data={"subject_token": token.group(1)}))
            return pressed

    pressed = in_browsers(services, scenario)
    assert [p.status_code for p in pressed] == [303, 303]
    assert len(cases(services)) == 2


def test_before_the_notices_are_read_nothing_is_opened(services: Services) -> None:
    async def scenario(browser: Browser) -> httpx.Response:
        async with browser() as owner:
            conversation_id = conversation_of(
                await owner.post("/chat", data={"question": "How do I renew my passport?"})
            )
            owner.cookies.delete("kaifong_notice")
            return await owner.post(f"/chat/{conversation_id}/person")

    page = in_browsers(services, scenario)
    assert page.status_code == 200 and "Personal Information Collection Statement" in page.text
    assert cases(services) == []
