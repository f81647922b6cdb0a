"""Form definitions: bundled forms are complete and sourced; a broken file names file, field and problem."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import hanzidentifier
import pytest
import yaml

from kaifong.tools.forms.schema import (
    DATA_DIR,
    FormDefinition,
    FormDefinitionError,
    LocalText,
    bundled_forms,
    load_form,
)
from kaifong.types import FORMS

EXPECTED = {
    "hcv-consent",
    "oala-application",
    "prh-application-part1",
    "hkid-replacement-appointment",
    "erb-course-application",
}


def texts(definition: FormDefinition) -> Iterator[LocalText]:
    yield from (definition.title, definition.department, definition.submit)
    if definition.form_number_note is not None:
        yield definition.form_number_note
    for section in definition.sections:
        yield section.title
        for spec in section.fields:
            yield from (spec.label, spec.help)
            yield from (choice.label for choice in spec.choices)


def test_the_five_common_forms_are_shipped() -> None:
    assert set(bundled_forms()) >= EXPECTED


@pytest.mark.parametrize("form_id", sorted(EXPECTED))
def test_each_form_records_its_sources_and_number(form_id: str) -> None:
    definition = bundled_forms()[form_id]
    assert definition.sources
    for source in definition.sources:
        assert source.url.startswith(("https://", "http://"))
        assert source.page_date == "undated" or date.fromisoformat(source.page_date)
        assert date.fromisoformat(source.checked)
        assert source.about
    assert definition.form_number or definition.form_number_note, "no number must be explained"


@pytest.mark.parametrize("form_id", sorted(EXPECTED))
def test_every_text_is_in_four_forms_and_the_right_script(form_id: str) -> None:
    for text in texts(bundled_forms()[form_id]):
        assert set(text.texts) == set(FORMS)
        assert not re.search("[\u4e00-\u9fff]", text.texts["en"]), text.texts["en"]
        assert hanzidentifier.identify(text.texts["zh-Hans"]) != hanzidentifier.TRADITIONAL, text.texts
        assert hanzidentifier.identify(text.texts["zh-Hant"]) != hanzidentifier.SIMPLIFIED, text.texts
        assert hanzidentifier.identify(text.texts["yue-Hant"]) != hanzidentifier.SIMPLIFIED, text.texts


def test_forms_say_where_to_submit_and_never_promise_a_decision() -> None:
    for definition in bundled_forms().values():
        assert re.search(r"decide|confirm", definition.submit("en")), definition.id
        assert "決定" in definition.submit("zh-Hant") or "確認" in definition.submit("zh-Hant"), definition.id


def test_conditional_sections_follow_the_fields_they_depend_on() -> None:
    oala = bundled_forms()["oala-application"]
    spouse = next(section for section in oala.sections if section.id == "spouse")
    assert spouse.when is not None and spouse.when.field == "marital_status"
    assert spouse.when.values == frozenset({"married"})
    order = [spec.id for spec in oala.fields]
    assert order.index("marital_status") < order.index("spouse_hkid")


def write(folder: Path, data: dict[str, object], name: str = "demo-form") -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def text(value: str = "x") -> dict[str, str]:
    return {form: value for form in FORMS}


def minimal() -> dict[str, object]:
    return {
        "id": "demo-form",
        "form_number": "X1",
        "title": text(),
        "department": text(),
        "submit": text(),
        "sources": [
            {"url": "https://www.gov.hk/", "page_date": "undated", "checked": "2026-11-22", "about": "x"}
        ],
        "sections": [
            {
                "id": "main",
                "title": text(),
                "fields": [
                    {
                        "id": "status",
                        "type": "choice",
                        "label": text(),
                        "help": text(),
                        "choices": [{"value": "a", "label": text("A")}, {"value": "b", "label": text("B")}],
                    }
                ],
            },
            {
                "id": "more",
                "title": text(),
                "when": {"field": "status", "equals": "a"},
                "fields": [{"id": "amount", "type": "amount", "label": text(), "help": text()}],
            },
        ],
    }


def test_a_minimal_definition_loads(tmp_path: Path) -> None:
    definition = load_form(write(tmp_path, minimal()))
    assert definition.id == "demo-form" and [f.id for f in definition.fields] == ["status", "amount"]


def broken(change: str) -> dict[str, object]:
    data = minimal()
    sections = data["sections"]
    assert isinstance(sections, list)
    first_field = sections[0]["fields"][0]
    if change == "label lacks zh-Hans":
        del first_field["label"]["zh-Hans"]
    elif change == "unknown type":
        first_field["type"] = "colour"
    elif change == "condition on a later field":
        sections[0]["when"] = {"field": "amount", "equals": "a"}
    elif change == "condition value":
        sections[1]["when"] = {"field": "status", "equals": "c"}
    elif change == "no number, no note":
        data["form_number"] = None
    elif change == "bad page date":
        data["sources"][0]["page_date"] = "last week"  # type: ignore[index]
    elif change == "duplicate field":
        sections[1]["fields"][0]["id"] = "status"
    elif change == "unknown rule":
        sections[1]["fields"][0]["validation"] = {"script": "latin"}
    elif change == "typo in a key":
        first_field["requird"] = True
    elif change == "not a web address":
        data["sources"][0]["url"] = "ftp://example.org/form"  # type: ignore[index]
    elif change == "one choice":
        first_field["choices"] = first_field["choices"][:1]
    elif change == "choices on an amount":
        sections[1]["fields"][0]["choices"] = first_field["choices"]
    elif change == "rule of the wrong kind":
        sections[1]["fields"][0]["validation"] = {"maximum": "lots"}
    elif change == "past and future":
        sections[1]["fields"][0].update(type="date", validation={"past": True, "future": True})
    elif change == "empty text":
        first_field["help"]["zh-Hant"] = " "
    elif change == "extra language":
        first_field["help"]["fr"] = "x"
    elif change == "condition on an amount":
        data["sections"].append(  # type: ignore[attr-defined]
            {
                "id": "last",
                "title": text(),
                "when": {"field": "amount", "equals": "1"},
                "fields": [{"id": "note", "type": "text", "label": text(), "help": text()}],
            }
        )
    elif change == "no sections":
        data["sections"] = []
    return data


@pytest.mark.parametrize(
    ("change", "where", "problem"),
    [
        ("label lacks zh-Hans", "field 'status' label", "lacks zh-Hans"),
        ("unknown type", "field 'status'", "unknown type 'colour'"),
        ("condition on a later field", "section 'main' when", "not a question of an earlier section"),
        ("condition value", "section 'more' when", "'c' is not a value of 'status'"),
        ("no number, no note", "form_number_note", "must say why"),
        ("bad page date", "sources[0].page_date", "not an ISO date"),
        ("duplicate field", "field 'status'", "used twice"),
        ("unknown rule", "field 'amount' validation", "unknown key 'script'"),
        ("typo in a key", "section 'main' field", "unknown key 'requird'"),
        ("not a web address", "sources[0]", "not a web address"),
        ("one choice", "field 'status'", "at least two choices"),
        ("choices on an amount", "field 'amount'", "only for choice fields"),
        ("rule of the wrong kind", "field 'amount' validation.maximum", "not a number"),
        ("past and future", "field 'amount' validation", "both past and future"),
        ("empty text", "field 'status' help", "zh-Hant text is empty"),
        ("extra language", "field 'status' help", "unknown language form 'fr'"),
        ("condition on an amount", "section 'last' when", "conditions need choice or yes_no"),
        ("no sections", "sections", "at least one section"),
    ],
)
def test_load_errors_name_file_place_and_problem(
    tmp_path: Path, change: str, where: str, problem: str
) -> None:
    with pytest.raises(FormDefinitionError) as caught:
        load_form(write(tmp_path, broken(change)))
    assert caught.value.file == "demo-form.yaml"
    assert caught.value.where == where
    assert problem in caught.value.problem
    assert str(caught.value).startswith(f"demo-form.yaml: {where}: ")


def test_id_must_match_the_file_name_and_yaml_must_parse(tmp_path: Path) -> None:
    with pytest.raises(FormDefinitionError, match="equal the file name"):
        load_form(write(tmp_path, minimal(), name="other"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(FormDefinitionError, match=r"bad\.yaml: file: cannot be read"):
        load_form(bad)


def test_bundled_files_are_all_loaded() -> None:
    assert {path.stem for path in DATA_DIR.glob("*.yaml")} == set(bundled_forms())
