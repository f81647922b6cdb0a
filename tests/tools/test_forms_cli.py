"""``kaifong forms list``: every form with its number (or the reason it has none) and its source."""

from __future__ import annotations

import json

from click.testing import CliRunner

from kaifong.cli import main
from kaifong.tools.forms.schema import bundled_forms


def test_forms_list_prints_each_form_in_the_chosen_language() -> None:
    result = CliRunner().invoke(main, ["forms", "list", "--lang", "zh-Hant"])
    assert result.exit_code == 0, result.output
    for definition in bundled_forms().values():
        assert definition.id in result.output and definition.title("zh-Hant") in result.output
    assert "表格編號：HD300E" in result.output and "表格編號：官方網頁未有列明" in result.output


def test_forms_list_as_json() -> None:
    result = CliRunner().invoke(main, ["forms", "list", "--json"])
    rows = json.loads(result.output)
    assert {row["id"] for row in rows} == set(bundled_forms())
    assert all(row["sources"] and row["sources"][0]["url"].startswith("http") for row in rows)


def test_forms_list_refuses_an_unknown_language() -> None:
    result = CliRunner().invoke(main, ["forms", "list", "--lang", "fr"])
    assert result.exit_code == 2 and "use en, zh-Hant, zh-Hans or yue-Hant" in result.output
