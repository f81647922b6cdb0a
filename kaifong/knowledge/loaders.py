"""Loaders: turn a Markdown, HTML, PDF, DOCX or plain-text file into a Document, or say why not."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from kaifong.errors import IngestError
from kaifong.knowledge.documents import Document, document_from_markdown

MAX_FILE_BYTES = 20 * 1024 * 1024


def _decode(data: bytes, where: str) -> str:
    if b"\x00" in data[:8192]:
        raise IngestError(
            f"{where}: this looks like a binary file, not text; convert it to .md, .txt or .pdf"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"{where}: the file is not UTF-8 text (bad byte at position {exc.start}); save it as UTF-8"
        ) from exc


def _detected_language(text: str) -> str:
    from kaifong.language import detect

    detection = detect(text[:2000])
    if detection.language == "en":
        return "en"
    return "zh-Hans" if detection.script == "Hans" else "zh-Hant"


def _file_document(path: Path, title: str, body: str) -> Document:
    body = body.strip()
    if not body:
        raise IngestError(f"{path}: no text could be extracted (a scanned PDF or an empty file?)")
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    return Document(
        topic=re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or digest,
        language=_detected_language(title + "\n" + body),
        title=title.strip() or path.stem,
        body=body,
        url=path.resolve().as_uri(),
        source=str(path),
        doc_id=f"file-{digest}",
    )


def load_markdown(path: Path, data: bytes) -> Document:
    """Markdown with optional front matter; without an ``id`` the file name is the topic."""
    doc = document_from_markdown(_decode(data, str(path)), str(path), strict=False)
    if doc.topic and doc.language and doc.title:
        return doc
    fallback = _file_document(path, doc.title or _first_heading(doc.body) or path.stem, doc.body)
    return Document(
        topic=doc.topic or fallback.topic,
        language=doc.language or fallback.language,
        title=doc.title or fallback.title,
        body=doc.body,
        department=doc.department,
        url=doc.url or fallback.url,
        reviewed=doc.reviewed,
        source_date=doc.source_date,
        hotline=doc.hotline,
        tags=doc.tags,
        aliases=doc.aliases,
        source=str(path),
        doc_id="" if doc.topic and doc.language else fallback.doc_id,
    )


def _first_heading(body: str) -> str:
    match = re.search(r"^#+\s*(.+)$", body, re.MULTILINE)
    return match.group(1).strip() if match else ""


def load_text(path: Path, data: bytes) -> Document:
    """Plain UTF-8 text; the first line is the title."""
    text = _decode(data, str(path))
    first, _, rest = text.strip().partition("\n")
    return _file_document(path, first[:200], rest or first)


def load_html(path: Path, data: bytes) -> Document:
    """An HTML page: headings become sections; scripts, styles and navigation are dropped."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(_decode(data, str(path)))
    title_node = tree.css_first("title") or tree.css_first("h1")
    title = title_node.text(strip=True) if title_node else ""
    tree.strip_tags(["script", "style", "nav", "header", "footer", "noscript", "form"])
    lines: list[str] = []
    root = tree.body or tree.root
    if root is not None:
        for node in root.css("h1, h2, h3, h4, p, li, td, th, dd, dt"):
            text = " ".join(node.text(separator=" ", strip=True).split())
            if not text:
                continue
            if node.tag in {"h1", "h2", "h3", "h4"}:
                lines.append(f"\n## {text}\n")
            elif node.tag == "li":
                lines.append(f"- {text}")
            else:
                lines.append(text)
    return _file_document(path, title, "\n".join(lines))


def load_pdf(path: Path, data: bytes) -> Document:
    """A PDF's text layer, page by page; encrypted or broken files are refused with a reason."""
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise IngestError(f"{path}: the PDF is password-protected; save an unprotected copy and retry")
        pages = [page.extract_text() or "" for page in reader.pages]
        meta_title = (reader.metadata.title if reader.metadata else None) or ""
    except IngestError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise IngestError(
            f"{path}: not a readable PDF ({exc.__class__.__name__}); is the file complete?"
        ) from exc
    body = "\n\n".join(p.strip() for p in pages if p.strip())
    return _file_document(path, str(meta_title) or body.strip().split("\n", 1)[0][:200], body)


def load_docx(path: Path, data: bytes) -> Document:
    """A Word document: heading styles become sections, list paragraphs become bullets."""
    import io
    import zipfile

    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise IngestError(f"{path}: not a readable .docx file ({exc.__class__.__name__})") from exc
    except Exception as exc:
        raise IngestError(f"{path}: not a readable .docx file ({exc.__class__.__name__})") from exc
    lines: list[str] = []
    for para in document.paragraphs:
        text = para.text.strip()
        if not text:
            continue
        style = (para.style.name if para.style is not None else "") or ""
        if style.startswith("Heading") or style == "Title":
            lines.append(f"\n## {text}\n")
        elif "List" in style:
            lines.append(f"- {text}")
        else:
            lines.append(text)
    title = document.core_properties.title or (lines[0].strip("#\n ") if lines else "")
    return _file_document(path, title, "\n".join(lines))


LOADERS: dict[str, Callable[[Path, bytes], Document]] = {
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".txt": load_text,
    ".html": load_html,
    ".htm": load_html,
    ".pdf": load_pdf,
    ".docx": load_docx,
}


def load(path: Path) -> Document:
    """Load any supported file; every failure is an IngestError naming the file and the fix."""
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        supported = ", ".join(sorted(LOADERS))
        raise IngestError(
            f"{path}: unsupported file type '{path.suffix or '(none)'}'; use one of {supported}"
        )
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise IngestError(
                f"{path}: the file is {size / 1_048_576:.1f} MB; "
                f"the limit is {MAX_FILE_BYTES / 1_048_576:.1f} MB"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"{path}: cannot be read ({exc.strerror or exc.__class__.__name__})") from exc
    return loader(path, data)
