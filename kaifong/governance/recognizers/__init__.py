"""Recognizers of Hong Kong personal data, one module per kind, all behind the ``Recognizer`` contract."""

from __future__ import annotations

from kaifong.governance.recognizers._context import Finding
from kaifong.governance.recognizers.address import AddressRecognizer
from kaifong.governance.recognizers.bank import BankAccountRecognizer
from kaifong.governance.recognizers.brn import BrnRecognizer
from kaifong.governance.recognizers.card import CardRecognizer, luhn_valid
from kaifong.governance.recognizers.email import EmailRecognizer
from kaifong.governance.recognizers.hkid import HkidRecognizer, hkid_check_character
from kaifong.governance.recognizers.name import NameRecognizer
from kaifong.governance.recognizers.passport import PassportRecognizer
from kaifong.governance.recognizers.phone import PhoneRecognizer
from kaifong.governance.recognizers.ric import RicRecognizer, ric_check_character

__all__ = [
    "AddressRecognizer",
    "BankAccountRecognizer",
    "BrnRecognizer",
    "CardRecognizer",
    "EmailRecognizer",
    "Finding",
    "HkidRecognizer",
    "NameRecognizer",
    "PassportRecognizer",
    "PhoneRecognizer",
    "RicRecognizer",
    "hkid_check_character",
    "luhn_valid",
    "ric_check_character",
]
