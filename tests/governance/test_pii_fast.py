"""The fast paths of the PII recognizers find exactly what the plain scans find, on random text."""

from __future__ import annotations

import random
import re
import unicodedata

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kaifong.governance.pii import DEFAULT_RECOGNIZERS, Needs
from kaifong.governance.recognizers import address, bank, brn, card, email, hkid, name, passport, phone, ric
from kaifong.governance.recognizers._context import (
    _CASED_ALNUM,
    LEFT,
    RIGHT,
    Context,
    case_variants,
    caseless,
)
from kaifong.governance.recognizers._normalise import normalise_for_scan, normalise_with_offsets
from kaifong.governance.recognizers._prefilter import TextFacts
from kaifong.governance.recognizers._scan import fold, keyword_starts
from kaifong.governance.sanitise import normalise_with_offsets as reference_normalise

# Text made of the pieces the recognizers look for: digits and separators, capitals, keywords in both
# cases, Chinese keywords, and a few characters that ignore case or normalise oddly.
PIECES = [
    *"0123456789 -()+/@.,:ABCDEFGHKLMRSTUXZabcdefhiklmnorstuy\n",
    *"室號号樓楼層层座期棟栋舖铺地下道街路里邨苑大中一二十第高先生小姐太我叫係是姓名本人身份證護照戶口卡電話",
    "852",
    "Flat ",
    "FLAT ",
    "room ",
    "Rm",
    "/F",
    "ground floor",
    "Block ",
    "tower ",
    " Road",
    " Street",
    "Estate",
    "Kowloon",
    "Sha Tin",
    "my name is ",
    "MY NAME IS ",
    "I am ",
    "i'm ",
    "Mr ",
    "Mrs. ",
    "Dr ",
    "contact: ",
    "this is ",
    "account ",
    "Bank ",
    "BR ",
    "passport ",
    "card ",
    "A123456(3)",
    "91234567",
    "4111 1111 1111 1111",
    "11010519491231002X",
    "chan.tm@example.com",
    "彌敦道",
    "12樓",
    "3號",
    "\u0131",
    "\u0130",
    "\u017f",
    "\u212a",
    "，",
    "Ａ１",
    "\u200b",
    "e\u0301",
    "㈱",
]
PII_TEXT = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=120)


def spans(matches: list[re.Match[str]]) -> list[tuple[int, int, str | None]]:
    return [(m.start(), m.end(), m.lastgroup) for m in matches]


def normalised(text: str) -> str:
    return normalise_for_scan(text)[0]


# --- The scanner: only where a match can start, the same matches -------------------------------------


@settings(max_examples=300, deadline=None)
@given(PII_TEXT)
def test_address_parts_pattern_equals_finditer(raw: str) -> None:
    text = normalised(raw)
    folded = fold(text)
    scanner = address._scanner(True, True, True)
    hints = keyword_starts(folded, address._EN_KEYWORDS)
    assert spans(scanner.matches(text, hints)) == spans(list(scanner.pattern.finditer(text)))


@settings(max_examples=300, deadline=None)
@given(PII_TEXT)
def test_address_parts_left_out_for_absent_keywords_change_nothing(raw: str) -> None:
    text = normalised(raw)
    folded = fold(text)
    full = address._scanner(True, True, True).pattern.finditer(text)
    families = address._families(text, folded)
    hints = keyword_starts(folded, address._EN_KEYWORDS) if families[1] else []
    assert spans(address._scanner(*families).matches(text, hints)) == spans(list(full))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from([*PIECES, "address", "cARd", "live", "寄", "地址", "住喺"]), max_size=30).map(
        "".join
    )
)
def test_address_trigger_as_the_plain_alternations(raw: str) -> None:
    text = normalised(raw)
    folded = fold(text)
    zh = re.search(
        "|".join("室 樓 楼 層 层 座 期 號 号 邨 苑 舖 铺 寄 送 搬 /F 地下 地址 住址 住喺 住在 居住".split()),
        text,
    )
    en = re.search("(?i:" + "|".join(address._TRIGGER_WORDS) + ")", text)
    assert address._triggered(text, folded) == (zh is not None or en is not None)


