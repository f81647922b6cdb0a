"""CrisisGuard: self-harm, suicide and harm-to-others intent → a fixed reply with Hong Kong hotlines."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from kaifong.governance.guards.base import Verdict, error_verdict
from kaifong.governance.guards.datafile import DATA, load_model
from kaifong.governance.guards.rules import CompiledRules, load_rules
from kaifong.language.messages import message
from kaifong.types import Detection, Form

STATUS = "signposted_crisis"
RULES_FILE = DATA / "crisis.yaml"
HOTLINES_FILE = DATA / "hotlines.yaml"


class Hotline(BaseModel):
    """One crisis line, with the page it was checked against and when."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: dict[str, str]
    number: str = Field(pattern=r"^[0-9 ]{3,12}$")
    hours: str = ""
    verified: bool
    crisis: bool = True
    used_in: list[str] = Field(default_factory=list)
    source: str = Field(pattern=r"^https?://")
    seen: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    note: str = ""


class HotlineFile(BaseModel):
    """The versioned hotline list."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    hotlines: list[Hotline] = Field(min_length=1)


@cache
def hotlines(path: Path = HOTLINES_FILE) -> tuple[Hotline, ...]:
    """Every number in the data file (check ``verified``; ``crisis`` ones belong in the crisis reply)."""
    data, _ = load_model(path, HotlineFile)
    return tuple(data.hotlines)


def crisis_reply(form: Form | str) -> str:
    """The fixed crisis reply (never generated text) in ``form``, with verified Hong Kong hotlines."""
    return message(f"status.{STATUS}", form)


@dataclass
class CrisisGuard:
    """Fails with ``signposted_crisis`` on self-harm, suicide or harm-to-others intent (recall first)."""

    rules: CompiledRules
    name: str = "crisis"

    @classmethod
    def load(cls, path: Path = RULES_FILE) -> CrisisGuard:
        """The guard over the rule file at ``path`` (GuardDataError if it is invalid)."""
        return cls(load_rules(path, ("en", "zh-Hant")))

    @property
    def version(self) -> str:
        """The rule file's version."""
        return self.rules.version

    def check(self, text: str, detection: Detection) -> Verdict:
        """Fail with ``signposted_crisis`` when a crisis rule fires; never raises."""
        try:
            rule = self.rules.match(text)
        except Exception as exc:  # fail closed
            return error_verdict(self.name, self.version, exc)
        if rule is None:
            return Verdict(self.name, "pass", version=self.version)
        return Verdict(self.name, "fail", STATUS, f"rule:{rule}", self.version, rule, "critical")
