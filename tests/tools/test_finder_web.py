"""The finder over a real app and SQLite file: POST /api/v1/finder, the /finder page, kaifong find."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from fastapi import FastAPI

from kaifong.cli import main
from kaifong.services import Services, build_services
from kaifong.tools.finder.facts import EMPLOYMENT, FACT_NAMES, facts_from_mapping
from kaifong.web import create_app
from kaifong.web.routes.finder import FactsModel
from tests.conftest import make_settings


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    built = build_services(make_settings(tmp_path_factory.mktemp("finder"), load_bundled_knowledge=False))
    yield built
    built.close()


@pytest.fixture(scope="module")
def app(services: Services) -> FastAPI:
    """One app for the module, so that finder sessions (kept in the app's memory) carry across calls."""
    return create_app(services=services)


def call(app: FastAPI, method: str, path: str, **kwargs: Any) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kaifong.test") as client:
            return await client.request(method, path, **kwargs)

    return asyncio.run(go())


def test_the_api_answers_with_understood_facts_and_results(app: FastAPI) -> None:
    response = call(app, "POST", "/api/v1/finder", json={"text": "我六十八歲，住咗香港十年，獨居"})
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "answered" and data["language"] == "yue-Hant"
    assert data["understood"][0] == {"fact": "age", "value": 68, "text": "年紀：68歲"}
    first = data["results"][0]
    assert first["status"] == "fits" and first["apply"]["url"].startswith("https://")
    assert {"rules", "missing", "amounts", "sources", "checked", "districts", "languages"} <= set(first)
    assert data["messages"]["decides"].startswith("呢個唔係審批結果")
    assert data["session_id"] and data["catalogue_version"]


def test_the_api_takes_short_form_facts_filters_and_a_session(app: FastAPI) -> None:
    first = call(
        app,
        "POST",
        "/api/v1/finder",
        json={"facts": {"age": 20, "education": "upper_secondary", "employment": "unemployed"}, "lang": "en"},
    ).json()
    assert "yetp-pre-employment-training" in [r["id"] for r in first["results"]]
    second = call(
        app,
        "POST",
        "/api/v1/finder",
        json={
            "session_id": first["session_id"],
            "filters": {"district": "葵芳", "kind": "course"},
            "lang": "en",
        },
    ).json()
    assert second["filters"]["district"] == {"id": "kwai-tsing", "name": "Kwai Tsing"}
    ids = [r["id"] for r in second["results"]]
    assert "youth-employment-start" in ids and all(r["kind"] == "course" for r in second["results"])
    assert [u["fact"] for u in second["understood"]] == ["age", "employment", "education"]


def test_the_api_filters_by_language_and_says_when_a_name_is_unknown(app: FastAPI) -> None:
    data = call(
        app,
        "POST",
        "/api/v1/finder",
        json={"facts": {"ethnic_minority": True}, "filters": {"language": "Urdu", "district": "Narnia"}},
    ).json()
    assert [r["id"] for r in data["results"]] == ["cheer-ethnic-minorities"]
    assert data["problems"][0]["code"] == "unknown_district" and "Narnia" in data["problems"][0]["message"]


@pytest.mark.parametrize(
    ("body", "headers", "status", "code", "fragment"),
    [
        (b"{not json", {}, 400, "invalid_json", "not valid JSON"),
        (b'{"text": "\xff\xfe"}', {}, 400, "not_utf8", "UTF-8"),
        (b"[1, 2]", {}, 422, "invalid_request", "expected an object"),
        (b"{}", {}, 422, "invalid_request", "Tell us a little about yourself"),
        (b"{}", {"accept-language": "zh-HK"}, 422, "invalid_request", "請先簡單介紹你的情況"),
        (b'{"text": 5}', {}, 422, "invalid_request", "must be text"),
        (b'{"facts": {"age": "old"}}', {}, 422, "invalid_request", "facts.age"),
        (b'{"facts": {"shoe_size": 9}}', {}, 422, "invalid_request", "facts.shoe_size"),
        (b'{"filters": {"kind": "houses"}}', {}, 422, "invalid_request", "filters.kind"),
    ],
)
def test_api_errors_say_what_is_wrong(
    app: FastAPI, body: bytes, headers: dict[str, str], status: int, code: str, fragment: str
) -> None:
    response = call(
        app,
        "POST",
        "/api/v1/finder",
        content=body,
        headers={"content-type": "application/json"} | headers,
    )
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code and fragment in error["message"]


def test_a_text_over_the_limit_is_refused_in_its_language(app: FastAPI) -> None:
    response = call(app, "POST", "/api/v1/finder", json={"text": "我" * 2001})
    assert response.status_code == 422
    assert "2001" in response.json()["error"]["message"]


def test_impossible_facts_are_problems_not_errors(app: FastAPI) -> None:
    data = call(app, "POST", "/api/v1/finder", json={"facts": {"age": 200, "district": "Gotham"}}).json()
    assert [p["code"] for p in data["problems"]] == ["impossible_age", "unknown_district"]


def test_the_api_and_the_page_check_facts_with_one_code(app: FastAPI) -> None:
    """The API's fact fields are the finder's own list; values are checked by facts_from_mapping alone."""
    schema = FactsModel.model_json_schema()
    assert set(schema["properties"]) == set(FACT_NAMES)
    employment = schema["properties"]["employment"]["anyOf"][0]["enum"]
    assert tuple(employment) == EMPLOYMENT
    api = call(app, "POST", "/api/v1/finder", json={"facts": {"household_size": 0, "district": "Narnia"}})
    page = call(app, "POST", "/finder", data={"household_size": "0", "district": "Narnia"})
    codes = [p["code"] for p in api.json()["problems"]]
    _, expected = facts_from_mapping({"household_size": 0, "district": "Narnia"})
    assert codes == [p.code for p in expected] == ["impossible_value", "unknown_district"]
    assert page.status_code == 200 and "Narnia" in page.text


def test_the_openapi_document_describes_the_finder(app: FastAPI) -> None:
    paths = call(app, "GET", "/openapi.json").json()["paths"]
    operation = paths["/api/v1/finder"]["post"]
    assert "requestBody" in operation and "422" in operation["responses"]


LABELLED = re.compile(r'<(input|select|textarea)\b[^>]*\bid="([^"]+)"')


@pytest.mark.parametrize(
    ("lang", "html_lang", "heading"),
    [
        ("en", "en-HK", "Find services and courses"),
        ("zh-Hant", "zh-Hant-HK", "尋找服務及課程"),
        ("zh-Hans", "zh-Hans", "寻找服务及课程"),
        ("yue-Hant", "yue-Hant-HK", "搵服務同課程"),
    ],
)
def test_the_page_in_four_language_forms_with_every_field_labelled(
    app: FastAPI, lang: str, html_lang: str, heading: str
) -> None:
    html = call(app, "GET", f"/finder?lang={lang}").text
    assert f'<html lang="{html_lang}">' in html and heading in html
    for _, field_id in LABELLED.findall(html):
        assert f'for="{field_id}"' in html or field_id in {"text"}, field_id
    assert '<label for="text">' in html
    assert "<script" not in html.split("<main", 1)[1]  # the finder needs no JavaScript


def test_the_page_answers_a_plain_form_post_and_keeps_a_session_cookie(app: FastAPI) -> None:
    response = call(
        app,
        "POST",
        "/finder?lang=en",
        data={
            "text": "I'm 45, unemployed, Form 3, my HKID is A123456(3)",
            "district": "sham-shui-po",
            "kind": "course",
        },
    )
    assert response.status_code == 200
    results = response.text.split('id="results"', 1)[1].split('<form id="finder"', 1)[0]
    assert "Age: 45" in results and "District: Sham Shui Po" in results
    assert "ERB placement-tied courses" in results and "Old Age Allowance" not in results
    assert "A123456" not in response.text and "[HKID]" in results  # shown back redacted
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("kaifong_finder="))
    assert "httponly" in cookie.lower() and "max-age" not in cookie.lower()  # ends with the browser session


