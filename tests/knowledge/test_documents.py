"""Front matter parsing and the Document model."""

from __future__ import annotations

import dataclasses

import pytest

from kaifong.errors import IngestError
from kaifong.knowledge.documents import REQUIRED_KEYS, Document, document_from_markdown, split_front_matter

VALID = """---
id: oala
title: Old Age Living Allowance
department: Social Welfare Department
url: https://www.swd.gov.hk/oala
language: en
reviewed: 2026-11-22
source_date: 2024-02-01
hotline: "2343 2255"
topics: [elderly, welfare]
aliases: [OALA, 長生津]
---

## What it is
A monthly allowance.
"""


def with_line(key: str, value: str | None) -> str:
    """VALID with one front-matter key set to ``value`` (None removes the key)."""
    lines = []
    for line in VALID.splitlines():
        if line.startswith(f"{key}:"):
            if value is None:
                continue
            line = f"{key}: {value}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def test_valid_front_matter_fills_every_field() -> None:
    doc = document_from_markdown(VALID, "kb/oala.md", strict=True)
    assert doc.topic == "oala"
    assert doc.language == "en"
    assert doc.id == "oala:en"
    assert doc.title == "Old Age Living Allowance"
    assert doc.department == "Social Welfare Department"
    assert doc.url == "https://www.swd.gov.hk/oala"
    assert doc.hotline == "2343 2255"
    assert doc.tags == ("elderly", "welfare")
    assert doc.aliases == ("OALA", "長生津")
    assert doc.source == "kb/oala.md"
    assert doc.body == "## What it is\nA monthly allowance."


def test_dates_become_iso_strings() -> None:
    doc = document_from_markdown(VALID, "kb/oala.md", strict=True)
    assert doc.reviewed == "2026-11-22"
    assert doc.source_date == "2024-02-01"
    undated = document_from_markdown(with_line("source_date", "undated"), "x.md", strict=True)
    assert undated.source_date == "undated"


@pytest.mark.parametrize("key", REQUIRED_KEYS)
def test_strict_mode_names_the_missing_key(key: str) -> None:
    with pytest.raises(IngestError) as info:
        document_from_markdown(with_line(key, None), "kb/broken.md", strict=True)
    message = str(info.value)
    assert message.startswith("kb/broken.md:")
    assert "missing" in message
    assert key in message.split("missing", 1)[1]


def test_strict_mode_names_every_missing_key_and_treats_empty_as_missing() -> None:
    raw = with_line("hotline", '""')
    raw = raw.replace("department: Social Welfare Department\n", "")
    with pytest.raises(IngestError, match=r"missing department, hotline$"):
        document_from_markdown(raw, "kb/broken.md", strict=True)


def test_empty_topics_list_is_accepted_in_strict_mode() -> None:
    doc = document_from_markdown(with_line("topics", "[]"), "x.md", strict=True)
    assert doc.tags == ()


def test_lenient_mode_accepts_missing_keys() -> None:
    doc = document_from_markdown("---\ntitle: Notes\n---\nSome text.\n", "notes.md", strict=False)
    assert (doc.title, doc.topic, doc.language, doc.body) == ("Notes", "", "", "Some text.")


def test_invalid_yaml_reports_the_file_and_the_line() -> None:
    raw = "---\nid: x\ntitle: a: b\nlanguage: en\n---\nbody\n"
    with pytest.raises(IngestError) as info:
        document_from_markdown(raw, "kb/bad.md", strict=False)
    message = str(info.value)
    assert message.startswith("kb/bad.md: line 3 ")
    assert "not valid YAML" in message


def test_invalid_yaml_line_counts_from_the_top_of_the_file() -> None:
    raw = "---\nid: x\nlanguage: en\ntopics: [a\nhotline: 1\nother: 2\n---\nbody\n"
    with pytest.raises(IngestError, match=r"^kb/bad\.md: line \d+ front matter is not valid YAML"):
        split_front_matter(raw, "kb/bad.md")
    raw_tab = "---\nid: x\n\tbad: 1\n---\nbody\n"
    with pytest.raises(IngestError, match=r"^kb/bad\.md: line 3 "):
        split_front_matter(raw_tab, "kb/bad.md")


def test_unclosed_front_matter_is_refused() -> None:
    with pytest.raises(IngestError, match=r"^kb/open\.md: .*no closing '---'"):
        split_front_matter("---\nid: x\ntitle: y\n\nbody\n", "kb/open.md")


@pytest.mark.parametrize("meta", ["- a\n- b", "just a string", "42"])
def test_front_matter_that_is_not_a_mapping_is_refused(meta: str) -> None:
    with pytest.raises(IngestError, match=r"^kb/list\.md: front matter must be a mapping"):
        split_front_matter(f"---\n{meta}\n---\nbody\n", "kb/list.md")


def test_empty_front_matter_is_an_empty_mapping() -> None:
    assert split_front_matter("---\n---\nbody text\n", "x.md") == ({}, "body text\n")


