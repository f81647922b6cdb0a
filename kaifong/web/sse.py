"""Server-sent events: the frame format, and a response that stores its answer however the connection ends."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator

import anyio
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from kaifong.pipeline.streaming import AnswerStream

SSE_HEADERS = {"cache-control": "no-cache", "x-accel-buffering": "no"}


def frame(data: object, event: str | None = None) -> str:
    """One server-sent event: ``data`` as compact JSON (a str is sent as it is), optionally named."""
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    lines = "".join(f"data: {line}\n" for line in text.split("\n"))
    return (f"event: {event}\n" if event else "") + lines + "\n"


class AnswerStreamResponse(StreamingResponse):
    """A ``text/event-stream`` of an AnswerStream's frames.

    However the response ends — finished, the client disconnected, the server is shutting down — the frames
    are closed and the answer is stored: a stream that did not finish is aborted, so the audit log always
    holds the request's complete record (status ``aborted_client``).
    """

    def __init__(self, frames: AsyncGenerator[str, None], stream: AnswerStream) -> None:
        super().__init__(frames, media_type="text/event-stream", headers=SSE_HEADERS)
        self.frames = frames
        self.stream = stream

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the frames while listening for a disconnect (whatever the server's ASGI version: a backend
        that is still thinking sends nothing that could fail); on any ending, close the frames and make
        sure the answer was stored."""
        try:
            async with anyio.create_task_group() as group:

                async def send_all() -> None:
                    await self.stream_response(send)
                    group.cancel_scope.cancel()

                group.start_soon(send_all)
                await self.listen_for_disconnect(receive)
                group.cancel_scope.cancel()  # the client went away: stop drafting
        except* OSError:
            pass  # a server that reports a closed connection by failing ``send`` (ASGI 2.4)
        finally:
            await self.frames.aclose()
            self.stream.abort()
