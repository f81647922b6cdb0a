"""Loaders on real files: Markdown, text, HTML, PDF and DOCX, and every way a file can be refused."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import docx
import pytest
from fpdf import FPDF
from pypdf import PdfWriter

from kaifong.errors import IngestError
from kaifong.knowledge import loaders
from kaifong.knowledge.loaders import LOADERS, load

FRONT_MATTER_MD = """---
id: rest-days
title: Rest days
department: Labour Department
url: https://www.labour.gov.hk/
language: en
reviewed: 2026-11-22
source_date: undated
hotline: "2717 1771"
topics: [employment]
aliases: [day off]
---

## What it is
An employee employed under a continuous contract gets at least one rest day in every 7 days.
"""


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def make_pdf(path: Path, text: str, title: str | None = None) -> Path:
    pdf = FPDF()
    if title is not None:
        pdf.set_title(title)
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    if text:
        pdf.multi_cell(w=0, text=text)
    pdf.output(str(path))
    return path


def assert_refused(path: Path, *fragments: str) -> str:
    with pytest.raises(IngestError) as info:
        load(path)
    message = str(info.value)
    assert str(path) in message, message
    for fragment in fragments:
        assert fragment in message, message
    return message


# Markdown


def test_markdown_with_front_matter_keeps_its_metadata(tmp_path: Path) -> None:
    path = write(tmp_path, "Some File.md", FRONT_MATTER_MD)
    doc = load(path)
    assert doc.id == "rest-days:en"
    assert doc.topic == "rest-days"
    assert doc.title == "Rest days"
    assert doc.url == "https://www.labour.gov.hk/"
    assert doc.hotline == "2717 1771"
    assert doc.tags == ("employment",)
    assert doc.aliases == ("day off",)
    assert doc.source == str(path)
    assert doc.body.startswith("## What it is\n")


def test_markdown_without_front_matter_takes_topic_from_file_name(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "My Housing_Notes 2024.md",
        "# Public housing notes\n\nHow to apply for a public rental flat in Hong Kong.\n",
    )
    doc = load(path)
    assert doc.topic == "my-housing-notes-2024"
    assert doc.title == "Public housing notes"
    assert doc.language == "en"
    assert doc.id.startswith("file-")
    assert doc.url == path.resolve().as_uri()
    assert doc.source == str(path)


def test_markdown_without_heading_uses_the_file_stem_as_title(tmp_path: Path) -> None:
    doc = load(write(tmp_path, "notes.markdown", "Just a paragraph of English text about fees.\n"))
    assert doc.title == "notes"
    assert doc.topic == "notes"


def test_markdown_language_is_detected(tmp_path: Path) -> None:
    hant = load(write(tmp_path, "a.md", "# 申請公屋\n\n申請人必須年滿十八歲，並且符合入息及資產限額。\n"))
    hans = load(write(tmp_path, "b.md", "# 申请公屋\n\n申请人必须年满十八岁，并且符合入息及资产限额。\n"))
    assert hant.language == "zh-Hant"
    assert hans.language == "zh-Hans"


def test_markdown_with_partial_front_matter_fills_the_gaps(tmp_path: Path) -> None:
    raw = "---\ntitle: Leave notes\nhotline: '2717 1771'\ntopics: employment\n---\nText about annual leave.\n"
    doc = load(write(tmp_path, "leave.md", raw))
    assert doc.title == "Leave notes"
    assert doc.topic == "leave"
    assert doc.language == "en"
    assert doc.hotline == "2717 1771"
    assert doc.tags == ("employment",)
    assert doc.id.startswith("file-")


def test_markdown_with_id_and_language_but_no_title_keeps_its_id(tmp_path: Path) -> None:
    raw = "---\nid: my-topic\nlanguage: zh-Hant\n---\n# 標題\n\n內容。\n"
    doc = load(write(tmp_path, "x.md", raw))
    assert doc.id == "my-topic:zh-Hant"
    assert doc.title == "標題"


def test_file_id_is_stable_per_path(tmp_path: Path) -> None:
    path = write(tmp_path, "a.md", "Some text.\n")
    first = load(path)
    path.write_text("Other text.\n", encoding="utf-8")
    assert load(path).id == first.id
    assert load(write(tmp_path, "b.md", "Some text.\n")).id != first.id


def test_markdown_with_bom_is_read(tmp_path: Path) -> None:
    doc = load(write(tmp_path, "bom.md", "\ufeff".encode() + FRONT_MATTER_MD.encode()))
    assert doc.id == "rest-days:en"


# Plain text


def test_plain_text_first_line_is_title(tmp_path: Path) -> None:
    path = write(tmp_path, "Leaflet.TXT", "Senior Citizen Card\nHow to apply for the card.\nBring ID.\n")
    doc = load(path)
    assert doc.title == "Senior Citizen Card"
    assert doc.body == "How to apply for the card.\nBring ID."
    assert doc.topic == "leaflet"
    assert doc.language == "en"


def test_plain_text_of_one_line_is_title_and_body(tmp_path: Path) -> None:
    doc = load(write(tmp_path, "one.txt", "  Only one line here  \n"))
    assert doc.title == "Only one line here"
    assert doc.body == "Only one line here"


# HTML


HTML = """<!doctype html>
<html><head><title>Elderly Health Care Voucher</title>
<style>body { color: red; } .stylemarker {}</style>
<script>var scriptmarker = 1;</script></head>
<body>
<header>headermarker</header>
<nav><ul><li>navmarker Home</li><li>navmarker About</li></ul></nav>
<h1>Voucher scheme</h1>
<p>Eligible elders   get an annual voucher.</p>
<p>   </p><li></li>
<h2>How to use</h2>
<ul><li>Show your <b>identity card</b></li><li>Sign the form</li></ul>
<table><tr><th>Item</th><td>Cell text</td></tr></table>
<footer>footermarker</footer>
<noscript>noscriptmarker</noscript>
<form><p>formmarker</p></form>
</body></html>
"""


def test_html_title_sections_and_bullets(tmp_path: Path) -> None:
    doc = load(write(tmp_path, "voucher.html", HTML))
    assert doc.title == "Elderly Health Care Voucher"
    lines = [line for line in doc.body.splitlines() if line.strip()]
    assert lines == [
        "## Voucher scheme",
        "Eligible elders get an annual voucher.",
        "## How to use",
        "- Show your identity card",
        "- Sign the form",
        "Item",
        "Cell text",
    ]
    assert doc.language == "en"


def test_html_drops_script_style_nav_and_page_furniture(tmp_path: Path) -> None:
    doc = load(write(tmp_path, "voucher.htm", HTML))
    for marker in ["scriptmarker", "stylemarker", "navmarker", "headermarker", "footermarker", "formmarker"]:
        assert marker not in doc.body
        assert marker not in doc.title


def test_html_without_title_uses_first_h1_then_file_name(tmp_path: Path) -> None:
    doc = load(
        write(tmp_path, "page.html", "<html><body><h1>Main heading</h1><p>Body text.</p></body></html>")
    )
    assert doc.title == "Main heading"
    bare = load(write(tmp_path, "bare-page.html", "<html><body><p>Only a paragraph.</p></body></html>"))
    assert bare.title == "bare-page"


def test_html_with_only_navigation_has_no_text(tmp_path: Path) -> None:
    path = write(tmp_path, "nav.html", "<html><body><nav><p>Home</p></nav><script>x()</script></body></html>")
    assert_refused(path, "no text could be extracted")


# PDF


def test_pdf_text_and_title_from_metadata(tmp_path: Path) -> None:
    path = make_pdf(
        tmp_path / "leaflet.pdf",
        "Apply for the allowance at any office.\nBring your identity card.",
        title="Allowance Leaflet",
    )
    doc = load(path)
    assert doc.title == "Allowance Leaflet"
    assert "Apply for the allowance at any office." in doc.body
    assert "Bring your identity card." in doc.body
    assert doc.language == "en"
    assert doc.topic == "leaflet"


def test_pdf_without_title_metadata_uses_first_line(tmp_path: Path) -> None:
    doc = load(make_pdf(tmp_path / "untitled.pdf", "First line of the page\nSecond line."))
    assert doc.title == "First line of the page"


def test_pdf_pages_are_joined(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for text in ["Page one text.", "Page two text."]:
        pdf.add_page()
        pdf.multi_cell(w=0, text=text)
    path = tmp_path / "two.pdf"
    pdf.output(str(path))
    assert load(path).body == "Page one text.\n\nPage two text."


def test_pdf_without_text_layer_is_refused(tmp_path: Path) -> None:
    assert_refused(make_pdf(tmp_path / "scan.pdf", ""), "no text could be extracted")


def test_corrupt_pdf_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "corrupt.pdf", random.Random(1).randbytes(4096))
    assert_refused(path, "not a readable PDF")


def test_truncated_pdf_is_refused(tmp_path: Path) -> None:
    good = make_pdf(tmp_path / "good.pdf", "Some text that will be cut off.").read_bytes()
    path = write(tmp_path, "truncated.pdf", good[:200])
    assert_refused(path, "not a readable PDF")


def test_password_protected_pdf_is_refused(tmp_path: Path) -> None:
    plain = make_pdf(tmp_path / "plain.pdf", "Secret text.")
    writer = PdfWriter(clone_from=plain)
    writer.encrypt("s3cret")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    assert_refused(path, "password-protected")


# DOCX


def make_docx(path: Path, title: str = "") -> Path:
    document = docx.Document()
    if title:
        document.core_properties.title = title
    document.add_paragraph("Introduction to the service.")
    document.add_heading("How to apply", level=1)
    document.add_paragraph("Fill in the form.")
    document.add_paragraph("Bring your identity card", style="List Bullet")
    document.add_paragraph("Bring a photo", style="List Number")
    document.add_paragraph("   ")
    document.add_heading("Contact", level=2)
    document.add_paragraph("Call 1823.")
    document.save(str(path))
    return path


def test_docx_headings_become_sections_and_list_paragraphs_bullets(tmp_path: Path) -> None:
    doc = load(make_docx(tmp_path / "Guide.docx", title="Service Guide"))
    assert doc.title == "Service Guide"
    lines = [line for line in doc.body.splitlines() if line.strip()]
    assert lines == [
        "Introduction to the service.",
        "## How to apply",
        "Fill in the form.",
        "- Bring your identity card",
        "- Bring a photo",
        "## Contact",
        "Call 1823.",
    ]
    assert doc.topic == "guide"
    assert doc.language == "en"


def test_docx_without_title_uses_first_line(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("Guide title", level=0)
    document.add_paragraph("Body text of the guide.")
    path = tmp_path / "g.docx"
    document.save(str(path))
    doc = load(path)
    assert doc.title == "Guide title"
    assert doc.body.startswith("## Guide title")


def test_docx_with_no_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.docx"
    docx.Document().save(str(path))
    assert_refused(path, "no text could be extracted")


def test_corrupt_docx_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "corrupt.docx", random.Random(2).randbytes(4096))
    assert_refused(path, "not a readable .docx file")


@pytest.mark.parametrize(
    ("member", "content"),
    [("hello.txt", "not a word document"), ("[Content_Types].xml", "<broken xml")],
)
def test_zip_that_is_not_a_word_document_is_refused(tmp_path: Path, member: str, content: str) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(member, content)
    path = write(tmp_path, "fake.docx", buffer.getvalue())
    assert_refused(path, "not a readable .docx file")


# Refusals common to every loader


@pytest.mark.parametrize("name", ["sheet.xlsx", "image.png", "README"])
def test_unsupported_extension_is_refused(tmp_path: Path, name: str) -> None:
    message = assert_refused(write(tmp_path, name, "text"), "unsupported file type")
    for suffix in LOADERS:
        assert suffix in message


def test_binary_data_in_markdown_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "binary.md", b"# Title\n\x00\x01\x02\xff" * 10)
    assert_refused(path, "binary file")


def test_non_utf8_text_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "big5.txt", "香港身份證申請".encode("big5"))
    assert_refused(path, "not UTF-8", "position 0")


def test_file_over_the_size_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loaders, "MAX_FILE_BYTES", 100)
    path = write(tmp_path, "big.md", "x" * 101)
    assert_refused(path, "limit")
    small = write(tmp_path, "small.md", "x" * 100)
    assert load(small).body == "x" * 100


def test_missing_file_is_refused(tmp_path: Path) -> None:
    assert_refused(tmp_path / "missing.md", "cannot be read")


def test_folder_with_a_supported_suffix_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "folder.md"
    folder.mkdir()
    assert_refused(folder, "cannot be read")


@pytest.mark.parametrize("name", ["empty.md", "empty.txt", "empty.html", "empty.pdf", "empty.docx"])
def test_empty_file_is_refused(tmp_path: Path, name: str) -> None:
    assert_refused(write(tmp_path, name, b""))


@pytest.mark.parametrize("name", ["blank.md", "blank.txt"])
def test_whitespace_only_file_is_refused(tmp_path: Path, name: str) -> None:
    assert_refused(write(tmp_path, name, "  \n\n\t\n"))
