"""Per-kind tests for the recognizers behind kaifong.governance.pii in en, zh-Hant, zh-Hans and yue."""

from __future__ import annotations

import pytest

from kaifong.governance.pii import (
    DEFAULT_RECOGNIZERS,
    KINDS,
    AddressRecognizer,
    CardRecognizer,
    NameRecognizer,
    find,
    luhn_valid,
    redact,
    ric_check_character,
)

VALID_RIC = "11010519491231002X"  # the GB 11643 example
VALID_CARD = "4111 1111 1111 1111"


def found(text: str, threshold: float = 0.5) -> list[tuple[str, str]]:
    return [(f.kind, text[f.start : f.end]) for f in find(text) if f.score >= threshold]


def test_every_kind_has_a_default_recognizer() -> None:
    assert sorted(r.kind for r in DEFAULT_RECOGNIZERS) == sorted(KINDS)


# --- Passport -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "My passport number is K12345678.",
        "我的護照號碼是H87654321。",
        "我的护照号码是K12345678。",
        "我本護照K12345678就嚟過期",
        "Travel document: H 12345678",
        "K12345678係我嘅護照",
    ],
)
def test_passport_with_context(text: str) -> None:
    [finding] = [f for f in find(text) if f.kind == "PASSPORT"]
    assert finding.score >= 0.85
    assert text[finding.start : finding.end].replace(" ", "") in ("K12345678", "H87654321", "H12345678")


def test_passport_without_context_scores_low() -> None:
    [finding] = find("order K12345678 shipped")
    assert finding.kind == "PASSPORT" and finding.score < 0.5
    assert redact("order K12345678 shipped").kinds == ()
    assert found("護照K1234567") == []  # 7 digits
    assert found("護照AK12345678") == []  # glued to a letter


# --- RIC ----------------------------------------------------------------------------------------------


def test_ric_check_character() -> None:
    assert ric_check_character(VALID_RIC[:17]) == "X"
    assert ric_check_character("44030419900101001") in "0123456789X"


@pytest.mark.parametrize(
    "template",
    [
        "My mainland ID is {}.",
        "我的居民身份證號碼是{}。",
        "我的居民身份证号码是{}。",
        "我內地身份證係{}",
        "{}",
    ],
)
def test_ric_positive(template: str) -> None:
    for value in (VALID_RIC, VALID_RIC.lower()):
        text = template.format(value)
        assert found(text) == [("RIC", value)], text


def test_ric_negative() -> None:
    assert found("11010519491231002") == []  # 17 digits
    assert found("110105194912310021") == []  # wrong check character
    assert found("110105194913310028") == []  # month 13
    [typo] = find("身份證 110105194912310021")
    assert (typo.kind, typo.score) == ("RIC", 0.3)


# --- BRN ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "brn"),
    [
        ("Our BR number is 31234567.", "31234567"),
        ("Business Registration No.: 12345678-000-08-23-6", "12345678-000-08-23-6"),
        ("本公司商業登記號碼為31234567。", "31234567"),
        ("本公司商业登记号码为31234567。", "31234567"),
        ("BR 41234567使唔使每年續？", "41234567"),
    ],
)
def test_brn_with_context(text: str, brn: str) -> None:
    assert found(text) == [("BRN", brn)]


def test_brn_needs_context() -> None:
    assert found("reference 31234567") == [("PHONE", "31234567")]  # a valid phone number, not a BRN
    assert found("my brother 31234567") == [("PHONE", "31234567")]  # "br" must be a word
    assert found("電話21234567") == [("PHONE", "21234567")]


# --- Cards --------------------------------------------------------------------------------------------


def test_luhn() -> None:
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")


@pytest.mark.parametrize(
    "card",
    [
        VALID_CARD,
        "4111-1111-1111-1111",
        "4111111111111111",
        "5500 0000 0000 0004",  # Mastercard 55
        "2221 0000 0000 0009",  # Mastercard 2-series
        "3782 822463 10005",  # Amex
        "6212345678901232",  # UnionPay
        "3530111333300000",  # JCB
    ],
)
def test_card_positive(card: str) -> None:
    for template in ("card {} please", "我用信用卡{}俾錢", "卡号{}。", "用張卡{}俾咗"):
        text = template.format(card)
        assert found(text) == [("CARD", card)], text


@pytest.mark.parametrize(
    "text",
    [
        "4111 1111 1111 1112",  # Luhn fails
        "1234 5678 9012 3452",  # Luhn-valid, unknown issuer
        "6011 0000 0000 0004",  # Discover: not a listed issuer
        "4111 1111 1111 1111 1",  # a longer grouped number
        "x4111111111111111",
    ],
)
def test_card_negative(text: str) -> None:
    assert "CARD" not in [kind for kind, _ in found(text)]
    assert CardRecognizer().find(text) == []


# --- Bank accounts ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "account"),
    [
        ("Please refund to my bank account 012-345-678901-2.", "012-345-678901-2"),
        ("a/c no. 123-456789-001", "123-456789-001"),
        ("請將款項存入我的銀行戶口012-3-456789。", "012-3-456789"),
        ("请把津贴转账至账号123 456 789012。", "123 456 789012"),
        ("過數去我個戶口123456789012", "123456789012"),
    ],
)
def test_bank_account_with_context(text: str, account: str) -> None:
    assert found(text) == [("BANK_ACCOUNT", account)]


