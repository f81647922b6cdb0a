"""PII scorecard (PII-07): per entity and per language precision, recall and F2, ours beside Presidio."""

# Corpus: sentences written for this benchmark in ``benchmarks/data/pii/`` (en, zh-Hant, zh-Hans from
# zh-Hant by OpenCC hk2s, yue), with slots filled by a seeded RNG from ``values.json`` there:
# personal-data slots ({HKID}, {PHONE}...) are gold spans; decoy slots (wrong HKID/RIC/card check
# digits, invalid phone numbers, amounts, dates, reference numbers) are labelled not-PII.  The
# templates of each language are shuffled with the seed and split in half: ``tuning`` (looked at
# while writing the recognizers) and ``test`` (held out; the reported figures).
#
# Matching: a gold span is recalled when a predicted span of the same kind overlaps it; a predicted
# span is correct when it overlaps a gold span of its kind.  Ours: ``kaifong.governance.pii.find``
# findings scoring >= 0.5 (the redaction threshold).  Baseline: Microsoft Presidio's predefined
# pattern recognizers (English set, applied to every language, as shipped: phone regions US/UK/...)
# on a blank spaCy pipeline, offline (no model download; the public-suffix list is the bundled
# snapshot), with Presidio's default threshold (every result).  Presidio types are mapped to ours;
# kinds it has no recognizer for get recall 0.  Throughput: median of several interleaved runs of
# ``find`` over >= 1 MB of UTF-8: the test sentences one call each (~60 bytes, a chat message), the
# same sentences joined into one document, and the bundled knowledge base (134 pages of benign official
# text, one call each).  The corpus is dense (about one entity per 50 bytes), so it is a pessimistic
# figure for ordinary text.  Beside ours: the previous implementations (``find`` as of PREVIOUS_REV,
# before the fast scan, and as of SCAN_REV, the first fast scan; each read from git into a temporary
# package and measured in the same runs) and Presidio (per sentence, once).

from __future__ import annotations

import argparse
import importlib
import json
import random
import re
import shutil
import statistics
import string
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import opencc  # noqa: E402
import phonenumbers  # noqa: E402

from benchmarks.common import write  # noqa: E402
from kaifong.governance import pii  # noqa: E402
from kaifong.governance.recognizers import hkid_check_character, ric_check_character  # noqa: E402

SEED = 20240601
PER_TEMPLATE = 40
GOALS = {"HKID recall": 1.0, "HKID precision": 0.99, "PHONE recall": 0.97, "MB/s": 5.0}
# The recognizers before the fast scan (issue 3): the baseline of the throughput table.
PREVIOUS_REV = "a2ebc6fb287f38807fb3318873300dd2660ea925"
# The first fast scan (prefilter, anchored patterns), before the second pass on issue 3.
SCAN_REV = "ec9db613b4cc2c1099332e9a6c87267af131b408"
KNOWLEDGE = ROOT / "kaifong" / "knowledge" / "data"
PRESIDIO_MAP = {
    "EMAIL_ADDRESS": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "CREDIT_CARD": "CARD",
    "US_PASSPORT": "PASSPORT",
    "US_BANK_NUMBER": "BANK_ACCOUNT",
    "PERSON": "NAME",
    "LOCATION": "ADDRESS",
}
Spans = list[tuple[str, int, int]]
Detector = Callable[[str], Spans]


# --- Corpus: templates with slots, values from a seeded RNG, gold spans kept ---------------------------

