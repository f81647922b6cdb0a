"""Chunking: passages per heading section, long sections cut without breaking lists apart."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaifong.knowledge import chunking
from kaifong.knowledge.chunking import MAX_CHUNK_CHARS, Chunk, chunk, plain


def test_sections_split_at_headings() -> None:
    body = "Intro line.\n\n## What it is\nA grant.\n\n### Who can apply\nResidents.\n# Top\nEnd.\n"
    assert chunk(body) == [
        Chunk("", "Intro line."),
        Chunk("What it is", "A grant."),
        Chunk("Who can apply", "Residents."),
        Chunk("Top", "End."),
    ]


def test_heading_markup_is_cleaned() -> None:
    body = "## **How** to [apply](https://x.gov.hk) ##\ntext\n  ###### Deep   \nmore\n"
    assert chunk(body) == [Chunk("How to apply", "text"), Chunk("Deep", "more")]


def test_hash_without_space_is_not_a_heading() -> None:
    assert chunk("#hashtag text\nline two") == [Chunk("", "#hashtag text\nline two")]


def test_empty_sections_are_dropped() -> None:
    body = "\n\n## Empty\n\n   \n## Also empty\n## Full\nSomething.\n## Trailing\n"
    assert chunk(body) == [Chunk("Full", "Something.")]


def test_empty_body_has_no_chunks() -> None:
    assert chunk("") == []
    assert chunk("## Only a heading") == []


def test_links_and_emphasis_are_stripped() -> None:
    body = (
        "## Contact\nCall **1823** or see [the GovHK page](https://www.gov.hk/) and `form SWD-1` __now__.\n"
    )
    assert chunk(body) == [Chunk("Contact", "Call 1823 or see the GovHK page and form SWD-1 now.")]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("[a](http://x) and [b](y)", "a and b"),
        ("**bold** and __strong__ and `code`", "bold and strong and code"),
        ("trailing spaces   ", "trailing spaces"),
        ("  leading kept", "  leading kept"),
    ],
)
def test_plain(line: str, expected: str) -> None:
    assert plain(line) == expected


def test_short_section_stays_whole() -> None:
    lines = [f"Line {i} " + "x" * 50 for i in range(10)]
    chunks = chunk("## S\n" + "\n".join(lines))
    assert chunks == [Chunk("S", "\n".join(lines))]


def test_long_section_is_split_under_the_limit_and_keeps_its_heading() -> None:
    paragraphs = [f"Paragraph {i}. " + "word " * 40 for i in range(30)]
    body = "## Long section\n" + "\n\n".join(paragraphs)
    chunks = chunk(body)
    assert len(chunks) > 1
    for piece in chunks:
        assert piece.heading == "Long section"
        assert len(piece.text) <= MAX_CHUNK_CHARS
        assert piece.text == piece.text.strip()
    # nothing lost, nothing duplicated, order kept
    joined = "\n".join(piece.text for piece in chunks)
    assert [line for line in joined.splitlines() if line.strip()] == [p.rstrip() for p in paragraphs]


def test_numbered_items_stay_with_their_list() -> None:
    intro = "Read this first. " * 30
    steps = [f"{i}. Step number {i}: " + "do the thing " * 6 for i in range(1, 8)]
    after = "Afterwards. " * 20
    body = "## How to apply\n" + intro + "\n" + "\n".join(steps) + "\n\n" + after
    chunks = chunk(body)
    holding = [piece for piece in chunks if "1. Step number 1" in piece.text]
    assert len(holding) == 1
    for step in steps:
        assert step.rstrip() in holding[0].text, "a numbered step was separated from its list"


def test_list_item_is_never_the_first_line_of_a_continuation_chunk() -> None:
    """Items of -, * and 1) lists are glued to the line before them."""
    lead = "Lead paragraph. " * 50
    items = [f"- bullet {i} " + "y" * 80 for i in range(5)]
    items += [f"* star {i} " + "z" * 80 for i in range(5)]
    items += [f"{i}) paren {i} " + "w" * 80 for i in range(5)]
    chunks = chunk("## Lists\n" + lead + "\n" + "\n".join(items))
    for piece in chunks[1:]:
        assert not re.match(r"^\s*(\d+[.)]|[-*])\s", piece.text), piece.text[:40]
    assert sum(piece.text.count("\n- bullet") + piece.text.startswith("- bullet") for piece in chunks) == 5


def test_split_happens_after_list_ends() -> None:
    steps = [f"{i}. " + "step " * 40 for i in range(1, 6)]
    tail = ["Closing paragraph " + "z" * 100 for _ in range(3)]
    chunks = chunk("## Steps\n" + "\n".join(steps + tail))
    assert len(chunks) >= 2
    assert all(step.rstrip() in chunks[0].text for step in steps)
    assert chunks[1].text.startswith("Closing paragraph")


def test_limit_is_read_at_call_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chunking, "MAX_CHUNK_CHARS", 20)
    chunks = chunk("## S\nalpha beta gamma\ndelta epsilon zeta\neta theta iota")
    assert [piece.text for piece in chunks] == ["alpha beta gamma", "delta epsilon zeta", "eta theta iota"]


_line = st.text(alphabet="abc xyz.,", min_size=0, max_size=120)


@given(st.lists(_line, max_size=60))
def test_chunks_never_exceed_limit_for_plain_prose(lines: list[str]) -> None:
    """Lines shorter than the limit that are not list items always fit in a chunk."""
    for piece in chunk("## H\n" + "\n".join(lines)):
        assert piece.text.strip()
        assert len(piece.text) <= MAX_CHUNK_CHARS


@given(st.lists(_line, max_size=60))
def test_chunking_keeps_all_words(lines: list[str]) -> None:
    words = " ".join(lines).split()
    got = " ".join(piece.text for piece in chunk("\n".join(lines))).split()
    assert got == words
