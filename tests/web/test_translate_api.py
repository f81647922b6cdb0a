"""Translation over HTTP: JSON and uploads, glossary lookup, the page; every failure a clear 4xx or 503."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import httpx
import pytest

from kaifong.backends.extractive import ExtractiveBackend
from kaifong.services import Services, build_services
from kaifong.testing.translation import PhraseTableModel
from kaifong.web import create_app
from tests.conftest import make_settings


class TranslatingBackend(PhraseTableModel, ExtractiveBackend):
    """Extractive answers plus scripted translation: a deployment with a generative backend, in a test."""


@pytest.fixture(scope="module")
def generative(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    backend = TranslatingBackend({"How to apply": "點樣申請", "Call": "打電話畀"})
    built = build_services(make_settings(Path(tmp_path_factory.mktemp("tr"))), backend=backend)
    yield built
    built.close()


def call(services: Services, method: str, path: str, **kwargs: Any) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(services=services))
        async with httpx.AsyncClient(transport=transport, base_url="http://kaifong.test") as client:
            return await client.request(method, path, **kwargs)

    return asyncio.run(go())


def test_json_translation_is_labelled_and_lists_the_official_names(generative: Services) -> None:
    body = {"text": "## How to apply\n\nCall the Labour Department on 2717 1771.", "target": "yue-Hant"}
    response = call(generative, "POST", "/api/v1/translations", json=body)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["text"].startswith("## 點樣申請")
    assert "勞工處" in data["text"] and "2717 1771" in data["text"]
    assert data["mode"] == "model" and data["prompt"] == "translate-v1"
    assert "機器翻譯" in data["label"]
    assert [t["id"] for t in data["terms"]] == ["ld"]
    assert data["terms"][0]["zh-Hans"] == "劳工处"


def test_uploaded_docx_is_translated(generative: Services) -> None:
    document = docx.Document()
    document.add_heading("How to apply", level=2)
    document.add_paragraph("Call the Social Welfare Department.")
    buffer = io.BytesIO()
    document.save(buffer)
    files = {"file": ("guide.docx", buffer.getvalue())}
    response = call(generative, "POST", "/api/v1/translations", files=files, data={"target": "zh-Hant"})
    assert response.status_code == 200, response.text
    assert response.json()["text"].splitlines()[0] == "## 點樣申請"
    assert "社會福利署" in response.json()["text"]


def test_oversized_upload_is_413_in_the_visitors_language(generative: Services) -> None:
    files = {"file": ("big.txt", b"a" * (6 * 1024 * 1024))}
    response = call(
        generative, "POST", "/api/v1/translations?lang=yue-Hant", files=files, data={"target": "en"}
    )
    assert response.status_code == 413
    assert "上限係 5 MB" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"content": b"{not json", "headers": {"content-type": "application/json"}}, 422, "invalid_request"),
        ({"json": {"text": "Hello there", "target": "fr"}}, 422, "bad_document"),
        ({"json": {"text": "Hello there", "target": "en"}}, 422, "bad_document"),
        ({"json": {"text": "   ", "target": "zh-Hant"}}, 422, "bad_document"),
    ],
)
def test_bad_requests_are_clear_4xx(
    generative: Services, kwargs: dict[str, Any], status: int, code: str
) -> None:
    response = call(generative, "POST", "/api/v1/translations", **kwargs)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_without_a_generative_backend_the_api_says_so_in_the_texts_language(
    shared_services: Services,
) -> None:
    response = call(
        shared_services, "POST", "/api/v1/translations", json={"text": "請致電勞工處查詢。", "target": "en"}
    )
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "translation_unavailable"
    assert "尚未設定" in response.json()["error"]["message"]
    converted = call(
        shared_services,
        "POST",
        "/api/v1/translations",
        json={"text": "請致電勞工處查詢。", "target": "zh-Hans"},
    )
    assert converted.status_code == 200 and converted.json()["text"] == "请致电劳工处查询。"
    assert converted.json()["mode"] == "script"


def test_glossary_lookup_works_without_a_model(shared_services: Services) -> None:
    response = call(shared_services, "GET", "/api/v1/glossary", params={"q": "社署"})
    assert response.status_code == 200
    terms = response.json()["terms"]
    assert terms[0]["en"] == "Social Welfare Department" and terms[0]["source"].startswith("https://")
    assert call(shared_services, "GET", "/api/v1/glossary", params={"q": ""}).json()["terms"] == []


def test_page_translates_and_shows_failures_on_the_page(
    generative: Services, shared_services: Services
) -> None:
    page = call(generative, "GET", "/translate?lang=zh-Hant")
    assert page.status_code == 200 and "翻譯文件" in page.text
    done = call(
        generative, "POST", "/translate", data={"text": "Call the Labour Department.", "target": "zh-Hant"}
    )
    assert done.status_code == 200 and "勞工處" in done.text and "機器翻譯" in done.text
    refused = call(
        shared_services, "POST", "/translate?lang=en", data={"text": "Call us.", "target": "zh-Hant"}
    )
    assert refused.status_code == 503 and "has not set one up" in refused.text
    lookup = call(shared_services, "GET", "/translate", params={"q": "CSSA", "lang": "en"})
    assert "綜合社會保障援助" in lookup.text


@pytest.mark.parametrize("path", ["/api/v1/translations?lang=en", "/translate?lang=en"])
def test_a_50_mb_upload_is_refused_by_its_declared_size(generative: Services, path: str) -> None:
    """Refused from the Content-Length before the body is parsed; the message gives the real size."""
    files = {"file": ("scan.pdf", b"%PDF-1.4\n" + b"0" * (50 * 1024 * 1024))}
    response = call(generative, "POST", path, files=files, data={"target": "zh-Hant"})
    assert response.status_code == 413
    text = response.json()["error"]["message"] if path.startswith("/api") else response.text
    assert "The file is 50.0 MB; the limit is 5 MB" in text


def test_an_oversized_json_body_sent_without_a_length_is_refused_while_reading(generative: Services) -> None:
    async def chunks() -> Any:
        yield b'{"target": "zh-Hant", "text": "'
        for _ in range(7):
            yield b"a" * (1024 * 1024)
        yield b'"}'

    response = call(
        generative,
        "POST",
        "/api/v1/translations",
        content=chunks(),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "bad_document"
