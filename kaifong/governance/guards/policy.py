"""ScopePolicyGuard: the high-risk policy table (data/policy.yaml) and the out-of-scope task detector."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kaifong.governance.guards.base import Verdict, error_verdict
from kaifong.governance.guards.datafile import (
    DATA,
    GuardDataError,
    load_model,
    node_line,
    reject_duplicates,
)
from kaifong.governance.guards.rules import (
    CompiledRules,
    Patterns,
    RuleFile,
    compile_patterns,
    fold_for_match,
    require_forms,
)
from kaifong.language.messages import catalogue, message
from kaifong.types import FORMS, Detection

POLICY_FILE = DATA / "policy.yaml"
REFUSED = "refused_scope"
Action = Literal["answer_with_disclaimer", "signpost", "escalate", "refuse"]
DomainId = Literal[
    "medical",
    "legal",
    "financial",
    "immigration",
    "welfare_eligibility",
    "employment_dispute",
    "mental_health",
]
#: Strongest first: a stopping action beats a passing one; among passing notices signposts go first.
ACTION_RANK: dict[str, int] = {"refuse": 0, "escalate": 1, "signpost": 2, "answer_with_disclaimer": 3}


class Route(BaseModel):
    """A human route named in a notice, with the page its number was checked against."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    phone: str
    source: str = Field(pattern=r"^https?://")
    seen: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")


class Domain(BaseModel):
    """One row of the policy table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: DomainId
    action: Action
    description: str = Field(min_length=1)
    notice_key: str | None = None
    route: Route | None = None
    triggers: Patterns

    @model_validator(mode="after")
    def _notice_matches_action(self) -> Domain:
        needs = self.action in ("answer_with_disclaimer", "signpost")
        if needs and not self.notice_key:
            raise ValueError(f"action {self.action} needs a notice_key (a message key in all four forms)")
        if not needs and self.notice_key:
            raise ValueError(f"action {self.action} stops the answer, so it takes no notice_key")
        return self


class PolicyFile(BaseModel):
    """The versioned policy table and out-of-scope rules."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1)
    domains: list[Domain] = Field(min_length=1)
    out_of_scope: RuleFile

    @model_validator(mode="after")
    def _unique_domains(self) -> PolicyFile:
        reject_duplicates([d.id for d in self.domains], "domains")
        return self


@dataclass(frozen=True)
class CompiledDomain:
    """A domain with its triggers compiled."""

    id: str
    action: str
    notice_key: str | None
    pattern: re.Pattern[str]

    @property
    def status(self) -> str:
        """The status when this domain stops the answer."""
        return f"escalated_{self.id}" if self.action == "escalate" else REFUSED


def _check_message(key: str, path: Path, line: int | None) -> None:
    """GuardDataError unless ``key`` is a message with all four forms."""
    forms = catalogue().get(key)
    if forms is None:
        raise GuardDataError(path, line, f"message key {key!r} is not in kaifong/language/data/messages.yaml")
    missing = [f for f in FORMS if not forms.get(f)]
    if missing:
        raise GuardDataError(path, line, f"message key {key!r} lacks forms {', '.join(missing)}")


@dataclass
class ScopePolicyGuard:
    """Applies the policy table: refuse/escalate stop the answer; signpost/disclaimer pass with notices.

    Out-of-scope *tasks* (write a poem, homework, code) fail with ``refused_scope``.
    """

    version: str
    domains: list[CompiledDomain]
    out_of_scope: CompiledRules
    name: str = field(default="policy")

    @classmethod
    def load(cls, path: Path = POLICY_FILE) -> ScopePolicyGuard:
        """The guard over the table at ``path`` (GuardDataError naming file, line and problem if invalid)."""
        data, root = load_model(path, PolicyFile)
        domains: list[CompiledDomain] = []
        for index, domain in enumerate(data.domains):
            loc: list[str | int] = ["domains", index]
            require_forms(domain.triggers, path, root, [*loc, "triggers"], ("en", "zh-Hant"))
            pattern = compile_patterns(domain.triggers, path, root, [*loc, "triggers"])
            if pattern is None:  # pragma: no cover - require_forms guarantees triggers
                raise GuardDataError(path, node_line(root, loc), f"domain {domain.id} has no triggers")
            if domain.notice_key:
                _check_message(domain.notice_key, path, node_line(root, [*loc, "notice_key"]))
            if domain.action == "escalate":
                _check_message(f"status.escalated_{domain.id}", path, node_line(root, [*loc, "action"]))
            domains.append(CompiledDomain(domain.id, domain.action, domain.notice_key, pattern))
        domains.sort(key=lambda d: ACTION_RANK[d.action])
        scope = CompiledRules(data.out_of_scope, path, root, ("en", "zh-Hant"))
        return cls(data.version, domains, scope)

    def check(self, text: str, detection: Detection) -> Verdict:
        """Fail on refuse/escalate domains and out-of-scope tasks; else pass with notices; never raises."""
        try:
            folded = fold_for_match(text)
            hits = [d for d in self.domains if d.pattern.search(folded)]
            stopping = next((d for d in hits if d.action in ("refuse", "escalate")), None)
            if stopping is not None:
                return Verdict(
                    self.name,
                    "fail",
                    stopping.status,
                    f"policy:{stopping.id}",
                    self.version,
                    stopping.id,
                    "high",
                )
            task = self.out_of_scope.match(text)
            if task is not None:
                return Verdict(self.name, "fail", REFUSED, f"out_of_scope:{task}", self.version, task, "low")
            keys = tuple(d.notice_key for d in hits if d.notice_key)
            notices = tuple(message(key, detection.form) for key in keys)
        except Exception as exc:  # fail closed
            return error_verdict(self.name, self.version, exc)
        category = ",".join(d.id for d in hits)
        return Verdict(self.name, "pass", "", "", self.version, category, None, keys, notices)
