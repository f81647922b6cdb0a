"""Form answer validators: valid values are accepted in canonical form, invalid ones refused with a fix."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from kaifong.tools.forms.dates import DateProblem, parse_date
from kaifong.tools.forms.numerals import digit_string, parse_number
from kaifong.tools.forms.schema import Choice, FieldSpec, FieldType, LocalText, Rules
from kaifong.tools.forms.validators import Accepted, Refused, display, json_value, parse_amount, validate
from kaifong.types import FORMS

TODAY = date(2026, 11, 22)
TEXT = LocalText({"en": "x", "zh-Hant": "x", "zh-Hans": "x", "yue-Hant": "x"})


def spec(kind: FieldType, **rules: object) -> FieldSpec:
    choices: tuple[Choice, ...] = ()
    if kind == "choice":
        choices = (
            Choice(
                "single",
                LocalText({"en": "Single", "zh-Hant": "單身", "zh-Hans": "单身", "yue-Hant": "單身"}),
            ),
            Choice(
                "married",
                LocalText({"en": "Married", "zh-Hant": "已婚", "zh-Hans": "已婚", "yue-Hant": "已婚"}),
            ),
        )
    return FieldSpec("f", kind, True, TEXT, TEXT, choices, Rules(**rules))  # type: ignore[arg-type]


def accepted(kind: FieldType, raw: str, **rules: object) -> str:
    verdict = validate(spec(kind, **rules), raw, "en", TODAY)
    assert isinstance(verdict, Accepted), f"{raw!r} refused: {verdict}"
    return verdict.value


def refused(kind: FieldType, raw: str, **rules: object) -> str:
    verdict = validate(spec(kind, **rules), raw, "en", TODAY)
    assert isinstance(verdict, Refused), f"{raw!r} accepted as {verdict}"
    return verdict.reason


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("A123456(3)", "A123456(3)"),
        ("a123456(3)", "A123456(3)"),
        ("A 123456 3", "A123456(3)"),
        ("A1234563", "A123456(3)"),
        ("Ａ１２３４５６（３）", "A123456(3)"),
        ("CA182361(1)", "CA182361(1)"),
        ("G123456(A)", "G123456(A)"),
        ("AB987654(3)", "AB987654(3)"),
        ("K000000(0)", "K000000(0)"),
    ],
)
def test_hkid_with_a_valid_check_character_is_accepted(raw: str, canonical: str) -> None:
    assert accepted("hkid", raw) == canonical


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("A123456(4)", "hkid_check"),
        ("G123456(0)", "hkid_check"),
        ("A12345(3)", "hkid_format"),
        ("123456(3)", "hkid_format"),
        ("ABC123456(3)", "hkid_format"),
        ("A123456(B)", "hkid_format"),
        ("身份證", "hkid_format"),
    ],
)
def test_hkid_refusals_say_why(raw: str, reason: str) -> None:
    assert refused("hkid", raw) == reason


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("9123 4567", "+852 9123 4567"),
        ("91234567", "+852 9123 4567"),
        ("+852 2345 6789", "+852 2345 6789"),
        ("(852) 6123-4567", "+852 6123 4567"),
        ("５１２３４５６７", "+852 5123 4567"),
    ],
)
def test_hong_kong_phones_are_accepted(raw: str, canonical: str) -> None:
    assert accepted("phone", raw) == canonical


@pytest.mark.parametrize(
    ("raw", "reason", "rules"),
    [
        ("1234", "phone_format", {}),
        ("9123 456", "phone_format", {}),
        ("call me", "phone_format", {}),
        ("+86 138 0013 8000", "phone_not_hk", {}),
        ("+44 20 7946 0958", "phone_not_hk", {}),
        ("2345 6789", "phone_mobile", {"mobile": True}),
    ],
)
def test_phone_refusals(raw: str, reason: str, rules: dict[str, object]) -> None:
    assert refused("phone", raw, **rules) == reason


@pytest.mark.parametrize(
    "raw",
    [
        "一九五八年三月二日",
        "1958年3月2日",
        "1958年3月2號",
        "１９５８年３月２日",
        "2/3/1958",
        "02.03.1958",
        "2-3-1958",
        "2 March 1958",
        "2nd Mar 1958",
        "March 2, 1958",
        "2-Mar-1958",
        "1958-03-02",
        "1958/3/2",
    ],
)
def test_dates_in_chinese_and_english_formats(raw: str) -> None:
    assert accepted("date", raw, past=True) == "1958-03-02"


def test_chinese_numerals_for_month_and_day() -> None:
    assert accepted("date", "二〇〇一年十二月廿一日") == "2001-12-21"
    assert accepted("date", "一九九九年十月三十一日") == "1999-10-31"


@pytest.mark.parametrize(
    ("raw", "reason", "rules"),
    [
        ("31/2/1958", "date_impossible", {}),
        ("30 February 1958", "date_impossible", {}),
        ("1958年13月1日", "date_impossible", {}),
        ("29/2/1957", "date_impossible", {}),
        ("2/3/58", "date_two_digit_year", {}),
        ("五八年三月二日", "date_two_digit_year", {}),
        ("yesterday", "date_format", {}),
        ("3月2日", "date_format", {}),
        ("2030-01-01", "date_future", {"past": True}),
        ("1850-01-01", "date_too_early", {"past": True}),
        ("2026-11-21", "date_past", {"future": True}),
    ],
)
def test_date_refusals(raw: str, reason: str, rules: dict[str, object]) -> None:
    assert refused("date", raw, **rules) == reason


def test_leap_day_and_today_are_accepted_where_allowed() -> None:
    assert accepted("date", "29/2/1956", past=True) == "1956-02-29"
    assert accepted("date", "22/11/2026", future=True) == "2026-11-22"


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("HK$1,234.50", "1234.50"),
        ("$12,000", "12000.00"),
        ("12000", "12000.00"),
        ("12000元", "12000.00"),
        ("港幣 350", "350.00"),
        ("一萬二千", "12000.00"),
        ("萬二", "12000.00"),
        ("一萬二", "12000.00"),
        ("1.2萬", "12000.00"),
        ("1.2万", "12000.00"),
        ("三千五百元", "3500.00"),
        ("三千五", "3500.00"),
        ("3萬5千", "35000.00"),
        ("十萬零五百", "100500.00"),
        ("兩百五十萬", "2500000.00"),
        ("12k", "12000.00"),
        ("0", "0.00"),
    ],
)
def test_amounts(raw: str, canonical: str) -> None:
    assert accepted("amount", raw) == canonical


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("-500", "amount_negative"),
        ("$-5", "amount_negative"),
        ("12.345", "amount_cents"),
        ("1,23,4", "amount_format"),
        ("some money", "amount_format"),
        ("一二三", "amount_format"),
        ("$", "amount_format"),
        ("99999999999999", "amount_range"),
    ],
)
def test_amount_refusals(raw: str, reason: str) -> None:
    assert refused("amount", raw) == reason


def test_amount_limits_from_the_definition() -> None:
    assert refused("amount", "600", maximum=Decimal(500)) == "amount_range"
    assert accepted("amount", "500", maximum=Decimal(500)) == "500.00"


@pytest.mark.parametrize("raw", ["yes", "Y", "是", "係", "係呀", "有", "同意", "啱", "ok"])
def test_yes_in_four_forms(raw: str) -> None:
    assert accepted("yes_no", raw) == "yes"


@pytest.mark.parametrize("raw", ["no", "N", "否", "不是", "唔係", "冇", "沒有", "没有", "不同意"])
def test_no_in_four_forms(raw: str) -> None:
    assert accepted("yes_no", raw) == "no"


def test_yes_no_refusals() -> None:
    assert refused("yes_no", "maybe") == "yes_no"
    assert refused("yes_no", "no", must_be_yes=True) == "must_be_yes"
    assert accepted("yes_no", "yes", must_be_yes=True) == "yes"


@pytest.mark.parametrize("raw", ["married", "2", "Married", "已婚", " MARRIED "])
def test_choice_by_value_number_or_label_in_any_form(raw: str) -> None:
    assert accepted("choice", raw) == "married"


def test_choice_refusal_lists_the_options_in_the_residents_language() -> None:
    verdict = validate(spec("choice"), "divorced", "zh-Hant", TODAY)
    assert isinstance(verdict, Refused) and verdict.reason == "choice"
    assert "1. 單身" in verdict.message and "2. 已婚" in verdict.message
    assert refused("choice", "3") == "choice"


@pytest.mark.parametrize(
    "raw",
    [
        "Flat A, 12/F, Sun Court, 1 Nathan Road, Mong Kok",
        "Room 5, Block A, Lek Yuen Estate, Sha Tin",
        "沙田瀝源邨福海樓5樓12室",
        "九龍旺角彌敦道123號4樓A室",
        "香港仔石排灣邨碧峰樓十二樓",
    ],
)
def test_addresses_with_a_reasonable_structure(raw: str) -> None:
    assert accepted("address", raw) == raw


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("Sha Tin", "address_detail"),
        ("Hong Kong Island", "address_detail"),
        ("彌敦道", "address_short"),
        ("12345678", "address_short"),
        ("x" * 301, "text_too_long"),
    ],
)
def test_address_refusals(raw: str, reason: str) -> None:
    assert refused("address", raw) == reason


def test_text_rules() -> None:
    assert accepted("text", "  CHAN   Tai Man ", script="latin") == "CHAN Tai Man"
    assert refused("text", "陳大文", script="latin") == "text_latin"
    assert accepted("text", "陳大文", script="han") == "陳大文"
    assert accepted("text", "𠵱仔", script="han") == "𠵱仔"
    assert refused("text", "Chan", script="han") == "text_han"
    assert refused("text", "x" * 101) == "text_too_long"
    assert refused("text", "a\x07b") == "text_control"
    assert refused("text", "   ") == "required"


def test_integers_and_emails() -> None:
    assert accepted("integer", "三", minimum=Decimal(0), maximum=Decimal(10)) == "3"
    assert accepted("integer", "12") == "12"
    assert refused("integer", "2.5") == "integer_format"
    assert refused("integer", "11", maximum=Decimal(10)) == "integer_range"
    assert accepted("email", "chan.tai.man@example.com.hk") == "chan.tai.man@example.com.hk"
    assert refused("email", "chan@example") == "email_format"


@pytest.mark.parametrize("form", FORMS)
def test_every_refusal_has_a_message_in_the_residents_form(form: str) -> None:
    cases = [
        ("hkid", "A123456(4)"),
        ("phone", "1234"),
        ("date", "31/2/1958"),
        ("amount", "-1"),
        ("yes_no", "?"),
    ]
    for kind, raw in cases:
        verdict = validate(spec(kind), raw, form, TODAY)  # type: ignore[arg-type]
        assert isinstance(verdict, Refused)
        assert verdict.message and "{" not in verdict.message
    chinese = validate(spec("date"), "yesterday", "yue-Hant", TODAY)
    assert isinstance(chinese, Refused) and "一九五八年三月二日" in chinese.message


def test_display_and_json_values() -> None:
    assert display(spec("amount"), "12000.00", "en") == "HK$12,000.00"
    assert display(spec("yes_no"), "yes", "yue-Hant") == "係"
    assert display(spec("choice"), "married", "zh-Hans") == "已婚"
    assert json_value(spec("yes_no"), "no") is False
    assert json_value(spec("integer"), "3") == 3
    assert json_value(spec("amount"), "12000.00") == "12000.00"


def test_numerals() -> None:
    assert parse_number("一萬零五") == Decimal(10005)
    assert parse_number("十五") == Decimal(15)
    assert parse_number("兩百五") == Decimal(250)
    assert parse_number("一二") is None
    assert parse_number("abc") is None
    assert digit_string("一九五八") == 1958
    assert digit_string("二〇〇一") == 2001
    assert digit_string("兩千") is None
    assert parse_amount("HK$-1") == Decimal(-1)


def test_parse_date_reports_problems() -> None:
    assert parse_date("2 March 1958") == date(1958, 3, 2)
    assert parse_date("31/4/2020") == DateProblem("impossible")
    assert parse_date("") == DateProblem("format")


LABELLED = Path(__file__).resolve().parent.parent / "data" / "form_values.jsonl"


def labelled_values() -> list[dict[str, object]]:
    return [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("row", labelled_values(), ids=lambda row: f"{row['type']}:{row['value']}")
def test_the_labelled_benchmark_values(row: dict[str, object]) -> None:
    rules = {"date": {"past": True}, "integer": {"minimum": Decimal(0), "maximum": Decimal(120)}}
    kind = str(row["type"])
    verdict = validate(spec(kind, **rules.get(kind, {})), str(row["value"]), "en", TODAY)  # type: ignore[arg-type]
    if row["valid"]:
        assert verdict == Accepted(str(row["canonical"]))
    else:
        assert isinstance(verdict, Refused), row["note"]
