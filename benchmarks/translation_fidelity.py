"""Translation: glossary-term fidelity (ours beside the same model unguarded) and pages/minute overhead."""

# Fidelity: every glossary term (official names and the abbreviations residents use) is put into four
# sentence templates, in English and in Traditional Chinese, and translated into each other language
# form. A translation is faithful for a term when the official name in the target form appears in it.
# The model is the scripted PhraseTableModel standing in for a decent model: it knows the official
# rendering of most names but, like real models, renders some in mainland or literal forms and leaves
# abbreviations as they are (PITFALLS). Baseline: the same model sent the raw text (no glossary tokens);
# ours: kaifong.tools.translate.translate, which protects names as tokens and renders them officially.
#
# Overhead: a ten-page document (headings, lists, a table, official names and personal data; a page is
# ~3,000 characters) translated end to end with the model answering instantly, so the time is Kaifong's
# own (parsing, PII vault, glossary, repair, audit); pages per minute, median of runs, beside the same
# model called directly on the same segments (baseline: no governance).

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import fresh_services, write  # noqa: E402
from kaifong.language.convert import to_hans  # noqa: E402
from kaifong.testing.translation import PhraseTableModel  # noqa: E402
from kaifong.tools.translate import load_glossary, translate  # noqa: E402
from kaifong.tools.translate.translator import prompt_messages  # noqa: E402
from kaifong.types import Form  # noqa: E402

#: Renderings a general model commonly gets wrong for Hong Kong (mainland or literal names).
PITFALLS = {
    "Social Welfare Department": "社會福利部",
    "Labour Department": "勞動部",
    "Immigration Department": "移民局",
    "Inland Revenue Department": "國稅局",
    "Hong Kong Housing Authority": "香港住房管理局",
    "Department of Health": "衛生部",
    "Hospital Authority": "醫院局",
    "Old Age Living Allowance": "老年生活補貼",
    "Old Age Allowance": "老年津貼",
    "Comprehensive Social Security Assistance": "綜合社會保險援助",
    "Mandatory Provident Fund": "強制公積金",
    "Public Rental Housing": "公共租賃住房",
    "Home Ownership Scheme": "居屋擁有計劃",
    "社會福利署": "Social Welfare Bureau",
    "勞工處": "Labour Office",
    "入境事務處": "Immigration Office",
    "長者生活津貼": "Elderly Living Subsidy",
    "高齡津貼": "Senior Allowance",
    "綜合社會保障援助": "Comprehensive Social Security Aid",
    "公共租住房屋": "Public Rental Housing Flats",
    "醫院管理局": "Hospital Management Bureau",
}
EN_TEMPLATES = (
    "Please contact the {t} for details.",
    "You can apply through the {t} online.",
    "Ask about {t} at the counter.",
    "The {t} will reply within 10 working days.",
)
ZH_TEMPLATES = ("詳情請聯絡{t}。", "你可以經{t}網上申請。", "請在櫃位查詢{t}。", "{t}會在十個工作天內回覆。")


def _model() -> PhraseTableModel:
    glossary = load_glossary()
    table: dict[str, str] = {}
    for term in glossary.terms:
        table[term.en] = term.zh_hant
        table[term.zh_hant] = term.en
    table.update(PITFALLS)
    return PhraseTableModel(table)


def _cases() -> list[tuple[str, Form, str, str]]:
    """(source text, target, term id, spelling used) for every term, spelling, template and target."""
    cases = []
    for term in load_glossary().terms:
        english = [s for s in term.spellings() if s.isascii()]
        chinese = [s for s in term.spellings() if not s.isascii()]
        for spelling in english:
            for template in EN_TEMPLATES:
                for target in ("zh-Hant", "zh-Hans", "yue-Hant"):
                    cases.append((template.format(t=spelling), target, term.id, spelling))
        for spelling in chinese:
            for template in ZH_TEMPLATES:
                cases.append((template.format(t=spelling), "en", term.id, spelling))
    return cases  # type: ignore[return-value]


async def _raw(model: PhraseTableModel, text: str, target: Form) -> str:
    reply = json.loads(await model.generate(prompt_messages([text], target)))
    out = str(reply[0])
    return to_hans(out) if target == "zh-Hans" else out


