"""Governed translation: structure kept, official names enforced, PII never sent, every failure clear."""

from __future__ import annotations

import asyncio
import io

import docx
import pytest
from sqlalchemy import select

from kaifong.backends.base import BackendError
from kaifong.services import Services
from kaifong.store.tables import audit_events
from kaifong.testing.translation import PhraseTableModel
from kaifong.tools.translate import (
    DocumentError,
    TranslationUnavailable,
    load_glossary,
    read_upload,
    translate,
)
from kaifong.tools.translate.documents import join_blocks, split_blocks

EN_TO_YUE = {
    "How to apply": "點樣申請",
    "Apply to the": "向",
    "by phone": "打電話申請",
    "Bring your": "帶埋你嘅",
    "Amount": "金額",
    "Call": "打",
    "Monthly": "每月",
}


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


def test_markdown_structure_survives_a_round_trip() -> None:
    text = "# Title\n\n- one\n2. two\n> quote\n\n| a | b |\n|---|---|\n| c | d |\n\n```\ncode | x\n```\nplain"
    assert join_blocks(split_blocks(text)) == text.replace("| a | b |", "| a | b |")
    blocks = split_blocks(text)
    assert blocks[0].prefix == "# " and blocks[0].texts == ("Title",)
    table = [b for b in blocks if b.table]
    assert [b.texts for b in table] == [("a", "b"), ("c", "d")]
    assert all(not b.texts for b in blocks if "code" in b.prefix)


def test_glossary_finds_official_names_in_every_form_longest_first() -> None:
    glossary = load_glossary()
    found = glossary.find("The Social Welfare Department (SWD) pays CSSA; 社署嘅綜援; 社会福利署的综援")
    assert [m.term.id for m in found] == ["swd", "swd", "cssa", "swd", "cssa", "swd", "cssa"]
    assert {t.id for t in glossary.lookup("allowance")} >= {"oala", "oaa"}
    assert glossary.lookup("   ") == []
    assert next(t for t in glossary.terms if t.id == "swd").official("zh-Hans") == "社会福利署"


def test_english_to_cantonese_keeps_structure_and_renders_official_names(shared_services: Services) -> None:
    model = PhraseTableModel(EN_TO_YUE)
    text = (
        "## How to apply\n\n- Apply to the Social Welfare Department by phone.\n- Bring your HKID card.\n\n"
        "| Amount | Monthly |\n|---|---|\n| OALA | $4,195 |"
    )
    result = run(translate(text, "yue-Hant", shared_services, generator=model))
    lines = result.text.splitlines()
    assert lines[0] == "## 點樣申請"
    assert lines[2] == "- 向 社會福利署 打電話申請."
    assert "香港身份證" in lines[3]
    assert lines[5] == "| 金額 | 每月 |" and lines[6] == "|---|---|"
    assert lines[7] == "| 長者生活津貼 | $4,195 |"
    assert set(result.terms) == {"swd", "hkid", "oala"}
    assert result.mode == "model" and result.source == "en" and result.target == "yue-Hant"
    assert "Social Welfare Department" not in model.prompts_text()  # the name travelled as a token


def test_personal_data_never_reaches_the_model_and_is_restored(shared_services: Services) -> None:
    model = PhraseTableModel({"Call": "致電"})
    text = "Call 9123 4567 or write to chan.taiman@example.com. My HKID is A123456(3)."
    result = run(translate(text, "zh-Hant", shared_services, generator=model))
    sent = model.prompts_text()
    for value in ("9123 4567", "chan.taiman@example.com", "A123456(3)"):
        assert value not in sent
        assert value in result.text
    assert "致電" in result.text
    assert set(result.redacted_kinds) >= {"PHONE", "EMAIL", "HKID"}


def test_a_name_the_model_drops_is_put_back(shared_services: Services) -> None:
    model = PhraseTableModel({}, faults=["drop_tokens"])
    result = run(translate("Ask the Labour Department.", "zh-Hant", shared_services, generator=model))
    assert "勞工處" in result.text and result.repaired == 1


@pytest.mark.parametrize("fault", ["not_json", "short"])
def test_a_garbled_batch_is_translated_segment_by_segment(shared_services: Services, fault: str) -> None:
    model = PhraseTableModel({"Hello": "你好"}, faults=[fault])
    result = run(translate("Hello there\n\nHello again", "zh-Hant", shared_services, generator=model))
    assert result.text == "你好 there\n\n你好 again"
    assert len(model.calls) == 3


def test_simplified_target_is_simplified_and_script_only_needs_no_model(shared_services: Services) -> None:
    result = run(translate("請向社會福利署申請綜合社會保障援助。", "zh-Hans", shared_services))
    assert result.mode == "script"
    assert result.text == "请向社会福利署申请综合社会保障援助。"
    model = PhraseTableModel({"Apply": "申请"})
    simplified = run(
        translate("Apply to the Labour Department.", "zh-Hans", shared_services, generator=model)
    )
    assert "劳工处" in simplified.text and "勞" not in simplified.text


