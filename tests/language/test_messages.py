"""Every resident-facing string exists in all four forms, in the right script and register."""

from __future__ import annotations

import re
from pathlib import Path

import hanzidentifier
import pytest

from kaifong.language.messages import catalogue, localise, message, parse_form
from kaifong.types import FORMS

KEYS = sorted(catalogue())
CANTONESE = re.compile("[係唔嘅咗喺冇嚟啲嘢佢哋咁噉俾畀搵睇打]")


@pytest.mark.parametrize("key", KEYS)
def test_every_message_has_all_four_forms(key: str) -> None:
    forms = catalogue()[key]
    assert set(forms) == set(FORMS), f"{key} lacks {set(FORMS) - set(forms)}"
    assert all(text.strip() for text in forms.values())


@pytest.mark.parametrize("key", KEYS)
def test_scripts_match_their_form(key: str) -> None:
    forms = catalogue()[key]
    assert hanzidentifier.identify(forms["zh-Hans"]) != hanzidentifier.TRADITIONAL, key
    assert hanzidentifier.identify(forms["zh-Hant"]) != hanzidentifier.SIMPLIFIED, key
    assert hanzidentifier.identify(forms["yue-Hant"]) != hanzidentifier.SIMPLIFIED, key
    assert not re.search("[\u4e00-\u9fff]", forms["en"]), key


@pytest.mark.parametrize("key", KEYS)
def test_placeholders_agree_across_forms(key: str) -> None:
    names = {
        form: set(re.findall(r"(?<!\{)\{(\w+)\}(?!\})", text)) for form, text in catalogue()[key].items()
    }
    assert len({frozenset(v) for v in names.values()}) == 1, names


def test_every_status_has_a_canned_reply() -> None:
    for status in ("no_sources", "error_backend", "error_guard", "error_internal"):
        assert f"status.{status}" in catalogue()


def test_long_cantonese_messages_are_cantonese() -> None:
    for key in ("status.no_sources", "ui.ai_notice", "ui.pics", "label.ai"):
        assert CANTONESE.search(catalogue()[key]["yue-Hant"]), key


def test_message_fills_values_and_unescapes_braces() -> None:
    assert "2000" in message("error.question_too_long", "en", length=3000, limit=2000)
    assert '{"question"' in message("error.not_text", "zh-Hant")
    assert message("ui.send", "fr") == message("ui.send", "en")


def test_localise_follows_register_and_script() -> None:
    assert localise("ui.send", "yue", "Hans") == "问"
    assert localise("ui.send", "zh", "Hant") == "發問"
    assert localise("ui.send", "en", "Latn") == "Ask"


@pytest.mark.parametrize(
    ("value", "form"),
    [
        ("zh-Hant", "zh-Hant"),
        ("ZH-HANS", "zh-Hans"),
        ("yue", "yue-Hant"),
        ("en", "en"),
        ("fr", None),
        ("", None),
    ],
)
def test_parse_form(value: str, form: str | None) -> None:
    assert parse_form(value) == form


def test_catalogue_merges_every_messages_file_and_rejects_a_key_defined_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    from kaifong.language import messages

    folder = tmp_path
    forms = "{en: a, zh-Hant: 甲, zh-Hans: 甲, yue-Hant: 甲}"
    (folder / "messages.yaml").write_text(f"one: {forms}\n", encoding="utf-8")
    (folder / "messages-extra.yaml").write_text(f"two: {forms}\n", encoding="utf-8")
    monkeypatch.setattr(messages, "MESSAGES_DIR", folder)
    messages.catalogue.cache_clear()
    try:
        assert set(messages.catalogue()) == {"one", "two"}
        (folder / "messages-more.yaml").write_text(f"one: {forms}\n", encoding="utf-8")
        messages.catalogue.cache_clear()
        with pytest.raises(ValueError, match=r"messages-more\.yaml"):
            messages.catalogue()
    finally:
        messages.catalogue.cache_clear()
