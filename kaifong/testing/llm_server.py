"""A tiny OpenAI-compatible model server for tests and benchmarks: replays scripted replies and faults.

``LLMTestServer`` serves ``POST /v1/chat/completions`` (whole JSON, or server-sent events in OpenAI's
``chat.completion.chunk`` format when the request says ``"stream": true``) and ``GET /v1/models`` on
127.0.0.1 at a free port, from a background thread, for as long as its ``with`` block lasts. Each chat
request takes the next queued ``ServerReply`` (or ``default`` when the queue is empty; without a default
it answers HTTP 500 naming the unscripted call) and every request is recorded in ``requests``::

    from kaifong.testing.llm_server import LLMTestServer, http_error, reply, timeout

    with LLMTestServer([http_error(500), reply("Bring your old passport [1].")]) as server:
        settings = LLMSettings(backend="openai-compatible", base_url=server.base_url, model="test")
        ...  # the backend retries the 500 and gets the answer
        assert len(server.requests) == 2

Faults: ``timeout`` (sleeps before answering), ``http_error`` (any status), ``malformed_json`` (a body that
is not JSON), ``unexpected_shape`` (JSON without ``choices``), ``truncated`` (a stream that stops before
``[DONE]``, or a connection dropped mid-body) and ``garbage`` (control and replacement characters as the
answer); ``raw_stream`` sends a stream body exactly as given. Stopping the server wakes any sleeping
reply, so a ``with`` block never waits for a timeout fault.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import uvicorn

Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

#: Characters per streamed chunk unless a reply says otherwise: small, so citation tokens cross chunks.
CHUNK_CHARS = 4
GARBAGE_TEXT = "\x00\ufffd\x07\ufffd\x1b[31m\ufffd\x00\x00\ufffd\x03\ufffd"


@dataclass(frozen=True)
class ServerReply:
    """What the server does for one chat request (build one with the functions below).

    ``text`` is the answer; ``delay_s`` is slept before anything is sent and ``chunk_delay_s`` between
    streamed chunks; a ``status`` other than 200 answers with that status and ``body`` (or an OpenAI-shaped
    error); a ``body`` with status 200 is sent as is instead of a completion; ``truncate_after`` stops a
    stream after that many content chunks (or a whole answer halfway through its JSON) and ``abrupt`` then
    drops the connection instead of ending the response cleanly.
    """

    text: str = ""
    status: int = 200
    body: str | None = None
    delay_s: float = 0.0
    chunk_chars: int = CHUNK_CHARS
    chunk_delay_s: float = 0.0
    truncate_after: int | None = None
    abrupt: bool = False
    finish_reason: str = "stop"
    headers: tuple[tuple[str, str], ...] = ()
    raw: tuple[str, ...] = ()


def reply(text: str, *, chunk_chars: int = CHUNK_CHARS, chunk_delay_s: float = 0.0) -> ServerReply:
    """A normal answer (streamed ``chunk_chars`` characters at a time when streaming is asked for)."""
    return ServerReply(text=text, chunk_chars=chunk_chars, chunk_delay_s=chunk_delay_s)


def raw_stream(*pieces: str, chunk_delay_s: float = 0.0) -> ServerReply:
    """HTTP 200 ``text/event-stream`` whose body is exactly ``pieces``, each sent on its own (to test how
    lines and events are split: CRLF across two pieces, a bare CR, U+2028 inside an event's JSON)."""
    return ServerReply(raw=pieces, chunk_delay_s=chunk_delay_s)


def timeout(seconds: float, text: str = "Too late [1].") -> ServerReply:
    """An answer that starts only after ``seconds`` (longer than the client's read timeout: a timeout)."""
    return ServerReply(text=text, delay_s=seconds)


def http_error(status: int = 500, *, retry_after: float | None = None) -> ServerReply:
    """An HTTP error in OpenAI's error shape; ``retry_after`` adds a ``Retry-After`` header (seconds)."""
    body = json.dumps(
        {"error": {"message": f"scripted HTTP {status}", "type": "server_error", "code": status}}
    )
    headers = (("retry-after", f"{retry_after:g}"),) if retry_after is not None else ()
    return ServerReply(status=status, body=body, headers=headers)


def malformed_json() -> ServerReply:
    """HTTP 200 whose body is not JSON (for a stream: a ``data:`` line that is not JSON)."""
    return ServerReply(status=200, body='{"choices": [{"message": {"content": "half an obj')


def unexpected_shape() -> ServerReply:
    """HTTP 200 with valid JSON that is not a chat completion (no ``choices``)."""
    return ServerReply(status=200, body=json.dumps({"object": "something.else", "result": "Hello"}))


def truncated(text: str, after: int = 1, *, abrupt: bool = False) -> ServerReply:
    """An answer cut short: a stream ends after ``after`` chunks with no finish and no ``[DONE]`` (a whole
    answer stops halfway through its JSON); ``abrupt`` drops the connection mid-body instead."""
    return ServerReply(text=text, truncate_after=after, abrupt=abrupt)


def garbage() -> ServerReply:
    """HTTP 200, well-formed, whose answer is control and replacement characters."""
    return ServerReply(text=GARBAGE_TEXT)


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server received: method, path, headers (names lower-case), the JSON body and the
    client's ``host:port`` (requests over one kept-alive connection share it)."""

    method: str
    path: str
    headers: dict[str, str]
    json: Any
    body: bytes = field(repr=False, default=b"")
    peer: str = ""


#: A default reply: the same ServerReply every time, or one made from the request's JSON body.
Default = ServerReply | Callable[[Any], ServerReply]


class LLMTestServer:
    """An OpenAI-compatible HTTP server on 127.0.0.1 that plays back scripted replies (see module doc)."""

    def __init__(
        self,
        replies: Iterable[ServerReply | str] = (),
        *,
        default: Default | None = None,
        model: str = "test-model",
        port: int = 0,
    ) -> None:
        self.model = model
        self._port = port  # 0: a free port
        self.default = default
        self.requests: list[RecordedRequest] = []
        self._replies: deque[ServerReply] = deque()
        self.queue(*replies)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closing: asyncio.Event | None = None

    def queue(self, *replies: ServerReply | str) -> None:
        """Add replies (a str is ``reply(text)``) to the end of the queue."""
        self._replies.extend(reply(r) if isinstance(r, str) else r for r in replies)

    @property
    def remaining(self) -> int:
        """How many queued replies have not been played yet."""
        return len(self._replies)

    @property
    def port(self) -> int:
        """The port the server listens on (only while it runs)."""
        if self._socket is None:
            raise RuntimeError("LLMTestServer is not running: use it in a `with` block or call start()")
        port: int = self._socket.getsockname()[1]
        return port

    @property
    def base_url(self) -> str:
        """The API root to give an OpenAI-compatible client, e.g. ``http://127.0.0.1:41234/v1``."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        """The recorded ``/chat/completions`` requests only."""
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def start(self) -> LLMTestServer:
        """Listen on a free port and serve from a background thread until ``stop``."""
        if self._server is not None:
            raise RuntimeError("LLMTestServer is already running")
        # proto IPPROTO_TCP, not 0: asyncio turns Nagle's algorithm off (TCP_NODELAY) only on sockets that
        # say they are TCP, as a real model server's are; without it a kept-alive connection waits ~40 ms
        # for a delayed ACK between the response's head and its body
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self._port))
        sock.listen(128)
        config = uvicorn.Config(
            self,
            interface="asgi3",
            lifespan="off",
            ws="none",
            http="h11",
            loop="asyncio",
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=1,
        )
        self._socket, self._server = sock, uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="llm-test-server", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("LLMTestServer did not start within 10 s")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        """Wake sleeping replies, stop serving and release the port (safe to call twice)."""
        if self._loop is not None and self._closing is not None and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed between the check and the call
                self._loop.call_soon_threadsafe(self._closing.set)
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None
        self._loop = self._closing = None

    def __enter__(self) -> LLMTestServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- the ASGI application ------------------------------------------------------------------------

    async def __call__(self, scope: Message, receive: Receive, send: Send) -> None:
        """Serve one HTTP request (ASGI 3)."""
        if scope["type"] != "http":
            return
        if self._closing is None:
            self._loop, self._closing = asyncio.get_running_loop(), asyncio.Event()
        body = await _read_body(receive)
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            payload = None
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        path, method = scope["path"], scope["method"]
        client = scope.get("client")
        peer = f"{client[0]}:{client[1]}" if client else ""
        self.requests.append(RecordedRequest(method, path, headers, payload, body, peer))
        if method == "GET" and path.endswith("/models"):
            models = {"object": "list", "data": [{"id": self.model, "object": "model", "owned_by": "test"}]}
            await _send_json(send, 200, models)
        elif method == "POST" and path.endswith("/chat/completions"):
            await self._play(self._next(payload), payload, send)
        else:
            error = {"error": {"message": f"no route {method} {path}", "type": "invalid_request_error"}}
            await _send_json(send, 404, error)

    def _next(self, payload: Any) -> ServerReply:
        if self._replies:
            return self._replies.popleft()
        if isinstance(self.default, ServerReply):
            return self.default
        if self.default is not None:
            return self.default(payload)
        calls = len(self.chat_requests)
        return ServerReply(
            status=500,
            body=json.dumps({"error": {"message": f"LLMTestServer: no reply scripted for call {calls}"}}),
        )

    async def _sleep(self, seconds: float) -> bool:
        """Sleep, or stop early when the server is closing (then False)."""
        if seconds <= 0:
            return True
        assert self._closing is not None
        try:
            await asyncio.wait_for(self._closing.wait(), timeout=seconds)
        except TimeoutError:
            return True
        return False

    async def _play(self, plan: ServerReply, payload: Any, send: Send) -> None:
        if not await self._sleep(plan.delay_s):
            await _send_json(send, 503, {"error": {"message": "LLMTestServer is shutting down"}})
            return
        streaming = isinstance(payload, dict) and payload.get("stream") is True
        if plan.raw:
            await _start(send, 200, "text/event-stream")
            for index, piece in enumerate(plan.raw):
                if index and not await self._sleep(plan.chunk_delay_s):
                    break
                await _body(send, piece.encode("utf-8"))
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        if plan.status == 200 and plan.body is not None and streaming:
            await _send_raw(send, 200, f"data: {plan.body}\n\ndata: [DONE]\n\n", "text/event-stream")
            return
        if plan.status != 200 or plan.body is not None:
            await _send_raw(send, plan.status, plan.body or "", "application/json", plan.headers)
            return
        model = payload.get("model", self.model) if isinstance(payload, dict) else self.model
        if streaming:
            await self._stream(plan, model, send)
        else:
            await self._whole(plan, model, send)

    async def _whole(self, plan: ServerReply, model: str, send: Send) -> None:
        document = {
            "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": plan.text},
                    "finish_reason": plan.finish_reason,
                }
            ],
            "usage": {
                "prompt_tokens": 0,
                "completion_tokens": len(plan.text),
                "total_tokens": len(plan.text),
            },
        }
        data = json.dumps(document, ensure_ascii=False).encode("utf-8")
        if plan.truncate_after is None:
            await _send_raw(send, 200, data, "application/json")
            return
        half = data[: len(data) // 2]
        if not plan.abrupt:
            await _send_raw(send, 200, half, "application/json")
            return
        await _start(send, 200, "application/json", (("content-length", str(len(data))),))
        await send({"type": "http.response.body", "body": half, "more_body": True})
        # returning here, mid-body, makes the server drop the connection

    async def _stream(self, plan: ServerReply, model: str, send: Send) -> None:
        ident, created = f"chatcmpl-{uuid.uuid4().hex[:12]}", int(time.time())

        def event(delta: dict[str, str], finish: str | None = None) -> bytes:
            chunk = {
                "id": ident,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            return f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode()

        await _start(send, 200, "text/event-stream", (("cache-control", "no-cache"),))
        await _body(send, event({"role": "assistant", "content": ""}))
        size = max(1, plan.chunk_chars)
        pieces = [plan.text[i : i + size] for i in range(0, len(plan.text), size)]
        for index, piece in enumerate(pieces):
            if plan.truncate_after is not None and index >= plan.truncate_after:
                break
            if index and not await self._sleep(plan.chunk_delay_s):
                break
            await _body(send, event({"content": piece}))
        else:
            await _body(send, event({}, plan.finish_reason))
            await _body(send, b"data: [DONE]\n\n")
        if plan.abrupt:
            return  # mid-body: the server drops the connection
        await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _start(send: Send, status: int, content_type: str, extra: Iterable[tuple[str, str]] = ()) -> None:
    headers = [(b"content-type", content_type.encode())]
    headers += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})


async def _body(send: Send, data: bytes) -> None:
    await send({"type": "http.response.body", "body": data, "more_body": True})


async def _send_raw(
    send: Send, status: int, body: str | bytes, content_type: str, extra: Iterable[tuple[str, str]] = ()
) -> None:
    data = body.encode("utf-8") if isinstance(body, str) else body
    await _start(send, status, content_type, (*extra, ("content-length", str(len(data)))))
    await send({"type": "http.response.body", "body": data, "more_body": False})


async def _send_json(send: Send, status: int, document: object) -> None:
    await _send_raw(send, status, json.dumps(document, ensure_ascii=False), "application/json")
