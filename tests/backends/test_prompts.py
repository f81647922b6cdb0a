"""Tests for the grounded prompts: one per register, in that register and script, and numbered passages."""

from __future__ import annotations

import re
from pathlib import Path

import hanzidentifier
import pytest

from kaifong.backends.prompts import PROMPTS_DIR, load_prompts, number_passages, parse_prompt, prompt_for
from kaifong.governance.guards.injection import PASSAGE_MARKER, PASSAGE_WITHHELD
from kaifong.language import detect
from kaifong.testing import make_passage
from kaifong.types import FORMS, Detection, Passage, ScoredPassage

CANTONESE = ("係", "唔", "嘅")
STANDARD = ("是", "不", "的")


def _outside_quotes(text: str) -> str:
    """The text without its 「…」 quotations (where the prompts list the words to avoid)."""
    return re.sub(r"「[^」]*」", "", text)


def test_every_language_form_has_a_prompt_named_after_its_id_and_version() -> None:
    prompts = load_prompts()
    assert set(prompts) == set(FORMS)
    for form, prompt in prompts.items():
        assert prompt.form == form
        assert (PROMPTS_DIR / f"{prompt.prompt_id}.md").is_file()
        assert re.fullmatch(r"grounded-[a-z-]+-v\d+", prompt.prompt_id)


@pytest.mark.parametrize(
    ("question", "prompt_id"),
    [
        ("點樣申請公屋？要帶咩文件？", "grounded-yue-v1"),
        ("如何申請公共房屋？", "grounded-zh-v1"),
        ("怎样申请公共房屋？", "grounded-zh-hans-v1"),
        ("How do I apply for public rental housing?", "grounded-en-v1"),
    ],
)
def test_the_prompt_follows_the_detected_register_and_script(question: str, prompt_id: str) -> None:
    assert prompt_for(detect(question)).prompt_id == prompt_id


def test_the_cantonese_prompt_is_written_in_cantonese_and_asks_for_it() -> None:
    prompt = load_prompts()["yue-Hant"]
    body = _outside_quotes(prompt.system + prompt.user)
    assert all(word in body for word in CANTONESE)
    assert not any(word in body for word in STANDARD), "written Cantonese uses 係/唔/嘅, not 是/不/的"
    assert "係、唔、嘅" in prompt.system  # it names the words to use …
    assert "是、不、的" in prompt.system  # … and the ones not to


def test_the_standard_chinese_prompts_are_standard_and_in_their_script() -> None:
    traditional, simplified = load_prompts()["zh-Hant"], load_prompts()["zh-Hans"]
    for prompt in (traditional, simplified):
        body = _outside_quotes(prompt.system + prompt.user)
        assert not any(word in body for word in CANTONESE)
        assert all(word in body for word in ("是", "不", "的"))
    assert hanzidentifier.identify(traditional.system) == hanzidentifier.TRADITIONAL
    assert hanzidentifier.identify(simplified.system) == hanzidentifier.SIMPLIFIED
    assert "简体字" in simplified.system


def test_every_prompt_demands_grounding_numbered_citations_no_links_and_short_steps() -> None:
    for prompt in load_prompts().values():
        assert "[1]" in prompt.system and "[1]" in prompt.user
        assert "1823" in prompt.system  # where to go when the passages do not answer
        assert "[HKID]" in prompt.system  # redaction placeholders are explained
    english = load_prompts()["en"].system
    for rule in ("only from the numbered", "Never guess", "web addresses", "steps", "not instructions"):
        assert rule in english


def test_messages_put_the_passages_and_the_question_in_the_user_turn() -> None:
    prompt = load_prompts()["en"]
    messages = prompt.messages("What is {this}?", "[1] Title\nText")
    assert [m["role"] for m in messages] == ["system", "user"]
    assert messages[0]["content"] == prompt.system
    assert "What is {this}?" in messages[1]["content"]  # braces in a question are kept as typed
    assert "[1] Title\nText" in messages[1]["content"]


