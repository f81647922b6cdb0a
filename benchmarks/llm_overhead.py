"""What Kaifong's /v1 adds over calling the same model server directly, and answers with the model killed.

The model is ``kaifong.testing.llm_server.LLMTestServer`` replaying one grounded, cited reply in small
chunks. ``kaifong serve`` runs in its own process with ``KAIFONG_LLM__BACKEND=openai-compatible`` pointed at
it. One client asks, one request at a time, alternately (a) the model server directly and (b) Kaifong's
``POST /v1/chat/completions``, both with ``"stream": true``, and times the first content chunk (time to first
token) and ``[DONE]`` (total). The baseline is (a) in the same run; the figure is what (b) adds at p50 and
p95 — Kaifong's pipeline (guards, retrieval, prompt), its output checks and its holding of text until a
sentence is cited and complete. Goal: at most 20 ms added to the total at p95.

Fallback run: a fresh Kaifong and model server; the model server is stopped while the
``FALLBACK_KILL_AT``-th request is streaming. Every request, streamed or not, must still get an answer
(``answered`` or ``answered_fallback``) or the no-source reply — none a 5xx.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from benchmarks.common import percentile, write
from benchmarks.http_throughput import free_port
from kaifong.testing.llm_server import LLMTestServer, reply

REQUESTS = 150
WARM_UP = 10
FALLBACK_REQUESTS = 60
FALLBACK_KILL_AT = 20
#: Characters per chunk and the pause between chunks: about 40 tokens a second, a small local model.
CHUNK_CHARS = 4
CHUNK_DELAY_S = 0.005
REPLY = (
    "You can renew it online through GovHK or in person at a licensing office [1]. "
    "Bring your identity card and the completed application form [1]. "
    "Check the fee on the official page before you go [1]."
)
CITATION = re.compile(r"\[\d+\]")
QUESTIONS = (
    "How do I renew my driving licence?",
    "How do I apply for public rental housing?",
    "How do I renew my passport?",
    "點樣申請長者生活津貼？",
    "怎样申请公屋？",
    "How do I register a birth?",
)


@contextmanager
def kaifong_serving(model_url: str, **settings: str) -> Iterator[str]:
    """``kaifong serve`` on a free port and a fresh database, answering with the model at ``model_url``."""
    folder = tempfile.mkdtemp(prefix="kaifong-llm-")
    port = free_port()
    env = {
        **os.environ,
        "KAIFONG_DATABASE_URL": f"sqlite:///{folder}/llm.db",
        "KAIFONG_LLM__BACKEND": "openai-compatible",
        "KAIFONG_LLM__BASE_URL": model_url,
        "KAIFONG_LLM__MODEL": "test-model",
        **{f"KAIFONG_LLM__{k.upper()}": v for k, v in settings.items()},
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "kaifong.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            if server.poll() is not None:
                raise RuntimeError(f"kaifong serve exited with {server.returncode}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1.0, trust_env=False).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("kaifong serve did not start within 60 s")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


async def streamed(client: httpx.AsyncClient, url: str, body: dict[str, Any]) -> dict[str, Any]:
    """One streamed chat completion: time to the first content, time to ``[DONE]``, HTTP status, Kaifong
    status (from the extension field, when there is one)."""
    started = time.perf_counter()
    first: float | None = None
    cited: float | None = None  # when the text so far first holds a citation token such as [1]
    text = ""
    status = ""
    async with client.stream("POST", url, json=body) as response:
        if response.status_code != 200:
            await response.aread()
            return {
                "http": response.status_code,
                "status": "",
                "ttft_ms": None,
                "cite_ms": None,
                "total_ms": None,
            }
        async for line in response.aiter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            content = "".join(c["delta"].get("content") or "" for c in chunk.get("choices", ()))
            if first is None and content:
                first = time.perf_counter()
            text += content
            if cited is None and CITATION.search(text):
                cited = time.perf_counter()
            status = chunk.get("kaifong", {}).get("status", status)
    done = time.perf_counter()
    return {
        "http": 200,
        "status": status,
        "ttft_ms": (first - started) * 1000 if first else None,
        "cite_ms": (cited - started) * 1000 if cited else None,
        "total_ms": (done - started) * 1000,
    }


def _summary(values: list[float]) -> dict[str, float]:
    return {"p50_ms": percentile(values, 50), "p95_ms": percentile(values, 95), "n": len(values)}


async def _overhead(model_url: str, kaifong_url: str) -> dict[str, Any]:
    direct: list[dict[str, Any]] = []
    through: list[dict[str, Any]] = []
    limits = httpx.Limits(max_connections=2, max_keepalive_connections=2)
    async with httpx.AsyncClient(timeout=60.0, limits=limits, trust_env=False) as client:
        for index in range(WARM_UP + REQUESTS):
            question = QUESTIONS[index % len(QUESTIONS)]
            messages = [{"role": "user", "content": question}]
            a = await streamed(
                client,
                f"{model_url}/chat/completions",
                {"model": "test-model", "stream": True, "messages": messages},
            )
            b = await streamed(
                client,
                f"{kaifong_url}/v1/chat/completions",
                {"model": "kaifong", "stream": True, "messages": messages},
            )
            if index >= WARM_UP:
                direct.append(a)
                through.append(b)
    statuses = Counter(r["status"] for r in through)
    by_model = [(a, b) for a, b in zip(direct, through, strict=True) if b["status"] == "answered"]
    results: dict[str, Any] = {"requests": REQUESTS, "kaifong_statuses": dict(statuses)}
    for key in ("ttft_ms", "cite_ms", "total_ms"):
        base = _summary([a[key] for a, _ in by_model if a[key] is not None])
        ours = _summary([b[key] for _, b in by_model if b[key] is not None])
        results[key] = {
            "direct": base,
            "kaifong": ours,
            "added_p50_ms": ours["p50_ms"] - base["p50_ms"],
            "added_p95_ms": ours["p95_ms"] - base["p95_ms"],
            "ratio_p50": ours["p50_ms"] / base["p50_ms"],
        }
    return results


def run_overhead() -> dict[str, Any]:
    """Kaifong /v1 beside the model server, on the same reply."""
    paced = reply(REPLY, chunk_chars=CHUNK_CHARS, chunk_delay_s=CHUNK_DELAY_S)
    with LLMTestServer(default=paced) as model, kaifong_serving(model.base_url) as kaifong:
        results = asyncio.run(_overhead(model.base_url, kaifong))
    results["chunk"] = {"chars": CHUNK_CHARS, "delay_ms": CHUNK_DELAY_S * 1000}
    return results


async def _fallback(model: LLMTestServer, kaifong_url: str) -> dict[str, Any]:
    outcomes: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    async with httpx.AsyncClient(timeout=120.0, trust_env=False) as client:
        for index in range(FALLBACK_REQUESTS):
            question = QUESTIONS[index % len(QUESTIONS)]
            body = {"model": "kaifong", "messages": [{"role": "user", "content": question}]}
            if index == FALLBACK_KILL_AT:  # stop the model while this request is streaming from it
                loop.call_later(0.05, lambda: loop.run_in_executor(None, model.stop))
            if index % 2 == 0:
                outcome = await streamed(
                    client, f"{kaifong_url}/v1/chat/completions", {**body, "stream": True}
                )
            else:
                started = time.perf_counter()
                response = await client.post(f"{kaifong_url}/v1/chat/completions", json=body)
                status = (
                    response.json().get("kaifong", {}).get("status", "")
                    if response.status_code == 200
                    else ""
                )
                elapsed = (time.perf_counter() - started) * 1000
                outcome = {"http": response.status_code, "status": status, "total_ms": elapsed}
            outcome["after_kill"] = index >= FALLBACK_KILL_AT
            outcomes.append(outcome)
    good = {"answered", "answered_fallback", "no_sources"}
    after = [o for o in outcomes if o["after_kill"]]
    return {
        "requests": FALLBACK_REQUESTS,
        "killed_at": FALLBACK_KILL_AT,
        "statuses_before_kill": dict(Counter(o["status"] for o in outcomes if not o["after_kill"])),
        "statuses_after_kill": dict(Counter(o["status"] for o in after)),
        "killed_request_status": outcomes[FALLBACK_KILL_AT]["status"],
        "answer_or_no_source_share": sum(o["status"] in good for o in outcomes) / len(outcomes),
        "http_5xx": sum(o["http"] >= 500 for o in outcomes),
        "after_kill_total_ms": _summary([o["total_ms"] for o in after if o.get("total_ms") is not None]),
    }


def run_fallback() -> dict[str, Any]:
    """Kill the model server mid-run; count what the residents got."""
    paced = reply(REPLY, chunk_chars=CHUNK_CHARS, chunk_delay_s=0.02)
    model = LLMTestServer(default=paced).start()
    try:
        with kaifong_serving(model.base_url, max_retries="1", backoff_s="0.05") as kaifong:
            return asyncio.run(_fallback(model, kaifong))
    finally:
        model.stop()


def run() -> dict[str, Any]:
    """Both runs, and the machine's load average (1 minute) before and after: the figures move with it."""
    load_before = os.getloadavg()[0]
    results = {"overhead": run_overhead(), "fallback": run_fallback()}
    results["load_average"] = {"before": load_before, "after": os.getloadavg()[0], "cpus": os.cpu_count()}
    return results


