"""Reading the finder's YAML data files: errors that name the file, the line, the entry and the problem."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from kaifong.errors import KaifongError
from kaifong.governance.guards.datafile import node_line
from kaifong.tools.finder.bilingual import Bilingual

DATA_DIR = Path(__file__).parent / "data"


class CatalogueError(KaifongError):
    """A finder data file is invalid; the message reads ``<file>:<line>: entry '<id>': <problem>``."""

    code = "finder_catalogue_error"

    def __init__(self, path: Path, line: int | None, problem: str, entry: str = "") -> None:
        where = f"{path.name}:{line}" if line else path.name
        about = f"entry '{entry}': " if entry else ""
        super().__init__(f"{where}: {about}{problem}")
        self.path = path
        self.line = line
        self.entry = entry
        self.problem = problem


def _iso(value: object) -> object:
    """YAML reads ``2024-02-01`` as a date; keep every date as ISO text."""
    return value.isoformat() if isinstance(value, dt.date) else value


def _source_date(value: str) -> str:
    if value != "undated" and not _ISO_DATE.match(value):
        raise ValueError(
            f"'{value}' is not a date: write it as 2024-02-01, or 'undated' if the page shows none"
        )
    return value


def _checked_date(value: str) -> str:
    if not _ISO_DATE.match(value):
        raise ValueError(f"'{value}' is not a date: write it as 2024-02-01")
    return value


def _url(value: str) -> str:
    if not re.match(r"^https?://\S+$", value):
        raise ValueError(f"'{value}' is not a web address (http:// or https://)")
    return value


def _identifier(value: str) -> str:
    if not re.match(r"^[a-z0-9]+(-[a-z0-9]+)*$", value):
        raise ValueError(f"'{value}' is not an id: use lowercase words joined by hyphens")
    return value


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: An ISO date (``2024-02-01``) or ``undated`` (the source page shows no date).
SourceDate = Annotated[str, BeforeValidator(_iso), AfterValidator(_source_date)]
#: An ISO date, always known (the day we checked something).
CheckedDate = Annotated[str, BeforeValidator(_iso), AfterValidator(_checked_date)]
Url = Annotated[str, AfterValidator(_url)]
#: A version label; YAML reads ``2026-11-22`` as a date, kept as text.
Version = Annotated[str, BeforeValidator(_iso)]
Identifier = Annotated[str, AfterValidator(_identifier)]


def _has_han(text: str) -> bool:
    return any("\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" for char in text)


class BilingualModel(BaseModel):
    """English and Traditional Chinese text: English holds no Chinese, Chinese is not Simplified."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    en: str = Field(min_length=1)
    zh_hant: str = Field(alias="zh-Hant", min_length=1)

    @field_validator("en")
    @classmethod
    def _english(cls, value: str) -> str:
        if _has_han(value):
            raise ValueError("the English text contains Chinese characters")
        return value

    @field_validator("zh_hant")
    @classmethod
    def _traditional(cls, value: str) -> str:
        import hanzidentifier

        if not _has_han(value):
            raise ValueError("the zh-Hant text contains no Chinese characters")
        if hanzidentifier.identify(value) == hanzidentifier.SIMPLIFIED:
            raise ValueError("the zh-Hant text is in Simplified characters; write Traditional")
        return value

    def value(self) -> Bilingual:
        """The runtime value."""
        return Bilingual(self.en, self.zh_hant)


def read_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    """The data in ``path`` and its node tree (for line numbers); CatalogueError if it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(path, None, f"cannot read the file ({exc.__class__.__name__})") from exc
    try:
        return yaml.safe_load(text), yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise CatalogueError(path, line, f"invalid YAML: {exc.problem or exc.context}") from exc
    except yaml.YAMLError as exc:
        raise CatalogueError(path, None, f"invalid YAML ({exc.__class__.__name__})") from exc


def validation_problem(
    path: Path,
    root: yaml.Node | None,
    exc: ValidationError,
    prefix: Sequence[str | int] = (),
    entry: str = "",
) -> CatalogueError:
    """A CatalogueError for the first problem pydantic found, pointing at its line (and its entry)."""
    first = exc.errors()[0]
    loc = [*prefix, *(part for part in first["loc"] if isinstance(part, str | int))]
    where = ".".join(str(part) for part in loc[len(prefix) :])
    message = str(first["msg"]).removeprefix("Value error, ")
    problem = f"{where}: {message}" if where else message
    if len(exc.errors()) > 1:
        problem += f" ({len(exc.errors())} problems in all)"
    return CatalogueError(path, node_line(root, loc), problem, entry)
