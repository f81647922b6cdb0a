"""Kill-switch check: reading the switch from the database on every request, beside the answer it guards.

The switch is read at the start of every request (``kaifong.oversight.killswitch.is_engaged``: one
primary-key lookup on a pooled SQLite connection), so a flip takes effect on the next question in every
process. The alternative would be an in-process cache with a short TTL, which saves the lookup but lets
each replica keep answering for up to the TTL after operators turn the switch on. This measures both, and
the baseline in the same run is the whole answer (switch off) over the golden questions: the read is
worth caching only if it is a visible share of that. The fixed reply (switch on) is timed too.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from sqlalchemy import Engine

from benchmarks.common import fresh_services, percentile, questions, write
from kaifong.oversight import flip, is_engaged
from kaifong.pipeline import answer
from kaifong.services import Services

READS = 20_000
TTL_S = 1.0


class TtlCache:
    """The alternative not taken: the switch cached in the process for ``ttl`` seconds."""

    def __init__(self, engine: Engine, ttl: float = TTL_S) -> None:
        self.engine = engine
        self.ttl = ttl
        self.value = False
        self.read_at = float("-inf")

    def engaged(self) -> bool:
        now = time.monotonic()
        if now - self.read_at > self.ttl:
            self.value, self.read_at = is_engaged(self.engine), now
        return self.value


def time_calls(call: Callable[[], object], n: int) -> list[float]:
    """Microseconds per call."""
    timings = []
    for _ in range(n):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1e6)
    return timings


def time_answers(services: Services, texts: list[str]) -> list[float]:
    """Milliseconds per question through the whole pipeline (after a warm-up pass)."""

    async def go() -> list[float]:
        for question in texts[:10]:
            await answer(question, services)
        timings = []
        for question in texts:
            started = time.perf_counter()
            await answer(question, services)
            timings.append((time.perf_counter() - started) * 1000)
        return timings

    return asyncio.run(go())


def stats(values: list[float]) -> dict[str, float]:
    return {"p50": percentile(values, 50), "p95": percentile(values, 95), "n": len(values)}


def run() -> dict[str, object]:
    """Time the read, the cached read, the whole answer and the fixed reply on one fresh database."""
    texts = [str(q["question"]) for q in questions("golden_questions.jsonl")]
    services = fresh_services()
    try:
        is_engaged(services.engine)  # open the pool
        per_request = time_calls(lambda: is_engaged(services.engine), READS)
        cache = TtlCache(services.engine)
        cached = time_calls(cache.engaged, READS)
        answers = time_answers(services, texts)
        flip(services.engine, services.audit, engaged=True, reason="benchmark", operator="bench")
        fixed = time_answers(services, texts)
    finally:
        services.close()
    read, whole = stats(per_request), stats(answers)
    return {
        "read_per_request_us": read,
        "ttl_cached_us": stats(cached),
        "whole_answer_ms": whole,
        "fixed_reply_ms": stats(fixed),
        "read_share_of_answer": read["p50"] / (whole["p50"] * 1000),
        "ttl_s": TTL_S,
    }


def print_table(results: dict[str, object]) -> None:
    """The read beside the answer it guards."""
    print("\nKill-switch check per request (baseline = the whole answer, switch off, same run)")
    print(f"{'what':34} {'p50':>10} {'p95':>10} {'n':>7}")
    rows = [
        ("read per request (chosen)", "read_per_request_us", "µs"),
        (f"cached in process ({TTL_S:g} s TTL)", "ttl_cached_us", "µs"),
        ("whole answer, switch off", "whole_answer_ms", "ms"),
        ("fixed reply, switch on", "fixed_reply_ms", "ms"),
    ]
    for label, key, unit in rows:
        block = results[key]
        assert isinstance(block, dict)
        print(f"{label:34} {block['p50']:>8.2f}{unit} {block['p95']:>8.2f}{unit} {block['n']:>7}")
    share = results["read_share_of_answer"]
    assert isinstance(share, float)
    print(f"the read is {share:.3%} of a median answer")


def main() -> None:
    """Run, print and write ``benchmarks/results/kill_switch.json``."""
    results = run()
    print_table(results)
    write("kill_switch", results)


if __name__ == "__main__":
    main()
