"""Form validators: accuracy on labelled valid/invalid values beside naive regexes; PDF time per form.

Data: ``tests/data/form_values.jsonl``, 197 values of seven answer types (HKID, phone, date of birth,
amount, address, yes/no, whole number) in English and Chinese writings, each labelled valid or invalid
and, when valid, with the canonical value expected.  The labels were written by hand (HKID check
characters computed with the GOVERNANCE.md algorithm by a separate one-off script); the set was written
alongside the validators, so it is a development set, not a held-out one.  Dates are dates of birth
(not in the future) judged on 2026-11-22; whole numbers are 0-120.

Ours: ``kaifong.tools.forms.validators.validate``; an accepted valid value counts as right only when its
canonical value is the one expected (``2/3/1958`` must become 1958-03-02, day first).  Baseline: the
regular expressions a quick web form would use (format only: no check digit, no calendar, no Chinese),
measured in the same run on the same values.

PDF: every bundled form filled with sample answers, rendered with fpdf2 in Noto Sans CJK HK (ours) and,
as the baseline, the same entries in fpdf2's built-in Helvetica (Latin-1 only, no font embedding), so
the ratio is the cost of embedding and subsetting the CJK font; median of ``--runs`` renders.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import write  # noqa: E402
from kaifong.tools.forms.output import FilledEntry, FilledForm  # noqa: E402
from kaifong.tools.forms.pdf import render_pdf  # noqa: E402
from kaifong.tools.forms.schema import FieldSpec, LocalText, Rules, bundled_forms  # noqa: E402
from kaifong.tools.forms.validators import Accepted, validate  # noqa: E402

DATA = ROOT / "tests" / "data" / "form_values.jsonl"
TODAY = date(2026, 11, 22)
NAME = LocalText({"en": "x", "zh-Hant": "x", "zh-Hans": "x", "yue-Hant": "x"})
RULES: dict[str, Rules] = {
    "date": Rules(past=True),
    "integer": Rules(minimum=Decimal(0), maximum=Decimal(120)),
}
BASELINE: dict[str, re.Pattern[str]] = {
    "hkid": re.compile(r"[A-Z]{1,2}[0-9]{6}\([0-9A]\)"),
    "phone": re.compile(r"[0-9]{4} ?[0-9]{4}"),
    "date": re.compile(r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}"),
    "amount": re.compile(r"\$?[0-9]{1,3}(,[0-9]{3})*(\.[0-9]{2})?|\$?[0-9]+(\.[0-9]{2})?"),
    "address": re.compile(r".+"),
    "yes_no": re.compile(r"(?i)yes|no|y|n"),
    "integer": re.compile(r"[0-9]+"),
}
SAMPLES: dict[str, str] = {
    "hkid": "A123456(3)",
    "phone": "+852 9123 4567",
    "date": "1958-03-02",
    "address": "沙田瀝源邨福海樓5樓12室 Flat 12, 5/F, Fook Hoi House, Lek Yuen Estate, Sha Tin",
    "amount": "HK$12,000.00",
    "integer": "3",
    "email": "chan.tai.man@example.com",
}


def load() -> list[dict[str, object]]:
    """The labelled values."""
    return [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]


def accuracy(rows: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    """Per type: n, our accuracy (canonical values must match), the baseline's accept/reject accuracy."""
    results: dict[str, dict[str, object]] = {}
    for kind in sorted({str(row["type"]) for row in rows}):
        subset = [row for row in rows if row["type"] == kind]
        spec = FieldSpec("f", kind, True, NAME, NAME, (), RULES.get(kind, Rules()))  # type: ignore[arg-type]
        ours = base = 0
        errors: list[str] = []
        for row in subset:
            verdict = validate(spec, str(row["value"]), "en", TODAY)
            if row["valid"]:
                right = isinstance(verdict, Accepted) and verdict.value == row["canonical"]
            else:
                right = not isinstance(verdict, Accepted)
            ours += right
            if not right:
                errors.append(str(row["value"]))
            base += bool(BASELINE[kind].fullmatch(str(row["value"]).strip())) == bool(row["valid"])
        results[kind] = {
            "n": len(subset),
            "valid": sum(bool(row["valid"]) for row in subset),
            "kaifong": round(ours / len(subset), 3),
            "baseline": round(base / len(subset), 3),
            "kaifong_errors": errors,
        }
    total = sum(int(str(r["n"])) for r in results.values())
    results["all"] = {
        "n": total,
        "kaifong": round(
            sum(float(str(r["kaifong"])) * int(str(r["n"])) for r in results.values()) / total, 3
        ),
        "baseline": round(
            sum(float(str(r["baseline"])) * int(str(r["n"])) for r in results.values()) / total, 3
        ),
    }
    return results


