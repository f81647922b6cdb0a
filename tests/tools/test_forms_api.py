"""Forms through the JSON API: a scripted resident fills a form in each language form; bad input gets 4xx.

The PDF each resident downloads is read back with ``pdftotext`` and must hold every answer as the review
showed it; the JSON holds the canonical values; the second download is refused.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy import select

from kaifong.services import Services
from kaifong.store.tables import audit_events
from kaifong.tools.forms.pdf import FONT_PATHS
from kaifong.tools.forms.schema import bundled_forms
from kaifong.tools.forms.store import FormSessionStore
from kaifong.web import create_app

T = TypeVar("T")
HAVE_PDF_TOOLS = any(path.is_file() for path in FONT_PATHS) and shutil.which("pdftotext") is not None
API = "/api/v1/forms"

# One scripted resident per language form: field id -> what they type (a list: a wrong answer first).
RESIDENTS: dict[str, tuple[str, dict[str, str | list[str]]]] = {
    "en": (
        "oala-application",
        {
            "name_en": "CHAN Tai Man",
            "name_zh": "",
            "hkid": ["A123456(4)", "A123456(3)"],
            "date_of_birth": ["31/2/1958", "2/3/1958"],
            "address": "Flat A, 12/F, Sun Court, 1 Nathan Road, Mong Kok",
            "phone": "9123 4567",
            "years_in_hong_kong": "40",
            "days_away_last_year": "12",
            "monthly_income": "HK$3,500",
            "total_assets": "120000",
            "marital_status": "2",
            "spouse_name_en": "WONG Mei Ling",
            "spouse_hkid": "G123456(A)",
            "spouse_date_of_birth": "5 June 1960",
            "spouse_monthly_income": "0",
        },
    ),
    "zh-Hant": (
        "prh-application-part1",
        {
            "surname_en": "LEE",
            "given_name_en": "Siu Ming",
            "name_zh": "李小明",
            "sex": "男",
            "date_of_birth": ["五八年三月二日", "一九八八年十二月廿一日"],
            "hkid": "CA182361(1)",
            "birth_certificate_no": "",
            "marital_status": "未婚",
            "family_members": "兩",
        },
    ),
    "zh-Hans": (
        "erb-course-application",
        {
            "course_code": "EB123AB-01",
            "course_name": "",
            "course_type": "其他课程（非就业挂钩）",
            "name_en": "HO Ka Yan",
            "name_zh": "何嘉欣",
            "hkid": "AB987654(3)",
            "date_of_birth": "1990年7月15日",
            "phone": ["12345", "6123 4567"],
            "email": "",
            "address": "九龙旺角弥敦道123号4楼A室",
            "education": "中四至中六（或中七）",
            "employment": "在职",
            "monthly_income": ["-100", "1.2万"],
        },
    ),
    "yue-Hant": (
        "hcv-consent",
        {
            "name_en": "CHEUNG Ah Mui",
            "name_zh": "張𠵱妹",
            "id_document": "香港身份證",
            "hkid": "K000000(0)",
            "date_of_birth": "一九五五年八月八日",
            "mobile": "5123 4567",
            "consent_account": ["唔係", "係"],
            "married": "係",
            "share_with_spouse": "係",
            "spouse_name_en": "LAU Chi Keung",
            "spouse_hkid": "A123456(3)",
        },
    ),
}


def run(services: Services, scenario: Callable[[httpx.AsyncClient], Awaitable[T]], store: Any = None) -> T:
    """Run ``scenario`` against one app (form sessions live in the app), as a client would."""

    async def go() -> T:
        app = create_app(services=services)
        if store is not None:
            app.state.form_sessions = store
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kaifong.test") as client:
            return await scenario(client)

    return asyncio.run(go())


async def fill(
    client: httpx.AsyncClient, form_id: str, language: str, script: dict[str, str | list[str]]
) -> dict[str, Any]:
    """Answer every question the API asks from ``script``; returns the review state before finishing."""
    response = await client.post(f"{API}/{form_id}/sessions", json={"language": language})
    assert response.status_code == 201, response.text
    state: dict[str, Any] = response.json()
    base = f"{API}/{form_id}/sessions/{state['session_id']}"
    asked = []
    while state["state"] == "asking":
        field = state["question"]["field"]
        asked.append(field)
        answers = script[field]
        for wrong in answers[:-1] if isinstance(answers, list) else []:
            refused = await client.post(f"{base}/answer", json={"value": wrong})
            assert refused.status_code == 422, (field, refused.text)
            assert refused.json()["error"]["code"] == "invalid_answer" and refused.json()["error"]["message"]
        final = answers[-1] if isinstance(answers, list) else answers
        response = await client.post(f"{base}/answer", json={"value": final})
        assert response.status_code == 200, (field, response.text)
        state = response.json()
    assert asked == [f for f in script], "the questions come one at a time in the form's order"
    state["base"] = base
    return state


def pdftotext(content: bytes, folder: Path) -> str:
    path = folder / "form.pdf"
    path.write_bytes(content)
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True
    )
    return "".join(result.stdout.split())


@pytest.mark.skipif(not HAVE_PDF_TOOLS, reason="needs fonts-noto-cjk and poppler-utils (installed in CI)")
@pytest.mark.parametrize("language", list(RESIDENTS))
def test_a_resident_fills_a_form_in_each_language_form(
    language: str, shared_services: Services, tmp_path: Path
) -> None:
    form_id, script = RESIDENTS[language]

    async def scenario(
        client: httpx.AsyncClient,
    ) -> tuple[dict[str, Any], dict[str, Any], list[httpx.Response]]:
        review = await fill(client, form_id, language, script)
        finished = await client.post(f"{review['base']}/finish")
        assert finished.status_code == 200, finished.text
        links = finished.json()["downloads"]
        files = [
            await client.get(links["pdf"]),
            await client.get(links["json"]),
            await client.get(links["pdf"]),
        ]
        gone = await client.get(review["base"])
        assert gone.status_code == 404
        return review, finished.json(), files

    review, finished, (pdf, data, again) = run(shared_services, scenario)
    assert review["state"] == "review" and all(item["status"] != "missing" for item in review["review"])
    definition = bundled_forms()[form_id]
    assert finished["submit"] == definition.submit(language)
    assert finished["notice"]
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["cache-control"] == "no-store"
    text = pdftotext(pdf.content, tmp_path)
    for item in review["review"]:
        assert "".join(item["label"].split()) in text, item["field"]
        if item["value"] is not None:
            assert "".join(item["value"].split()) in text, (item["field"], item["value"])
    answers = json.loads(data.content)["answers"]
    assert {item["field"] for item in review["review"]} == set(answers)
    assert again.status_code == 410 and again.json()["error"]["code"] == "download_used"


def test_json_answers_are_canonical_values(shared_services: Services) -> None:
    form_id, script = RESIDENTS["en"]
    store = FormSessionStore(bundled_forms(), shared_services.audit, renderer=lambda filled: b"%PDF-1.4")

    async def scenario(client: httpx.AsyncClient) -> dict[str, Any]:
        review = await fill(client, form_id, "en", script)
        links = (await client.post(f"{review['base']}/finish")).json()["downloads"]
        return dict(json.loads((await client.get(links["json"])).content))

    data = run(shared_services, scenario, store)
    answers = data["answers"]
    assert answers["hkid"] == "A123456(3)" and answers["spouse_hkid"] == "G123456(A)"
    assert answers["date_of_birth"] == "1958-03-02" and answers["spouse_date_of_birth"] == "1960-06-05"
    assert answers["monthly_income"] == "3500.00" and answers["years_in_hong_kong"] == 40
    assert answers["marital_status"] == "married" and answers["name_zh"] is None
    assert answers["phone"] == "+852 9123 4567"
    assert data["form_number"] is None and data["sources"][0]["url"].startswith("https://")


def test_back_skip_change_and_review(shared_services: Services) -> None:
    async def scenario(client: httpx.AsyncClient) -> None:
        start = await client.post(f"{API}/hkid-replacement-appointment/sessions", json={"language": "en"})
        base = f"{API}/hkid-replacement-appointment/sessions/{start.json()['session_id']}"
        first_back = await client.post(f"{base}/back")
        assert first_back.status_code == 409 and "first question" in first_back.json()["error"]["message"]
        await client.post(f"{base}/answer", json={"value": "CHAN Tai Man"})
        skipped = await client.post(f"{base}/skip")
        assert skipped.json()["question"]["field"] == "hkid"
        required = await client.post(f"{base}/skip")
        assert required.status_code == 422 and "cannot be skipped" in required.json()["error"]["message"]
        back = await client.post(f"{base}/back")
        assert back.json()["question"]["field"] == "name_zh"
        back = await client.post(f"{base}/back")
        assert back.json()["question"]["current"] == "CHAN Tai Man"
        review = (await client.post(f"{base}/review")).json()
        assert review["state"] == "review" and review["question"] is None
        statuses = {item["field"]: item["status"] for item in review["review"]}
        assert statuses == {
            "name_en": "answered",
            "name_zh": "skipped",
            "hkid": "missing",
            "date_of_birth": "missing",
            "reason": "missing",
            "office": "missing",
            "preferred_date": "missing",
            "preferred_time": "skipped",
            "phone": "missing",
        }
        early = await client.post(f"{base}/finish")
        assert early.status_code == 409
        assert "Your phone number" in early.json()["error"]["message"]
        change = await client.post(f"{base}/change", json={"field": "date_lost"})
        assert change.status_code == 422 and "date_lost" in change.json()["error"]["message"]
        change = await client.post(f"{base}/change", json={"field": "hkid"})
        assert change.json()["question"]["field"] == "hkid"
        await client.post(f"{base}/answer", json={"value": "A123456(3)"})
        await client.post(f"{base}/answer", json={"value": "2/3/1958"})
        lost = await client.post(f"{base}/answer", json={"value": "Lost"})
        assert lost.json()["question"]["field"] == "date_lost"

    run(shared_services, scenario)


@pytest.mark.parametrize(
    ("method", "path", "body", "headers", "status", "code", "fragment"),
    [
        ("GET", "/no-such", None, {}, 404, "not_found", ""),
        ("POST", f"{API}/no-such-form/sessions", {}, {}, 404, "unknown_form", "no-such-form"),
        ("POST", f"{API}/hcv-consent/sessions", {"language": "fr"}, {}, 422, "bad_language", "yue-Hant"),
        (
            "GET",
            f"{API}/hcv-consent/sessions/nope",
            None,
            {"accept-language": "zh-HK"},
            404,
            "unknown_session",
            "重新",
        ),
        (
            "POST",
            f"{API}/hcv-consent/sessions/nope/answer",
            {"value": "x"},
            {},
            404,
            "unknown_session",
            "start",
        ),
        ("GET", f"{API}/download/nope", None, {"accept-language": "yue"}, 404, "download_unknown", "連結"),
    ],
)
def test_bad_requests_get_clear_messages(
    shared_services: Services,
    method: str,
    path: str,
    body: object,
    headers: dict[str, str],
    status: int,
    code: str,
    fragment: str,
) -> None:
    async def scenario(client: httpx.AsyncClient) -> httpx.Response:
        return await client.request(method, path, json=body, headers=headers)

    response = run(shared_services, scenario)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert fragment in response.json()["error"]["message"]


def test_malformed_answers_are_4xx_in_the_sessions_language(shared_services: Services) -> None:
    async def scenario(client: httpx.AsyncClient) -> list[httpx.Response]:
        start = await client.post(f"{API}/oala-application/sessions", json={"language": "zh-Hans"})
        base = f"{API}/oala-application/sessions/{start.json()['session_id']}"
        return [
            await client.post(
                f"{base}/answer", content=b"{not json", headers={"content-type": "application/json"}
            ),
            await client.post(f"{base}/answer", json={"value": 12}),
            await client.post(f"{base}/answer", json={}),
            await client.post(f"{base}/answer", json={"value": "陈大文"}),
        ]

    bad_json, not_text, missing, wrong_script = run(shared_services, scenario)
    assert {bad_json.status_code, not_text.status_code, missing.status_code} == {422}
    assert "value" in missing.json()["error"]["message"]
    assert wrong_script.status_code == 422 and "英文字母" in wrong_script.json()["error"]["message"]


def test_erasing_and_abandoning_leave_no_values(shared_services: Services) -> None:
    clock = [0.0]
    store = FormSessionStore(bundled_forms(), shared_services.audit, ttl=60, clock=lambda: clock[0])
    secret = "Flat 9, 99/F, Secret Mansion, 9 Quiet Road"

    async def scenario(client: httpx.AsyncClient) -> None:
        sessions = []
        for _ in range(2):
            start = await client.post(f"{API}/oala-application/sessions", json={"language": "en"})
            base = f"{API}/oala-application/sessions/{start.json()['session_id']}"
            for value in ("CHAN Tai Man", "", "A123456(3)", "2/3/1958", secret):
                await client.post(f"{base}/answer", json={"value": value})
            sessions.append(base)
        erased = await client.delete(sessions[0])
        assert erased.status_code == 200 and erased.json()["erased"] is True
        assert (await client.get(sessions[0])).status_code == 404
        clock[0] += 61  # the resident walks away from the second one
        abandoned = await client.get(sessions[1])
        assert abandoned.status_code == 404 and "start the form again" in abandoned.json()["error"]["message"]

    run(shared_services, scenario, store)
    assert len(store) == 0
    with shared_services.engine.connect() as conn:
        rows = conn.execute(select(audit_events.c.kind, audit_events.c.payload)).all()
    log = " ".join(f"{row.kind} {row.payload}" for row in rows)
    assert '"by":"resident"' in log and '"by":"expired"' in log
    for value in ("Secret", "A123456", "CHAN", "1958"):
        assert value not in log


def test_list_and_openapi(shared_services: Services) -> None:
    async def scenario(client: httpx.AsyncClient) -> tuple[httpx.Response, httpx.Response]:
        return (
            await client.get(API, headers={"accept-language": "zh-CN"}),
            await client.get("/openapi.json"),
        )

    listing, openapi = run(shared_services, scenario)
    forms = {f["id"]: f for f in listing.json()["forms"]}
    assert forms["prh-application-part1"]["form_number"] == "HD300E"
    assert forms["oala-application"]["title"] == "长者生活津贴：申请资料"
    paths = openapi.json()["paths"]
    for suffix in ("answer", "back", "skip", "review", "change", "finish"):
        assert f"{API}/{{form_id}}/sessions/{{session_id}}/{suffix}" in paths
    assert f"{API}/download/{{token}}" in paths
