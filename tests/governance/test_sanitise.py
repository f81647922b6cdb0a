"""Tests for kaifong.governance.sanitise: clean(), normalise_with_offsets() and map_span()."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kaifong.governance.sanitise import clean, is_stripped, map_span, normalise_with_offsets

INVISIBLES = [
    "\u200b",  # zero-width space
    "\u200c",  # zero-width non-joiner
    "\u200d",  # zero-width joiner
    "\u2060",  # word joiner
    "\ufeff",  # BOM / zero-width no-break space
    "\u202a",  # LRE
    "\u202e",  # RLO
    "\u2066",  # LRI
    "\u2069",  # PDI
    "\u200e",  # LRM
    "\u200f",  # RLM
    "\u061c",  # Arabic letter mark
    "\U000e0001",  # language tag
    "\U000e0041",  # tag latin capital A
    "\U000e007f",  # cancel tag
    "\u00ad",  # soft hyphen (Cf)
    "\u2062",  # invisible times (Cf)
    "\x00",
    "\x07",
    "\x1b",
    "\r",
    "\x7f",
    "\x85",  # C1 next line
    "\x9f",
    "\ud800",  # lone high surrogate
    "\udfff",  # lone low surrogate
]


@pytest.mark.parametrize("ch", INVISIBLES)
def test_clean_strips_invisible_and_control_characters(ch: str) -> None:
    assert clean(f"ab{ch}c{ch}") == "abc"
    assert is_stripped(ch)


def test_clean_keeps_newline_and_tab() -> None:
    assert clean("a\nb\tc") == "a\nb\tc"
    assert not is_stripped("\n")
    assert not is_stripped("\t")


def test_clean_nfkc_normalises() -> None:
    assert clean("Ａ１２３４５６（３）") == "A123456(3)"
    assert clean("ｶﾞ") == "ガ"
    assert clean("e\u0301") == "é"
    assert clean("①") == "1"


def test_clean_keeps_ordinary_text() -> None:
    text = "我想申請公屋、HK$4,195、2024年1月15日。Hello, world!"
    assert clean(text) == text
    # NFKC folds full-width punctuation to ASCII.
    assert clean("你好，世界！") == "你好,世界!"


def test_clean_zero_width_inside_word_is_joined() -> None:
    assert clean("A12\u200b3456(3)") == "A123456(3)"
    assert clean("\u202eevil\u202c") == "evil"


def test_full_width_hkid_normalised_per_character() -> None:
    original = "Ａ１２３４５６（３）"
    normalised, offsets = normalise_with_offsets(original)
    assert normalised == "A123456(3)"
    assert offsets == [*range(10), 10]


def test_offsets_skip_stripped_characters() -> None:
    original = "A12\u200b3456(3)"
    normalised, offsets = normalise_with_offsets(original)
    assert normalised == "A123456(3)"
    assert offsets == [0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11]
    assert len(offsets) == len(normalised) + 1


def test_fast_path_identity() -> None:
    text = "我嘅身份證號碼係A123456(3)"
    normalised, offsets = normalise_with_offsets(text)
    assert normalised == text
    assert offsets == list(range(len(text) + 1))


def test_empty() -> None:
    assert clean("") == ""
    assert normalise_with_offsets("") == ("", [0])
    assert normalise_with_offsets("\u200b") == ("", [1])


def test_expansions_and_combining_marks_map_to_their_source() -> None:
    original = "x㈱e\u0301ｶﾞ"
    normalised, offsets = normalise_with_offsets(original)
    assert normalised == "x(株)éガ"
    assert offsets == [0, 1, 1, 1, 2, 4, 6]


def test_map_span_excludes_surrounding_stripped_characters() -> None:
    original = "\u200bＡ１\u200b２\u200b\u200bx"
    normalised, offsets = normalise_with_offsets(original)
    assert normalised == "A12x"
    start, end = map_span(original, offsets, 0, 3)
    assert original[start:end] == "Ａ１\u200b２"
    assert map_span(original, offsets, 2, 2) == (offsets[2], offsets[2])


def test_map_span_end_inside_shared_unit() -> None:
    original = "11ﾞ"
    normalised, offsets = normalise_with_offsets(original)
    assert normalised == "11\u3099"
    assert map_span(original, offsets, 0, 2) == (0, 3)
    assert map_span(original, offsets, 2, 3) == (1, 3)


def test_map_span_keeps_combining_marks() -> None:
    original = "e\u0301\u200bz"
    normalised, offsets = normalise_with_offsets(original)
    assert normalised == "éz"
    assert map_span(original, offsets, 0, 1) == (0, 2)


# Alphabet mixing ASCII, CJK, full-width forms, invisibles, combining marks and half-width kana.
MIXED = st.text(
    st.sampled_from(
        list("Aa1(3) -+@.")
        + list("我嘅身份證號碼")
        + list("Ａ１（）＠")
        + INVISIBLES
        + ["\u0301", "ｶ", "ﾞ", "㈱", "\n"]
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(exclude_categories=()), max_size=80))
def test_never_raises_and_offsets_are_consistent(text: str) -> None:
    cleaned = clean(text)
    normalised, offsets = normalise_with_offsets(text)
    assert len(offsets) == len(normalised) + 1
    assert offsets[-1] == len(text)
    assert offsets == sorted(offsets)
    assert all(0 <= o < len(text) for o in offsets[:-1])
    assert not any(is_stripped(ch) for ch in cleaned)
    assert not any(is_stripped(ch) for ch in normalised)
    cleaned.encode("utf-8")  # no lone surrogates survive


@settings(max_examples=300, deadline=None)
@given(MIXED)
def test_normalise_agrees_with_clean(text: str) -> None:
    normalised, _ = normalise_with_offsets(text)
    assert normalised == clean(text)
    assert unicodedata.is_normalized("NFKC", normalised)


@settings(max_examples=300, deadline=None)
@given(MIXED, st.data())
def test_map_span_round_trips(text: str, data: st.DataObject) -> None:
    normalised, offsets = normalise_with_offsets(text)
    start = data.draw(st.integers(0, len(normalised)))
    end = data.draw(st.integers(start, len(normalised)))
    o_start, o_end = map_span(text, offsets, start, end)
    assert 0 <= o_start <= o_end <= len(text)
    # The original span normalises to a string containing the normalised span.
    assert normalised[start:end] in clean(text[o_start:o_end])
