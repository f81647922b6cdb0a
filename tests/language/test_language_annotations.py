"""The language benchmark's blind register annotations: complete, well-formed, and read as ADR 0009 says."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks import language_eval as le
from kaifong.language import to_hans
from tools.langid_annotation_sheet import main as write_sheets
from tools.langid_annotation_sheet import sheet_items


@pytest.fixture
def annotations_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private annotations file in place of the bundled one (caches cleared before and after)."""
    path = tmp_path / "annotations.tsv"
    monkeypatch.setattr(le, "ANNOTATIONS", path)
    le.annotated_rows.cache_clear()
    le.annotations.cache_clear()
    yield path
    le.annotated_rows.cache_clear()
    le.annotations.cache_clear()


def test_every_register_item_long_enough_is_annotated_twice_with_known_labels() -> None:
    rows = dict(le.annotated_rows())
    assert set(rows) == set(sheet_items())
    assert all(len(labels) == 2 and set(labels) <= set(le.ANNOTATION_LABELS) for labels in rows.values())


def test_an_item_is_determinable_only_when_both_annotators_find_its_register(annotations_file: Path) -> None:
    swc = le._lines("langid_zh.txt")[0]
    annotations_file.write_text(
        "# comment\n"
        "佢哋而家喺屋企食緊飯呀\tC\t佢哋\tM\t佢哋,的\n"
        "今日天氣好好，大家出去行下\tC\t行下\tE\t-\n"
        f"{swc}\tS\t的\tS\t是\n",
        encoding="utf-8",
    )
    assert not le._not_evident("佢哋而家喺屋企食緊飯呀", "yue-Hant")
    assert le._not_evident("今日天氣好好，大家出去行下", "yue-Hant")
    assert le._not_evident(swc, "yue-Hant")  # an SWC reading of a Cantonese-labelled item
    assert not le._not_evident(swc, "zh-Hant") and not le._not_evident(to_hans(swc), "zh-Hans")
    assert not le._not_evident("未標註的句子沒有被刪去", "zh-Hant")


def test_agreement_and_kappa_are_computed_over_both_annotators(annotations_file: Path) -> None:
    annotations_file.write_text(
        "一\tC\t-\tC\t-\n二\tC\t-\tE\t-\n三\tS\t-\tS\t-\n四\tE\t-\tE\t-\n", encoding="utf-8"
    )
    result = le.annotation_agreement()
    assert result["items"] == 4 and result["agreement"] == 0.75
    # expected agreement: C .5*.25 + S .25*.25 + E .25*.5 = 0.3125; kappa (0.75-0.3125)/(1-0.3125)
    assert result["kappa"] == round((0.75 - 0.3125) / 0.6875, 3)


def test_without_annotations_the_rule_drops_nothing(annotations_file: Path) -> None:
    assert le.annotated_rows() == () and le.annotation_agreement() == {"items": 0}
    assert not le._not_evident("今日天氣好好，大家出去行下", "yue-Hant")


def test_the_sheets_are_blind_and_together_hold_every_item(tmp_path: Path) -> None:
    write_sheets(tmp_path)
    sheets = [(tmp_path / f"sheet-{i}.tsv").read_text(encoding="utf-8").splitlines() for i in (1, 2)]
    rows = [line.split("\t") for sheet in sheets for line in sheet]
    assert all(len(row) == 2 and row[0].startswith("R") for row in rows)
    assert [text for _, text in rows] == sheet_items()
    key = (tmp_path / "key.tsv").read_text(encoding="utf-8").splitlines()
    assert [line.split("\t") for line in key] == rows
