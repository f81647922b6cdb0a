"""Index and query tokens, and Cantonese/English normalisation of questions."""

from __future__ import annotations

from kaifong.language import detect
from kaifong.language.normalise import (
    chinese_query,
    english_alternatives,
    english_query,
    is_fragment,
    search_text,
)
from kaifong.language.tokens import han_segments, index_tokens, query_tokens, stem, words


def test_index_tokens_are_unigrams_bigrams_and_words() -> None:
    tokens = index_tokens("申請公屋 Apply online")
    assert {"申", "请", "公", "屋", "申请", "请公", "公屋", stem("apply"), stem("online")} <= set(tokens)


def test_traditional_and_simplified_fold_together() -> None:
    assert query_tokens("申請公屋") == query_tokens("申请公屋")
    assert query_tokens("身分證") == query_tokens("身份證")


def test_query_tokens_do_not_straddle_words() -> None:
    tokens = query_tokens("補領香港身份證")
    assert "补领" in tokens and "香港" in tokens and "身份" in tokens
    assert "领香" not in tokens and "港身" not in tokens


def test_unknown_characters_stay_together() -> None:
    assert "综援" in query_tokens("綜援")
    assert words("综援") == ["综援"]
    assert han_segments("補領 身份證") == ["补领", "身份证"]


def test_stem_is_light_and_shared() -> None:
    assert stem("renewing") == stem("renewed") == stem("renew") == "renew"
    assert stem("licences") == stem("licence") == stem("license") == stem("licensed")
    assert stem("applies") == stem("apply") == stem("applied") == stem("applying")
    assert stem("address") == "address"
    assert stem("tax") == "tax"


def test_stem_joins_inflections_of_short_words_and_silent_e() -> None:
    assert stem("fees") == stem("fee") == "fee"
    assert stem("days") == stem("day")
    assert stem("jobs") == stem("job")
    assert stem("moving") == stem("moved") == stem("moves") == stem("move")
    assert stem("making") == stem("make")
    assert stem("charging") == stem("charges") == stem("charge")
    assert stem("expiring") == stem("expired") == stem("expire")
    assert stem("stopped") == "stop"


def test_stem_keeps_different_words_apart() -> None:
    assert stem("care") != stem("car")
    assert stem("caring") == stem("care")
    assert stem("hope") != stem("hop")
    assert stem("bus") == "bus"
    assert stem("status") == "status"


def test_stem_drops_possessives_and_folds_spellings_and_act_nouns() -> None:
    assert stem("learner's") == stem("learner")
    assert stem("children’s") == stem("children")
    assert stem("programs") == stem("programme")
    assert stem("center") == stem("centre")
    assert stem("enrollment") == stem("enrolment") == stem("enrol")
    assert stem("renewal") == stem("renew")
    assert stem("expiry") == stem("expire")
    assert stem("registration") == stem("register")


def test_cantonese_words_map_to_standard_chinese() -> None:
    query = chinese_query("點樣攞綜援？")
    assert "領取" in query and "綜援" in query
    assert "點樣" not in query


def test_simplified_cantonese_maps_too() -> None:
    assert "遺失" in chinese_query("我唔见咗身份证")


def test_code_switched_terms_map_through_the_glossary() -> None:
    query = chinese_query("我想renew我個passport")
    assert "續期" in query and "護照" in query
    assert "renew" in query


def test_english_query_drops_function_words_and_maps_everyday_words() -> None:
    assert english_query("How much does it cost to renew my licence?").split() == [
        "cost",
        "fee",
        "renew",
        "licence",
    ]
    assert english_alternatives("Is my boss allowed to do that?") == [["boss", "employer"], ["allowed"]]


def test_everyday_words_map_in_any_inflection() -> None:
    assert english_alternatives("fathers") == [["fathers", "parent"]]
    assert english_alternatives("complaining") == [["complaining", "complaint", "claim"]]
    assert english_alternatives("disabled") == [["disabled", "disability"]]


def test_filler_words_and_dropped_apostrophes_are_not_content() -> None:
    assert english_alternatives("Im still not sure, whats actually needed during all this?") == [
        ["sure"],
        ["needed"],
    ]


def test_search_text_chooses_by_language() -> None:
    assert search_text("點樣申請公屋", detect("點樣申請公屋")).strip().startswith("申請")
    assert "apply" in search_text("How do I apply?", detect("How do I apply?"))


def test_fragments_are_recognised() -> None:
    assert is_fragment("要幾多錢？", detect("要幾多錢？"))
    assert is_fragment("How much does it cost?", detect("How much does it cost?"))
    assert not is_fragment("How do I renew my driving licence?", detect("How do I renew my driving licence?"))