@settings(max_examples=300, deadline=None)
@given(PII_TEXT)
def test_english_name_pattern_equals_finditer(raw: str) -> None:
    text = normalised(raw)
    found = name._EN_RE.matches(text, name._en_starts(text))
    assert spans(found) == spans(list(name._EN_RE.pattern.finditer(text)))


def test_chinese_name_cues_and_titles_are_not_ascii() -> None:
    # NameRecognizer does not look for them in ASCII text.
    assert not any(cue.isascii() or cue[0].isascii() for cue in name._CUES_ZH)
    assert not any(title.isascii() or title[0].isascii() for title in name._TITLES)
    assert name._en_starts("陳大文先生 12號") == []


def test_text_that_ignores_case_oddly_is_scanned_the_plain_way() -> None:
    for odd in ("\u0131", "\u0130", "\u017f", "\u212a"):
        assert name._en_starts(f"my name is {odd}") is None
        assert fold(odd) is None
    assert name.NameRecognizer().find("\u0131 am Mr Chan Tai Man")  # (?i:i am) matches the dotless i


@settings(max_examples=300, deadline=None)
@given(PII_TEXT)
def test_caseless_words_match_as_ignoring_case(raw: str) -> None:
    words = [
        "my ",
        "full ",
        "contact",
        "name",
        "this is",
        "i am ",
        "i'm ",
        "account",
        "a/c",
        "id no",
        "passport",
    ]
    for word in words:
        plain = re.compile(caseless(word))
        ignoring = re.compile(f"(?i:{re.escape(word)})")
        assert [m.span() for m in plain.finditer(raw)] == [m.span() for m in ignoring.finditer(raw)]


def test_case_variants_are_every_character_re_matches_ignoring_case() -> None:
    odd = {
        chr(cp)
        for cp in range(0x80, 0x110000)
        if not 0xD800 <= cp <= 0xDFFF and re.match("(?i)[a-z]", chr(cp))
    }
    assert odd == {"\u0130", "\u0131", "\u017f", "\u212a"}
    assert case_variants("i") == {"i", "I", "\u0130", "\u0131"}
    assert case_variants("k") == {"k", "K", "\u212a"}
    assert case_variants("身") == {"身"}


# --- Patterns rewritten to start with a character class, and searches in windows ----------------------

# The patterns as they were written before they were made to start with their first character.
REFERENCES = [
    (
        brn._BRN_RE,
        r"(?=[0-9])"
        + LEFT
        + r"[0-9]{8}(?:-[0-9]{3}-[0-9]{2}-[0-9]{2}-[0-9A-Za-z])?"
        + RIGHT
        + r"(?![ -][0-9])",
    ),
    (
        card._CARD_RE,
        r"(?=[0-9])" + LEFT + r"(?<![0-9][ -])[0-9](?:[ -]?[0-9]){12,18}" + RIGHT + r"(?![ -][0-9])",
    ),
    (
        bank._BANK_RE,
        r"(?=[0-9])"
        + LEFT
        + r"(?<![0-9][ -])(?:[0-9]{9,16}|[0-9]{1,6}(?:[ -][0-9]{1,9}){1,4})"
        + RIGHT
        + r"(?![ -][0-9])",
    ),
    (
        ric._RIC_RE,
        r"(?=[1-9])"
        + LEFT
        + r"([1-9][0-9]{5})((?:19|20)[0-9]{2}[01][0-9][0-3][0-9])([0-9]{3})([0-9Xx])"
        + RIGHT,
    ),
    (passport._PASSPORT_RE, r"(?=[KHkh])" + LEFT + r"[KHkh] ?[0-9]{8}" + RIGHT),
    (
        phone._PHONE_RE,
        r"(?=[0-9+(])(?<![A-Za-z0-9+$])(?<![0-9][ .,-])(?:(?:\+852|\(\+?852\)|852)[ -]?)?"
        r"([0-9]{4})[ -]?([0-9]{4})(?![A-Za-z0-9])(?![ .,-][0-9])",
    ),
]