def test_no_front_matter_returns_the_whole_text() -> None:
    assert split_front_matter("# Title\n\nText\n", "x.md") == ({}, "# Title\n\nText\n")


def test_unknown_language_is_refused() -> None:
    with pytest.raises(IngestError, match=r"^kb/fr\.md: language 'fr' is not one of"):
        document_from_markdown(with_line("language", "fr"), "kb/fr.md", strict=True)
    with pytest.raises(IngestError, match="language 'zh-TW'"):
        document_from_markdown("---\nlanguage: zh-TW\n---\ntext\n", "x.md", strict=False)


@pytest.mark.parametrize("language", ["en", "zh-Hant", "zh-Hans"])
def test_known_languages_are_accepted(language: str) -> None:
    doc = document_from_markdown(with_line("language", language), "x.md", strict=True)
    assert doc.language == language
    assert doc.id == f"oala:{language}"


@pytest.mark.parametrize("body", ["", "\n", "\n\n   \n\t\n"])
def test_empty_body_is_refused(body: str) -> None:
    raw = VALID.split("---\n\n", 1)[0] + "---\n" + body
    with pytest.raises(IngestError, match=r"^kb/empty\.md: the document has no text"):
        document_from_markdown(raw, "kb/empty.md", strict=True)


def test_front_matter_closed_at_end_of_file_without_newline_has_no_body() -> None:
    assert split_front_matter("---\nid: x\n---", "x.md") == ({"id": "x"}, "")


def test_byte_order_mark_is_ignored() -> None:
    doc = document_from_markdown("\ufeff" + VALID, "bom.md", strict=True)
    assert doc.topic == "oala"
    assert doc.title == "Old Age Living Allowance"


def test_string_topics_and_aliases_become_one_element_tuples() -> None:
    raw = with_line("topics", "elderly").replace("aliases: [OALA, 長生津]", "aliases: '  長生津 '")
    doc = document_from_markdown(raw, "x.md", strict=True)
    assert doc.tags == ("elderly",)
    assert doc.aliases == ("長生津",)


def test_list_items_are_stripped_stringified_and_blanks_dropped() -> None:
    raw = with_line("aliases", "['  OALA ', '', null, 2024]")
    doc = document_from_markdown(raw, "x.md", strict=True)
    assert doc.aliases == ("OALA", "2024")


def test_missing_aliases_is_an_empty_tuple() -> None:
    doc = document_from_markdown(with_line("aliases", None), "x.md", strict=True)
    assert doc.aliases == ()


@pytest.mark.parametrize("key", ["topics", "aliases"])
def test_list_keys_of_the_wrong_type_are_refused(key: str) -> None:
    with pytest.raises(IngestError, match=rf"^kb/x\.md: front-matter key '{key}' must be a list"):
        document_from_markdown(with_line(key, "{a: 1}"), "kb/x.md", strict=True)


def test_non_string_scalars_are_stringified() -> None:
    doc = document_from_markdown(with_line("hotline", "23432255"), "x.md", strict=True)
    assert doc.hotline == "23432255"


def test_doc_id_overrides_the_topic_language_id() -> None:
    doc = Document(topic="t", language="en", title="T", body="b", doc_id="file-abc")
    assert doc.id == "file-abc"
    assert Document(topic="t", language="en", title="T", body="b").id == "t:en"


BASE = Document(
    topic="oala",
    language="en",
    title="OALA",
    body="Body text.",
    department="SWD",
    url="https://www.swd.gov.hk/",
    reviewed="2026-11-22",
    source_date="2024-02-01",
    hotline="2343 2255",
    tags=("elderly",),
    aliases=("fruit money",),
)


def test_content_hash_is_stable() -> None:
    again = dataclasses.replace(BASE)
    assert again.content_hash == BASE.content_hash
    assert len(BASE.content_hash) == 64


@pytest.mark.parametrize(
    "change",
    [
        {"body": "Body text changed."},
        {"title": "Old Age Living Allowance"},
        {"topic": "oaa"},
        {"language": "zh-Hant"},
        {"department": "LWB"},
        {"url": "https://www.swd.gov.hk/oala"},
        {"reviewed": "2026-12-01"},
        {"source_date": "undated"},
        {"hotline": "1823"},
        {"tags": ("elderly", "welfare")},
        {"aliases": ()},
    ],
)
def test_content_hash_changes_when_body_or_metadata_changes(change: dict[str, object]) -> None:
    changed = dataclasses.replace(BASE, **change)  # type: ignore[arg-type]
    assert changed.content_hash != BASE.content_hash


def test_content_hash_separates_fields() -> None:
    """Moving text from one field to the next must not give the same hash."""
    a = dataclasses.replace(BASE, title="ab", department="c")
    b = dataclasses.replace(BASE, title="a", department="bc")
    assert a.content_hash != b.content_hash


def test_content_hash_ignores_where_the_document_came_from() -> None:
    moved = dataclasses.replace(BASE, source="elsewhere.md")
    assert moved.content_hash == BASE.content_hash
