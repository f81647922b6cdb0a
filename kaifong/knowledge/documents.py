"""The document model: one source page in one language, with the metadata a citation needs."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

import yaml

from kaifong.errors import IngestError

REQUIRED_KEYS = (
    "id",
    "title",
    "department",
    "url",
    "language",
    "reviewed",
    "source_date",
    "hotline",
    "topics",
)
LANGUAGES = frozenset({"en", "zh-Hant", "zh-Hans"})


@dataclass(frozen=True)
class Document:
    """A knowledge-base document ready to chunk and index."""

    topic: str
    language: str
    title: str
    body: str
    department: str = ""
    url: str = ""
    reviewed: str = ""
    source_date: str = ""
    hotline: str = ""
    tags: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    source: str = ""
    doc_id: str = field(default="")

    @property
    def id(self) -> str:
        """The stable id: ``<topic>:<language>`` unless the loader set one."""
        return self.doc_id or f"{self.topic}:{self.language}"

    @property
    def content_hash(self) -> str:
        """A hash over everything that is indexed, so an unchanged file can be skipped."""
        parts = [self.topic, self.language, self.title, self.department, self.url, self.reviewed]
        parts += [self.source_date, self.hotline, "|".join(self.tags), "|".join(self.aliases), self.body]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _as_text(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value).strip()


def _as_list(value: object, key: str, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value.strip(),)
    if isinstance(value, list):
        return tuple(_as_text(v) for v in value if _as_text(v))
    raise IngestError(f"{where}: front-matter key '{key}' must be a list, e.g. {key}: [a, b]")


def split_front_matter(raw: str, where: str) -> tuple[dict[str, object], str]:
    """Split ``---``-delimited YAML front matter from a Markdown body; no front matter gives ``{}``."""
    text = raw.lstrip("\ufeff")
    if not text.startswith("---"):
        return {}, text
    end = text.find("\n---", 3)
    if end < 0:
        raise IngestError(f"{where}: front matter starts with '---' but has no closing '---' line")
    try:
        meta = yaml.safe_load(text[3:end])
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise IngestError(
            f"{where}:{line} front matter is not valid YAML ({exc.__class__.__name__})"
        ) from exc
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise IngestError(f"{where}: front matter must be a mapping of keys to values")
    body = text[end + 4 :].split("\n", 1)[1] if "\n" in text[end + 4 :] else ""
    return {str(k): v for k, v in meta.items()}, body


def document_from_markdown(raw: str, where: str, *, strict: bool) -> Document:
    """Build a Document from Markdown with front matter; ``strict`` demands every required key."""
    meta, body = split_front_matter(raw, where)
    if strict:
        missing = [k for k in REQUIRED_KEYS if not _as_text(meta.get(k)) and k != "topics"]
        if "topics" not in meta:
            missing.append("topics")
        if missing:
            raise IngestError(f"{where}: front matter is missing {', '.join(missing)}")
    language = _as_text(meta.get("language"))
    if language and language not in LANGUAGES:
        raise IngestError(f"{where}: language '{language}' is not one of en, zh-Hant, zh-Hans")
    if not body.strip():
        raise IngestError(f"{where}: the document has no text after its front matter")
    return Document(
        topic=_as_text(meta.get("id")),
        language=language,
        title=_as_text(meta.get("title")),
        body=body.strip(),
        department=_as_text(meta.get("department")),
        url=_as_text(meta.get("url")),
        reviewed=_as_text(meta.get("reviewed")),
        source_date=_as_text(meta.get("source_date")),
        hotline=_as_text(meta.get("hotline")),
        tags=_as_list(meta.get("topics"), "topics", where),
        aliases=_as_list(meta.get("aliases"), "aliases", where),
        source=where,
    )
