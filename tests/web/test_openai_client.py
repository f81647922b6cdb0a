"""/v1 driven by the official ``openai`` client against Kaifong served by uvicorn on a loopback port."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import openai
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import select

from kaifong.services import Services
from kaifong.store.tables import audit_events
from kaifong.web import create_app
from tests.pipeline.test_streaming import StreamScript

QUESTION = "How do I renew my driving licence?"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """``app`` served by uvicorn in a thread on a free loopback port; its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning", ws="none")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def base_url(shared_services: Services) -> Iterator[str]:
    with serving(create_app(services=shared_services)) as url:
        yield url


@pytest.fixture
def client(base_url: str) -> Iterator[openai.OpenAI]:
    http = httpx.Client(trust_env=False, timeout=30)  # loopback: never through a proxy from the environment
    with openai.OpenAI(
        base_url=f"{base_url}/v1", api_key="not-needed", max_retries=0, http_client=http
    ) as made:
        yield made


def kaifong_extension(obj: Any) -> dict[str, Any]:
    """The ``kaifong`` extension field of an openai response object (kept as an extra field)."""
    extra = obj.model_extra or {}
    found = extra["kaifong"]
    assert isinstance(found, dict)
    return found


def test_models_list(client: openai.OpenAI) -> None:
    assert [m.id for m in client.models.list()] == ["kaifong"]
    assert client.models.retrieve("kaifong").owned_by == "kaifong"


def test_a_whole_answer(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(
        model="kaifong", messages=[{"role": "user", "content": QUESTION}]
    )
    content = completion.choices[0].message.content
    extension = kaifong_extension(completion)
    assert extension["status"] == "answered"
    assert content is not None and content.startswith(extension["answer"])
    assert "Sources:" in content and extension["citations"][0]["url"] in content
    assert completion.choices[0].finish_reason == "stop"


def test_a_streamed_answer_and_a_follow_up_in_its_conversation(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model="kaifong", messages=[{"role": "user", "content": QUESTION}], stream=True
    )
    pieces: list[str] = []
    extension: dict[str, Any] = {}
    for chunk in stream:
        pieces.extend(choice.delta.content or "" for choice in chunk.choices)
        if chunk.choices and chunk.choices[0].finish_reason == "stop":
            extension = kaifong_extension(chunk)
    assert len([p for p in pieces if p]) > 2
    assert extension["status"] == "answered"
    assert "".join(pieces).startswith(extension["answer"])
    follow = client.chat.completions.create(
        model="kaifong",
        messages=[{"role": "user", "content": "How much does it cost?"}],
        extra_body={"kaifong": {"conversation_id": extension["conversation_id"]}},
    )
    assert kaifong_extension(follow)["citations"][0]["title"] == extension["citations"][0]["title"]


@pytest.mark.parametrize(
    ("kwargs", "error", "status", "fragment"),
    [
        ({"n": 2}, openai.BadRequestError, 400, "n = 2"),
        ({"messages": []}, openai.BadRequestError, 400, '"messages"'),
        (
            {"tools": [{"type": "function", "function": {"name": "lookup", "parameters": {}}}]},
            openai.BadRequestError,
            400,
            "function calls",
        ),
        (
            {
                "messages": [
                    {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:,"}}]}
                ]
            },
            openai.BadRequestError,
            400,
            "image",
        ),
        ({"model": "gpt-4o"}, openai.NotFoundError, 404, "GET /v1/models"),
        ({"extra_body": {"kaifong": {"conversation_id": "nope"}}}, openai.NotFoundError, 404, "conversation"),
    ],
)
@pytest.mark.parametrize("stream", [False, True])
def test_refused_requests_raise_the_matching_openai_exception(
    client: openai.OpenAI,
    kwargs: dict[str, Any],
    error: type[openai.APIStatusError],
    status: int,
    fragment: str,
    stream: bool,
) -> None:
    request: dict[str, Any] = {
        "model": "kaifong",
        "messages": [{"role": "user", "content": QUESTION}],
        "stream": stream,
    }
    with pytest.raises(error) as raised:
        client.chat.completions.create(**(request | kwargs))
    assert raised.value.status_code == status
    assert fragment in raised.value.message
    body = raised.value.body
    assert isinstance(body, dict) and {"message", "type", "param", "code"} <= body.keys()


def test_a_client_that_hangs_up_mid_stream_leaves_an_aborted_record(services: Services) -> None:
    services.backend = StreamScript([("Renew at a licensing office. ", True), StreamScript.HANG])
    body = {"model": "kaifong", "stream": True, "messages": [{"role": "user", "content": QUESTION}]}
    with serving(create_app(services=services)) as url:
        with (
            httpx.Client(timeout=10, trust_env=False) as http,
            http.stream("POST", f"{url}/v1/chat/completions", json=body) as response,
        ):
            for line in response.iter_lines():
                if "licensing office" in line:
                    break  # hang up after the first piece of the answer
        deadline = time.monotonic() + 10
        while True:
            with services.engine.connect() as conn:
                rows = list(conn.execute(select(audit_events).where(audit_events.c.kind == "answer_sent")))
            if rows or time.monotonic() > deadline:
                break
            time.sleep(0.05)
    assert [json.loads(r.payload)["status"] for r in rows] == ["aborted_client"]
    assert services.audit.verify().ok
