"""Shared benchmark helpers: golden question sets, a fresh loaded database, percentiles, result files."""

from __future__ import annotations

import json
import statistics
import tempfile
from pathlib import Path

from kaifong.services import Services, build_services
from kaifong.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
RESULTS = ROOT / "benchmarks" / "results"
FORMS = ("yue", "zh-Hant", "zh-Hans", "en", "mixed")


def questions(name: str) -> list[dict[str, object]]:
    """A JSONL question set from ``tests/data`` (``[]`` when it does not exist)."""
    path = DATA / name
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def fresh_services(**overrides: object) -> Services:
    """Services over a new temporary SQLite file with the bundled knowledge base loaded."""
    folder = Path(tempfile.mkdtemp(prefix="kaifong-bench-"))
    settings = Settings(database_url=f"sqlite:///{folder / 'bench.db'}", **overrides)  # type: ignore[arg-type]
    return build_services(settings)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[max(0, min(98, round(q) - 1))]


def write(name: str, data: object) -> Path:
    """Write one benchmark's JSON result to ``benchmarks/results/<name>.json``."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path
