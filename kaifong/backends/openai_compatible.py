"""OpenAICompatibleBackend: grounded answers from an OpenAI-compatible model server (vLLM, Ollama, llama.cpp).

One call: the register's prompt (``prompts.py``) with the numbered passages → ``POST
<base_url>/chat/completions`` (whole, or streamed as server-sent events) → control characters removed,
the script enforced (Simplified or Hong Kong Traditional) → citation tokens mapped to the retrieved
documents and foreign addresses removed (``citations.py``). Connection errors, HTTP 429 and 5xx are
retried (``max_retries``, exponential backoff with jitter, ``Retry-After`` honoured up to 8 s); timeouts are
not (the resident is already waiting). A circuit breaker fails fast while the server is down. Everything
that goes wrong is a ``BackendError`` with a reason; the API key is sent only in the Authorization header
and never appears in a message, a log line or ``repr``.

Inside ``async with backend.connections():`` (the web app's lifespan) calls made on that event loop share
one ``httpx.AsyncClient`` whose connections are kept alive between answers (``KEEPALIVE_S``), and the block's
end closes it; any other call (the CLI, a test, another loop) opens its own client and closes it when the
call ends. One TLS context is built once per process. See docs/adr/0007-generative-backends.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import ssl
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from functools import cache
from typing import Any

import httpx

from kaifong.backends.base import BackendError, Completion, CompletionRequest
from kaifong.backends.breaker import CircuitBreaker
from kaifong.backends.citations import CitationMapper
from kaifong.backends.prompts import Prompt, load_prompts, number_passages, prompt_for
from kaifong.backends.sse import completion_text, stream_text
from kaifong.governance.sanitise import strip_invisible
from kaifong.language.convert import to_hans, to_hant
from kaifong.settings import LLMSettings
from kaifong.types import Detection, ScoredPassage

log = logging.getLogger(__name__)

#: The longest wait between two attempts, whatever the backoff or the server's Retry-After says.
MAX_BACKOFF_S = 8.0
#: Share of an answer's characters that may be control or replacement characters before it is garbage.
GARBAGE_SHARE = 0.1
#: Seconds an idle kept-alive connection to the model server is reused for: under the 5 s after which
#: uvicorn (vLLM) and others close idle connections, so a reused connection is seldom one being closed.
KEEPALIVE_S = 4.0
#: Longest wait, in seconds, for the rest of a response that is no longer needed (a stream's end after
#: ``[DONE]``, an error's body) so that its connection can be kept; a server slower than that has it closed.
DRAIN_S = 0.05


@cache
def _tls_context() -> ssl.SSLContext:
    """The certificate store, loaded once per process (loading it per client costs ~100 ms)."""
    return httpx.create_ssl_context()


def _status_error(status: int, settings: LLMSettings) -> BackendError:
    """What an HTTP error status means for the operator, and which setting to check."""
    if status in (401, 403):
        hint = "the server refused the credentials: check KAIFONG_LLM__API_KEY"
    elif status == 404:
        hint = (
            f"no endpoint or no model {settings.model!r}: check KAIFONG_LLM__BASE_URL and KAIFONG_LLM__MODEL"
        )
    elif status in (400, 413, 422):
        hint = (
            "the server rejected the request; if the prompt is too long, lower KAIFONG_LLM__MAX_PROMPT_CHARS"
        )
    elif status == 429:
        hint = "the server is rate-limiting"
    else:
        hint = "the server failed"
    return BackendError(f"model server answered HTTP {status}: {hint}", reason=f"http_{status}")


def _retryable(status: int) -> bool:
    return status == 429 or status >= 500


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("retry-after", "")))
    except ValueError:
        return None


def _printable(text: str) -> str:
    """``text`` without control, invisible or replacement characters."""
    return strip_invisible(text.replace("\r", "")).replace("\ufffd", "")


def _script(detection: Detection) -> Callable[[str], str]:
    """The answer's characters in the question's script (a model may slip into the other one)."""
    if not detection.is_chinese:
        return str
    return to_hans if detection.script == "Hans" else to_hant


async def _drain(rest: AsyncIterator[object]) -> None:
    """Read and drop what is left of a response, for at most DRAIN_S; a failure here is no failure of the
    call (the connection is then closed instead of kept)."""
    with contextlib.suppress(TimeoutError, BackendError, httpx.HTTPError):
        async with asyncio.timeout(DRAIN_S):
            async for _ in rest:
                pass


class _GarbageMeter:
    """Counts an answer's characters and the unprintable ones, to tell garbage from an answer."""

    def __init__(self) -> None:
        self.total = 0
        self.kept = 0

    def clean(self, raw: str) -> str:
        text = _printable(raw)
        self.total += len(raw.replace("\r", ""))
        self.kept += len(text)
        return text

    def check(self, text_so_far: str) -> None:
        if self.total == 0:
            raise BackendError("the model server sent an empty answer", reason="empty")
        if not text_so_far.strip() or (self.total - self.kept) / self.total > GARBAGE_SHARE:
            raise BackendError(
                f"the model server's answer is garbage ({self.total - self.kept} of {self.total} "
                "characters are control or replacement characters)",
                reason="garbage",
            )


