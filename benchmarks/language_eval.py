"""Language-identification evaluation: kaifong.language.detect against a canto-filter baseline.

Classes (labels) and where each comes from, all sampled deterministically (seed ``SEED``):

- ``yue-Hant``: written Cantonese shipped inside pycantonese: HKCanCor utterances
  (``pycantonese.hkcancor()``, spoken conversation), the Cantonese side of CTCPC
  (``pycantonese/data/ctcpc/sents.json``) and Common Voice Cantonese sentences
  (``pycantonese/data/common_voice/sents.json``).
- ``yue-Hans``: the same kind of sample, drawn separately, converted with OpenCC ``hk2s``.
- ``zh-Hant``: Standard Written Chinese from ``benchmarks/data/langid_zh.txt``, sentences
  written for this benchmark in the register of Hong Kong government pages. pycantonese
  ships only the *Cantonese* side of CTCPC (its ``download.py`` keeps ``t["yue"]`` alone),
  so no SWC text is available from it; no other SWC corpus is installed.
- ``zh-Hans``: the ``zh-Hant`` sentences converted with OpenCC ``hk2s``.
- ``en``: ``benchmarks/data/langid_en.txt``, resident questions written for this benchmark.
- ``mixed``: ``benchmarks/data/langid_mixed.txt``, code-switched Hong Kong Cantonese (and a
  few SWC) sentences with English words, written for this benchmark.

Whether each source is written Cantonese (decided on the tuning split only; the check is
printed on every run). The objective "formal SWC" check is canto-filter's ``mandarin``
verdict: the sentence has a Standard-Written-Chinese-only word (這 們 她 的 是 說 沒 ...,
outside canto-filter's list of loan words such as 的士, 是否) and no Cantonese-only word.
It is only counted per source, never used to drop an item. On the tuning split:

- HKCanCor (transcribed conversation): 0 of 143 items formal SWC. Kept.
- Common Voice: 0 of 103 items formal SWC. Kept. Common Voice zh-HK prompts are said to
  be partly SWC read aloud in Cantonese, but that does not show in the
  ``common_voice/sents.json`` pycantonese ships, which is colloquial (「你可以唔返㗎」);
  its 28 ``neutral`` items are mostly colloquial sentences without a listed marker
  (「你有你上網，我有我打機」). The formal news sentences seen earlier are CTCPC's.
- CTCPC (Cantonese side of a parallel corpus): 3 of 147 items formal SWC (「我把禮物交到他的
  手上」). Kept: 98% are not, and a parallel corpus's Cantonese side is Cantonese by source;
  sentences it shares with the SWC side (formal news such as 「今日在禮賓府分別與湖北省
  省長王曉東、重慶市市長唐良智會面」) stay in ``yue`` and count as errors when detected as ``zh``.

Filters, applied in this order to every corpus sentence (yue) before sampling, never to
the written files; the number each removes per source is printed on every run:

- spaces between non-Latin characters are removed first (CTCPC and HKCanCor are tokenised);
- ``latin``: sentences containing any Latin letter are dropped: HKCanCor and CTCPC contain
  code-switched utterances, which would belong to ``mixed``, and labelling them by our own
  rule would be circular; the ``mixed`` class is covered by its own file instead;
- ``under 6 Han``: sentences with fewer than ``MIN_HAN`` (6) Han characters are dropped: a
  fragment like 「嗯」, 「係囖」, 「塔吉克斯坦」 or 「避暑行宮」 is an interjection or a bare
  noun phrase, which carries no register, so it is neither Cantonese nor SWC. (The
  threshold was 4; it was raised to 6 after the tuning split's errors showed 4-5
  character bare noun phrases such as 「避暑行宮」「特別鳴謝」「殷實商人」. The threshold
  is a length rule applied to every sentence alike, whatever any detector says of it.)
- ``duplicate``: repeated sentences are dropped;
- for the Simplified classes, sentences that OpenCC ``hk2s`` leaves unchanged are dropped:
  they contain no character that differs between the scripts, so their script label
  would be arbitrary (a detector must call such text Hant, the Hong Kong default).

Nothing is filtered by kaifong's detector, by canto-filter, or by whether either gets an
item right. Sentences that are written Cantonese by source but contain no Cantonese-only
word (「今日天氣好好」) stay in ``yue`` and count as errors when detected as ``zh``.

Each class is shuffled with the seed and split in half: ``tuning`` (looked at while
writing the detector) and ``test`` (held out; the headline numbers). The golden questions
(``tests/data/golden_questions.jsonl``), when present, are reported as a separate row.

Register-determinable items. Some corpus items cannot honestly carry a register label: of
the 27 tuning-split Cantonese items the marker rules read as SWC, about 20 are sentences a
Standard-Chinese writer could have written word for word (「可能會影響判斷」,
「台風臨近，本港受到不穩定天氣影響」), bare noun phrases (「公費留學考試」) or formal SWC
(「我把禮物交到他的手上」); the other 7 hold Cantonese words the rules lack (大佬, 生性). Two mechanical
rules, applied in this order to the ``yue-*`` and ``zh-*`` items of both splits alike (``en``
and ``mixed`` labels say nothing about register), read only an item's text and label, never
what any detector says of it:

- ``same in both registers``: the item's Han characters, folded to Simplified, occur
  verbatim in a sentence of the other register that is installed: for Cantonese items, the
  SWC sentences of ``langid_zh.txt`` and of the knowledge base's zh-Hant pages; for SWC
  items, any sentence of the three Cantonese corpora. (The rule the parallel corpus invites,
  "drop pairs whose two sides are identical", cannot be applied: pycantonese ships only
  CTCPC's Cantonese side.)
- ``under 8 Han``: fewer than ``MIN_REGISTER_HAN`` (8) Han characters. Short utterances
  rarely hold a word only one register uses. 8 was fixed before measuring with it; about
  6% of the golden resident questions in Chinese are shorter.

- ``annotators: not evident`` (ADR 0009): the item's text was annotated blind (guide
  ``data/langid_annotation_guide.md``, sheets from ``tools/langid_annotation_sheet.py``, annotations in
  ``data/langid_annotations.tsv``) and not every annotation pass found its label's register in it
  (C or M for ``yue``, S for ``zh``; ``zh-Hans`` items take their ``zh-Hant`` source's annotation).

Every run prints both views, ``all`` items and ``determinable`` items, how many items
each rule removed per split and class, and the annotators' agreement. The mechanical rules
leave items still labelled Cantonese that read as formal SWC (canto-filter's ``mandarin``
verdict, 3 of 147 tuning CTCPC items) to the annotators: that verdict is part of the detector.

Systems: ``kaifong`` is ``detect`` (marker rules, then the trained register model,
``kaifong/language/data/register-model.tsv``, built by ``tools/train_register_model.py``
with every test-split item left out: ``test_split_keys``); ``rules`` is the marker rules
alone (``detect_by_rules``, the detector before the model); ``baseline`` is canto-filter
plus hanzidentifier.
"""