@pytest.mark.parametrize(("pattern", "reference"), REFERENCES, ids=lambda p: getattr(p, "pattern", "")[:20])
def test_rewritten_patterns_match_as_before(pattern: re.Pattern[str], reference: str) -> None:
    rng = random.Random(11)
    before = re.compile(reference)
    alphabet = [*"0123456789", " ", "-", "(", ")", "+", "$", ".", ",", "K", "h", "x", "X", "852", "身"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in before.finditer(text)], text


@settings(max_examples=300, deadline=None)
@given(PII_TEXT)
def test_hkid_windows_find_what_a_full_scan_finds(raw: str) -> None:
    text = normalised(raw)
    found = [(f.start, f.end) for f in hkid.HkidRecognizer().find(text)]
    plain = []
    for match in hkid._HKID_RE.finditer(text):
        prefix, digits, bracketed, bare = match.groups()
        valid = (bracketed or bare).upper() == hkid.hkid_check_character(prefix, digits)
        if valid or hkid.HKID_CONTEXT.before_span(text, match.start()):
            plain.append(match.span())
    assert found == plain


@settings(max_examples=300, deadline=None)
@given(PII_TEXT)
def test_email_at_signs_find_what_a_full_scan_finds(raw: str) -> None:
    text = normalised(raw)
    assert [(f.start, f.end) for f in email.EmailRecognizer().find(text)] == [
        m.span() for m in email._EMAIL_RE.finditer(text)
    ]


def test_email_local_part_limit() -> None:
    local = "a" * 64
    assert email.EmailRecognizer().find(f"{local}@example.com")
    assert not email.EmailRecognizer().find(f"a{local}@example.com")  # 65 characters: not an address


def test_hkid_check_from_code_points_is_the_check_character() -> None:
    rng = random.Random(3)
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    for _ in range(20_000):
        prefix = "".join(rng.choice(letters) for _ in range(rng.choice((1, 2))))
        digits = f"{rng.randrange(10**6):06d}"
        assert hkid._check_character(prefix, digits) == hkid.hkid_check_character(prefix, digits)


def test_luhn_from_code_points_is_luhn() -> None:
    rng = random.Random(4)
    doubled = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)
    for _ in range(20_000):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 24)))
        values = [int(d) for d in digits]
        expected = (sum(values[-1::-2]) + sum(doubled[v] for v in values[-2::-2])) % 10 == 0
        assert card.luhn_valid(digits) == expected, digits


def test_phone_validity_is_phonenumbers() -> None:
    rng = random.Random(5)
    numbers = [f"{rng.randrange(10**8):08d}" for _ in range(20_000)]
    numbers += [f"{prefix:04d}{rng.randrange(10**4):04d}" for prefix in range(10_000)]
    numbers += ["0" * zeros + "9003123"[: 8 - zeros] for zeros in range(1, 8)]  # leading zeros are dropped
    for number in numbers:
        expected = phonenumbers.is_valid_number_for_region(
            phonenumbers.PhoneNumber(country_code=852, national_number=int(number)), "HK"
        )
        assert phone.valid_hk_number(number) == bool(expected), number


# --- The prefilter: a recognizer whose needs are not met finds nothing ---------------------------------


@settings(max_examples=400, deadline=None)
@given(st.one_of(PII_TEXT, ANY_TEXT))
def test_needs_are_necessary(raw: str) -> None:
    text = normalised(raw)
    facts = TextFacts(text)
    for recognizer in DEFAULT_RECOGNIZERS:
        needs: Needs | None = getattr(recognizer, "needs", None)
        if needs is not None and recognizer.find(text):
            assert facts.meet(needs), (recognizer.kind, text)


