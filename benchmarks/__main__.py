"""``make bench``: every figure, each beside its baseline, printed as tables and written as JSON."""

from __future__ import annotations

import time

from benchmarks import (
    finder_quality,
    form_validators,
    guard_scorecard,
    http_throughput,
    kill_switch,
    language_eval,
    llm_overhead,
    pii_at_rest,
    pii_scorecard,
    pipeline_latency,
    retrieval_quality,
    translation_fidelity,
)
from benchmarks.common import write


def main() -> None:
    """Run the benchmarks in turn; the summary goes to ``benchmarks/results/summary.json``."""
    started = time.time()
    print("== Language detection (held-out test split; baseline = canto-filter + hanzidentifier)")
    language_eval.main()
    retrieval = retrieval_quality.run()
    retrieval_quality.print_table(retrieval)
    write("retrieval", retrieval)
    latency = pipeline_latency.run()
    pipeline_latency.print_table(latency)
    write("latency", latency)
    http = http_throughput.run()
    http_throughput.print_table(http)
    write("http", http)
    print("\n== PII scorecard (test templates; baseline = Presidio pattern recognizers, blank spaCy)")
    pii_scorecard.main()
    print("\n== PII at rest (1,000 conversations over HTTP; baseline = the raw questions in a text file)")
    pii_at_rest.main()
    print("\n== Guard scorecard (test half; baseline = a naive English keyword list)")
    guard_scorecard.main()
    kill_switch.main()
    print("\n== Form validators (labelled values; baseline = naive format regexes) and PDF time per form")
    form_validators.main([])
    translation_fidelity.main()
    llm_overhead.main()
    print("\n== Service and course finder (hand-checked profiles; baselines = keyword match, list all)")
    finder_quality.main()
    write(
        "summary",
        {
            "retrieval": retrieval,
            "latency": latency,
            "http": http,
            "seconds": round(time.time() - started, 1),
        },
    )
    print(f"\nresults in benchmarks/results/ ({time.time() - started:.0f} s)")


if __name__ == "__main__":
    main()