from __future__ import annotations

import json
import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import hanzidentifier  # noqa: E402
import pycantonese  # noqa: E402
from cantofilter import LanguageType, judge  # noqa: E402

from kaifong.language import detect, to_hans, to_hant  # noqa: E402
from kaifong.language.detect import detect_by_rules  # noqa: E402
from kaifong.language.register_model import default_model  # noqa: E402
from kaifong.types import Detection  # noqa: E402

SEED = 20240601
DATA = Path(__file__).resolve().parent / "data"
RESULTS = Path(__file__).resolve().parent / "results" / "language.json"
GOLDEN = ROOT / "tests" / "data" / "golden_questions.jsonl"
LABELS = ("yue-Hant", "yue-Hans", "zh-Hant", "zh-Hans", "en", "mixed")
#: Corpus sentences per source drawn for each Cantonese class.
PER_SOURCE = {"hkcancor": 150, "ctcpc": 150, "common_voice": 100}
CORPORA = tuple(PER_SOURCE)
MIN_HAN = 6

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_LATIN = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ]")
_INNER_SPACE = re.compile(r"(?<=[^\sA-Za-z0-9])\s+(?=[^\sA-Za-z0-9])")
PYCANTONESE_DATA = Path(pycantonese.__file__).resolve().parent / "data"


def clean(text: str) -> str:
    """A corpus sentence without its tokenising spaces between non-Latin characters."""
    return _INNER_SPACE.sub("", text.strip())


def register_key(text: str) -> str:
    """The Han characters of a text folded to Simplified: equal keys are the same Chinese words."""
    return "".join(_HAN.findall(to_hans(text)))


#: Filters applied, in this order, to every corpus sentence: (name, keep-predicate).
FILTERS: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("latin", lambda t: not _LATIN.search(t)),
    (f"under {MIN_HAN} Han", lambda t: len(_HAN.findall(t)) >= MIN_HAN),
)


