"""The filled form as a PDF (fpdf2) in Noto Sans CJK HK, so that HKSCS characters such as 𠵱 print.

The font comes from the Debian package ``fonts-noto-cjk`` (``NotoSansCJK-Regular.ttc``, whose Hong Kong
face is found by name) or a stand-alone Noto Sans CJK HK / Noto Sans HK ``.otf``.  Without it,
:class:`FontUnavailable` says what to install; nothing is downloaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kaifong.errors import KaifongError
from kaifong.language.messages import message
from kaifong.tools.forms.output import FilledForm

__all__ = ["FONT_PATHS", "CjkFont", "FontUnavailable", "find_font", "render_pdf"]

#: Where Debian (fonts-noto-cjk) and common manual installs put the font, searched in order.
FONT_PATHS: tuple[Path, ...] = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJKhk-Regular.otf"),
    Path("/usr/share/fonts/opentype/noto/NotoSansHK-Regular.otf"),
    Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),
    Path("/usr/local/share/fonts/NotoSansCJK-Regular.ttc"),
)
FACE_NAME = "Noto Sans CJK HK"
HKSCS_PROBE = "\U00020d71"  # 𠵱, an HKSCS character outside the BMP
FAMILY = "kaifong-cjk"


class FontUnavailable(KaifongError):
    """Noto Sans CJK HK (with HKSCS coverage) is not installed where Kaifong looks for it."""

    code = "font_unavailable"


@dataclass(frozen=True)
class CjkFont:
    """A font file and the index of the Hong Kong face in it (0 for a single-face file)."""

    path: Path
    index: int


def _hong_kong_face(path: Path) -> int | None:
    """The index of a Hong Kong Noto Sans CJK face in ``path`` that covers 𠵱, if there is one."""
    from fontTools.ttLib import TTCollection, TTFont, TTLibError  # type: ignore[import-untyped]

    try:
        with path.open("rb") as handle:
            if path.suffix.lower() == ".ttc":
                faces = list(TTCollection(handle, lazy=True).fonts)
            else:
                faces = [TTFont(handle, lazy=True)]
            for index, face in enumerate(faces):
                names = {str(face["name"].getDebugName(n)) for n in (1, 4, 16)}
                hong_kong = any(name.startswith((FACE_NAME, "Noto Sans HK")) for name in names)
                if hong_kong and ord(HKSCS_PROBE) in (face.getBestCmap() or {}):
                    return index
    except (OSError, TTLibError, KeyError, AssertionError):
        return None
    return None


@cache
def find_font(paths: Sequence[Path] = FONT_PATHS) -> CjkFont:
    """The first installed Noto Sans CJK HK face that renders 𠵱; FontUnavailable if there is none."""
    for path in paths:
        if path.is_file():
            index = _hong_kong_face(path)
            if index is not None:
                return CjkFont(path, index)
    looked = ", ".join(str(path) for path in paths)
    raise FontUnavailable(
        f"the PDF needs the font {FACE_NAME} (with HKSCS characters such as {HKSCS_PROBE}), which was not "
        f"found in: {looked}. Install the Debian package fonts-noto-cjk (apt-get install fonts-noto-cjk)."
    )


def render_pdf(filled: FilledForm, font: CjkFont | None = None) -> bytes:
    """The PDF of a filled form: title, number, every answer by section, and where and how to submit it."""
    from fpdf import FPDF

    font = font or find_font()
    form, definition = filled.form, filled.definition
    pdf = FPDF(format="A4")
    pdf.set_title(definition.title(form))
    pdf.set_creator("Kaifong")
    pdf.add_font(FAMILY, "", str(font.path), collection_font_number=font.index)
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()

    def write(text: str, size: float, gap: float = 1.5, grey: bool = False) -> None:
        pdf.set_font(FAMILY, size=size)
        pdf.set_text_color(90 if grey else 0)
        pdf.multi_cell(0, size * 0.55, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    write(definition.title(form), 16, 2)
    number = (
        message("forms.ui.form_number", form, number=definition.form_number)
        if definition.form_number
        else message("forms.ui.no_form_number", form)
    )
    write(number, 10, 0, grey=True)
    write(message("forms.ui.department", form, name=definition.department(form)), 10, 0, grey=True)
    write(message("forms.ui.prepared", form, date=filled.prepared.isoformat()), 10, 0, grey=True)
    write(message("forms.ui.never_submits", form), 10, 4, grey=True)
    section = None
    for entry in filled.entries:
        if entry.section != section:
            section = entry.section
            write(section, 13, 1)
        write(entry.label, 9, 0, grey=True)
        write(entry.shown if entry.shown is not None else message("forms.ui.skipped", form), 12, 2)
    pdf.ln(3)
    write(message("forms.ui.submit_title", form), 13, 1)
    write(definition.submit(form), 10, 3)
    for source in definition.sources:
        date = source.page_date if source.page_date != "undated" else message("forms.ui.undated", form)
        write(
            message("forms.ui.source", form, url=source.url, date=date, checked=source.checked), 8, 0.5, True
        )
    return bytes(pdf.output())
