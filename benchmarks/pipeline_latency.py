"""Latency of the whole non-LLM pipeline per question (p50/p95), bundled base and a 50,000-passage base.

Every golden question goes through ``kaifong.pipeline.answer`` exactly as the API runs it
(sanitise → detect → PII → retrieve → compose → check → store turn → audit). The baseline in the
same run is plain BM25 (bm25s over jieba tokens) answering the same questions over the same passages
— the search alone, with none of the rest. The synthetic base repeats the bundled passages with
their words shuffled (deterministic seed) under new document ids until it holds ``SYNTHETIC`` passages.
"""

from __future__ import annotations

import asyncio
import random
import time

from sqlalchemy import func, select

from benchmarks.common import fresh_services, percentile, questions, write
from benchmarks.retrieval_quality import Bm25Baseline
from kaifong.knowledge.documents import Document
from kaifong.knowledge.ingest import bundled_documents, store_document
from kaifong.pipeline import answer
from kaifong.services import Services
from kaifong.store.tables import passages

SYNTHETIC = 50_000
SEED = 7


def grow(services: Services, target: int) -> int:
    """Add shuffled copies of the bundled documents until the base holds ``target`` passages."""
    rng = random.Random(SEED)
    originals = bundled_documents()
    with services.engine.connect() as conn:
        have = int(conn.execute(select(func.count()).select_from(passages)).scalar_one())
    copy = 0
    while have < target:
        with services.engine.begin() as conn:
            for _ in range(200):
                doc = rng.choice(originals)
                lines = doc.body.splitlines()
                for i, line in enumerate(lines):
                    if line and not line.startswith("#"):
                        chars = list(line)
                        rng.shuffle(chars)
                        lines[i] = "".join(chars) if rng.random() < 0.5 else line
                copy += 1
                clone = Document(
                    topic=f"synthetic-{copy}",
                    language=doc.language,
                    title=f"{doc.title} ({copy})",
                    body="\n".join(lines),
                    department=doc.department,
                    url=doc.url,
                    source="synthetic",
                    doc_id=f"synthetic-{copy}:{doc.language}",
                )
                store_document(conn, clone)
            have = int(conn.execute(select(func.count()).select_from(passages)).scalar_one())
    return have


def time_pipeline(services: Services, texts: list[str], rounds: int = 3) -> list[float]:
    """Milliseconds per question through the whole pipeline (after one warm-up pass)."""

    async def go() -> list[float]:
        for question in texts[:20]:
            await answer(question, services)
        timings = []
        for _ in range(rounds):
            for question in texts:
                started = time.perf_counter()
                await answer(question, services)
                timings.append((time.perf_counter() - started) * 1000)
        return timings

    return asyncio.run(go())


def time_baseline(baseline: Bm25Baseline, texts: list[str], rounds: int = 3) -> list[float]:
    """Milliseconds per question for the plain BM25 search alone."""
    timings = []
    for _ in range(rounds):
        for question in texts:
            started = time.perf_counter()
            baseline.topics_for(question)
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def summary(timings: list[float]) -> dict[str, float]:
    """Median and p95 in milliseconds."""
    return {"p50_ms": percentile(timings, 50), "p95_ms": percentile(timings, 95), "n": len(timings)}


def run() -> dict[str, object]:
    """Time both bases; the 50k base is built in a fresh database."""
    texts = [str(q["question"]) for q in questions("golden_questions.jsonl")]
    results: dict[str, object] = {}
    for label, target in (("bundled", 0), ("synthetic_50k", SYNTHETIC)):
        services = fresh_services()
        size = grow(services, target) if target else None
        baseline = Bm25Baseline(services)
        results[label] = {
            "passages": size or services.knowledge.counts()["passages"],
            "kaifong": summary(time_pipeline(services, texts)),
            "baseline_bm25_search_only": summary(time_baseline(baseline, texts)),
        }
        services.close()
    return results


def print_table(results: dict[str, object]) -> None:
    """p50/p95 of the whole pipeline beside the baseline's search alone."""
    print("\nPipeline latency per question (whole non-LLM pipeline; baseline = plain BM25 search only)")
    print(f"{'base':14} {'passages':>9} {'kaifong p50':>12} {'p95':>8} {'baseline p50':>13} {'p95':>8}")
    for label, block in results.items():
        assert isinstance(block, dict)
        ours, theirs = block["kaifong"], block["baseline_bm25_search_only"]
        print(
            f"{label:14} {block['passages']:>9} {ours['p50_ms']:>10.2f}ms {ours['p95_ms']:>6.2f}ms"
            f" {theirs['p50_ms']:>11.2f}ms {theirs['p95_ms']:>6.2f}ms"
        )


def main() -> None:
    """Run, print and write ``benchmarks/results/latency.json``."""
    results = run()
    print_table(results)
    write("latency", results)


if __name__ == "__main__":
    main()