@settings(max_examples=300, deadline=None)
@given(PII_TEXT, st.integers(0, 60), st.integers(0, 30))
def test_context_anywhere_covers_every_window(raw: str, start: int, size: int) -> None:
    text = normalised(raw)
    contexts: list[Context] = [bank.BANK_CONTEXT, brn.BRN_CONTEXT, hkid.HKID_CONTEXT, phone.PHONE_CONTEXT]
    for context in contexts:
        at = min(start, len(text))
        if context.before_span(text, at, size) or context.after_span(text, at, size):
            assert context.anywhere(text)


CONTEXTS = [
    address.ADDRESS_CONTEXT,
    bank.BANK_CONTEXT,
    brn.BRN_CONTEXT,
    card.CARD_CONTEXT,
    hkid.HKID_CONTEXT,
    passport.PASSPORT_CONTEXT,
    phone.PHONE_CONTEXT,
    ric.RIC_CONTEXT,
]


def ignoring_case(context: Context, loose: bool) -> re.Pattern[str]:
    """A context's pattern as it was written before caseless: the words inside (?i:...)."""
    parts = []
    for word in context.words:
        escaped = re.escape(word.lower())
        if word.isascii() and word[:1].isalnum():
            escaped = LEFT.replace("A-Z", "") + escaped
        if word.isascii() and word[-1:].isalnum() and not loose:
            escaped += RIGHT.replace("A-Z", "")
        parts.append(escaped)
    return re.compile(f"(?=(?i:{'|'.join(parts)}))")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from([*PIECES, "ACCOUNT", "A/C", "Ac No", "bR", "HKID", "Tel", "\u212a"]), max_size=30
    ).map("".join)
)
def test_context_patterns_match_as_ignoring_case(raw: str) -> None:
    for context in CONTEXTS:
        for loose, pattern in ((False, context._pattern), (True, context._anywhere)):
            reference = ignoring_case(context, loose)
            assert [m.start() for m in pattern.finditer(raw)] == [m.start() for m in reference.finditer(raw)]


def test_cased_alphanumerics_are_what_re_matches_ignoring_case() -> None:
    expected = {
        chr(cp) for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF and re.match("(?i)[a-z0-9]", chr(cp))
    }
    assert {
        chr(cp)
        for cp in range(0x110000)
        if not 0xD800 <= cp <= 0xDFFF and re.match(f"[{_CASED_ALNUM}]", chr(cp))
    } == expected


def test_context_window_end_counts_as_a_boundary() -> None:
    # "bank" right before a number is context in a window ending there, though "banks" is not a word.
    assert bank.BANK_CONTEXT.before_span("banks 012-345-678901", 4, 10)
    assert not bank.BANK_CONTEXT.before_span("banks 012-345-678901", 6, 10)
    assert bank.BANK_CONTEXT.anywhere("banks")


# --- Normalisation: the identity offsets ----------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(st.one_of(PII_TEXT, ANY_TEXT))
def test_normalisation_without_offsets_means_identity(raw: str) -> None:
    normalised_text, offsets = normalise_for_scan(raw)
    assert normalised_text == reference_normalise(raw)[0]
    if offsets is None:
        assert len(normalised_text) == len(raw)
        assert all(normalised_text[i] == unicodedata.normalize("NFKC", raw[i]) for i in range(len(raw))), raw
    else:
        assert offsets == normalise_with_offsets(raw)[1]


def test_common_punctuation_keeps_offsets() -> None:
    assert normalise_for_scan("我叫陳大文，電話：9123 4567！") == ("我叫陳大文,電話:9123 4567!", None)
    assert normalise_for_scan("ＡＢ１２") == ("AB12", None)  # changed one to one: offsets kept
    assert normalise_for_scan("A\u200bB")[1] == [0, 2, 3]