DATA = Path(__file__).resolve().parent / "data" / "pii"
LANGUAGES = ("en", "zh-Hant", "zh-Hans", "yue")
KINDS = ("HKID", "PHONE", "EMAIL", "PASSPORT", "RIC", "BRN", "CARD", "BANK_ACCOUNT", "ADDRESS", "NAME")
SLOT = re.compile(r"\{([A-Z_]+)\}")
V: dict[str, Any] = json.loads((DATA / "values.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Sample:
    """One generated sentence with its gold spans ``(kind, start, end)``."""

    language: str
    template: int
    text: str
    gold: tuple[tuple[str, int, int], ...]


def templates(language: str) -> list[str]:
    """The template lines of ``language`` (comments and blanks dropped)."""
    lines = (DATA / f"{language}.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def split(language: str, seed: int) -> tuple[list[int], list[int]]:
    """Template indices of ``language`` shuffled with ``seed``: (tuning half, test half)."""
    indices = list(range(len(templates(language))))
    random.Random(f"{seed}-{language}").shuffle(indices)
    half = len(indices) // 2
    return sorted(indices[:half]), sorted(indices[half:])


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def _luhn_complete(partial: str) -> str:
    for check in string.digits:
        total = 0
        for index, char in enumerate(reversed(partial + check)):
            value = int(char) * (2 if index % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return partial + check
    raise AssertionError("unreachable")


def _hkid(rng: random.Random, valid: bool = True) -> str:
    prefix = "".join(rng.choice(string.ascii_uppercase) for _ in range(1 if rng.random() < 0.85 else 2))
    digits = _digits(rng, 6)
    check = hkid_check_character(prefix, digits)
    if not valid:
        check = rng.choice([c for c in "0123456789A" if c != check])
    value = rng.choice(["{p}{d}({c})", "{p}{d}{c}", "{p}{d} ({c})", "{p} {d}({c})"]).format(
        p=prefix, d=digits, c=check
    )
    if rng.random() < 0.1:
        value = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in value)
    return value


def _hk_number(rng: random.Random, valid: bool) -> str:
    while True:
        national = rng.choice("235679" if valid else "14") + _digits(rng, 7)
        parsed = phonenumbers.parse("+852" + national, "HK")
        if bool(phonenumbers.is_valid_number(parsed)) == valid:
            return national


def _phone(rng: random.Random) -> str:
    n = _hk_number(rng, True)
    style = rng.choice(
        ["{a}{b}", "{a} {b}", "{a}-{b}", "+852 {a} {b}", "+852-{a}-{b}", "(852) {a} {b}", "+852{a}{b}"]
    )
    return style.format(a=n[:4], b=n[4:])


def _card(rng: random.Random, valid: bool = True) -> str:
    prefix, length = rng.choice(V["card_issuers"])
    number = _luhn_complete(prefix + _digits(rng, length - len(prefix) - 1))
    if not valid:
        number = number[:-1] + str((int(number[-1]) + rng.randint(1, 9)) % 10)
    if length == 16 and rng.random() < 0.7:
        sep = rng.choice([" ", "-"])
        return sep.join(number[i : i + 4] for i in range(0, 16, 4))
    if length == 15 and rng.random() < 0.5:
        return f"{number[:4]} {number[4:10]} {number[10:]}"
    return number


def _ric(rng: random.Random, valid: bool = True) -> str:
    birth = f"{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body = str(rng.choice(V["ric_regions"])) + birth + _digits(rng, 3)
    check = ric_check_character(body)
    if not valid:
        check = rng.choice([c for c in "0123456789X" if c != check])
    return body + check


def _bank(rng: random.Random) -> str:
    style = rng.choice(
        ["{3}-{3}-{6}-{1}", "{3}-{6}-{3}", "{3}-{3}-{6}", "{3}-{1}-{6}", "{3} {3} {6}", "{12}"]
    )
    return re.sub(r"\{(\d+)\}", lambda m: _digits(rng, int(m.group(1))), style)


def _name(rng: random.Random, language: str) -> str:
    if language == "en":
        surname, given = rng.choice(V["surnames_en"]), rng.choice(V["given_en"])
        return f"{given} {surname}" if " " not in given and rng.random() < 0.7 else f"{surname} {given}"
    return str(rng.choice([*V["surnames_zh"], *V["double_surnames_zh"]])) + "".join(
        rng.choice(V["given_zh"]) for _ in range(rng.choice((1, 2, 2)))
    )


def _address(rng: random.Random, language: str) -> str:
    n, floor, letter = rng.randint(1, 388), rng.randint(1, 40), rng.choice("ABCDEFGH")
    room = f"{floor}{rng.randint(1, 30):02d}"
    if language == "en":
        district, estate, street = (
            rng.choice(V["districts_en"]),
            rng.choice(V["estates_en"]),
            rng.choice(V["streets_en"]),
        )
        return rng.choice(
            [
                f"Flat {letter}, {floor}/F, Block {rng.randint(1, 9)}, {estate} Estate, {district}",
                f"Room {room}, {rng.choice(V['estates_en'])} House, {estate} Estate",
                f"{floor}/F, {rng.choice(V['buildings_en'])} Building, {n} {street} Road, {district}",
                f"Flat {letter}, {floor}/F, {n} {street} Street",
            ]
        )
    district = rng.choice(V["districts_zh"])
    return rng.choice(
        [
            f"{district}{rng.choice(V['estates_zh'])}邨{rng.choice(V['blocks_zh'])}樓{floor}樓{room}室",
            f"{district}{rng.choice(V['streets_zh'])}{n}號{rng.choice(V['buildings_zh'])}{letter}座{floor}樓",
            f"{rng.choice(V['streets_zh'])}{n}號{floor}樓{letter}室",
            f"{district}{rng.choice(V['buildings_zh'])}{rng.randint(1, 9)}座{floor}樓{letter}室",
        ]
    )


def _email(rng: random.Random) -> str:
    user = (
        rng.choice(V["surnames_en"]).lower()
        + rng.choice(["", ".", "_"])
        + rng.choice(["tm", "sm", "ky", "peter"])
    )
    return f"{user}{rng.randint(1, 99) if rng.random() < 0.5 else ''}@{rng.choice(V['email_domains'])}"


_GENERATORS: dict[str, Callable[[random.Random, str], str]] = {
    "HKID": lambda rng, _: _hkid(rng),
    "PHONE": lambda rng, _: _phone(rng),
    "EMAIL": lambda rng, _: _email(rng),
    "PASSPORT": lambda rng, _: rng.choice("KH") + _digits(rng, 8),
    "RIC": lambda rng, _: _ric(rng),
    "BRN": lambda rng, _: rng.choice("3456789") + _digits(rng, 7),
    "CARD": lambda rng, _: _card(rng),
    "BANK_ACCOUNT": lambda rng, _: _bank(rng),
    "ADDRESS": _address,
    "NAME": _name,
    "BAD_HKID": lambda rng, _: _hkid(rng, valid=False),
    "BAD_RIC": lambda rng, _: _ric(rng, valid=False),
    "BAD_CARD": lambda rng, _: _card(rng, valid=False),
    "NUMBER": lambda rng, _: _hk_number(rng, False),
    "AMOUNT": lambda rng, _: f"HK${rng.randint(1, 9)},{rng.randint(0, 999):03d}",
    "DATE": lambda rng, _: f"{rng.randint(1950, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
    "REF": lambda rng, _: f"{rng.choice(['HA', 'SWD', 'IMMD'])}-{rng.randint(2015, 2025)}-{_digits(rng, 6)}",
}


def fill(
    template: str, language: str, rng: random.Random, hans: opencc.OpenCC
) -> tuple[str, list[tuple[str, int, int]]]:
    """``template`` with each slot filled; the gold spans of the personal-data slots."""
    out: list[str] = []
    gold: list[tuple[str, int, int]] = []
    position = length = 0
    for match in SLOT.finditer(template):
        literal = template[position : match.start()]
        out.append(literal)
        length += len(literal)
        slot = match.group(1)
        value = _GENERATORS[slot](rng, language)
        if language == "zh-Hans":
            value = hans.convert(value)
        if slot in KINDS:
            gold.append((slot, length, length + len(value)))
        out.append(value)
        length += len(value)
        position = match.end()
    out.append(template[position:])
    return "".join(out), gold


def corpus(seed: int, per_template: int, which: str) -> list[Sample]:
    """``per_template`` sentences from each template of the ``which`` half (``tuning`` or ``test``)."""
    hans = opencc.OpenCC("hk2s")
    samples: list[Sample] = []
    for language in LANGUAGES:
        lines = templates(language)
        tuning, test = split(language, seed)
        rng = random.Random(f"{seed}-{language}-{which}-values")
        for index in tuning if which == "tuning" else test:
            for _ in range(per_template):
                text, gold = fill(lines[index], language, rng, hans)
                samples.append(Sample(language, index, text, tuple(gold)))
    return samples


# --- Scoring -----------------------------------------------------------------------------------------


def ours(text: str) -> Spans:
    """Our findings at the redaction threshold."""
    return [(f.kind, f.start, f.end) for f in pii.find(text) if f.score >= 0.5]


def presidio_detector() -> tuple[Detector | None, str]:
    """Presidio's pattern recognizers on a blank spaCy pipeline, or None and the reason it cannot run."""
    try:
        import spacy
        import tldextract
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.nlp_engine import SpacyNlpEngine
        from presidio_analyzer.predefined_recognizers.generic import email_recognizer
    except ImportError as error:
        return None, f"Presidio not installed ({error}); pip install presidio-analyzer spacy"

    offline = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    email_recognizer.tldextract.extract = offline  # type: ignore[attr-defined]

    class BlankSpacy(SpacyNlpEngine):
        """spaCy ``blank("en")``: a tokenizer only, nothing to download."""

        def load(self) -> None:
            self.nlp = {"en": spacy.blank("en")}  # type: ignore[assignment]

    engine = BlankSpacy(models=[{"lang_code": "en", "model_name": "blank"}])
    engine.load()
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=engine)
    analyzer = AnalyzerEngine(nlp_engine=engine, registry=registry, supported_languages=["en"])

    def detect(text: str) -> Spans:
        results = analyzer.analyze(text, language="en")
        return [
            (PRESIDIO_MAP[r.entity_type], r.start, r.end) for r in results if r.entity_type in PRESIDIO_MAP
        ]

    names = sorted({str(r.name) for r in registry.recognizers})  # type: ignore[has-type]
    return detect, "recognizers: " + ", ".join(names)


def score(samples: Sequence[Sample], predictions: Sequence[Spans]) -> dict[str, dict[str, dict[str, float]]]:
    """``{language or 'all': {kind or 'all': {precision, recall, f2, gold, predicted}}}``."""
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # gold, hit, pred, correct
    for sample, predicted in zip(samples, predictions, strict=True):
        for language in (sample.language, "all"):
            for kind, start, end in sample.gold:
                hit = any(k == kind and s < end and start < e for k, s, e in predicted)
                for key in ((language, kind), (language, "all")):
                    counts[key][0] += 1
                    counts[key][1] += int(hit)
            for kind, start, end in predicted:
                correct = any(k == kind and s < end and start < e for k, s, e in sample.gold)
                for key in ((language, kind), (language, "all")):
                    counts[key][2] += 1
                    counts[key][3] += int(correct)
    table: dict[str, dict[str, dict[str, float]]] = defaultdict(dict)
    for (language, kind), (gold, found, pred, right) in sorted(counts.items()):
        precision = right / pred if pred else (1.0 if not gold else 0.0)
        recall = found / gold if gold else float("nan")
        f2 = 5 * precision * recall / (4 * precision + recall) if precision + recall > 0 else 0.0
        table[language][kind] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f2": round(f2, 4),
            "gold": gold,
            "predicted": pred,
        }
    return dict(table)


def previous_find(revision: str, package: str) -> tuple[Callable[[str], list[Any]] | None, str]:
    """``pii.find`` as of ``revision``, read from git into the temporary package ``package``, or None
    and why not."""
    prefix = "kaifong/governance/"
    try:
        listed = subprocess.run(
            ["git", "-C", str(ROOT), "ls-tree", "-r", "--name-only", revision, prefix],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        wanted = [
            name
            for name in listed
            if name.endswith(".py")
            and (
                name.startswith(prefix + "recognizers/")
                or name[len(prefix) :] in ("__init__.py", "pii.py", "sanitise.py")
            )
        ]
        sources = {
            name: subprocess.run(
                ["git", "-C", str(ROOT), "show", f"{revision}:{name}"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            for name in wanted
        }
    except (OSError, subprocess.CalledProcessError) as error:
        return None, f"previous implementation not available ({error})"
    folder = Path(tempfile.mkdtemp(prefix="kaifong-previous-"))
    try:
        (folder / package).mkdir()
        (folder / package / "__init__.py").write_text("", encoding="utf-8")
        for name, source in sources.items():
            target = folder / package / name.removeprefix("kaifong/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(source.replace("kaifong.governance", f"{package}.governance"), encoding="utf-8")
        sys.path.insert(0, str(folder))
        module = importlib.import_module(f"{package}.governance.pii")
    finally:
        if str(folder) in sys.path:
            sys.path.remove(str(folder))
        shutil.rmtree(folder, ignore_errors=True)

    found: Callable[[str], list[Any]] = module.find
    return found, f"kaifong at {revision[:7]}"


def previous_detector(
    revision: str = PREVIOUS_REV, package: str = "kaifong_previous"
) -> tuple[Detector | None, str, Callable[[str], list[Any]] | None]:
    """Our detector (findings at the redaction threshold) as of ``revision``, its note, and its ``find``
    (all findings, with scores), or None, why not and None."""
    find, note = previous_find(revision, package)
    if find is None:
        return None, note, None
    found = find

    def detect(text: str) -> Spans:
        return [(f.kind, f.start, f.end) for f in found(text) if f.score >= 0.5]

    return detect, note, found


def knowledge_texts() -> list[str]:
    """The bundled knowledge base pages: long benign text (official hotlines and e-mails aside)."""
    return [page.read_text(encoding="utf-8") for page in sorted(KNOWLEDGE.rglob("*.md"))]


def throughputs(
    detectors: dict[str, Detector], batches: dict[str, list[str]], runs: int, megabytes: float
) -> dict[str, dict[str, float]]:
    """Median MB/s of each detector on each batch repeated to at least ``megabytes`` of UTF-8 (one call
    per text), the runs of all detectors interleaved so that they share the machine's ups and downs."""
    work: dict[str, tuple[list[str], float]] = {}
    for label, texts in batches.items():
        size = sum(len(t.encode("utf-8")) for t in texts)
        repeat = max(1, int(megabytes * 1_000_000 // size) + 1)
        work[label] = (list(texts) * repeat, size * repeat / 1_000_000)
    timings: dict[tuple[str, str], list[float]] = defaultdict(list)
    for detect in detectors.values():
        detect("warm up: A123456(3), 9123 4567, chan@example.com, 彌敦道1號3樓")
    for _ in range(runs):
        for label, (texts, _size) in work.items():
            for name, detect in detectors.items():
                started = time.perf_counter()
                for text in texts:
                    detect(text)
                timings[(name, label)].append(time.perf_counter() - started)
    return {
        name: {label: round(work[label][1] / statistics.median(timings[(name, label)]), 2) for label in work}
        for name in detectors
    }


def _cell(row: dict[str, float] | None) -> str:
    if row is None:
        return f"{'-':>5} {'-':>5} {'-':>5}"
    return f"{row['precision']:5.2f} {row['recall']:5.2f} {row['f2']:5.2f}"


def print_tables(results: dict[str, object]) -> None:
    """Per entity and per language tables, ours beside Presidio, then throughput and goals."""
    mine = results["ours"]
    base = results.get("presidio") or {}
    assert isinstance(mine, dict) and isinstance(base, dict)
    print(f"\nPII scorecard, {results['split']} split ({results['test_sentences']} sentences, seed {SEED})")
    print(f"{'entity':<13}{'n':>6}  {'ours P     R    F2':<20} {'Presidio P  R    F2':<20}")
    for kind in (*KINDS, "all"):
        row = mine["all"].get(kind)
        n = int(row["gold"]) if row else 0
        print(f"{kind:<13}{n:>6}  {_cell(row)}    {_cell(base.get('all', {}).get(kind)) if base else 'n/a'}")
    print(f"\n{'language':<13}{'n':>6}  {'ours P     R    F2':<20} {'Presidio P  R    F2':<20}")
    for language in LANGUAGES:
        row = mine[language]["all"]
        cell = _cell(base.get(language, {}).get("all")) if base else "n/a"
        print(f"{language:<13}{int(row['gold']):>6}  {_cell(row)}    {cell}")
    print(
        f"\nF2 per entity and language (ours / Presidio)\n{'entity':<13}"
        + "".join(f"{x:>16}" for x in LANGUAGES)
    )
    for kind in KINDS:
        cells = []
        for language in LANGUAGES:
            a = mine[language].get(kind)
            b = base.get(language, {}).get(kind) if base else None
            cells.append(
                f"{(a or {}).get('f2', float('nan')):6.2f} / {(b or {}).get('f2', float('nan')):5.2f}"
            )
        print(f"{kind:<13}" + "".join(f"{c:>16}" for c in cells))
    speed = results["throughput_mb_s"]
    assert isinstance(speed, dict)
    runs, megabytes = results["runs"], results["throughput_mb"]
    print(f"\nthroughput, MB/s (median of {runs} interleaved runs, each over >= {megabytes} MB)")
    print(f"{'text':<34}" + "".join(f"{name:>12}" for name in speed))
    for label in BATCH_LABELS:
        print(f"{label:<34}" + "".join(f"{speed[name].get(label, float('nan')):>12.2f}" for name in speed))
    if results.get("presidio_mb_s"):
        print(f"Presidio, per message (one run): {results['presidio_mb_s']:.3f} MB/s")
    print(f"previous: {results['previous_note']}; same findings in {results['same_findings_as_previous']}")
    print(
        f"first scan: {results['first_scan_note']}; same findings and scores in "
        f"{results['same_findings_and_scores_as_first_scan']}"
    )
    print(f"Presidio: {results['presidio_note']}")
    for goal, met in dict(results["goals"]).items():  # type: ignore[call-overload]
        print(f"goal {goal}: {'met' if met else 'NOT met'}")


BATCH_LABELS = ("chat messages (one call each)", "messages joined (one document)", "knowledge base (pages)")


def run(
    per_template: int = PER_TEMPLATE, runs: int = 5, megabytes: float = 1.0, split: str = "test"
) -> dict[str, object]:
    """Score ours and Presidio on the ``split`` half; throughput; goals."""
    samples = corpus(SEED, per_template, split)
    texts = [s.text for s in samples]
    mine = score(samples, [ours(t) for t in texts])
    detector, note = presidio_detector()
    base = score(samples, [detector(t) for t in texts]) if detector else None
    previous, previous_note, _ = previous_detector()
    detectors: dict[str, Detector] = {"ours": ours}
    if previous is not None:
        detectors["previous"] = previous
    first_scan, first_scan_note, first_scan_find = previous_detector(SCAN_REV, "kaifong_first_scan")
    if first_scan is not None:
        detectors["first scan"] = first_scan
    batches = dict(zip(BATCH_LABELS, (texts, ["\n".join(texts)], knowledge_texts()), strict=True))
    everything = [text for batch in batches.values() for text in batch]
    same = sum(ours(text) == previous(text) for text in everything) if previous is not None else None
    same_full = (
        sum(
            [tuple(f) for f in pii.find(text)] == [tuple(f) for f in first_scan_find(text)]
            for text in everything
        )
        if first_scan_find is not None
        else None
    )
    speed = throughputs(detectors, batches, runs, megabytes)
    base_speed = (
        throughputs({"presidio": detector}, {BATCH_LABELS[0]: texts}, 1, megabytes) if detector else None
    )
    hkid = mine["all"]["HKID"]
    ours_speed = speed["ours"]
    results: dict[str, object] = {
        "split": split,
        "seed": SEED,
        "test_sentences": len(samples),
        "ours": mine,
        "presidio": base,
        "presidio_note": note,
        "throughput_mb_s": speed,
        "previous_note": previous_note,
        "same_findings_as_previous": f"{same} of {len(everything)} texts" if same is not None else None,
        "first_scan_note": first_scan_note,
        "same_findings_and_scores_as_first_scan": (
            f"{same_full} of {len(everything)} texts" if same_full is not None else None
        ),
        "presidio_mb_s": base_speed["presidio"][BATCH_LABELS[0]] if base_speed else None,
        "throughput_mb": megabytes,
        "runs": runs,
        "goals": {
            "HKID recall 1.00": hkid["recall"] >= GOALS["HKID recall"],
            "HKID precision >= 0.99": hkid["precision"] >= GOALS["HKID precision"],
            "PHONE recall >= 0.97": mine["all"]["PHONE"]["recall"] >= GOALS["PHONE recall"],
            ">= 5 MB/s (chat messages)": ours_speed[BATCH_LABELS[0]] >= GOALS["MB/s"],
            ">= 5 MB/s (one document)": ours_speed[BATCH_LABELS[1]] >= GOALS["MB/s"],
            ">= 5 MB/s (knowledge base)": ours_speed[BATCH_LABELS[2]] >= GOALS["MB/s"],
        },
    }
    return results


def main(argv: Sequence[str] | None = None) -> None:
    """Print the scorecard, write ``benchmarks/results/pii.json``; ``--split tuning`` to study errors."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", choices=("test", "tuning"), default="test")
    parser.add_argument("--per-template", type=int, default=PER_TEMPLATE)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    results = run(args.per_template, args.runs, split=args.split)
    print_tables(results)
    if args.split == "test":
        print(f"written to {write('pii', results)}")


if __name__ == "__main__":
    main()