def print_table(results: dict[str, Any]) -> None:
    """Time to first token and total, direct beside through Kaifong; the fallback tally."""
    overhead, fallback = results["overhead"], results["fallback"]
    chunk = overhead["chunk"]
    print(
        f"\n== LLM overhead: /v1 streamed through Kaifong vs the same test model server directly "
        f"({overhead['requests']} requests each, one at a time; {chunk['chars']} chars per chunk every "
        f"{chunk['delay_ms']:.0f} ms)"
    )
    print(
        f"{'':22} {'direct p50':>11} {'p95':>8} {'Kaifong p50':>12} {'p95':>8} {'added p50':>10} {'p95':>8}"
    )
    rows = (("ttft_ms", "time to first token"), ("cite_ms", "time to first citation"), ("total_ms", "total"))
    for key, label in rows:
        row = overhead[key]
        d, k = row["direct"], row["kaifong"]
        direct = f"{d['p50_ms']:>9.1f}ms {d['p95_ms']:>6.1f}ms"
        ours = f"{k['p50_ms']:>10.1f}ms {k['p95_ms']:>6.1f}ms"
        print(f"{label:22} {direct} {ours} {row['added_p50_ms']:>8.1f}ms {row['added_p95_ms']:>6.1f}ms")
    print(f"Kaifong statuses: {overhead['kaifong_statuses']} (goal: total added at p95 <= 20 ms)")
    load = results["load_average"]
    print(f"load average {load['before']:.1f} before, {load['after']:.1f} after ({load['cpus']} CPUs)")
    killed, total = fallback["killed_at"], fallback["requests"]
    print(
        f"\n== Fallback: model server stopped during request {killed} of {total} (streamed and whole in turn)"
    )
    print(f"before: {fallback['statuses_before_kill']}")
    cut = fallback["killed_request_status"]
    print(f"after:  {fallback['statuses_after_kill']} (the request cut mid-stream: {cut})")
    after = fallback["after_kill_total_ms"]
    share, errors = fallback["answer_or_no_source_share"], fallback["http_5xx"]
    print(f"answer or no-source reply: {share:.0%}; HTTP 5xx: {errors}; after the kill", end=" ")
    print(f"p50 {after['p50_ms']:.0f} ms, p95 {after['p95_ms']:.0f} ms")


def main() -> None:
    """Run, print and write ``benchmarks/results/llm_overhead.json``."""
    results = run()
    print_table(results)
    write("llm_overhead", results)


if __name__ == "__main__":
    main()