def test_bank_account_needs_context() -> None:
    assert found("case 012-345-678901-2") == []
    assert found("戶口 1234-5678") == []  # 8 digits


# --- Addresses ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "address"),
    [
        (
            "I live at Flat A, 12/F, Block 3, Lok Fu Estate, Kowloon.",
            "Flat A, 12/F, Block 3, Lok Fu Estate, Kowloon",
        ),
        ("Send it to Room 1203, 5/F, Wing On House, 71 Des Voeux Road Central", None),
        ("我的地址是九龍旺角彌敦道123號A座12樓1203室。", "九龍旺角彌敦道123號A座12樓1203室"),
        ("我的地址是九龙旺角弥敦道123号A座12楼1203室。", "九龙旺角弥敦道123号A座12楼1203室"),
        ("我住喺彩虹邨金碧樓15樓1502室，點樣轉名？", "彩虹邨金碧樓15樓1502室"),
        ("寄去上海街45號3樓B室吖", "上海街45號3樓B室"),
    ],
)
def test_address_positive(text: str, address: str | None) -> None:
    [(kind, span)] = found(text)
    assert kind == "ADDRESS"
    if address is not None:
        assert span == address


@pytest.mark.parametrize(
    "text",
    [
        "Hong Kong residents can apply online.",
        "請到12樓辦理",  # one part alone
        "我知道佢住喺邊",
        "公屋輪候時間平均為5.5年",
        "The Central Library opens at 10am.",
    ],
)
def test_address_negative(text: str) -> None:
    assert found(text) == []


def test_address_place_name_alone_is_found_but_not_redacted() -> None:
    [finding] = AddressRecognizer().find("I go to Lok Fu Estate often")
    assert finding.score < 0.5
    assert found("地址：彩虹邨") == [("ADDRESS", "彩虹邨")]


# --- Names (best effort) ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("我叫陳大文，想問公屋。", "陳大文"),
        ("我个名叫欧阳小明", "欧阳小明"),
        ("姓名：司徒華", "司徒華"),
        ("本人李嘉欣申請綜援", "李嘉欣"),
        ("请问王小明先生在吗", "王小明"),
        ("我係黃美玲，身份證", "黃美玲"),
        ("My name is Chan Tai Man.", "Chan Tai Man"),
        ("I am Mr Wong, calling about my case", "Mr Wong"),
        ("Name: Peter Chan", "Peter Chan"),
        ("Mr Chan Tai Man will attend", "Mr Chan Tai Man"),
    ],
)
def test_name_positive(text: str, name: str) -> None:
    assert found(text) == [("NAME", name)]


@pytest.mark.parametrize(
    "text",
    [
        "我係學生",
        "我叫咗白車",
        "各位先生女士",
        "I am looking for help",
        "My name is not important",
        "陳先生你好",
    ],
)
def test_name_negative(text: str) -> None:
    assert found(text) == []


def test_surname_and_title_alone_is_below_threshold() -> None:
    [finding] = NameRecognizer().find("陳先生你好")
    assert finding.score < 0.5


# --- Redaction across kinds, and adversarial input --------------------------------------------------


def test_redact_every_kind_in_one_message() -> None:
    text = (
        "我叫陳大文，身份證A123456(3)，電話9123 4567，電郵chan@example.com，護照K12345678，"
        f"內地身份證{VALID_RIC}，商業登記31234567，信用卡{VALID_CARD}，戶口012-345-678901-2，"
        "地址：旺角彌敦道123號12樓A室。"
    )
    result = redact(text)
    assert result.kinds == (
        "NAME",
        "HKID",
        "PHONE",
        "EMAIL",
        "PASSPORT",
        "RIC",
        "BRN",
        "CARD",
        "BANK_ACCOUNT",
        "ADDRESS",
    )
    assert result.text == (
        "我叫[NAME]，身份證[HKID]，電話[PHONE]，電郵[EMAIL]，護照[PASSPORT]，內地身份證[RIC]，"
        "商業登記[BRN]，信用卡[CARD]，戶口[BANK_ACCOUNT]，地址：[ADDRESS]。"
    )


def test_offsets_refer_to_the_original_full_width_string() -> None:
    text = "卡號：４１１１　１１１１　１１１１　１１１１，護照Ｋ１２３４５６７８"
    assert found(text) == [
        ("CARD", "４１１１　１１１１　１１１１　１１１１"),
        ("PASSPORT", "Ｋ１２３４５６７８"),
    ]


@pytest.mark.parametrize(
    "adversarial",
    [
        "我叫" * 50_000,
        "陳" * 100_000,
        "先生" * 50_000,
        "12樓" * 30_000,
        "Flat A, " * 12_000,
        "Mr Chan " * 12_000,
        "My name is " * 9_000,
        "戶口1-" * 25_000,
        "1-" * 50_000,
        "街1號" * 30_000,
        "Aa Bb Road " * 9_000,
        "護照K" * 30_000,
        "4111 " * 20_000,
    ],
)
def test_no_catastrophic_backtracking_new_kinds(adversarial: str) -> None:
    """Adversarial long inputs complete (a catastrophic pattern would hang the run; speed is benchmarked)."""
    assert all(f.kind for f in find(adversarial))
