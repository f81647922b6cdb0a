"""Tests for Traditional/Simplified conversion and folding."""

from __future__ import annotations

from kaifong.language import fold, to_hans, to_hant


def test_to_hant_gives_hong_kong_forms() -> None:
    assert to_hant("怎样申请公屋？") == "怎樣申請公屋？"
    assert to_hant("卫生署") == "衞生署"  # HK glyph 衞, not 衛
    assert to_hant("里面") == "裏面"


def test_to_hant_keeps_traditional_and_cantonese() -> None:
    assert to_hant("點樣申請公屋？") == "點樣申請公屋？"
    assert to_hant("佢喺度食緊飯") == "佢喺度食緊飯"


def test_to_hans() -> None:
    assert to_hans("如何補領香港身份證？") == "如何补领香港身份证？"
    assert to_hans("强积金") == "强积金"


def test_fold_makes_scripts_and_variants_equal() -> None:
    assert fold("申请公屋") == fold("申請公屋") == "申請公屋"
    assert fold("裡面") == fold("裏面") == fold("里面")
    assert fold("衛生署") == fold("衞生署") == fold("卫生署")
    assert fold("強積金") == fold("强积金")


def test_non_chinese_passes_through() -> None:
    assert fold("") == ""
    assert to_hant("") == ""
    assert to_hans("") == ""
    assert fold("HKID 123, MPF!") == "HKID 123, MPF!"
    assert to_hans("Octopus card") == "Octopus card"
