"""The PDF: Noto Sans CJK HK is found, HKSCS characters print, pdftotext reads back every answer."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from kaifong.language.messages import message
from kaifong.tools.forms.output import FilledEntry, FilledForm
from kaifong.tools.forms.pdf import FONT_PATHS, FontUnavailable, find_font, render_pdf
from kaifong.tools.forms.schema import bundled_forms

#: CI installs both (.ci/run): there a missing tool or font is a failure, not a skip.
IN_CI = os.environ.get("CI") == "true"
HAVE_FONT = any(path.is_file() for path in FONT_PATHS)
HAVE_PDFTOTEXT = shutil.which("pdftotext") is not None
if IN_CI and not (HAVE_FONT and HAVE_PDFTOTEXT):
    raise RuntimeError("CI must run the PDF tests: apt-get install fonts-noto-cjk poppler-utils")
needs_font = pytest.mark.skipif(not HAVE_FONT, reason="fonts-noto-cjk is not installed")
needs_pdftotext = pytest.mark.skipif(not HAVE_PDFTOTEXT, reason="pdftotext (poppler-utils) is not installed")


def pdf_text(content: bytes, folder: Path) -> str:
    """The text pdftotext extracts, with line breaks and spaces removed (wrapping is layout, not content)."""
    path = folder / "form.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return "".join(text.split())


def squeeze(text: str) -> str:
    return "".join(text.split())


@needs_font
def test_the_hong_kong_face_is_found_and_covers_hkscs() -> None:
    font = find_font()
    assert font.path.is_file() and font.index >= 0


def filled(form: str) -> FilledForm:
    definition = bundled_forms()["prh-application-part1"]
    values = {
        "surname_en": "CHAN",
        "given_name_en": "Tai Man",
        "name_zh": "陳𠵱文",
        "sex": "男" if form != "en" else "Male",
        "date_of_birth": "1958-03-02",
        "hkid": "A123456(3)",
        "birth_certificate_no": None,
        "marital_status": "未婚" if form != "en" else "Unmarried",
        "family_members": "0",
    }
    entries = tuple(
        FilledEntry(spec.id, "Part 1", spec.label(form), values[spec.id], values[spec.id])
        for spec in definition.fields
        if spec.id in values
    )
    return FilledForm(definition, form, date(2026, 11, 22), entries)  # type: ignore[arg-type]


@needs_font
@needs_pdftotext
@pytest.mark.parametrize("form", ["en", "yue-Hant"])
def test_every_answer_reads_back_from_the_pdf(form: str, tmp_path: Path) -> None:
    form_data = filled(form)
    text = pdf_text(render_pdf(form_data), tmp_path)
    for entry in form_data.entries:
        assert squeeze(entry.label) in text
        if entry.shown is not None:
            assert squeeze(entry.shown) in text, entry.field_id
    assert "陳𠵱文" in text
    assert "HD300E" in text
    assert squeeze(form_data.definition.submit(form))[:40] in text


@needs_font
@needs_pdftotext
@pytest.mark.parametrize("form", ["en", "zh-Hant", "zh-Hans", "yue-Hant"])
def test_the_answers_part_of_the_pdf_reads_back_exactly_as_given(form: str, tmp_path: Path) -> None:
    """Between the notice and "where to submit", the extracted text is the sections, labels and values and
    nothing else: each value reads back equal to what was entered (skipped ones as "skipped")."""
    form_data = filled(form)
    text = pdf_text(render_pdf(form_data), tmp_path)
    expected, section = [], None
    for entry in form_data.entries:
        if entry.section != section:
            section = entry.section
            expected.append(section)
        shown = entry.shown if entry.shown is not None else message("forms.ui.skipped", form)
        expected += [entry.label, shown]
    start = text.index(squeeze(message("forms.ui.never_submits", form))) + len(
        squeeze(message("forms.ui.never_submits", form))
    )
    end = text.index(squeeze(message("forms.ui.submit_title", form)), start)
    assert text[start:end] == squeeze("".join(expected))


def test_a_missing_font_says_what_to_install(tmp_path: Path) -> None:
    not_a_font = tmp_path / "NotoSansCJK-Regular.ttc"
    not_a_font.write_bytes(b"not a font")
    with pytest.raises(FontUnavailable) as caught:
        find_font((tmp_path / "missing.otf", not_a_font))
    assert "apt-get install fonts-noto-cjk" in str(caught.value)
    assert "𠵱" in str(caught.value)
