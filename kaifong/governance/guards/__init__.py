"""Deterministic, offline rule guards behind one Guard contract; load_guards builds them in order."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kaifong.governance.guards.base import ERROR_STATUS, Guard, Verdict, run_guards
from kaifong.governance.guards.crisis import CrisisGuard, crisis_reply, hotlines
from kaifong.governance.guards.datafile import GuardConfigError, GuardDataError
from kaifong.governance.guards.harmful import HarmfulGuard
from kaifong.governance.guards.injection import PASSAGE_MARKER, InjectionGuard, neutralise_passage
from kaifong.governance.guards.policy import ScopePolicyGuard

#: The default order: crisis first (a person at risk gets hotlines whatever else the text holds).
DEFAULT_ORDER: tuple[str, ...] = ("crisis", "injection", "harmful", "policy")
#: Registered guard name → factory (each factory loads and validates its data file).
FACTORIES: dict[str, Callable[[], Guard]] = {
    "crisis": CrisisGuard.load,
    "injection": InjectionGuard.load,
    "harmful": HarmfulGuard.load,
    "policy": ScopePolicyGuard.load,
}
#: Every status a rule guard can stop with (each has a ``status.<name>`` message in all four forms).
STATUSES: tuple[str, ...] = (
    "signposted_crisis",
    "refused_injection",
    "refused_harmful",
    "refused_scope",
    "escalated_immigration",
    ERROR_STATUS,
)


def load_guards(order: Sequence[str] = DEFAULT_ORDER) -> list[Guard]:
    """The guards named in ``order``, built and validated now, so bad data stops start-up.

    Raises GuardConfigError for an unknown name and GuardDataError (file, line, problem) for an
    invalid data file.
    """
    unknown = [name for name in order if name not in FACTORIES]
    if unknown:
        known = ", ".join(FACTORIES)
        raise GuardConfigError(f"unknown guard(s) {', '.join(map(repr, unknown))}; known guards: {known}")
    return [FACTORIES[name]() for name in order]


__all__ = [
    "DEFAULT_ORDER",
    "ERROR_STATUS",
    "FACTORIES",
    "PASSAGE_MARKER",
    "STATUSES",
    "CrisisGuard",
    "Guard",
    "GuardConfigError",
    "GuardDataError",
    "HarmfulGuard",
    "InjectionGuard",
    "ScopePolicyGuard",
    "Verdict",
    "crisis_reply",
    "hotlines",
    "load_guards",
    "neutralise_passage",
    "run_guards",
]
