"""Property tests for kaifong.governance.pii: generated valid identifiers in random text are redacted."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from kaifong.governance.pii import find, hkid_check_character, redact, ric_check_character
from kaifong.governance.recognizers._normalise import normalise_with_offsets
from kaifong.governance.sanitise import normalise_with_offsets as reference_normalise

FILLER = st.text(
    st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
        st.sampled_from(list("，。：「」\n")),
    ),
    max_size=40,
)
# Not a bare space: "4111111111111111 0" may be the head of a longer grouped number, which is left alone.
SEPARATORS = st.sampled_from(["，", "：", "係", "「", "是", " , ", "\n。"])
DIGITS = st.text(st.sampled_from("0123456789"), min_size=1, max_size=1)


def _luhn_complete(partial: str) -> str:
    for check in "0123456789":
        digits = partial + check
        total = sum(
            (2 * int(c) - 9 if 2 * int(c) > 9 else 2 * int(c)) if i % 2 else int(c)
            for i, c in enumerate(reversed(digits))
        )
        if total % 10 == 0:
            return digits
    raise AssertionError


@st.composite
def valid_rics(draw: st.DrawFn) -> str:
    region = draw(st.sampled_from(["110105", "440304", "310101", "510107"]))
    birth = f"{draw(st.integers(1930, 2020))}{draw(st.integers(1, 12)):02d}{draw(st.integers(1, 28)):02d}"
    body = region + birth + "".join(draw(DIGITS) for _ in range(3))
    return body + ric_check_character(body)


@st.composite
def valid_cards(draw: st.DrawFn) -> str:
    prefix, length = draw(
        st.sampled_from([("4", 16), ("51", 16), ("2720", 16), ("37", 15), ("62", 19), ("3540", 16)])
    )
    number = _luhn_complete(prefix + "".join(draw(DIGITS) for _ in range(length - len(prefix) - 1)))
    if length == 16 and draw(st.booleans()):
        return draw(st.sampled_from([" ", "-"])).join(number[i : i + 4] for i in range(0, 16, 4))
    return number


@st.composite
def valid_hkids(draw: st.DrawFn) -> str:
    prefix = draw(st.text(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), min_size=1, max_size=2))
    digits = "".join(draw(DIGITS) for _ in range(6))
    return f"{prefix}{digits}({hkid_check_character(prefix, digits)})"


@settings(max_examples=200, deadline=None)
@given(FILLER, st.one_of(valid_rics(), valid_cards(), valid_hkids()), FILLER, SEPARATORS)
def test_embedded_valid_identifiers_are_redacted(before: str, value: str, after: str, separator: str) -> None:
    text = before + separator + value + separator + after
    result = redact(text)
    assert value not in result.text
    assert any(kind in result.kinds for kind in ("RIC", "CARD", "HKID"))


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(exclude_categories=()), max_size=300))
def test_find_never_raises_and_spans_are_sane(text: str) -> None:
    previous = 0
    for finding in find(text):
        assert previous <= finding.start < finding.end <= len(text)
        assert finding.text == text[finding.start : finding.end]
        previous = finding.end
    redact(text)


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        st.sampled_from(
            [*"我叫陳大文先生住喺彌敦道123號A座12樓室Flat /F,Block Road Mr 戶口-卡護照K", "\u0301", "，"]
        ),
        max_size=150,
    )
)
def test_find_never_raises_on_pii_shaped_text(text: str) -> None:
    find(text)
    redact(text)


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(exclude_categories=()), max_size=60))
def test_fast_normalisation_matches_sanitise(text: str) -> None:
    normalised, offsets = normalise_with_offsets(text)
    assert normalised == reference_normalise(text)[0]
    assert len(offsets) == len(normalised) + 1 and offsets == sorted(offsets) and offsets[-1] == len(text)


def test_fast_normalisation_on_tricky_characters() -> None:
    rng = random.Random(7)
    alphabet = list("abé\u0301\u200b，。Ａ１（）中㈱ｶﾞ\ufeff가\u1161\u11a8e\u0308 \u3000\ud800\U000e0041")
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert normalise_with_offsets(text)[0] == reference_normalise(text)[0], repr(text)
