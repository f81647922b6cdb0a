"""The app-wide body cap: over it a 413 in the visitor's language, before any route reads the body."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

from kaifong.language.messages import message
from kaifong.services import Services
from kaifong.web.app import body_caps
from kaifong.web.body_limit import DEFAULT_CAP, DEFAULT_LIMIT, Cap, limits
from kaifong.web.routes.translate import MAX_REQUEST_BYTES
from tests.web.test_api import call


def chunks(body: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    """``body`` as a stream without a declared length (sent chunked)."""

    async def stream() -> AsyncIterator[bytes]:
        for start in range(0, len(body), size):
            yield body[start : start + size]

    return stream()


def test_a_declared_body_over_the_cap_is_refused_in_the_visitors_language(shared_services: Services) -> None:
    body = json.dumps({"question": "x" * (DEFAULT_LIMIT + 10)}).encode()
    response = call(
        shared_services,
        "POST",
        "/api/v1/answers",
        content=body,
        headers={"content-type": "application/json", "accept-language": "zh-HK"},
    )
    assert response.status_code == 413
    error = response.json()["error"]
    limit_kb = DEFAULT_LIMIT // 1024
    assert error["code"] == "request_too_large"
    assert error["message"] == message(
        "error.body_too_large", "zh-Hant", size=len(body) // 1024, limit=limit_kb
    )


def test_a_chunked_body_is_refused_as_soon_as_it_passes_the_cap(shared_services: Services) -> None:
    body = b'{"form": "' + b"x" * (2 * DEFAULT_LIMIT) + b'"}'
    response = call(
        shared_services,
        "POST",
        "/api/v1/forms",
        content=chunks(body),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"
    assert "+ KB" in response.json()["error"]["message"]


def test_a_chunked_body_under_the_cap_reaches_the_route_whole(shared_services: Services) -> None:
    body = json.dumps({"question": "How do I renew my driving licence?"}).encode()
    response = call(
        shared_services,
        "POST",
        "/api/v1/answers",
        content=chunks(body, size=7),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 200
    assert response.json()["status"] == "answered"


def test_each_path_gets_its_cap_and_the_longest_prefix_wins() -> None:
    cap_for = body_caps()
    assert cap_for("/api/v1/translations").bytes == cap_for("/translate").bytes == MAX_REQUEST_BYTES
    assert not cap_for("/api/v1/translations").declared_by_route and cap_for("/translate").declared_by_route
    assert cap_for("/api/v1/finder").bytes == 64 * 1024
    assert cap_for("/api/v1/answers") == cap_for("/v1/chat/completions") == DEFAULT_CAP
    assert limits({"/a": Cap(1), "/a/b": Cap(2)})("/a/b/c") == Cap(2)


def test_a_page_that_words_its_own_refusal_still_gets_a_chunked_body_capped(
    shared_services: Services,
) -> None:
    response = call(
        shared_services,
        "POST",
        "/translate",
        content=chunks(b"x" * (MAX_REQUEST_BYTES + 1)),
        headers={"content-type": "multipart/form-data; boundary=b"},
    )
    assert response.status_code == 413 and response.json()["error"]["code"] == "bad_document"
    assert response.json()["error"]["message"].startswith("The file is 5.1+ MB; the limit is 5 MB.")
