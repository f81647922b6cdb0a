"""Guard data files: invalid YAML, taxonomy or policy stops start-up naming the file, line and problem."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kaifong.governance.guards import GuardDataError, crisis_reply, hotlines
from kaifong.governance.guards.crisis import CrisisGuard
from kaifong.governance.guards.datafile import DATA
from kaifong.governance.guards.harmful import HarmfulGuard
from kaifong.governance.guards.injection import InjectionGuard
from kaifong.governance.guards.policy import ScopePolicyGuard
from kaifong.language.messages import catalogue
from kaifong.types import FORMS

TAXONOMY = (DATA / "harm_taxonomy.yaml").read_text("utf-8")
POLICY = (DATA / "policy.yaml").read_text("utf-8")


def _line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing ``needle``."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_files_load() -> None:
    assert CrisisGuard.load().version and InjectionGuard.load().version
    assert HarmfulGuard.load().version == "1.0.0" and ScopePolicyGuard.load().version == "1.0.0"


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "tax.yaml", 'version: "1"\ncategories:\n  - id: x\n    severity: [high\n')
    with pytest.raises(GuardDataError) as info:
        HarmfulGuard.load(path)
    assert str(info.value).startswith(f"{path}:")
    assert info.value.line is not None and info.value.line >= 4 and "invalid YAML" in str(info.value)


def test_bad_severity_names_its_line(tmp_path: Path) -> None:
    text = TAXONOMY.replace("severity: critical", "severity: extreme", 1)
    path = _write(tmp_path, "tax.yaml", text)
    with pytest.raises(GuardDataError) as info:
        HarmfulGuard.load(path)
    assert info.value.line == _line_of(text, "severity: extreme")
    assert "categories.0.severity" in str(info.value) and "low" in str(info.value)


def test_bad_regex_names_its_line(tmp_path: Path) -> None:
    text = TAXONOMY.replace('        - "(?:販毒', '        - "(unclosed"\n        - "(?:販毒', 1)
    path = _write(tmp_path, "tax.yaml", text)
    with pytest.raises(GuardDataError, match="not a valid regex") as info:
        HarmfulGuard.load(path)
    assert info.value.line == _line_of(text, '"(unclosed"')


def test_duplicate_category_is_refused(tmp_path: Path) -> None:
    text = TAXONOMY.replace("id: doxxing", "id: fraud_impersonation", 1)
    with pytest.raises(GuardDataError, match="duplicate category ids: fraud_impersonation"):
        HarmfulGuard.load(_write(tmp_path, "tax.yaml", text))


def test_category_without_chinese_patterns_is_refused(tmp_path: Path) -> None:
    text = (
        'version: "1"\ncategories:\n  - id: x\n    severity: low\n    description: d\n'
        '    patterns:\n      en: ["a"]\n'
    )
    with pytest.raises(GuardDataError, match=r":6: categories.0.patterns: no patterns for zh-Hant"):
        HarmfulGuard.load(_write(tmp_path, "tax.yaml", text))


def test_unknown_policy_action_names_its_line(tmp_path: Path) -> None:
    text = POLICY.replace("action: escalate", "action: ask_a_friend", 1)
    path = _write(tmp_path, "policy.yaml", text)
    with pytest.raises(GuardDataError) as info:
        ScopePolicyGuard.load(path)
    assert info.value.line == _line_of(text, "action: ask_a_friend") and "domains.1.action" in str(info.value)


def test_disclaimer_without_notice_key_is_refused(tmp_path: Path) -> None:
    text = POLICY.replace("    notice_key: policy.disclaimer.medical\n", "", 1)
    with pytest.raises(GuardDataError, match="needs a notice_key"):
        ScopePolicyGuard.load(_write(tmp_path, "policy.yaml", text))


def test_unknown_message_key_names_its_line(tmp_path: Path) -> None:
    text = POLICY.replace("notice_key: policy.disclaimer.legal", "notice_key: policy.disclaimer.nope", 1)
    path = _write(tmp_path, "policy.yaml", text)
    with pytest.raises(GuardDataError, match=r"'policy\.disclaimer\.nope' is not in") as info:
        ScopePolicyGuard.load(path)
    assert info.value.line == _line_of(text, "policy.disclaimer.nope")


def test_unknown_domain_is_refused(tmp_path: Path) -> None:
    text = POLICY.replace("id: medical", "id: astrology", 1)
    with pytest.raises(GuardDataError, match=r"domains\.\d+\.id"):
        ScopePolicyGuard.load(_write(tmp_path, "policy.yaml", text))


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(GuardDataError, match="cannot read the file"):
        CrisisGuard.load(tmp_path / "absent.yaml")


def test_rule_file_extra_key_is_refused(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "crisis.yaml",
        'version: "1"\nrules:\n  a:\n    en: ["x"]\n    zh-Hant: ["y"]\n    fr: ["z"]\n',
    )
    with pytest.raises(GuardDataError, match=r":6: rules.a.fr: Extra inputs"):
        CrisisGuard.load(path)


def test_crisis_reply_lists_every_verified_crisis_number_in_every_form() -> None:
    lines = [h for h in hotlines() if h.crisis]
    assert {h.number for h in lines} == {"999", "18111", "2896 0000", "2389 2222", "2382 0000"}
    for form in FORMS:
        reply = crisis_reply(form)
        for line in lines:
            assert (line.number in reply) == line.verified, (form, line.id)


def test_every_number_in_guard_messages_is_verified() -> None:
    verified = {h.number for h in hotlines() if h.verified} | {"1823"}
    keys = [
        k
        for k in catalogue()
        if k.startswith(("policy.", "status.signposted", "status.refused", "status.escalated"))
    ]
    for key in keys:
        for text in catalogue()[key].values():
            for number in re.findall(r"(?<!\d)\d{3,5}(?: \d{4})?(?!\d)", text):
                assert number in verified or number == "24", (key, number)
    for line in hotlines():
        assert line.source.startswith("https://") and line.seen


def test_guard_messages_name_a_human_route() -> None:
    keys = [
        k
        for k in catalogue()
        if k.startswith(("policy.", "status.signposted", "status.refused", "status.escalated"))
    ]
    assert len(keys) >= 10
    for key in keys:
        for text in catalogue()[key].values():
            assert re.search(r"1823|18111|999|2717 1771", text), key