def _filtered(sents: Iterable[str]) -> tuple[list[str], dict[str, int]]:
    """Cleaned sentences passing every filter (sorted, deduplicated) and the removals per filter."""
    removed = {name: 0 for name, _ in FILTERS}
    removed["duplicate"] = 0
    kept: set[str] = set()
    for text in map(clean, sents):
        failed = next((name for name, keep in FILTERS if not keep(text)), None)
        if failed is not None:
            removed[failed] += 1
        elif text in kept:
            removed["duplicate"] += 1
        else:
            kept.add(text)
    return sorted(kept), removed


def _cantonese_sources() -> tuple[dict[str, list[str]], dict[str, dict[str, int]]]:
    """Filtered, deduplicated Cantonese sentences from each corpus pycantonese ships, and the
    number of sentences each filter removed from each corpus."""
    raw: dict[str, list[str]] = {
        "hkcancor": ["".join(map(str, words)) for words in pycantonese.hkcancor().words(by_utterance=True)]
    }
    for name in ("ctcpc", "common_voice"):
        raw[name] = json.loads((PYCANTONESE_DATA / name / "sents.json").read_text(encoding="utf-8"))
    sources: dict[str, list[str]] = {}
    removals: dict[str, dict[str, int]] = {}
    for name, sents in raw.items():
        sources[name], removals[name] = _filtered(sents)
        removals[name] = {"total": len(sents), **removals[name], "kept": len(sources[name])}
    return sources, removals


def _lines(name: str) -> list[str]:
    text = (DATA / name).read_text(encoding="utf-8")
    return list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))


