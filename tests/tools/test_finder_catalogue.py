"""The finder catalogue: bundled files complete and dated; broken files refused by file, line and entry."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import hanzidentifier
import pytest

from kaifong.tools.finder.catalogue import MONEY_FACTS, default_catalogue, load_catalogue
from kaifong.tools.finder.datafiles import DATA_DIR, CatalogueError
from kaifong.tools.finder.names import districts, languages

ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CATALOGUE = default_catalogue()
ENTRIES = CATALOGUE.entries


def test_catalogue_is_versioned_and_large_enough() -> None:
    assert CATALOGUE.version and ISO.match(CATALOGUE.checked)
    assert sum(e.kind == "service" for e in ENTRIES) >= 25
    assert sum(e.kind == "course" for e in ENTRIES) >= 15
    assert len({e.id for e in ENTRIES}) == len(ENTRIES)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_every_entry_is_sourced_dated_and_bilingual(entry) -> None:  # type: ignore[no-untyped-def]
    assert entry.sources and all(s.url.startswith(("http://", "https://")) for s in entry.sources)
    assert all(ISO.match(s.date) or s.date == "undated" for s in entry.sources)
    assert ISO.match(entry.checked)
    assert entry.apply_url.startswith(("http://", "https://"))
    for text in (entry.name, entry.summary, entry.department, entry.apply_how):
        assert text.en and not re.search("[\u4e00-\u9fff]", text.en)
        assert hanzidentifier.identify(text.zh_hant) != hanzidentifier.SIMPLIFIED
        assert hanzidentifier.identify(text.in_form("zh-Hans")) != hanzidentifier.TRADITIONAL
    assert entry.amounts, "every entry says what it costs or pays, with a date"
    for amount in entry.amounts:
        assert ISO.match(amount.as_of) or amount.as_of == "undated"
        assert amount.source.startswith("http")


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_money_limits_carry_their_date_and_source(entry) -> None:  # type: ignore[no-untyped-def]
    for rule in entry.rules:
        if rule.facts() & MONEY_FACTS:
            assert ISO.match(rule.as_of), rule.id
            assert rule.source.startswith("http"), rule.id
            assert rule.as_of[:4] in rule.text.en, "the limit's date is also in its wording"


def test_eighteen_districts_and_their_aliases() -> None:
    index = districts()
    assert len(index.names) == 18
    assert index.resolve("旺角").id == "yau-tsim-mong"  # type: ignore[union-attr]
    assert index.resolve("Kwun Tong").id == "kwun-tong"  # type: ignore[union-attr]
    assert index.resolve("观塘").id == "kwun-tong"  # type: ignore[union-attr]
    assert index.resolve("深水埗區").id == "sham-shui-po"  # type: ignore[union-attr]
    assert index.resolve("Tseung Kwan O").id == "sai-kung"  # type: ignore[union-attr]
    assert index.resolve("Gotham") is None
    found = [m.name.id for m in index.mentions("I work in Central but live in Tin Shui Wai, near 荃灣")]
    assert found == ["central-and-western", "yuen-long", "tsuen-wan"]
    assert index.mentions("the central government") == []  # "Central" only as a name


def test_language_names_in_both_scripts() -> None:
    assert languages().resolve("普通话").id == "cmn"  # type: ignore[union-attr]
    assert languages().resolve("English").id == "en"  # type: ignore[union-attr]
    assert languages().resolve("Klingon") is None


GOOD_ENTRY = """\
- id: sample-service
  kind: service
  name: {en: Sample service, zh-Hant: 樣本服務}
  department: {en: Some Department, zh-Hant: 某部門}
  summary: {en: A sample., zh-Hant: 一個樣本。}
  apply:
    url: https://example.gov.hk/apply
    how: {en: Apply online., zh-Hant: 網上申請。}
  sources:
    - {url: "https://example.gov.hk/page", date: 2025-02-01}
  checked: 2026-11-22
  amounts:
    - {en: HK$100 a month., zh-Hant: 每月100港元。, as_of: 2025-02-01, source: "https://example.gov.hk/page"}
  districts: all
  languages: [yue, en]
  rules:
    - id: age
      text: {en: Aged 65 or over, zh-Hant: 年滿65歲}
      fact: age
      min: 65
"""


def _catalogue_with(tmp_path: Path, name: str, content: str) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder)
    (folder / "entries" / name).write_text(content, encoding="utf-8")
    return folder


def test_a_good_extra_file_loads(tmp_path: Path) -> None:
    catalogue = load_catalogue(_catalogue_with(tmp_path, "extra.yaml", GOOD_ENTRY))
    assert catalogue.get("sample-service").rules[0].id == "age"


@pytest.mark.parametrize(
    ("old", "new", "line", "problem"),
    [
        ("      fact: age\n", "      fact: shoe_size\n", 17, "unknown fact 'shoe_size'"),
        ("      min: 65\n", "      min: 65\n      max: 15\n", 17, "min (65.0) is above max (15.0)"),
        ("      fact: age\n      min: 65\n", "      fact: assets\n      max: 1000\n", 17, "as_of"),
        ("zh-Hant: 某部門}", "zh-Hant: 某部门这个}", 4, "Simplified"),
        ("{en: A sample.,", "{en: A sample 樣本.,", 5, "English text contains Chinese"),
        ("districts: all", "districts: [gotham]", 14, "unknown district id(s) gotham"),
        ("date: 2025-02-01}", "date: last spring}", 10, "sources.0.date: 'last spring' is not a date"),
        (
            '  sources:\n    - {url: "https://example.gov.hk/page", date: 2025-02-01}\n',
            "",
            1,
            "sources: Field required",
        ),
        ("languages: [yue, en]", "languages: [yue, xx]", 15, "unknown language id(s) xx"),
        ("      min: 65\n", "      min: 65\n      is: true\n", 17, "cannot be checked with is"),
    ],
)
def test_a_broken_entry_is_refused_with_file_line_entry_and_problem(
    tmp_path: Path, old: str, new: str, line: int, problem: str
) -> None:
    assert old in GOOD_ENTRY
    folder = _catalogue_with(tmp_path, "broken.yaml", GOOD_ENTRY.replace(old, new))
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(folder)
    text = str(caught.value)
    assert text.startswith(f"broken.yaml:{line}: entry 'sample-service': "), text
    assert problem in text


def test_invalid_yaml_names_its_line(tmp_path: Path) -> None:
    folder = _catalogue_with(
        tmp_path, "broken.yaml", GOOD_ENTRY.replace("  kind: service\n", "  kind: [service\n")
    )
    with pytest.raises(CatalogueError, match=r"^broken\.yaml:\d+: invalid YAML"):
        load_catalogue(folder)


def test_an_id_used_twice_names_both_files(tmp_path: Path) -> None:
    folder = _catalogue_with(tmp_path, "one.yaml", GOOD_ENTRY)
    (folder / "entries" / "two.yaml").write_text(GOOD_ENTRY, encoding="utf-8")
    with pytest.raises(
        CatalogueError, match=r"two\.yaml: entry 'sample-service': id already used in one\.yaml"
    ):
        load_catalogue(folder)


def test_a_file_that_is_not_a_list_is_refused(tmp_path: Path) -> None:
    folder = _catalogue_with(tmp_path, "broken.yaml", "id: lonely\n")
    with pytest.raises(CatalogueError, match=r"broken\.yaml:1: the file must be a list of entries"):
        load_catalogue(folder)
