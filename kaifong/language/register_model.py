"""A trained table of written-Cantonese character n-grams: the register evidence the marker rules lack."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

#: The shipped model, written by ``tools/train_register_model.py``.
MODEL_PATH = Path(__file__).resolve().parent / "data" / "register-model.tsv"

_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")


class RegisterModelError(ValueError):
    """The register model file is missing or malformed; the message names the file and the line."""


@dataclass(frozen=True)
class RegisterModel:
    """Log-likelihood ratios of Simplified-folded character n-grams, written Cantonese against SWC.

    Only n-grams that are clearly more likely in written Cantonese than in standard written
    Chinese are kept (positive evidence); ``score`` adds the weight of every n-gram of the text
    that is in the table, and a text whose score reaches ``threshold`` reads as Cantonese.
    """

    weights: Mapping[str, float]
    threshold: float
    max_n: int

    def score(self, simplified: str) -> float:
        """Summed weight of the n-grams (1..``max_n`` Han characters) of text folded to Simplified."""
        total = 0.0
        weights = self.weights
        for run in _HAN_RUN.findall(simplified):
            length = len(run)
            for i in range(length):
                for n in range(1, min(self.max_n, length - i) + 1):
                    total += weights.get(run[i : i + n], 0.0)
        return total

    def is_cantonese(self, simplified: str) -> bool:
        """Whether text folded to Simplified carries enough Cantonese evidence to read as Cantonese."""
        return self.score(simplified) >= self.threshold


def _header_value(line: str, path: Path, number: int) -> tuple[str, float]:
    """``# name<TAB>value`` header line → (name, value)."""
    parts = line[1:].strip().split("\t")
    try:
        return parts[0], float(parts[1])
    except (IndexError, ValueError):
        raise RegisterModelError(
            f"{path}:{number}: expected '# name<TAB>number', got {line!r}; "
            "regenerate the file with tools/train_register_model.py"
        ) from None


def load(path: Path = MODEL_PATH) -> RegisterModel:
    """Read a model file: ``#`` comment lines (``# threshold<TAB>4.5``, ``# max_n<TAB>3`` among
    them), then one ``ngram<TAB>weight`` line per n-gram."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise RegisterModelError(
            f"cannot read the register model {path} ({error.strerror}); "
            "reinstall kaifong or regenerate it with tools/train_register_model.py"
        ) from None
    settings: dict[str, float] = {}
    weights: dict[str, float] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if line.startswith("#"):
            if "\t" in line:
                name, setting = _header_value(line, path, number)
                settings[name] = setting
            continue
        gram, _, number_text = line.partition("\t")
        try:
            weight = float(number_text)
        except ValueError:
            weight = math.nan
        if not gram or not math.isfinite(weight):
            raise RegisterModelError(
                f"{path}:{number}: expected 'ngram<TAB>weight', got {line!r}; "
                "regenerate the file with tools/train_register_model.py"
            )
        weights[gram] = weight
    missing = {"threshold", "max_n"} - settings.keys()
    if missing or not weights:
        what = f"the header lines {', '.join(sorted(missing))}" if missing else "any n-gram line"
        raise RegisterModelError(f"{path} lacks {what}; regenerate it with tools/train_register_model.py")
    return RegisterModel(weights, settings["threshold"], int(settings["max_n"]))


@cache
def default_model() -> RegisterModel:
    """The shipped model, read once."""
    return load()