class OpenAICompatibleBackend:
    """An LLMBackend (and StreamingBackend) over any OpenAI-compatible ``/chat/completions`` endpoint."""

    name = "openai-compatible"
    version = "1"

    def __init__(
        self,
        settings: LLMSettings,
        *,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        if not settings.base_url or not settings.model.strip():
            raise ValueError(
                "OpenAICompatibleBackend needs KAIFONG_LLM__BASE_URL and KAIFONG_LLM__MODEL "
                "(e.g. http://127.0.0.1:8080/v1 and the model name the server lists)"
            )
        load_prompts()  # a broken prompt file stops start-up here, not a resident's request
        self.settings = settings
        self.model = settings.model
        #: Where the model runs (host and port of base_url), for the transparency page.
        self.runs = settings.host
        self.breaker = CircuitBreaker(settings.circuit_failures, settings.circuit_cooldown_s, clock=clock)
        self._url = f"{settings.base_url}/chat/completions"
        self._rng = rng or random.Random()
        self._timeout = httpx.Timeout(settings.timeout_s, connect=settings.connect_timeout_s)
        #: The shared client of each event loop inside ``connections()``.
        self._pools: dict[asyncio.AbstractEventLoop, httpx.AsyncClient] = {}

    def __repr__(self) -> str:
        return f"OpenAICompatibleBackend(base_url={self.settings.base_url!r}, model={self.model!r})"

    @contextlib.asynccontextmanager
    async def connections(self) -> AsyncIterator[None]:
        """Within the block, calls on this event loop share one client and keep its connections alive;
        the block's end closes them (nested blocks on the same loop share the outer one's client)."""
        loop = asyncio.get_running_loop()
        if loop in self._pools:
            yield
            return
        self._pools[loop] = client = self._new_client()
        try:
            yield
        finally:
            del self._pools[loop]
            await client.aclose()

    # --- the protocol --------------------------------------------------------------------------------

    async def complete(self, request: CompletionRequest) -> Completion:
        """A grounded draft from the model server, citing only the request's documents."""
        prompt, numbered, payload = self._prepare(request, stream=False)
        if not numbered:
            return Completion("", (), prompt.prompt_id)
        text = await self._whole(payload)
        mapped = CitationMapper([sp.passage for sp in numbered]).whole(_script(request.detection)(text))
        return Completion(mapped.text.strip(), mapped.cited_doc_ids, prompt.prompt_id)

    async def stream(self, request: CompletionRequest) -> AsyncIterator[Completion]:
        """The draft as the server streams it; citation tokens are mapped as they arrive (a partial
        ``[1`` waits for the next piece). The first delta carries the prompt id."""
        prompt, numbered, payload = self._prepare(request, stream=True)
        if not numbered:
            return
        self.breaker.before_call()
        mapper = CitationMapper([sp.passage for sp in numbered])
        convert, meter = _script(request.detection), _GarbageMeter()
        released: list[str] = []
        prompt_id = prompt.prompt_id
        try:
            async with self._client() as client:
                response = await self._send(client, payload, stream=True)
                try:
                    lines = self._lines(response)
                    async for piece in stream_text(lines):
                        delta = mapper.feed(convert(meter.clean(piece)))
                        if delta.text or delta.cited_doc_ids:
                            released.append(delta.text)
                            yield Completion(delta.text, delta.cited_doc_ids, prompt_id)
                            prompt_id = ""
                    await _drain(lines)  # the body's end after [DONE], so the connection can be kept
                finally:
                    await response.aclose()
            last = mapper.finish()
            meter.check("".join(released) + last.text)
        except BaseException as exc:
            failure = self._failed(exc)
            if failure is exc:
                raise
            raise failure from exc
        self.breaker.success()
        if last.text or last.cited_doc_ids:
            yield Completion(last.text, last.cited_doc_ids, prompt_id)

    async def generate(self, messages: Sequence[Mapping[str, str]]) -> str:
        """The model's reply to chat ``messages`` (the translation seam, kaifong.tools.translate), with
        the same retries, circuit breaker and garbage check as answers; raises BackendError only."""
        payload = {
            "model": self.model,
            "messages": [{"role": m["role"], "content": m["content"]} for m in messages],
            "temperature": self.settings.temperature,
            "stream": False,
        }
        return await self._whole(payload)

    # --- one call --------------------------------------------------------------------------------------

    async def _whole(self, payload: dict[str, Any]) -> str:
        """One non-streamed reply's text, through the breaker, retries and the garbage check."""
        self.breaker.before_call()
        try:
            async with self._client() as client:
                response = await self._send(client, payload, stream=True)
                try:
                    body = await self._read(response)
                finally:
                    await response.aclose()
            meter = _GarbageMeter()
            text = meter.clean(completion_text(body))
            meter.check(text)
        except BaseException as exc:
            failure = self._failed(exc)
            if failure is exc:
                raise
            raise failure from exc
        self.breaker.success()
        return text

    def _prepare(
        self, request: CompletionRequest, *, stream: bool
    ) -> tuple[Prompt, list[ScoredPassage], dict[str, Any]]:
        prompt = prompt_for(request.detection)
        numbered, block = number_passages(request.passages, request.detection, self.settings.max_prompt_chars)
        payload = {
            "model": self.model,
            "messages": prompt.messages(request.question, block),
            "temperature": self.settings.temperature,
            "max_tokens": self.settings.max_tokens,
            "stream": stream,
        }
        return prompt, numbered, payload

    @contextlib.asynccontextmanager
    async def _client(self) -> AsyncIterator[httpx.AsyncClient]:
        """This loop's shared client inside ``connections()``; otherwise a client for this call only."""
        pooled = self._pools.get(asyncio.get_running_loop())
        if pooled is not None:
            yield pooled
            return
        async with self._new_client() as client:
            yield client

    def _new_client(self) -> httpx.AsyncClient:
        https = self.settings.base_url.startswith("https://")
        headers = {"Accept": "application/json, text/event-stream"}
        key = self.settings.api_key.get_secret_value() if self.settings.api_key else ""
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return httpx.AsyncClient(
            timeout=self._timeout,
            headers=headers,
            verify=_tls_context() if https else False,
            # as many connections as calls (as with a client per call); up to 20 idle ones are kept
            limits=httpx.Limits(max_keepalive_connections=20, keepalive_expiry=KEEPALIVE_S),
        )

    async def _send(
        self, client: httpx.AsyncClient, payload: dict[str, Any], *, stream: bool
    ) -> httpx.Response:
        """The server's 2xx response (body not yet read), after retrying connection errors, 429 and 5xx."""
        attempts = self.settings.max_retries + 1
        for attempt in range(attempts):
            retry_after: float | None = None
            try:
                response = await client.send(
                    client.build_request("POST", self._url, json=payload), stream=True
                )
            except (httpx.NetworkError, httpx.ConnectTimeout, httpx.RemoteProtocolError) as exc:
                # connecting failed, or the connection broke before the answer began (a kept-alive one
                # the server had just closed or reset): worth another attempt
                error = BackendError(
                    f"cannot reach the model server at {self.runs} ({type(exc).__name__}); is it running?",
                    reason="connect",
                )
            except httpx.TimeoutException:
                raise self._timeout_error() from None
            except httpx.HTTPError as exc:
                raise BackendError(
                    f"network error talking to the model server ({type(exc).__name__})", reason="network"
                ) from None
            else:
                if response.is_success:
                    return response
                await _drain(response.aiter_raw())
                await response.aclose()
                error = _status_error(response.status_code, self.settings)
                if not _retryable(response.status_code):
                    raise error
                retry_after = _retry_after(response)
            if attempt == attempts - 1:
                if attempts > 1:
                    error = BackendError(f"{error} (after {attempts} attempts)", reason=error.reason)
                raise error
            delay = self._backoff(attempt, retry_after)
            log.warning(
                "model server call failed (%s), attempt %d of %d; retrying in %.2f s",
                error.reason,
                attempt + 1,
                attempts,
                delay,
            )
            await asyncio.sleep(delay)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        """Exponential backoff with equal jitter, at least the server's Retry-After, at most MAX_BACKOFF_S."""
        delay: float = self.settings.backoff_s * 2.0**attempt
        delay = delay / 2 + self._rng.uniform(0, delay / 2)
        if retry_after is not None:
            delay = max(delay, retry_after)
        return min(delay, MAX_BACKOFF_S)

    async def _read(self, response: httpx.Response) -> str:
        try:
            await response.aread()
        except httpx.TimeoutException:
            raise self._timeout_error() from None
        except httpx.HTTPError as exc:
            raise BackendError(
                f"the model server's answer was cut off ({type(exc).__name__})", reason="truncated"
            ) from None
        return response.text

    async def _lines(self, response: httpx.Response) -> AsyncIterator[str]:
        """The body's lines as they arrive, split only where server-sent events end a line (LF, CRLF or CR):
        not at U+2028, U+0085 and the other breaks of ``str.splitlines`` (and ``aiter_lines``), which a
        server may leave unescaped inside an event's JSON."""
        buffer = b""
        try:
            async for chunk in response.aiter_bytes():
                buffer += chunk
                if b"\r" in buffer:  # a CR at the very end may be the first half of a CRLF: kept for later
                    held = buffer.endswith(b"\r")
                    buffer = buffer[:-1] if held else buffer
                    buffer = buffer.replace(b"\r\n", b"\n").replace(b"\r", b"\n") + (b"\r" if held else b"")
                *lines, buffer = buffer.split(b"\n")
                for line in lines:  # split at ASCII bytes, so each line is whole UTF-8
                    yield line.decode("utf-8", "replace")
            if buffer:
                yield buffer.removesuffix(b"\r").decode("utf-8", "replace")
        except httpx.TimeoutException:
            raise self._timeout_error() from None
        except httpx.HTTPError as exc:
            raise BackendError(
                f"the model server's stream was cut off ({type(exc).__name__})", reason="truncated"
            ) from None

    def _timeout_error(self) -> BackendError:
        return BackendError(
            f"the model server did not answer within {self.settings.timeout_s:g} s (KAIFONG_LLM__TIMEOUT_S)",
            reason="timeout",
        )

    def _failed(self, exc: BaseException) -> BaseException:
        """Count a failed call on the breaker and turn anything unexpected into BackendError; a cancelled
        call (the reader went away) counts neither way and is re-raised as it is."""
        if not isinstance(exc, Exception):
            self.breaker.abandon()
            return exc
        self.breaker.failure()
        if isinstance(exc, BackendError):
            log.warning("model server call failed: %s (%s)", exc.reason, exc)
            return exc
        log.warning("model server call failed unexpectedly: %s", type(exc).__name__)
        return BackendError(
            f"unexpected {type(exc).__name__} while talking to the model server", reason="internal"
        )