def test_without_a_generative_backend_translation_says_so(shared_services: Services) -> None:
    with pytest.raises(TranslationUnavailable):
        run(translate("Apply to the Labour Department.", "zh-Hant", shared_services))


def test_every_translation_is_audited_without_text(shared_services: Services) -> None:
    model = PhraseTableModel({})
    run(translate("Call 9123 4567 about CSSA.", "zh-Hant", shared_services, generator=model))
    with shared_services.engine.connect() as conn:
        row = conn.execute(
            select(audit_events.c.payload)
            .where(audit_events.c.kind == "translate")
            .order_by(audit_events.c.seq.desc())
        ).first()
    assert row is not None
    payload = str(row[0])
    assert "9123" not in payload and "CSSA" not in payload
    assert "cssa" in payload and "translate-v1" in payload
    assert shared_services.audit.verify().ok


@pytest.mark.parametrize(
    ("text", "target", "reason"),
    [
        ("", "zh-Hant", "translate.error.empty"),
        ("   \n ", "zh-Hant", "translate.error.empty"),
        ("Hello", "fr", "translate.error.target"),
        ("Hello there", "en", "translate.error.same_language"),
        ("x" * 60_001, "zh-Hant", "translate.error.too_long"),
    ],
)
def test_bad_requests_say_what_is_wrong(
    shared_services: Services, text: str, target: str, reason: str
) -> None:
    with pytest.raises(DocumentError) as caught:
        run(translate(text, target, shared_services, generator=PhraseTableModel()))
    assert caught.value.reason == reason


def test_a_model_outage_raises_backend_error_and_audits_nothing(shared_services: Services) -> None:
    before = shared_services.audit.verify().count
    with pytest.raises(BackendError):
        run(translate("Hello there", "zh-Hant", shared_services, generator=PhraseTableModel(faults=["down"])))
    assert shared_services.audit.verify().count == before


def _docx(with_table: bool = True) -> bytes:
    document = docx.Document()
    document.add_heading("How to apply", level=2)
    document.add_paragraph("Apply to the Labour Department.")
    document.add_paragraph("Bring your HKID card.", style="List Bullet")
    if with_table:
        table = document.add_table(rows=2, cols=2)
        table.cell(0, 0).text, table.cell(0, 1).text = "Amount", "Monthly"
        table.cell(1, 0).text, table.cell(1, 1).text = "OALA", "$4,195"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_upload_becomes_markdown_in_document_order() -> None:
    text = read_upload("guide.docx", _docx())
    assert text.splitlines()[:5] == [
        "## How to apply",
        "",
        "Apply to the Labour Department.",
        "",
        "- Bring your HKID card.",
    ]
    assert "| Amount | Monthly |" in text and "| OALA | $4,195 |" in text


def test_pdf_upload_reads_the_text_layer() -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Apply to the Labour Department.")
    text = read_upload("guide.pdf", bytes(pdf.output()))
    assert "Labour Department" in text


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("big.txt", b"a" * (5 * 1024 * 1024 + 1), "translate.error.too_large"),
        ("photo.png", b"\x89PNG....", "translate.error.unsupported"),
        ("empty.txt", b"   ", "translate.error.empty"),
        ("bin.txt", b"ab\x00cd", "translate.error.binary"),
        ("latin1.txt", "café".encode("latin-1"), "translate.error.not_utf8"),
        ("broken.docx", b"PK\x03\x04 not really a zip", "translate.error.corrupt"),
        ("broken.pdf", b"%PDF-1.4 truncated", "translate.error.corrupt"),
    ],
)
def test_bad_uploads_are_refused_with_a_reason(name: str, data: bytes, reason: str) -> None:
    with pytest.raises(DocumentError) as caught:
        read_upload(name, data)
    assert caught.value.reason == reason


def test_docx_with_macros_is_refused() -> None:
    import zipfile

    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(_docx(with_table=False))) as source,
        zipfile.ZipFile(buffer, "w") as target,
    ):
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("word/vbaProject.bin", b"macro")
    with pytest.raises(DocumentError) as caught:
        read_upload("macro.docx", buffer.getvalue())
    assert caught.value.reason == "translate.error.macros"


def test_password_protected_pdf_is_refused() -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(DocumentError) as caught:
        read_upload("locked.pdf", buffer.getvalue())
    assert caught.value.reason == "translate.error.encrypted"


def test_a_mixed_document_translates_the_lines_in_the_other_language(shared_services: Services) -> None:
    model = PhraseTableModel({"Please bring your identity card": "請帶同身份證"})
    text = "申請須知\n\n請於辦公時間內親身前往辦事處遞交申請表格。\n\nPlease bring your identity card."
    result = run(translate(text, "zh-Hant", shared_services, generator=model))
    assert result.text.splitlines()[-1] == "請帶同身份證."
    assert result.text.splitlines()[2] == "請於辦公時間內親身前往辦事處遞交申請表格。"
    with pytest.raises(DocumentError):
        run(
            translate(
                "請於辦公時間內親身前往辦事處遞交申請表格。", "zh-Hant", shared_services, generator=model
            )
        )