def sample_value(spec: FieldSpec) -> str:
    """A plausible printed answer for a field (choices and yes/no as their English labels)."""
    if spec.type == "choice":
        return spec.choices[0].label("en")
    if spec.type == "yes_no":
        return "Yes"
    if spec.type == "text":
        return "陳𠵱文" if spec.rules.script == "han" else "CHAN Tai Man"
    return SAMPLES[spec.type]


def filled_forms() -> list[FilledForm]:
    """Every bundled form with every field answered (conditions ignored: the longest document)."""
    forms = []
    for definition in bundled_forms().values():
        entries = tuple(
            FilledEntry(
                spec.id,
                definition.section_of(spec.id).title("en"),
                spec.label("en"),
                sample_value(spec),
                None,
            )
            for spec in definition.fields
        )
        forms.append(FilledForm(definition, "en", TODAY, entries))
    return forms


def render_latin(filled: FilledForm) -> bytes:
    """The baseline PDF: the same entries in built-in Helvetica (characters outside Latin-1 become '?')."""
    from fpdf import FPDF

    def latin(text: str) -> str:
        return text.encode("latin-1", "replace").decode("latin-1")

    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, latin(filled.definition.title("en")), new_x="LMARGIN", new_y="NEXT")
    for entry in filled.entries:
        pdf.multi_cell(0, 6, latin(f"{entry.label}: {entry.shown}"), new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 6, latin(filled.definition.submit("en")), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def median_ms(render: Callable[[FilledForm], bytes], filled: FilledForm, runs: int) -> tuple[float, float]:
    """Median wall-clock and CPU milliseconds of ``runs`` renders (CPU time is steadier on a busy machine)."""
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        render(filled)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return round(statistics.median(wall), 1), round(statistics.median(cpu), 1)


def pdf_times(runs: int) -> dict[str, dict[str, float]]:
    """Median milliseconds per form (wall and CPU): ours (Noto Sans CJK HK) and the Helvetica baseline."""
    render_pdf(filled_forms()[0])  # warm up: imports and the font lookup are paid once per process
    times: dict[str, dict[str, float]] = {}
    for filled in filled_forms():
        ours, base = median_ms(render_pdf, filled, runs), median_ms(render_latin, filled, runs)
        times[filled.definition.id] = {
            "fields": len(filled.entries),
            "kaifong_ms": ours[0],
            "kaifong_cpu_ms": ours[1],
            "baseline_ms": base[0],
            "baseline_cpu_ms": base[1],
        }
    return times


def run(runs: int = 3) -> dict[str, object]:
    """Both figures, as written to ``benchmarks/results/forms.json``."""
    return {"accuracy": accuracy(load()), "pdf": pdf_times(runs), "today": TODAY.isoformat()}


def print_tables(results: dict[str, object]) -> None:
    """The accuracy table and the PDF timing table."""
    accuracy_rows = results["accuracy"]
    assert isinstance(accuracy_rows, dict)
    print(f"{'type':<10} {'n':>4} {'valid':>6} {'kaifong':>8} {'baseline':>9}")
    for kind, row in accuracy_rows.items():
        valid = row.get("valid", "")
        print(f"{kind:<10} {row['n']:>4} {valid!s:>6} {row['kaifong']:>8.3f} {row['baseline']:>9.3f}")
    pdf = results["pdf"]
    assert isinstance(pdf, dict)
    print(f"\n{'form':<30} {'fields':>6} {'kaifong ms (cpu)':>17} {'baseline ms (cpu)':>18} {'cpu ratio':>9}")
    for form_id, row in pdf.items():
        ratio = row["kaifong_cpu_ms"] / row["baseline_cpu_ms"] if row["baseline_cpu_ms"] else float("nan")
        ours = f"{row['kaifong_ms']:.0f} ({row['kaifong_cpu_ms']:.0f})"
        base = f"{row['baseline_ms']:.0f} ({row['baseline_cpu_ms']:.0f})"
        print(f"{form_id:<30} {row['fields']:>6} {ours:>17} {base:>18} {ratio:>9.0f}")


def main(argv: Sequence[str] | None = None) -> None:
    """Print the tables and write ``benchmarks/results/forms.json``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=3, help="renders per form for the median PDF time")
    args = parser.parse_args(argv)
    results = run(args.runs)
    print_tables(results)
    print(f"written to {write('forms', results)}")


if __name__ == "__main__":
    main()
