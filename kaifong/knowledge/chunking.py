"""Chunking: split a document body into passages at its headings, keeping numbered steps together."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_CHUNK_CHARS = 900
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|`)")


@dataclass(frozen=True)
class Chunk:
    """One section (or part of a long section) of a document."""

    heading: str
    text: str


def plain(line: str) -> str:
    """Markdown inline markup removed: links keep their text, emphasis marks go."""
    return _EMPHASIS.sub("", _LINK.sub(r"\1", line)).rstrip()


def _split_long(heading: str, lines: list[str]) -> list[Chunk]:
    chunks: list[Chunk] = []
    current: list[str] = []
    size = 0
    for line in lines:
        if current and size + len(line) > MAX_CHUNK_CHARS and not re.match(r"^\s*(\d+[.)]|[-*])\s", line):
            chunks.append(Chunk(heading, "\n".join(current).strip()))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current and "\n".join(current).strip():
        chunks.append(Chunk(heading, "\n".join(current).strip()))
    return chunks


def chunk(body: str) -> list[Chunk]:
    """Passages of a Markdown-ish body: one per heading section, long sections cut at paragraph ends."""
    sections: list[tuple[str, list[str]]] = [("", [])]
    for raw in body.splitlines():
        match = _HEADING.match(raw.strip())
        if match:
            sections.append((plain(match.group(1)), []))
        else:
            sections[-1][1].append(plain(raw))
    chunks: list[Chunk] = []
    for heading, lines in sections:
        if "\n".join(lines).strip():
            chunks.extend(_split_long(heading, lines))
    return chunks
