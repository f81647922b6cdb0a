"""Documents to translate: uploads read as Markdown, cut into blocks whose structure survives translation."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from kaifong.errors import KaifongError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_CHARS = 60_000
SUPPORTED = (".md", ".markdown", ".txt", ".docx", ".pdf")

_HEADING = re.compile(r"^(\s{0,3}#{1,6}\s+)(.*?)(\s*#*\s*)$")
_LIST = re.compile(r"^(\s*(?:[-*+]|\d{1,3}[.)])\s+)(.*)$")
_QUOTE = re.compile(r"^(\s*>\s?)(.*)$")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^\s*:?-{3,}:?\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


class DocumentError(KaifongError):
    """A document cannot be translated; ``reason`` is a message key, ``detail`` what to show with it."""

    code = "translate_document_error"

    def __init__(self, reason: str, **detail: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Block:
    """One line of a document: its Markdown frame (kept as is) and the texts inside it (translated).

    A heading ``## Title`` has prefix ``## `` and one text; a table row has one text per cell; a
    blank line, a table rule or a line inside a code fence has none.
    """

    prefix: str
    texts: tuple[str, ...]
    suffix: str = ""
    table: bool = False

    def render(self, texts: tuple[str, ...] | None = None) -> str:
        """The line again, with ``texts`` (e.g. translated) in place of the originals."""
        values = self.texts if texts is None else texts
        if self.table:
            return self.prefix + "|" + "|".join(f" {v} " for v in values) + "|"
        return self.prefix + "".join(values) + self.suffix


def split_blocks(markdown: str) -> list[Block]:
    """A Markdown text as blocks, one per line, so that headings, lists, quotes and tables keep their form."""
    blocks: list[Block] = []
    fenced = False
    for line in markdown.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
            blocks.append(Block(line, ()))
        elif fenced or not line.strip():
            blocks.append(Block(line, ()))
        elif _TABLE_ROW.match(line):
            indent = line[: len(line) - len(line.lstrip())]
            cells = tuple(c.strip() for c in line.strip()[1:-1].split("|"))
            if all(_TABLE_RULE.match(c) or not c for c in cells):
                blocks.append(Block(line, ()))
            else:
                blocks.append(Block(indent, cells, table=True))
        elif match := _HEADING.match(line):
            blocks.append(Block(match.group(1), (match.group(2),), match.group(3)))
        elif match := _LIST.match(line) or _QUOTE.match(line):
            blocks.append(Block(match.group(1), (match.group(2),)))
        else:
            indent = line[: len(line) - len(line.lstrip())]
            blocks.append(Block(indent, (line.strip(),)))
    return blocks


def join_blocks(blocks: list[Block], texts: list[tuple[str, ...]] | None = None) -> str:
    """The document again from its blocks (and, when given, each block's new texts)."""
    if texts is None:
        return "\n".join(block.render() for block in blocks)
    return "\n".join(block.render(new) for block, new in zip(blocks, texts, strict=True))


def read_upload(filename: str, data: bytes) -> str:
    """An uploaded file as Markdown text; anything that cannot be read raises DocumentError."""
    suffix = PurePath(filename or "").suffix.lower()
    if len(data) > MAX_UPLOAD_BYTES:
        raise DocumentError("translate.error.too_large", size=f"{len(data) / 1_048_576:.1f}", limit="5")
    if suffix not in SUPPORTED:
        raise DocumentError(
            "translate.error.unsupported", suffix=suffix or "?", supported=", ".join(SUPPORTED)
        )
    if not data.strip():
        raise DocumentError("translate.error.empty")
    if suffix == ".docx":
        text = _docx_markdown(data)
    elif suffix == ".pdf":
        text = _pdf_text(data)
    else:
        text = _plain_text(data)
    if not text.strip():
        raise DocumentError("translate.error.no_text")
    if len(text) > MAX_CHARS:
        raise DocumentError("translate.error.too_long", length=len(text), limit=MAX_CHARS)
    return text


def _plain_text(data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise DocumentError("translate.error.binary")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError("translate.error.not_utf8", position=exc.start) from exc


def _docx_markdown(data: bytes) -> str:
    """Headings, list paragraphs, plain paragraphs and tables, in document order; macro files refused."""
    import docx
    from docx.table import Table

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            content_types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except zipfile.BadZipFile as exc:
        raise DocumentError("translate.error.corrupt", kind="DOCX") from exc
    if any(n.lower().endswith("vbaproject.bin") for n in names) or b"macroEnabled" in content_types:
        raise DocumentError("translate.error.macros")
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds for a broken package
        raise DocumentError("translate.error.corrupt", kind="DOCX") from exc
    lines: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            rows = [[" ".join(cell.text.split()) for cell in row.cells] for row in item.rows]
            for index, row in enumerate(rows):
                lines.append("| " + " | ".join(c.replace("|", "/") for c in row) + " |")
                if index == 0:
                    lines.append("|" + "|".join("---" for _ in row) + "|")
            lines.append("")
            continue
        text = item.text.strip()
        if not text:
            continue
        style = (item.style.name if item.style is not None else "") or ""
        if style == "Title" or style.startswith("Heading"):
            level = int(style.rsplit(" ", 1)[-1]) if style[-1:].isdigit() else 1
            lines.extend([f"{'#' * min(level, 6)} {text}", ""])
        elif "List" in style:
            lines.append(f"- {text}")
        else:
            lines.extend([text, ""])
    return "\n".join(lines).strip() + "\n"


def _pdf_text(data: bytes) -> str:
    """A PDF's text layer; a password-protected or broken file is refused with what to do."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise DocumentError("translate.error.encrypted")
        pages = [page.extract_text() or "" for page in reader.pages]
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise DocumentError("translate.error.corrupt", kind="PDF") from exc
    return "\n\n".join(p.strip() for p in pages if p.strip())
