"""Tests for citation mapping: [n] only to retrieved passages; foreign numbers and addresses removed."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from kaifong.backends.citations import CitationMapper
from kaifong.testing import make_passage

HOUSING = "https://www.housingauthority.gov.hk/en/flat-application/"
PASSAGES = (
    make_passage("prh:en", "Apply online.", heading="How to apply", url=HOUSING),
    make_passage("prh:en", "Be 18 or over.", heading="Who can apply", position=1, url=HOUSING),
    make_passage("passport:en", "Bring your old passport.", url="https://www.immd.gov.hk/eng/passport.html"),
)


def whole(draft: str) -> tuple[str, tuple[str, ...]]:
    mapped = CitationMapper(PASSAGES).whole(draft)
    return mapped.text, mapped.cited_doc_ids


def streamed(draft: str, size: int) -> tuple[str, tuple[str, ...]]:
    mapper = CitationMapper(PASSAGES)
    deltas = [mapper.feed(draft[i : i + size]) for i in range(0, len(draft), size)]
    deltas.append(mapper.finish())
    return "".join(d.text for d in deltas), tuple(d for delta in deltas for d in delta.cited_doc_ids)


def test_tokens_become_source_list_numbers_in_order_of_first_citation() -> None:
    text, cited = whole("Bring your passport [3]. Apply online [1]. You must be 18 [2].")
    # passages 1 and 2 are one document: the source list is passport, then public housing
    assert cited == ("passport:en", "prh:en")
    assert text == "Bring your passport [1]. Apply online [2]. You must be 18 [2]."


def test_numbers_that_name_no_passage_are_removed() -> None:
    text, cited = whole("Apply online [1][4]. Forms [0] are free [99]. In [2024] nothing changed.")
    assert text == "Apply online [1]. Forms are free. In nothing changed."
    assert cited == ("prh:en",)


def test_groups_ranges_and_full_width_brackets_are_mapped() -> None:
    text, cited = whole("Apply [1, 3]. Bring it［3］. Both【1、3】. Range [1-3] [7, 8].")
    assert text == "Apply [1][2]. Bring it[2]. Both[1][2]. Range [1][2]."
    assert cited == ("prh:en", "passport:en")


def test_a_draft_that_cites_nothing_has_no_citations() -> None:
    text, cited = whole("Trust me, it is easy. See [5].")
    assert cited == ()
    assert text == "Trust me, it is easy. See."


def test_addresses_of_retrieved_passages_stay_and_any_other_address_goes() -> None:
    text, _ = whole(
        "Apply at https://www.housingauthority.gov.hk/en/flat-application/ [1]. "
        "Not at https://evil.example/phish. Nor www.scam.example/x, nor http://gov.hk.example/."
    )
    assert "https://www.housingauthority.gov.hk/en/flat-application/" in text
    assert "evil" not in text and "scam" not in text and "gov.hk.example" not in text
    assert text.endswith("Not at. Nor, nor.")


def test_an_address_is_compared_without_scheme_case_www_or_trailing_slash() -> None:
    text, _ = whole("See HTTP://HousingAuthority.gov.hk/en/flat-application [1].")
    assert "HTTP://HousingAuthority.gov.hk/en/flat-application" in text
    text, _ = whole("See https://www.housingauthority.gov.hk/en/other-page [1].")
    assert "other-page" not in text


def test_markdown_links_keep_their_words_and_only_allowed_addresses() -> None:
    text, _ = whole(f"[Apply here]({HOUSING}) [1] or [click me](https://evil.example/x) [2].")
    assert text == f"Apply here ({HOUSING}) [1] or click me [1]."


def test_a_citation_written_as_a_link_keeps_the_citation_and_loses_the_foreign_address() -> None:
    text, cited = whole("Apply online [1](https://evil.example/).")
    assert text == "Apply online [1]."
    assert cited == ("prh:en",)


def test_a_partial_token_is_held_across_chunks() -> None:
    mapper = CitationMapper(PASSAGES)
    first = mapper.feed("Bring your passport [")
    assert first.text == "Bring your passport"
    assert first.cited_doc_ids == ()
    second = mapper.feed("3")
    assert second.text == ""
    third = mapper.feed("]. Then apply")
    assert third.text == " [1]. Then apply"
    assert third.cited_doc_ids == ("passport:en",)
    assert mapper.finish().text == ""


def test_a_partial_address_is_held_until_it_ends() -> None:
    mapper = CitationMapper(PASSAGES)
    pieces = [mapper.feed(p).text for p in ("Go to ht", "tps://evil", ".example/x now [1]")]
    pieces.append(mapper.finish().text)
    assert pieces[0] == "Go to"
    assert pieces[1] == ""
    assert "".join(pieces) == "Go to now [1]"


def test_an_unfinished_token_at_the_end_is_dropped_and_plain_brackets_are_kept() -> None:
    assert whole("Apply online [1]. See [2")[0] == "Apply online [1]. See"
    assert whole("Redacted: [HKID] stays [1]")[0] == "Redacted: [HKID] stays [1]"
    assert whole("An aside [see above")[0] == "An aside [see above"


def test_chinese_text_maps_like_english() -> None:
    text, cited = whole("帶備舊護照【3】。網上申請［1］，詳情見 https://evil.example 。")
    assert text == "帶備舊護照[1]。網上申請[2]，詳情見 。"
    assert cited == ("passport:en", "prh:en")


DRAFTS = [
    "Bring your passport [3]. Apply online [1][4]. See https://evil.example/x and "
    f"[the page]({HOUSING}) [2], [click](http://x.example) [2024] 【1、3】 text [0] end [2",
    "申請【1】，帶備文件［3］。網址 www.scam.example/a 及 https://www.immd.gov.hk/eng/passport.html [3]。",
]


@settings(max_examples=60, deadline=None)
@given(draft=st.sampled_from(DRAFTS), size=st.integers(min_value=1, max_value=40))
def test_streaming_in_any_chunk_size_gives_the_whole_drafts_result(draft: str, size: int) -> None:
    assert streamed(draft, size) == whole(draft)


@settings(max_examples=200, deadline=None)
@given(
    draft=st.text(alphabet=st.sampled_from(list("ab [1]23【】(h)tps:/w.x 。")), max_size=60),
    size=st.integers(min_value=1, max_value=7),
)
def test_any_text_streams_like_it_maps_whole_and_cites_only_given_documents(draft: str, size: int) -> None:
    text, cited = streamed(draft, size)
    assert (text, cited) == whole(draft)
    assert set(cited) <= {p.doc_id for p in PASSAGES}
    assert not re.search(r"(?:https?://|www\.)[a-z0-9]", text, re.IGNORECASE)  # no address survives
