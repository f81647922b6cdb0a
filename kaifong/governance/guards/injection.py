"""InjectionGuard: prompt injection and jailbreaks (EN/ZH/yue), and neutralise_passage for documents."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kaifong.governance.guards.base import Verdict, error_verdict
from kaifong.governance.guards.datafile import DATA
from kaifong.governance.guards.rules import CompiledRules, load_rules
from kaifong.types import Detection

STATUS = "refused_injection"
RULES_FILE = DATA / "injection.yaml"
PASSAGE_RULES_FILE = DATA / "passage_injection.yaml"
#: What replaces an instruction-like sentence in a retrieved passage.
PASSAGE_MARKER = "[removed: instruction-like text]"
#: What a whole passage becomes when it cannot be checked (fail closed).
PASSAGE_WITHHELD = "[passage withheld: could not be checked]"

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
#: Base64-looking runs (≥ 32 characters, or ≥ 16 ending in "=", mixed case and digits); hex / \x runs.
_BASE64 = re.compile(r"[A-Za-z0-9+/]{14,}={0,2}")
_HEX = re.compile(r"(?:\\x[0-9a-fA-F]{2}){8,}|(?<![0-9a-zA-Z])(?:[0-9a-fA-F]{2}[ :]?){20,}(?![0-9a-zA-Z])")
#: Sentences: up to and including a terminator (。！？!?;； newline, or a full stop before a space/end).
_SENTENCE = re.compile(r"(?:[^。！？!?;；\n.]|\.(?!\s|$))*(?:[。！？!?;；\n]|\.|$)")


def encoded_payload(text: str) -> bool:
    """True when ``text`` (URLs aside) holds a long base64 run of mixed case and digits, or a hex run."""
    bare = _URL.sub(" ", text)
    if _HEX.search(bare):
        return True
    for match in _BASE64.finditer(bare):
        run = match.group(0)
        mixed = (
            any(c.isdigit() for c in run) and any(c.isupper() for c in run) and any(c.islower() for c in run)
        )
        if mixed and (len(run) >= 32 or (len(run) >= 16 and run.endswith("="))):
            return True
    return False


@dataclass
class InjectionGuard:
    """Fails with ``refused_injection`` on instruction overrides, persona jailbreaks, prompt extraction,
    encoded-payload hints and chat-markup smuggling."""

    rules: CompiledRules
    name: str = "injection"

    @classmethod
    def load(cls, path: Path = RULES_FILE) -> InjectionGuard:
        """The guard over the rule file at ``path`` (GuardDataError if it is invalid)."""
        return cls(load_rules(path, ("en",)))

    @property
    def version(self) -> str:
        """The rule file's version."""
        return self.rules.version

    def check(self, text: str, detection: Detection) -> Verdict:
        """Fail with ``refused_injection`` when a rule fires; never raises."""
        try:
            rule = self.rules.match(text)
            if rule is None and encoded_payload(text):
                rule = "encoded_payload"
        except Exception as exc:  # fail closed
            return error_verdict(self.name, self.version, exc)
        if rule is None:
            return Verdict(self.name, "pass", version=self.version)
        return Verdict(self.name, "fail", STATUS, f"rule:{rule}", self.version, rule, "high")


@cache
def _passage_rules() -> tuple[CompiledRules, CompiledRules]:
    """The resident-message rules and the passage-only rules, loaded once."""
    return load_rules(RULES_FILE, ("en",)), load_rules(PASSAGE_RULES_FILE, ("en",))


def passage_rules_version() -> str:
    """The version of the rules ``neutralise_passage`` applies (stored passages record it)."""
    general, passage = _passage_rules()
    return f"{general.version}+{passage.version}"


def neutralise_passage(text: str) -> str:
    """``text`` with every instruction-like sentence replaced by PASSAGE_MARKER.

    For text from retrieved documents before it reaches a model: sentences that try to override
    instructions, change persona, extract the prompt, smuggle encoded payloads or address the AI
    reading the page are removed (a marker shows where). Text without such sentences comes back
    unchanged. Never raises: if the passage cannot be checked it is withheld (PASSAGE_WITHHELD).
    """
    try:
        general, passage = _passage_rules()
        out: list[str] = []
        changed = False
        for match in _SENTENCE.finditer(text):
            sentence = match.group(0)
            if not sentence.strip():
                out.append(sentence)
                continue
            if general.match(sentence) or passage.match(sentence) or encoded_payload(sentence):
                lead = sentence[: len(sentence) - len(sentence.lstrip())]
                tail = "\n" if sentence.endswith("\n") else ""
                out.append(lead + PASSAGE_MARKER + tail)
                changed = True
            else:
                out.append(sentence)
        return "".join(out) if changed else text
    except Exception:  # fail closed: an unchecked passage never reaches the model
        return PASSAGE_WITHHELD
