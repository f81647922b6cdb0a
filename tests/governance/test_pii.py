"""Tests for kaifong.governance.pii: HKID, phone and email recognizers, find() and redact()."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kaifong.governance.pii import (
    EmailRecognizer,
    Finding,
    HkidRecognizer,
    PhoneRecognizer,
    Recognizer,
    Redaction,
    find,
    hkid_check_character,
    redact,
)

# --- HKID check character ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "digits", "check"),
    [
        ("A", "123456", "3"),
        ("CA", "182361", "1"),
        ("G", "123456", "A"),
        ("AB", "987654", "3"),
        ("K", "000000", "0"),
    ],
)
def test_governance_examples(prefix: str, digits: str, check: str) -> None:
    assert hkid_check_character(prefix, digits) == check
    assert hkid_check_character(prefix.lower(), digits) == check
    found = find(f"{prefix}{digits}({check})")
    assert [(f.kind, f.start, f.end) for f in found] == [("HKID", 0, len(prefix) + 9)]
    assert found[0].score >= 0.95


def kinds(text: str) -> list[str]:
    return [f.kind for f in find(text)]


def spans(text: str) -> list[str]:
    return [text[f.start : f.end] for f in find(text)]


# --- HKID forms -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hkid",
    [
        "A123456(3)",
        "A1234563",
        "A123456 3",
        "A 123456 (3)",
        "A123456 (3)",
        "a123456(3)",
        "CA182361(1)",
        "ca1823611",
        "G123456(A)",
        "G123456(a)",
        "G123456A",
        "AB987654(3)",
        "K000000(0)",
        "Ａ１２３４５６（３）",
        "ＡＢ９８７６５４（３）",
        "Ａ123456(３)",
        "A12\u200b3456(3)",
        "A123456\u200e(3)",
        "A\ufeff123456(\u20603)",
    ],
)
def test_hkid_forms(hkid: str) -> None:
    for template in (
        "{}",
        "我嘅身份證號碼係{}",
        "{}係我身份證",
        "my HKID is {}.",
        "「{}」",
        "ID: {}, thanks",
    ):
        text = template.format(hkid)
        found = find(text)
        assert [f.kind for f in found] == ["HKID"], text
        assert text[found[0].start : found[0].end] == hkid, text


def test_hkid_in_chinese_sentence_with_context_scores_one() -> None:
    text = "我嘅身份證號碼係A123456(3)"
    [finding] = find(text)
    assert finding == Finding("HKID", 8, 18, 1.0, "A123456(3)")
    assert find("A123456(3)")[0].score == 0.95
    assert find("身分證：Ａ１２３４５６（３）")[0].score == 1.0
    assert find("Identity Card no. A123456(3)")[0].score == 1.0


def test_invalid_check_digit_never_scores_high() -> None:
    assert find("A123456(4)") == []
    assert find("我嘅號碼係A1234564") == []
    # With a context word it is reported as a probable typo, below the redaction threshold.
    found = find("身份證 A123456(4)")
    assert [(f.kind, f.score) for f in found] == [("HKID", 0.3)]
    assert redact("身份證 A123456(4)") == Redaction("身份證 A123456(4)", ())


@pytest.mark.parametrize(
    "text",
    [
        "XYA123456(3)",  # three letters: not an HKID prefix
        "1A123456(3)",  # preceded by a digit
        "A123456(3)7",  # followed by a digit
        "A12345678",  # too many digits
        "A12345(3)",  # too few digits
        "ABC1234563",
    ],
)
def test_hkid_boundaries(text: str) -> None:
    assert "HKID" not in kinds(text)


def test_hkid_recognizer_alone_on_normalised_text() -> None:
    recognizer = HkidRecognizer()
    assert recognizer.kind == "HKID"
    assert [(f.start, f.end) for f in recognizer.find("係A123456(3)同AB987654(3)")] == [(1, 11), (12, 23)]


# --- Phones -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("打去9123 4567搵我", "9123 4567"),
        ("call +852 2345 6789", "+852 2345 6789"),
        ("電話：21234567", "21234567"),
        ("電話：２１２３４５６７", "２１２３４５６７"),
        ("手機 9123-4567。", "9123-4567"),
        ("(852) 2345 6789", "(852) 2345 6789"),
        ("+852-9123-4567", "+852-9123-4567"),
        ("85291234567", "85291234567"),
        ("WhatsApp 5123 4567 please", "5123 4567"),
        ("91234567", "91234567"),
    ],
)
def test_phone_forms(text: str, number: str) -> None:
    found = find(text)
    assert [f.kind for f in found] == ["PHONE"], text
    assert text[found[0].start : found[0].end] == number
    assert found[0].score >= 0.85


def test_phone_context_raises_score() -> None:
    assert find("電話：21234567")[0].score == 0.95
    assert find("21234567")[0].score == 0.85


@pytest.mark.parametrize(
    "text",
    [
        "12345678",  # not a valid HK number
        "99999999",
        "41234567",
        "金額 12345678 元",
        "2024年1月15日",
        "20240115",
        "2024-01-15",
        "HK$4,195",
        "HK$91234567",  # an amount, not a number to call
        "$ 12,345,678",
        "在1997年回歸",
        "4111 1111 1111 1111",  # card number: part of a longer grouped number
        "9123 4567 8901",
        "1234567891234",  # 13 digits
        "3.91234567",
        "order 912345678",  # 9 digits
        "A91234567",
    ],
)
def test_no_phone_false_positives(text: str) -> None:
    assert "PHONE" not in kinds(text), text


def test_phone_recognizer_alone() -> None:
    recognizer = PhoneRecognizer()
    assert recognizer.kind == "PHONE"
    assert [(f.start, f.end) for f in recognizer.find("打去91234567或者23456789")] == [(2, 10), (12, 20)]


# --- Email ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "email"),
    [
        ("電郵：chan.tai-man@example.com.hk。", "chan.tai-man@example.com.hk"),
        ("email me at a.b+tag@gov.hk, thanks", "a.b+tag@gov.hk"),
        ("寄去chan@example.org啦", "chan@example.org"),
        ("ｃｈａｎ＠ｅｘａｍｐｌｅ．ｃｏｍ", "ｃｈａｎ＠ｅｘａｍｐｌｅ．ｃｏｍ"),
        ("<x_y@sub.domain.io>", "x_y@sub.domain.io"),
    ],
)
def test_email(text: str, email: str) -> None:
    found = find(text)
    assert [f.kind for f in found] == ["EMAIL"]
    assert text[found[0].start : found[0].end] == email


@pytest.mark.parametrize("text", ["a@b", "@example.com", "chan@", "user@localhost", "x@y.z", "a@@b.com"])
def test_not_email(text: str) -> None:
    assert "EMAIL" not in kinds(text)
    assert EmailRecognizer().find(text) == []


# --- Ordinary text ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "公屋輪候時間平均為5.5年，申請人需符合入息限額。",
        "綜援標準金額為HK$4,195，由2024年2月1日起生效。",
        "Please visit https://www.gov.hk/en/residents/ for details.",
        "辦公時間：星期一至五 09:00-17:30",
        "第12345678號條例",
        "",
    ],
)
def test_no_false_positives_on_ordinary_text(text: str) -> None:
    assert find(text) == []
    assert redact(text) == Redaction(text, ())


# --- find() and redact() ----------------------------------------------------------------------------


def test_address_was_ordinary_text_before_the_address_recognizer() -> None:
    # Until the ADDRESS kind existed this was in the "no false positives" list above.
    text = "Flat A, 12/F, Block 3, 123 Nathan Road"
    assert [(f.kind, f.start, f.end) for f in find(text)] == [("ADDRESS", 0, len(text))]


def test_find_mixed_message_sorted_with_original_offsets() -> None:
    # 「我叫陳大文」 is now a NAME (it was left alone before the NAME recognizer existed).
    text = "我叫陳大文，身份證Ａ１２３４５６（３），電話９１２３ ４５６７，電郵chan@example.com"
    found = find(text)
    assert [f.kind for f in found] == ["NAME", "HKID", "PHONE", "EMAIL"]
    assert [text[f.start : f.end] for f in found] == [
        "陳大文",
        "Ａ１２３４５６（３）",
        "９１２３ ４５６７",
        "chan@example.com",
    ]
    assert [f.text for f in found] == [
        "陳大文",
        "Ａ１２３４５６（３）",
        "９１２３ ４５６７",
        "chan@example.com",
    ]


def test_redact_mixed_message() -> None:
    text = "我叫陳大文，身份證Ａ１２３４５６（３），電話9123 4567，電郵chan@example.com。"
    result = redact(text)
    assert result.text == "我叫[NAME]，身份證[HKID]，電話[PHONE]，電郵[EMAIL]。"
    assert result.kinds == ("NAME", "HKID", "PHONE", "EMAIL")


def test_redact_zero_width_inside_hkid_in_original_string() -> None:
    text = "ID:A12\u200b3456(3) ok"
    [finding] = find(text)
    assert text[finding.start : finding.end] == "A12\u200b3456(3)"
    assert redact(text).text == "ID:[HKID] ok"


def test_redact_threshold() -> None:
    text = "身份證 A123456(4), A123456(3)"
    assert redact(text).text == "身份證 A123456(4), [HKID]"
    assert redact(text, threshold=0.2).text == "身份證 [HKID], [HKID]"
    assert redact(text, threshold=1.01) == Redaction(text, ())


def test_finding_repr_hides_value() -> None:
    [finding] = find("A123456(3)")
    assert "123456" not in repr(finding)
    assert "123456" not in repr(redact("A123456(3)"))


def test_overlaps_keep_higher_score_then_longer() -> None:
    # "a1234563" is a valid bare HKID and the local part of an email: the longer email wins at equal score.
    text = "a1234563@example.com"
    assert [(f.kind, f.start, f.end) for f in find(text)] == [("EMAIL", 0, len(text))]
    # A phone number that is also an email local part: the email scores higher.
    assert kinds("91234567@example.com") == ["EMAIL"]


class _Fixed:
    """A test recognizer returning fixed spans, some overlapping and one out of range."""

    kind = "TEST"

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings

    def find(self, text: str) -> list[Finding]:
        return self.findings


def test_custom_recognizers_overlap_resolution() -> None:
    recognizer: Recognizer = _Fixed(
        [
            Finding("TEST", 0, 4, 0.5),
            Finding("TEST", 2, 8, 0.9),  # highest score wins
            Finding("TEST", 8, 10, 0.5),  # adjacent, kept
            Finding("TEST", 9, 11, 0.5),  # same score and length as the previous: the earlier wins
            Finding("TEST", 5, 50, 0.9),  # out of range: ignored
            Finding("TEST", 3, 3, 0.9),  # empty: ignored
        ]
    )
    found = find("abcdefghijkl", recognizers=[recognizer])
    assert [(f.start, f.end, f.score) for f in found] == [(2, 8, 0.9), (8, 10, 0.5)]
    assert redact("abcdefghijkl", recognizers=[recognizer]).text == "ab[TEST][TEST]kl"


# --- Performance ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "adversarial",
    [
        "1" * 100_000,
        "a" * 100_000,
        "A1" * 50_000,
        "(" * 100_000,
        "A123456(" * 12_500,
        "a@" * 50_000,
        "a@" + "b" * 100_000,
        "a@" + "b." * 50_000,
        "a." * 50_000 + "@",
        "+852 " * 20_000,
        "1234 " * 20_000,
        "１２３４ " * 20_000,
        "A\u200b" * 50_000,
        "".join("Ab1(3) -.@+"[i % 11] for i in range(100_000)),
    ],
)
def test_no_catastrophic_backtracking(adversarial: str) -> None:
    """Adversarial 100k inputs complete (a catastrophic pattern would hang the run; speed is benchmarked)."""
    assert all(f.kind for f in find(adversarial))
    assert len(redact(adversarial).text) <= len(adversarial) + 1000


# --- Properties -------------------------------------------------------------------------------------

ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=200)
PII_ALPHABET = st.text(
    st.sampled_from(list("A1234569(3) -+@.a852") + list("身份證電話我Ａ１（）") + ["\u200b", "\ufeff", "\n"]),
    max_size=120,
)
FILLER = st.text(
    st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
        st.sampled_from(list("，。：「」\n")),
    ),
    max_size=40,
)


@st.composite
def valid_hkids(draw: st.DrawFn) -> str:
    prefix = draw(st.text(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), min_size=1, max_size=2))
    digits = draw(st.text(st.sampled_from("0123456789"), min_size=6, max_size=6))
    check = hkid_check_character(prefix, digits)
    style = draw(st.sampled_from(["{p}{d}({c})", "{p}{d}{c}", "{p} {d} ({c})", "{p}{d} {c}"]))
    hkid = style.format(p=prefix, d=digits, c=check)
    if draw(st.booleans()):
        hkid = hkid.lower()
    if draw(st.booleans()):  # full width
        hkid = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in hkid)
    return hkid


def _check_findings(text: str, found: list[Finding]) -> None:
    previous_end = 0
    for finding in found:
        assert 0 <= finding.start < finding.end <= len(text)
        assert finding.start >= previous_end
        assert 0.0 <= finding.score <= 1.0
        assert finding.text == text[finding.start : finding.end]
        previous_end = finding.end


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_find_never_raises_on_any_text(text: str) -> None:
    _check_findings(text, find(text))
    redact(text)


@settings(max_examples=300, deadline=None)
@given(PII_ALPHABET)
def test_find_spans_within_bounds_and_non_overlapping(text: str) -> None:
    found = find(text)
    _check_findings(text, found)
    result = redact(text)
    assert len(result.kinds) == len([f for f in found if f.score >= 0.5])


@settings(max_examples=300, deadline=None)
@given(FILLER, valid_hkids(), FILLER, st.sampled_from([" ", "，", "：", "係", "\n", "「"]))
def test_redact_removes_embedded_valid_hkids(before: str, hkid: str, after: str, separator: str) -> None:
    text = before + separator + hkid + separator + after
    result = redact(text)
    assert hkid not in result.text
    assert "HKID" in result.kinds
    assert not [f for f in find(result.text) if f.kind == "HKID" and f.score >= 0.5]


@settings(max_examples=200, deadline=None)
@given(valid_hkids())
def test_generated_valid_hkids_are_found_exactly(hkid: str) -> None:
    text = f"我嘅身份證係{hkid}呀"
    found = find(text)
    assert [(f.kind, text[f.start : f.end], f.score) for f in found] == [("HKID", hkid, 1.0)]


def test_redaction_repeats_until_nothing_is_found() -> None:
    # Glued to the next HKID, the first is no HKID (a letter follows it) until the second is redacted.
    text = "A123456(3)A123456(3)"
    assert [f.kind for f in find(text)] == ["HKID"]
    result = redact(text)
    assert result == Redaction("[HKID][HKID]", ("HKID", "HKID"))
    assert find(result.text) == []
