"""Loading guard data files: YAML + pydantic shape, errors that name the file, the line and the problem."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from kaifong.errors import KaifongError

DATA = Path(__file__).parent / "data"
Model = TypeVar("Model", bound=BaseModel)


class GuardDataError(KaifongError):
    """A guard's data file (taxonomy, policy, rules, hotlines) is invalid; start-up must stop.

    The message reads ``<file>:<line>: <problem>`` so the file can be fixed at once.
    """

    code = "guard_data_error"

    def __init__(self, path: Path, line: int | None, problem: str) -> None:
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {problem}")
        self.path = path
        self.line = line
        self.problem = problem


class GuardConfigError(KaifongError):
    """The configured guard order names a guard that does not exist."""

    code = "guard_config_error"


def reject_duplicates(ids: Sequence[str], what: str) -> None:
    """Raise ValueError naming every id that occurs more than once (for the data-file validators)."""
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise ValueError(f"duplicate {what}: {', '.join(duplicated)}")


def node_line(root: yaml.Node | None, loc: Sequence[str | int]) -> int | None:
    """The 1-based line of the YAML node at path ``loc`` (the deepest node found on the way)."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        child: yaml.Node | None = None
        child_line = line
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(key):
                    child, child_line = value_node, key_node.start_mark.line + 1  # the key's line
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
            child = node.value[key]
            child_line = child.start_mark.line + 1
        if child is None:
            break
        node, line = child, child_line
    return line


def load_model(path: Path, model: type[Model]) -> tuple[Model, yaml.Node | None]:
    """Parse ``path`` as YAML and validate it as ``model``; GuardDataError (file, line, problem) if not."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise GuardDataError(path, None, f"cannot read the file ({exc})") from exc
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        raw = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise GuardDataError(path, line, f"invalid YAML: {exc.problem or exc.context}") from exc
    except yaml.YAMLError as exc:
        raise GuardDataError(path, None, f"invalid YAML: {exc}") from exc
    try:
        return model.model_validate(raw), root
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [part for part in first["loc"] if isinstance(part, str | int)]
        where = ".".join(str(part) for part in loc) or "(top level)"
        problem = f"{where}: {first['msg']} ({len(exc.errors())} problem(s) in all)"
        raise GuardDataError(path, node_line(root, loc), problem) from exc
