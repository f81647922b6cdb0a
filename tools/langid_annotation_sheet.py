"""Write the blind register-annotation sheet for the language benchmark's Chinese items.

Run ``python -m tools.langid_annotation_sheet OUT_DIR``. It writes ``sheet-1.tsv`` and ``sheet-2.tsv``
(``id<TAB>text``, the items of both splits shuffled together, no labels, no sources, no detector output)
and ``key.tsv`` (``id<TAB>text``, the same rows in id order, for joining the annotations back). Items:
every ``yue-Hant``, ``yue-Hans`` and ``zh-Hant`` item of the benchmark with at least ``MIN_REGISTER_HAN``
Han characters (shorter items are not register-determinable anyway); ``zh-Hans`` items are ``zh-Hant``
items converted, so they take their source's annotation. The annotation protocol is in ADR 0009.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import language_eval  # noqa: E402

SEED = 20261122
ANNOTATED = ("yue-Hant", "yue-Hans", "zh-Hant")


def sheet_items() -> list[str]:
    """The texts to annotate, deduplicated, in a seeded random order."""
    texts = {
        text
        for split in language_eval.build_splits().values()
        for text, label in split
        if label in ANNOTATED and len(language_eval._HAN.findall(text)) >= language_eval.MIN_REGISTER_HAN
    }
    ordered = sorted(texts)
    random.Random(SEED).shuffle(ordered)
    return ordered


def main(out: Path) -> None:
    """Write the two sheets and the key into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    rows = [(f"R{i:04d}", text) for i, text in enumerate(sheet_items(), start=1)]
    half = (len(rows) + 1) // 2
    for name, part in (("sheet-1.tsv", rows[:half]), ("sheet-2.tsv", rows[half:]), ("key.tsv", rows)):
        (out / name).write_text("".join(f"{i}\t{t}\n" for i, t in part), encoding="utf-8")
    print(f"{len(rows)} items: sheet-1 {half}, sheet-2 {len(rows) - half}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "."))
