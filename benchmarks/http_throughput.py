"""Answers per second over HTTP on loopback (extractive backend) and the server's resident memory.

``kaifong serve`` runs in its own process on a fresh database; this process drives it with
``CONCURRENCY`` keep-alive connections for ``SECONDS`` per endpoint, asking the golden questions in
turn. The baseline in the same run is the same server's ``GET /healthz`` — the cost of the web stack
alone — so the ratio shows what the answer pipeline costs on top. Memory is VmRSS / VmHWM from
``/proc`` after the load.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.common import percentile, questions, write

CONCURRENCY = 16
SECONDS = 8.0


def free_port() -> int:
    """An unused loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in kB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in {"VmRSS", "VmHWM"}:
            fields[key] = int(value.split()[0])
    return fields


async def load(base: str, make_request: object, seconds: float) -> dict[str, float]:
    """Drive the server for ``seconds`` with CONCURRENCY workers; count answers and errors."""
    done, errors, latencies = 0, 0, []
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30.0) as client:

        async def worker() -> None:
            nonlocal done, errors
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = await make_request(client)  # type: ignore[operator]
                latencies.append((time.perf_counter() - started) * 1000)
                if response.status_code == 200:
                    done += 1
                else:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - started
    return {
        "per_second": done / elapsed,
        "errors": errors,
        "requests": done + errors,
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
    }


def run() -> dict[str, object]:
    """Start a server, measure both endpoints, read its memory, stop it."""
    texts = [str(q["question"]) for q in questions("golden_questions.jsonl")]
    cycle = itertools.cycle(texts)
    folder = tempfile.mkdtemp(prefix="kaifong-http-")
    port = free_port()
    env = {**os.environ, "KAIFONG_DATABASE_URL": f"sqlite:///{folder}/http.db"}
    server = subprocess.Popen(
        [sys.executable, "-m", "kaifong.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1.0).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("kaifong serve did not start within 30 s")

        async def ask(client: httpx.AsyncClient) -> httpx.Response:
            return await client.post("/api/v1/answers", json={"question": next(cycle)})

        async def health(client: httpx.AsyncClient) -> httpx.Response:
            return await client.get("/healthz")

        asyncio.run(load(base, ask, 2.0))  # warm-up
        answers = asyncio.run(load(base, ask, SECONDS))
        baseline = asyncio.run(load(base, health, SECONDS))
        memory = memory_kb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=10)
    return {
        "concurrency": CONCURRENCY,
        "seconds": SECONDS,
        "answers": answers,
        "baseline_healthz": baseline,
        "ratio_answers_to_healthz": answers["per_second"] / baseline["per_second"],
        "server_memory_kb": memory,
    }


def print_table(results: dict[str, object]) -> None:
    """Answers/s beside the web stack's own ceiling, and the server's memory."""
    answers, baseline = results["answers"], results["baseline_healthz"]
    assert isinstance(answers, dict) and isinstance(baseline, dict)
    memory = results["server_memory_kb"]
    assert isinstance(memory, dict)
    print(f"\nHTTP on loopback ({results['concurrency']} connections; baseline = GET /healthz, same server)")
    print(f"{'endpoint':24} {'per second':>10} {'p50':>8} {'p95':>8} {'errors':>7}")
    for label, block in (("POST /api/v1/answers", answers), ("GET /healthz", baseline)):
        print(
            f"{label:24} {block['per_second']:>10.0f} {block['p50_ms']:>6.1f}ms {block['p95_ms']:>6.1f}ms"
            f" {block['errors']:>7}"
        )
    print(f"answers / healthz ratio: {results['ratio_answers_to_healthz']:.2f}")
    print(f"server memory: RSS {memory['VmRSS'] / 1024:.0f} MB, peak {memory['VmHWM'] / 1024:.0f} MB")


def main() -> None:
    """Run, print and write ``benchmarks/results/http.json``."""
    results = run()
    print_table(results)
    write("http", results)


if __name__ == "__main__":
    main()