def test_the_page_forgets_on_request(app: FastAPI) -> None:
    async def go() -> tuple[str, str]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kaifong.test") as client:
            await client.post("/finder?lang=en", data={"text": "I'm 70 and live alone"})
            forgotten = await client.post("/finder?lang=en", data={"action": "forget"})
            after = await client.post("/finder?lang=en", data={"kind": "service"})
            return forgotten.text, after.text

    forgotten, after = asyncio.run(go())
    assert "we have forgotten what you told us" in forgotten
    assert "Age: 70" not in after


def test_the_page_shows_an_empty_submission_as_an_error(app: FastAPI) -> None:
    response = call(app, "POST", "/finder?lang=zh-Hant", data={})
    assert response.status_code == 422
    assert 'role="alert"' in response.text and "請先簡單介紹你的情況" in response.text


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("KAIFONG_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    return CliRunner()


def test_kaifong_find_prints_what_it_understood_and_what_may_fit(runner: CliRunner) -> None:
    result = runner.invoke(main, ["find", "我今年五十岁，失业", "--district", "觀塘", "--kind", "course"])
    assert result.exit_code == 0, result.output
    assert "年龄：50岁" in result.output and "雇员再培训局就业挂钩课程" in result.output
    assert "审批" in result.output  # the department decides, in the question's script


def test_kaifong_find_json_is_the_api_shape(runner: CliRunner) -> None:
    result = runner.invoke(main, ["find", "I'm 68 and live alone", "--json"])
    data = json.loads(result.output)
    assert data["language"] == "en" and data["session_id"] == ""
    assert data["results"][0]["status"] == "fits"


def test_kaifong_find_refuses_an_empty_text(runner: CliRunner) -> None:
    result = runner.invoke(main, ["find", "   "])
    assert result.exit_code == 2
    assert "Tell us a little about yourself" in result.output


def test_a_50_mb_body_is_refused_while_it_is_read(app: FastAPI) -> None:
    body = b'{"text": "' + b"a" * (50 * 1024 * 1024) + b'"}'
    response = call(app, "POST", "/api/v1/finder?lang=yue-Hant", content=body)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"
    assert (
        "51200 KB" in response.json()["error"]["message"] and "64 KB" in response.json()["error"]["message"]
    )
