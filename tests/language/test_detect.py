"""Tests for language, script and code-switching detection."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kaifong.language import detect, to_hans
from kaifong.types import Detection


@pytest.mark.parametrize(
    "text",
    ["點樣申請公屋？", "幾時交稅", "邊度可以補領身份證？", "我今日好攰", "你食咗飯未呀？", "得閒試下"],
)
def test_cantonese_traditional(text: str) -> None:
    assert detect(text) == Detection("yue", "Hant", False)


@pytest.mark.parametrize("text", ["点样申请公屋", "你食咗饭未呀？", "我系香港人", "几时交税", "多谢晒"])
def test_cantonese_simplified(text: str) -> None:
    assert detect(text) == Detection("yue", "Hans", False)


@pytest.mark.parametrize(
    "text", ["如何補領香港身份證？", "甚麼是強積金", "申請公共租住房屋需要符合甚麼資格？"]
)
def test_standard_written_chinese_traditional(text: str) -> None:
    assert detect(text) == Detection("zh", "Hant", False)


@pytest.mark.parametrize("text", ["怎样申请公屋？", "什么是强积金", to_hans("如何補領香港身份證？")])
def test_standard_written_chinese_simplified(text: str) -> None:
    assert detect(text) == Detection("zh", "Hans", False)


@pytest.mark.parametrize(
    "text",
    ["我想renew我個passport，要帶咩？", "份salary tax幾時要交", "請問HKID點樣補領", "我張Octopus唔見咗"],
)
def test_code_switched_cantonese(text: str) -> None:
    assert detect(text) == Detection("yue", "Hant", True)


def test_code_switched_simplified_and_swc() -> None:
    assert detect("请问HKID点样补领") == Detection("yue", "Hans", True)
    assert detect("請問MPF的供款上限是多少？") == Detection("zh", "Hant", True)


@pytest.mark.parametrize(
    "text", ["HK$500 點樣交？", "每日3km點計", "下午3pm前要交", "請瀏覽www.gov.hk查詢", "A座幾樓？"]
)
def test_units_addresses_and_letters_are_not_code_switching(text: str) -> None:
    assert detect(text).code_switched is False
    assert detect(text).language != "en"


@pytest.mark.parametrize(
    "text",
    ["How do I apply for public rental housing?", "When do I have to pay my salaries tax?", "hello"],
)
def test_english(text: str) -> None:
    assert detect(text) == Detection("en", "Latn", False)


@pytest.mark.parametrize(
    "text",
    ["My name is 陳大文 and I want to renew my HKID", "How do I apply for 公屋?", "I live at 天水圍天恩邨"],
)
def test_english_with_chinese_names(text: str) -> None:
    assert detect(text) == Detection("en", "Latn", True)


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "？！。", "...", "12345", "1823", "😀", "-- //"])
def test_no_han_no_words_defaults_to_english(text: str) -> None:
    assert detect(text) == Detection("en", "Latn", False)


def test_ambiguous_script_defaults_to_traditional() -> None:
    assert detect("公屋").script == "Hant"
    assert detect("八達通").script == "Hant"  # differs only in Traditional: 達 and 通
    assert detect("着衫").script == "Hant"  # 着 is standard Hong Kong Traditional


def test_forms() -> None:
    assert detect("點樣申請公屋？").form == "yue-Hant"
    assert detect("点样申请公屋").form == "zh-Hans"
    assert detect("如何補領香港身份證？").form == "zh-Hant"
    assert detect("How do I renew my passport?").form == "en"


def test_long_input() -> None:
    text = ("我想renew我個passport，要帶咩？" * 5000)[:100_000]
    assert len(text) == 100_000
    assert detect(text) == Detection("yue", "Hant", True)
    assert detect("How do I renew it? " * 6000).language == "en"


def _valid(detection: Detection) -> bool:
    if detection.language == "en":
        return detection.script == "Latn"
    return detection.language in ("yue", "zh") and detection.script in ("Hant", "Hans")


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_never_raises_on_any_text(text: str) -> None:
    assert _valid(detect(text))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("我你佢係嘅咗唔是的了么系几們们點点樣样 abcHKID,。？!1"))))
def test_never_raises_on_mixed_chinese(text: str) -> None:
    detection = detect(text)
    assert _valid(detection)
    assert isinstance(detection.code_switched, bool)


def test_cantonese_characters_opencc_respells_stay_traditional() -> None:
    assert detect("唔該晒！") == Detection("yue", "Hant", False)
    assert detect("做唔晒囖") == Detection("yue", "Hant", False)


@pytest.mark.parametrize(
    "text",
    [
        "呢隻西瓜好細個。",
        "等陣，仲未講完",
        "然之後出來做",
        "另外你要食飯？",
        "但其實我份人都幾沉着",
        "你以為扮懵就得？",
        "夠十五分鐘未啊?",
        "個酒店職員會幫你電召的士",
        "好耐無去半山區探舅父",
        "打籃球好易整傷個膝頭",
        "大市好有機會反彈。",
        "有九宮格好多",
        "拎住隻鞋自拍",
        "揞住嘴笑",
        "張紙搣到碎",
        "殘體字少過正體字",
        "好似無人知道",
        "只不過問問之嘛",
        "快走啦",
        "有個女仔來找你",
        "門口有隻狗",
        "你等等先",
        "成本書要五十蚊",
        "呢件事同政府有關",
        "點叫的士",
        "邊本書比較好",
        "算數囉",
        "你識講英文未",
        "我做緊功課",
        "尖東夜晚品流好雜，少去為妙。",
    ],
)
def test_more_cantonese_markers(text: str) -> None:
    assert detect(text).language == "yue"
    assert detect(to_hans(text)).language == "yue"


@pytest.mark.parametrize(
    "text",
    [
        "請乘搭的士前往",
        "請稍等一點時間",
        "先生，請出示身份證",
        "首先，請填妥表格。",
        "長者可獲優先處理。",
        "本港在該領域處於領先。",
        "申請人須符合有條件批准的要求",
        "政府會做好多項準備工作",
        "各部門須做好有關安排",
        "不同部門的職責不同",
        "此事與政府有關",
        "他懵然不知",
        "小嘍囉",
        "請勿囉嗦",
        "學生應具備基本知識",
        "認識講座的內容",
        "如遇緊急情況，請致電999",
        "減少過度使用塑膠",
        "請仔細過目",
        "個人資料必須保密",
        "個別個案會另行處理",
        "晚上九點整開始",
        "嘩啦一聲",
        "希望住戶配合",
        "文件井井有條",
        "最好快。",
        "雙方關係友好。",
    ],
)
def test_standard_written_chinese_words_stay_zh(text: str) -> None:
    assert detect(text).language == "zh"
    assert detect(to_hans(text)).language == "zh"
