"""Answer validators: HKID (check digit), Hong Kong phones, dates, addresses, amounts, yes/no, choices.

``validate(spec, raw, form, today)`` returns :class:`Accepted` with the canonical value (the text that is
kept in the session vault and printed) or :class:`Refused` with a message, in the resident's language
form, that says how to fix the answer.  ``display`` and ``json_value`` turn a canonical value back into
what the resident reads and what the JSON download holds.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

import phonenumbers

from kaifong.governance.recognizers import hkid_check_character
from kaifong.language.messages import message
from kaifong.tools.forms.dates import DateProblem, parse_date
from kaifong.tools.forms.numerals import parse_number
from kaifong.tools.forms.schema import FieldSpec
from kaifong.types import Form

__all__ = ["Accepted", "Refused", "Verdict", "display", "json_value", "normalise_hkid", "validate"]

_HKID = re.compile(r"([A-Z]{1,2})([0-9]{6})\(?([0-9A])\)?")
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
_LATIN_NAME = re.compile(r"[A-Za-z][A-Za-z .,'\-]*")
_CHINESE_NUMERAL = re.compile("[一二三四五六七八九十廿卅]")
_HAN_NAME = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f·・]+")
_MONEY_PREFIX = re.compile(r"^(?:hk\$|hkd|\$|港幣|港币|港元)\s*")
_MONEY_SUFFIX = re.compile(r"\s*(?:hkd|dollars?|港元|港幣|港币|元正|元|圓|圆|蚊|块|塊)$")
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")
_PLAIN = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_ADDRESS_WORDS = re.compile(
    r"flat|room|rm|unit|floor|/f|block|blk|tower|building|bldg|house|court|mansion|estate|garden|centre|"
    r"center|street|st\b|road|rd\b|lane|avenue|path|terrace|village|square|室|樓|楼|座|號|号|街|道|路|徑|径|"
    r"巷|里|邨|村|苑|園|园|閣|阁|廈|厦|中心|花園|花园|屋",
    re.IGNORECASE,
)
YES_WORDS = frozenset(
    {
        "yes",
        "y",
        "yeah",
        "yep",
        "true",
        "是",
        "是的",
        "對",
        "对",
        "有",
        "同意",
        "願意",
        "愿意",
        "好",
        "係",
        "系",
        "係呀",
        "係啊",
        "啱",
        "要",
        "得",
        "ok",
    }
)
NO_WORDS = frozenset(
    {
        "no",
        "n",
        "nope",
        "false",
        "否",
        "不是",
        "不",
        "沒有",
        "没有",
        "無",
        "无",
        "不同意",
        "不願意",
        "不愿意",
        "唔係",
        "唔系",
        "唔",
        "冇",
        "唔要",
        "唔得",
        "唔同意",
        "唔啱",
    }
)
MAX_AMOUNT = Decimal("1000000000000")


@dataclass(frozen=True)
class Accepted:
    """A valid answer, as the canonical text kept in the vault (``A123456(3)``, ``1958-03-02`` …)."""

    value: str


@dataclass(frozen=True)
class Refused:
    """An answer that cannot be used: ``reason`` (for audit events) and a message saying how to fix it."""

    reason: str
    message: str


Verdict = Accepted | Refused


def _refuse(reason: str, form: Form, **values: object) -> Refused:
    return Refused(reason, message(f"forms.invalid.{reason}", form, **values))


def _clean(raw: str) -> str:
    """NFKC (full-width to half-width) with runs of white space made one space."""
    return " ".join(unicodedata.normalize("NFKC", raw).split())


def normalise_hkid(raw: str) -> str | None:
    """``A123456(3)`` for any spacing, case or width of a well-formed HKID number, else None."""
    compact = _clean(raw).upper().replace(" ", "")
    match = _HKID.fullmatch(compact)
    return f"{match.group(1)}{match.group(2)}({match.group(3)})" if match else None


def _hkid(text: str, form: Form) -> Verdict:
    value = normalise_hkid(text)
    if value is None:
        return _refuse("hkid_format", form)
    prefix, digits, check = value[:-9], value[-9:-3], value[-2]
    if hkid_check_character(prefix, digits) != check:
        return _refuse("hkid_check", form)
    return Accepted(value)


def _phone(text: str, spec: FieldSpec, form: Form) -> Verdict:
    try:
        number = phonenumbers.parse(text, "HK")
    except phonenumbers.NumberParseException:
        return _refuse("phone_format", form)
    if phonenumbers.region_code_for_number(number) != "HK":
        return _refuse("phone_not_hk" if phonenumbers.is_valid_number(number) else "phone_format", form)
    if not phonenumbers.is_valid_number(number):
        return _refuse("phone_format", form)
    kind = phonenumbers.number_type(number)
    mobile_kinds = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    if spec.rules.mobile and kind not in mobile_kinds:
        return _refuse("phone_mobile", form)
    return Accepted(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))


def _date(text: str, spec: FieldSpec, form: Form, today: date) -> Verdict:
    parsed = parse_date(text)
    if isinstance(parsed, DateProblem):
        return _refuse(f"date_{parsed.reason}", form)
    rules = spec.rules
    earliest = rules.earliest or (date(1900, 1, 1) if rules.past else None)
    if rules.past and parsed > today:
        return _refuse("date_future", form)
    if rules.future and parsed < today:
        return _refuse("date_past", form)
    if earliest is not None and parsed < earliest:
        return _refuse("date_too_early", form, earliest=earliest.isoformat())
    return Accepted(parsed.isoformat())


def parse_amount(text: str) -> Decimal | None:
    """Hong Kong dollars from ``HK$1,234.50``, ``12000``, ``一萬二千``, ``1.2萬``; None if unreadable.

    Negative amounts come back negative (the validator refuses them with their own message).
    """
    cleaned = _clean(text).lower().replace(" ", "")
    negative = False
    for _ in range(2):  # the sign may stand before or after the currency: -$5, $-5
        if cleaned.startswith("-"):
            negative, cleaned = True, cleaned[1:]
        cleaned = _MONEY_PREFIX.sub("", cleaned)
    cleaned = _MONEY_SUFFIX.sub("", cleaned)
    if _GROUPED.fullmatch(cleaned):
        cleaned = cleaned.replace(",", "")
    if not cleaned or "," in cleaned:
        return None
    if cleaned.endswith("k") and _PLAIN.fullmatch(cleaned[:-1]):
        cleaned = cleaned[:-1] + "千"
    value = Decimal(cleaned) if _PLAIN.fullmatch(cleaned) else parse_number(cleaned)
    if value is None:
        return None
    return -value if negative else value


def _amount(text: str, spec: FieldSpec, form: Form) -> Verdict:
    value = parse_amount(text)
    if value is None:
        return _refuse("amount_format", form)
    if value < 0:
        return _refuse("amount_negative", form)
    if value != value.quantize(Decimal("0.01")):
        return _refuse("amount_cents", form)
    limit = spec.rules.maximum if spec.rules.maximum is not None else MAX_AMOUNT
    if value > limit or (spec.rules.minimum is not None and value < spec.rules.minimum):
        low = spec.rules.minimum or Decimal(0)
        return _refuse("amount_range", form, minimum=_money(low), maximum=_money(limit))
    return Accepted(f"{value.quantize(Decimal('0.01'))}")


def _integer(text: str, spec: FieldSpec, form: Form) -> Verdict:
    cleaned = _clean(text).replace(" ", "")
    try:
        value = Decimal(cleaned) if cleaned.isdigit() else parse_number(cleaned)
    except InvalidOperation:  # pragma: no cover - isdigit() strings are valid decimals
        value = None
    if value is None or value != value.to_integral_value():
        return _refuse("integer_format", form)
    low = spec.rules.minimum if spec.rules.minimum is not None else Decimal(0)
    high = spec.rules.maximum if spec.rules.maximum is not None else Decimal(1000)
    if not low <= value <= high:
        return _refuse("integer_range", form, minimum=int(low), maximum=int(high))
    return Accepted(str(int(value)))


def _yes_no(text: str, spec: FieldSpec, form: Form) -> Verdict:
    word = _clean(text).lower().rstrip(".!。！")
    if word in YES_WORDS:
        return Accepted("yes")
    if word in NO_WORDS:
        return _refuse("must_be_yes", form) if spec.rules.must_be_yes else Accepted("no")
    return _refuse("yes_no", form)


def _choice(text: str, spec: FieldSpec, form: Form) -> Verdict:
    answer = _clean(text)
    for number, choice in enumerate(spec.choices, 1):
        if answer in {str(number), choice.value} or choice.label.matches(answer):
            return Accepted(choice.value)
    options = "; ".join(f"{n}. {c.label(form)}" for n, c in enumerate(spec.choices, 1))
    return _refuse("choice", form, options=options)


def _text(text: str, spec: FieldSpec, form: Form) -> Verdict:
    limit = spec.rules.max_length or 100
    if len(text) > limit:
        return _refuse("text_too_long", form, limit=limit)
    if spec.rules.script == "latin" and not _LATIN_NAME.fullmatch(text):
        return _refuse("text_latin", form)
    if spec.rules.script == "han" and not _HAN_NAME.fullmatch(text.replace(" ", "")):
        return _refuse("text_han", form)
    return Accepted(text)


def _address(text: str, spec: FieldSpec, form: Form) -> Verdict:
    """Non-empty, not just a district: a number (flat, floor, street number) and an address word, or two."""
    limit = spec.rules.max_length or 300
    if len(text) > limit:
        return _refuse("text_too_long", form, limit=limit)
    if len(text.replace(" ", "")) < 6 or sum(char.isalpha() for char in text) < 2:
        return _refuse("address_short", form)
    words = len(_ADDRESS_WORDS.findall(text))
    numbered = any(char.isdigit() for char in text) or bool(_CHINESE_NUMERAL.search(text))
    if not (words >= 2 or (words and numbered)):
        return _refuse("address_detail", form)
    return Accepted(text)


def validate(spec: FieldSpec, raw: str, form: Form, today: date) -> Verdict:
    """Check one answer to ``spec``; an empty answer is ``required`` (the session decides about skipping)."""
    text = _clean(raw) if isinstance(raw, str) else ""
    if any(unicodedata.category(char) == "Cc" for char in text):
        return _refuse("text_control", form)
    if not text:
        return _refuse("required", form)
    if spec.type == "hkid":
        return _hkid(text, form)
    if spec.type == "phone":
        return _phone(text, spec, form)
    if spec.type == "date":
        return _date(text, spec, form, today)
    if spec.type == "amount":
        return _amount(text, spec, form)
    if spec.type == "integer":
        return _integer(text, spec, form)
    if spec.type == "yes_no":
        return _yes_no(text, spec, form)
    if spec.type == "choice":
        return _choice(text, spec, form)
    if spec.type == "email":
        return Accepted(text) if _EMAIL.fullmatch(text) else _refuse("email_format", form)
    if spec.type == "address":
        return _address(text, spec, form)
    return _text(text, spec, form)


def _money(value: Decimal) -> str:
    return f"HK${value:,.2f}"


def display(spec: FieldSpec, value: str, form: Form) -> str:
    """A canonical value as the resident reads it: choice labels and yes/no in their language, HK$ amounts."""
    if spec.type == "choice":
        return next((c.label(form) for c in spec.choices if c.value == value), value)
    if spec.type == "yes_no":
        return message(f"forms.ui.{value}", form)
    if spec.type == "amount":
        return _money(Decimal(value))
    return value


def json_value(spec: FieldSpec, value: str) -> object:
    """A canonical value as JSON: booleans for yes/no, integers, amounts as decimal strings, else text."""
    if spec.type == "yes_no":
        return value == "yes"
    if spec.type == "integer":
        return int(value)
    return value