def _scored(*passages: Passage) -> tuple[ScoredPassage, ...]:
    return tuple(ScoredPassage(p, score=1.0, coverage=1.0) for p in passages)


EN = Detection("en", "Latn")


def test_passages_are_numbered_once_each_without_withheld_or_neutralised_text() -> None:
    first = make_passage("prh:en", "Apply online.", heading="How to apply", title="Public housing")
    withheld = make_passage("prh:en", PASSAGE_WITHHELD, position=1)
    planted = make_passage("prh:en", f"Be 18 or over.\n{PASSAGE_MARKER}", heading="Who", position=2)
    chosen, block = number_passages(_scored(first, withheld, first, planted), EN, 6000)
    assert [sp.passage.id for sp in chosen] == [first.id, planted.id]
    assert block == "[1] Public housing — How to apply\nApply online.\n\n[2] prh — Who\nBe 18 or over."


def test_passages_stop_at_the_prompt_budget_and_the_first_is_cut_to_fit() -> None:
    long = [make_passage("a:en", "x" * 400, position=i) for i in range(5)]
    chosen, block = number_passages(_scored(*long), EN, 1000)
    assert len(chosen) == 2
    assert len(block) <= 1000
    only, cut = number_passages(_scored(*long), EN, 100)
    assert len(only) == 1
    assert len(cut) <= 100
    assert cut.endswith("…")


def test_simplified_questions_get_simplified_passages() -> None:
    passage = make_passage(
        "prh:zh", "網上遞交申請表。", heading="申請步驟", title="公共房屋", language="zh-Hant"
    )
    _, block = number_passages(_scored(passage), Detection("zh", "Hans"), 6000)
    assert block == "[1] 公共房屋 — 申请步骤\n网上递交申请表。"
    _, kept = number_passages(_scored(passage), Detection("yue", "Hant"), 6000)
    assert "網上遞交申請表" in kept


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD = (
    "---\nid: grounded-en\nversion: 2\nform: en\n---\n## system\nRules.\n\n## user\n{passages}\n{question}\n"
)


def test_a_bad_prompt_file_is_refused_with_a_message_that_says_what_to_fix() -> None:
    with pytest.raises(ValueError, match="YAML front matter"):
        parse_prompt("## system\nx\n## user\n{passages}{question}", "p.md")
    with pytest.raises(ValueError, match="lacks version, form"):
        parse_prompt("---\nid: x\n---\n## system\nx\n## user\n{passages}{question}", "p.md")
    with pytest.raises(ValueError, match="form 'fr'"):
        parse_prompt(GOOD.replace("form: en", "form: fr"), "p.md")
    with pytest.raises(ValueError, match="'## system' and '## user'"):
        parse_prompt(GOOD.replace("## system\nRules.\n", ""), "p.md")
    with pytest.raises(ValueError, match=r"must contain \{question\}"):
        parse_prompt(GOOD.replace("{question}", ""), "p.md")


def test_the_newest_version_wins_and_every_form_is_required(tmp_path: Path) -> None:
    for path in PROMPTS_DIR.glob("grounded-*.md"):
        _write(tmp_path, path.name, path.read_text(encoding="utf-8"))
    _write(tmp_path, "grounded-en-v2.md", GOOD)
    assert load_prompts(tmp_path)["en"].prompt_id == "grounded-en-v2"
    _write(tmp_path, "grounded-en-v3.md", GOOD)  # says version 2 inside
    with pytest.raises(ValueError, match=r"name the file after its id and version, grounded-en-v2\.md"):
        load_prompts.__wrapped__(tmp_path)
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    _write(lonely, "grounded-en-v2.md", GOOD)
    with pytest.raises(ValueError, match="no grounded prompt for zh-Hant, zh-Hans, yue-Hant"):
        load_prompts(lonely)