def _simplified(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """OpenCC hk2s conversions, dropping texts the conversion leaves unchanged (no script signal)."""
    return [(s, source) for t, source in items if (s := to_hans(t)) != t]


def _file(name: str) -> list[tuple[str, str]]:
    return [(t, name) for t in _lines(name)]


def _yue_draws() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(text, source) draws for yue-Hant and, before conversion, for yue-Hans."""
    rng = random.Random(SEED)
    sources, _ = _cantonese_sources()
    yue_hant: list[tuple[str, str]] = []
    yue_hans_source: list[tuple[str, str]] = []
    for name, count in PER_SOURCE.items():
        drawn = rng.sample(sources[name], 2 * count)
        yue_hant += [(t, name) for t in drawn[:count]]
        yue_hans_source += [(t, name) for t in drawn[count:]]
    return yue_hant, yue_hans_source


def hk2s_unchanged() -> dict[str, int]:
    """Per source, the yue-Hans draws dropped because hk2s leaves them unchanged."""
    counts = dict.fromkeys(PER_SOURCE, 0)
    for text, source in _yue_draws()[1]:
        counts[source] += to_hans(text) == text
    return counts


def _classes() -> dict[str, list[tuple[str, str]]]:
    """Every class's (text, source) pairs."""
    yue_hant, yue_hans_source = _yue_draws()
    zh = _file("langid_zh.txt")
    return {
        "yue-Hant": yue_hant,
        "yue-Hans": _simplified(yue_hans_source),
        "zh-Hant": zh,
        "zh-Hans": _simplified(zh),
        "en": _file("langid_en.txt"),
        "mixed": _file("langid_mixed.txt"),
    }


def build_sourced_splits() -> dict[str, list[tuple[str, str, str]]]:
    """The ``tuning`` and ``test`` halves of every class, as (text, label, source) triples."""
    splits: dict[str, list[tuple[str, str, str]]] = {"tuning": [], "test": []}
    for label, items in _classes().items():
        shuffled = sorted(items)
        random.Random(f"{SEED}-{label}").shuffle(shuffled)
        half = len(shuffled) // 2
        splits["tuning"] += [(t, label, source) for t, source in shuffled[:half]]
        splits["test"] += [(t, label, source) for t, source in shuffled[half:]]
    return splits


def test_split_keys() -> frozenset[str]:
    """Register keys of every test-split item: text the register model is never trained on."""
    return frozenset(register_key(t) for t, _, _ in build_sourced_splits()["test"])


#: Items with fewer Han characters than this are not register-determinable (rule ``short``).
MIN_REGISTER_HAN = 8
KNOWLEDGE = ROOT / "kaifong" / "knowledge" / "data"
_SENTENCE_END = re.compile(r"[。！？!?\n]")


def _sentence_keys(texts: Iterable[str]) -> str:
    """Register keys of every sentence of ``texts``, one per line, for substring search."""
    return "\n".join(register_key(s) for text in texts for s in _SENTENCE_END.split(text))


@cache
def other_register_text() -> dict[str, str]:
    """Per register, the keys of every available sentence of the *other* register.

    For Cantonese items: the standard-Chinese sentences of ``langid_zh.txt`` and of the
    knowledge base's zh-Hant pages (the SWC text installed). For standard-Chinese items:
    every sentence of the three Cantonese corpora, before any filter or sampling.
    """
    swc = [*_lines("langid_zh.txt"), *(p.read_text(encoding="utf-8") for p in KNOWLEDGE.glob("*/zh-Hant.md"))]
    cantonese: list[str] = []
    raw = [["".join(map(str, u)) for u in pycantonese.hkcancor().words(by_utterance=True)]]
    raw += [
        json.loads((PYCANTONESE_DATA / n / "sents.json").read_text(encoding="utf-8")) for n in CORPORA[1:]
    ]
    for sents in raw:
        cantonese += map(clean, sents)
    return {"yue": _sentence_keys(swc), "zh": _sentence_keys(cantonese)}


def _in_other_register(text: str, label: str) -> bool:
    return register_key(text) in other_register_text()[label.split("-")[0]]


#: Blind register annotations of the Chinese items (ADR 0009): text, then per annotator a label
#: (C Cantonese evident, S SWC evident, M both, E either) and the words that decided it.
ANNOTATIONS = DATA / "langid_annotations.tsv"
ANNOTATION_LABELS = "CSME"
#: The annotation labels that make each register evident.
EVIDENT = {"yue": frozenset("CM"), "zh": frozenset("S")}


@cache
def annotated_rows() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each annotated text with every annotator's label, as the file holds them (none if it is absent)."""
    if not ANNOTATIONS.exists():
        return ()
    rows = []
    for line in ANNOTATIONS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            text, *cells = line.split("\t")
            rows.append((text, tuple(cells[0::2])))
    return tuple(rows)


@cache
def annotations() -> dict[str, tuple[str, ...]]:
    """Per annotated text, every annotator's label; ``zh-Hans`` items take their ``zh-Hant`` source's."""
    table = dict(annotated_rows())
    for text in set(_lines("langid_zh.txt")) & table.keys():
        table.setdefault(to_hans(text), table[text])
    return table


def _not_evident(text: str, label: str) -> bool:
    """Not every annotator found the item's register evident in its text (unannotated: not dropped)."""
    labels = annotations().get(text)
    return labels is not None and not all(a in EVIDENT[label.split("-")[0]] for a in labels)


#: Rules deciding that an item's register label cannot be honest, in order: (name, drop-predicate).
#: They read only the item's text, its label and the blind annotations, never what any detector says of it.
REGISTER_RULES: tuple[tuple[str, Callable[[str, str], bool]], ...] = (
    ("same in both registers", _in_other_register),
    (f"under {MIN_REGISTER_HAN} Han", lambda t, _: len(_HAN.findall(t)) < MIN_REGISTER_HAN),
    ("annotators: not evident", _not_evident),
)


def annotation_agreement() -> dict[str, object]:
    """How the annotators' labels agree: items, exact agreement and Cohen's kappa (two annotators)."""
    pairs = [labels for _, labels in annotated_rows() if len(labels) == 2]
    if not pairs:
        return {"items": 0}
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    expected = sum(
        (sum(a == c for a, _ in pairs) / n) * (sum(b == c for _, b in pairs) / n) for c in ANNOTATION_LABELS
    )
    kappa = (observed - expected) / (1 - expected) if expected < 1 else 1.0
    counts = {c: [sum(x[i] == c for x in pairs) for i in range(2)] for c in ANNOTATION_LABELS}
    return {"items": n, "agreement": round(observed, 3), "kappa": round(kappa, 3), "labels": counts}


def register_determinable(
    items: list[tuple[str, str]],
) -> tuple[list[tuple[str, str]], dict[str, dict[str, int]]]:
    """The items whose register label can be honest, and per rule the items it dropped per class.

    Only ``yue-*`` and ``zh-*`` items are subject to the rules: ``en`` and ``mixed`` labels
    say nothing about register.
    """
    removed: dict[str, dict[str, int]] = {name: dict.fromkeys(LABELS[:4], 0) for name, _ in REGISTER_RULES}
    kept: list[tuple[str, str]] = []
    for text, label in items:
        if label in LABELS[:4]:
            rule = next((name for name, drop in REGISTER_RULES if drop(text, label)), None)
            if rule is not None:
                removed[rule][label] += 1
                continue
        kept.append((text, label))
    return kept, removed


def build_splits() -> dict[str, list[tuple[str, str]]]:
    """The ``tuning`` and ``test`` halves of every class, as (text, label) pairs."""
    return {split: [(t, label) for t, label, _ in items] for split, items in build_sourced_splits().items()}


def build_eval_set() -> list[tuple[str, str]]:
    """The whole evaluation set (both splits) as (text, label) pairs."""
    splits = build_splits()
    return splits["tuning"] + splits["test"]


def label_of(detection: Detection) -> str:
    """The evaluation label a detection stands for."""
    if detection.language == "en":
        return "en"
    if detection.code_switched:
        return "mixed"
    return detection.tag


def baseline_label(text: str) -> str:
    """canto-filter's ``judge`` for register and hanzidentifier for script, with no folding."""
    if not hanzidentifier.has_chinese(text):
        return "en"
    if re.search(r"[A-Za-z]{2,}", text):
        return "mixed"
    verdict = judge(text)
    language = "yue" if verdict in (LanguageType.CANTONESE, LanguageType.MIXED) else "zh"
    script = "Hans" if hanzidentifier.identify(text) == hanzidentifier.SIMPLIFIED else "Hant"
    return f"{language}-{script}"


def golden_items() -> list[tuple[str, str]]:
    if not GOLDEN.exists():
        return []
    forms = {"yue": "yue-Hant"}
    rows = [json.loads(line) for line in GOLDEN.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(r["question"], forms.get(r["form"], r["form"])) for r in rows]


def _golden_form(predict: Callable[[str], str]) -> Callable[[str], str]:
    """Golden forms have no yue-Hans: Simplified Cantonese replies in zh-Hans."""

    def form(text: str) -> str:
        label = predict(text)
        return "zh-Hans" if label == "yue-Hans" else label

    return form


def accuracy(items: list[tuple[str, str]], predict: Callable[[str], str]) -> dict[str, float]:
    """Accuracy per label and overall (micro-averaged) of ``predict`` on ``items``."""
    right: dict[str, list[bool]] = {}
    for text, label in items:
        right.setdefault(label, []).append(predict(text) == label)
    result = {label: sum(v) / len(v) for label, v in sorted(right.items(), key=lambda kv: _order(kv[0]))}
    result["overall"] = sum(sum(v) for v in right.values()) / max(1, len(items))
    return result


def _order(label: str) -> int:
    return LABELS.index(label) if label in LABELS else len(LABELS)


def latency_us(texts: Iterable[str], fn: Callable[[str], object], repeat: int = 5) -> dict[str, float]:
    """Median and p95 wall time of one call, in microseconds, over ``texts`` x ``repeat``."""
    samples: list[int] = []
    items = list(texts)
    for text in items[:50]:
        fn(text)  # warm-up: lazy converters and character sets
    for _ in range(repeat):
        for text in items:
            start = time.perf_counter_ns()
            fn(text)
            samples.append(time.perf_counter_ns() - start)
    cuts = statistics.quantiles(samples, n=20)
    return {"median": statistics.median(samples) / 1000, "p95": cuts[18] / 1000}


def errors(items: list[tuple[str, str]], predict: Callable[[str], str]) -> list[tuple[str, str, str]]:
    """(text, label, predicted) for every miss."""
    return [(t, lab, p) for t, lab in items if (p := predict(t)) != lab]


def register_check(items: Iterable[tuple[str, str, str]]) -> dict[str, dict[str, int]]:
    """canto-filter's verdict on each Cantonese-labelled item, counted per source.

    Run on the tuning split only, to decide whether a source is written Cantonese: the
    ``mandarin`` verdict (an SWC-only word such as 這 們 她 的 是 說 沒, outside canto-filter's
    loan-word list, and no Cantonese-only word) is the objective "formal SWC" check.
    Simplified items are judged in their Traditional form.
    """
    counts: dict[str, dict[str, int]] = {}
    for text, label, source in items:
        if label.startswith("yue"):
            verdict = str(judge(to_hant(text) if label.endswith("Hans") else text))
            per_source = counts.setdefault(source, {})
            per_source[verdict] = per_source.get(verdict, 0) + 1
    return counts


def _print_removals(removed: dict[str, dict[str, dict[str, int]]]) -> None:
    print("register-determinable: items each rule dropped, per split and class (applied in order):")
    for split, rules in removed.items():
        for rule, per_class in rules.items():
            cells = ", ".join(f"{label} {n}" for label, n in per_class.items())
            print(f"  {split:7} {rule:24} {cells}")


def main() -> None:
    """Print the accuracy and latency tables and write ``benchmarks/results/language.json``."""
    sourced = build_sourced_splits()
    splits = {split: [(t, label) for t, label, _ in items] for split, items in sourced.items()}
    _, removals = _cantonese_sources()
    register = register_check(sourced["tuning"])
    golden = golden_items()
    systems: dict[str, Callable[[str], str]] = {
        "kaifong": lambda t: label_of(detect(t)),
        "rules": lambda t: label_of(detect_by_rules(t)),
        "baseline": baseline_label,
    }

    views: dict[str, list[tuple[str, str]]] = {}
    removed: dict[str, dict[str, dict[str, int]]] = {}
    for split in ("test", "tuning"):
        views[f"{split} all"] = splits[split]
        views[f"{split} determinable"], removed[split] = register_determinable(splits[split])
    rows = {
        view: {name: accuracy(items, fn) for name, fn in systems.items()} for view, items in views.items()
    }
    if golden:
        views["golden"] = golden
        rows["golden"] = {name: accuracy(golden, _golden_form(fn)) for name, fn in systems.items()}
    texts = [t for t, _ in splits["test"]]
    questions = [t for t, _ in golden] or texts
    twenty = [q for q in questions if 15 <= len(q) <= 25] or questions
    latency = {
        "kaifong": latency_us(texts, detect),
        "rules": latency_us(texts, detect_by_rules),
        "baseline": latency_us(texts, baseline_label),
        "kaifong_20_chars": latency_us(twenty, detect, repeat=20),
        "rules_20_chars": latency_us(twenty, detect_by_rules, repeat=20),
    }

    columns = [*LABELS, "overall"]
    print("kaifong = marker rules + register model; rules = marker rules alone (the previous detector)")
    print(f"{'view':19} {'system':9} " + " ".join(f"{c:>8}" for c in columns) + "      n")
    for view, by_system in rows.items():
        for system, acc in by_system.items():
            cells = " ".join(f"{acc[c]:8.3f}" if c in acc else f"{'-':>8}" for c in columns)
            print(f"{view:19} {system:9} {cells} {len(views[view]):6d}")
    counts = {
        view: {lab: sum(1 for _, x in views[view] if x == lab) for lab in LABELS}
        for view in ("test all", "test determinable")
    }
    for view, per_class in counts.items():
        print(f"{view} items per class:", ", ".join(f"{k} {v}" for k, v in per_class.items()))
    _print_removals(removed)
    agreement = annotation_agreement()
    print("blind register annotations (ADR 0009):", ", ".join(f"{k} {v}" for k, v in agreement.items()))
    model = default_model()
    print(f"register model: {len(model.weights)} n-grams, threshold {model.threshold}")
    for name, lat in latency.items():
        print(f"latency {name:17} median {lat['median']:7.1f} µs   p95 {lat['p95']:7.1f} µs")
    print("corpus filters (sentences removed per source, in order):")
    for source, dropped in removals.items():
        print(f"  {source:13} " + ", ".join(f"{k} {v}" for k, v in dropped.items()))
    unchanged = hk2s_unchanged()
    print("yue-Hans draws dropped as unchanged by hk2s:", ", ".join(f"{k} {v}" for k, v in unchanged.items()))
    print("register check on the tuning split's yue items (canto-filter verdict per source):")
    for source, verdicts in sorted(register.items()):
        total = sum(verdicts.values())
        formal = verdicts.get("mandarin", 0)
        cells = ", ".join(f"{k} {v}" for k, v in sorted(verdicts.items()))
        print(f"  {source:13} {cells}; formal SWC {formal}/{total}")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "seed": SEED,
        "accuracy": rows,
        "items_per_class": counts,
        "register_rule_removals": removed,
        "annotation_agreement": agreement,
        "register_model": {"ngrams": len(model.weights), "threshold": model.threshold},
        "corpus_filter_removals": removals,
        "yue_hans_unchanged_by_hk2s": unchanged,
        "tuning_register_check": register,
        "latency_us": latency,
        "test_errors": [list(e) for e in errors(splits["test"], systems["kaifong"])],
    }
    RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
