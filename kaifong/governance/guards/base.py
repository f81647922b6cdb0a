"""The Guard contract: a Verdict value, the Guard protocol and run_guards, which fails closed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from kaifong.types import Detection

Outcome = Literal["pass", "fail", "error"]
Severity = Literal["low", "medium", "high", "critical"]

#: The status a pipeline uses when a guard returns ``error`` (it could not decide: fail closed).
ERROR_STATUS = "error_guard"


@dataclass(frozen=True)
class Verdict:
    """One guard's decision on one text; it never holds raw user text, only codes and canned wording.

    ``status`` is the pipeline status to stop with when ``outcome`` is ``fail`` (``error_guard`` for
    ``error``; empty for ``pass``). ``reason`` is a machine code such as ``rule:self_harm`` or
    ``exception:ValueError``. ``notices`` are canned texts (disclaimers, signposts) that a *passing*
    guard asks the pipeline to show with the answer; ``notice_keys`` are their message keys.
    """

    guard: str
    outcome: Outcome
    status: str = ""
    reason: str = ""
    version: str = ""
    category: str = ""
    severity: Severity | None = None
    notice_keys: tuple[str, ...] = ()
    notices: tuple[str, ...] = ()

    @property
    def stops(self) -> bool:
        """True when the answer must stop here (a fail, or an error: fail closed)."""
        return self.outcome != "pass"

    def as_dict(self) -> dict[str, str]:
        """The audit/receipt shape: codes and versions only, never user text."""
        return {
            "guard": self.guard,
            "verdict": self.outcome,
            "status": self.status,
            "reason": self.reason,
            "version": self.version,
            "category": self.category,
            "severity": self.severity or "",
        }


@runtime_checkable
class Guard(Protocol):
    """A deterministic check of one (redacted, sanitised) text.

    Contract:

    - ``name`` is the registered, kebab-case name; ``version`` changes whenever the rules or data change.
    - ``check(text, detection)`` receives text that has already been sanitised (NFKC, invisible
      characters stripped) and PII-redacted; it must not log or store it, and the Verdict it returns
      must not contain it.
    - ``check`` never raises, for any string (empty, 100k characters, any Unicode). A guard that cannot
      decide returns ``outcome="error"`` with status ``error_guard``; the pipeline then stops (fail closed).
    - ``outcome="fail"`` carries the status the pipeline stops with (``signposted_crisis``,
      ``refused_injection``, ``refused_harmful``, ``refused_scope``, ``escalated_<domain>``).
    - ``outcome="pass"`` may carry ``notices`` (disclaimers, signposts) to show with the answer.
    """

    @property
    def name(self) -> str:
        """The registered, kebab-case name."""
        ...

    @property
    def version(self) -> str:
        """The version of the guard's rules and data."""
        ...

    def check(self, text: str, detection: Detection) -> Verdict:
        """Decide on ``text``; never raises (see the class docstring)."""
        ...


def error_verdict(guard: str, version: str, exc: BaseException | str) -> Verdict:
    """The fail-closed verdict for a guard that could not decide (the reason names only the error type)."""
    kind = exc if isinstance(exc, str) else type(exc).__name__
    return Verdict(guard, "error", ERROR_STATUS, f"exception:{kind}", version)


def run_guards(guards: Iterable[Guard], text: str, detection: Detection) -> list[Verdict]:
    """Run ``guards`` in order; stop after the first ``fail`` or ``error``.

    An exception from a guard, or a return value that is not a Verdict, becomes an ``error`` verdict
    (fail closed). The last verdict of the list decides: if it ``stops``, the pipeline stops with its
    ``status``; otherwise the answer goes on, with the ``notices`` of every verdict.
    """
    verdicts: list[Verdict] = []
    for guard in guards:
        name = str(getattr(guard, "name", type(guard).__name__))
        version = str(getattr(guard, "version", ""))
        try:
            verdict = guard.check(text, detection)
        except Exception as exc:  # fail closed: any failure is an error verdict, never a pass
            verdict = error_verdict(name, version, exc)
        if not isinstance(verdict, Verdict) or verdict.outcome not in ("pass", "fail", "error"):
            verdict = error_verdict(name, version, "bad_verdict")
        verdicts.append(verdict)
        if verdict.stops:
            break
    return verdicts