def fidelity() -> dict[str, object]:
    services = fresh_services()
    glossary = {t.id: t for t in load_glossary().terms}
    model = _model()
    ours = baseline = 0
    per_target: dict[str, list[int]] = {}
    cases = _cases()

    async def run_all() -> None:
        nonlocal ours, baseline
        for text, target, term_id, _ in cases:
            official = glossary[term_id].official(target)
            got = (await translate(text, target, services, generator=model)).text
            raw = await _raw(model, text, target)
            hit, base_hit = official in got and "[[" not in got, official in raw
            ours += hit
            baseline += base_hit
            per_target.setdefault(target, [0, 0, 0])
            per_target[target][0] += hit
            per_target[target][1] += base_hit
            per_target[target][2] += 1

    asyncio.run(run_all())
    services.close()
    total = len(cases)
    return {
        "cases": total,
        "terms": len(glossary),
        "ours": round(ours / total, 4),
        "baseline_unguarded_model": round(baseline / total, 4),
        "per_target": {
            t: {"ours": round(v[0] / v[2], 4), "baseline": round(v[1] / v[2], 4), "cases": v[2]}
            for t, v in per_target.items()
        },
    }


def _document(pages: int = 10) -> str:
    names = [t.en for t in load_glossary().terms[:40]]
    parts = []
    for page in range(pages):
        parts.append(f"## Part {page + 1}: how to apply\n")
        for line in range(12):
            name = names[(page * 12 + line) % len(names)]
            parts.append(
                f"- Step {line + 1}: send the form to the {name} with a copy of your identity card; "
                f"call 2345 6789 or e-mail help{line}@example.org if anything is unclear to you."
            )
        parts.append("\n| Item | Amount | Note |\n|---|---|---|")
        for row in range(8):
            parts.append(f"| Allowance {row} | HK${(row + 1) * 1000:,} | paid monthly by the {names[row]} |")
        parts.append(
            "\nKeep the receipt. The department decides every application; this text is a guide only.\n"
        )
    return "\n".join(parts)


def overhead(runs: int = 5) -> dict[str, object]:
    services = fresh_services()
    document = _document()
    pages = len(document) / 3000
    model = PhraseTableModel({})
    ours: list[float] = []
    direct: list[float] = []
    segments = [line for line in document.splitlines() if line.strip()]

    async def once() -> None:
        started = time.perf_counter()
        await translate(document, "zh-Hant", services, generator=model)
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        for index in range(0, len(segments), 40):
            await model.generate(prompt_messages(segments[index : index + 40], "zh-Hant"))
        direct.append(time.perf_counter() - started)

    for _ in range(runs):
        asyncio.run(once())
    services.close()
    ours_ppm = pages / statistics.median(ours) * 60
    direct_ppm = pages / statistics.median(direct) * 60
    return {
        "pages": round(pages, 1),
        "runs": runs,
        "ours_pages_per_minute": round(ours_ppm),
        "ours_ms_per_page": round(statistics.median(ours) / pages * 1000, 1),
        "baseline_direct_pages_per_minute": round(direct_ppm),
        "ratio": round(direct_ppm / ours_ppm, 1),
    }


def main() -> None:
    """Print the fidelity and overhead tables and write ``benchmarks/results/translation.json``."""
    found = fidelity()
    speed = overhead()
    print("\n== Translation: glossary-term fidelity (scripted model; baseline = the same model unguarded)")
    print(f"{'target':<10} {'cases':>6} {'ours':>7} {'baseline':>9}")
    for target, row in sorted(found["per_target"].items()):  # type: ignore[attr-defined]
        print(f"{target:<10} {row['cases']:>6} {row['ours']:>7.3f} {row['baseline']:>9.3f}")
    print(f"{'all':<10} {found['cases']:>6} {found['ours']:>7.3f} {found['baseline_unguarded_model']:>9.3f}")
    print(
        f"\n== Translation overhead (model answers instantly): {speed['ours_pages_per_minute']} pages/min "
        f"({speed['ours_ms_per_page']} ms/page) vs {speed['baseline_direct_pages_per_minute']} pages/min "
        f"calling the model directly (x{speed['ratio']})"
    )
    write("translation", {"fidelity": found, "overhead": speed})


if __name__ == "__main__":
    main()
