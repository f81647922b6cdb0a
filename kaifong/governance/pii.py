"""Personal-data detection and redaction for Hong Kong text: find() and redact() over the recognizers."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from kaifong.governance.recognizers import (
    AddressRecognizer,
    BankAccountRecognizer,
    BrnRecognizer,
    CardRecognizer,
    EmailRecognizer,
    HkidRecognizer,
    NameRecognizer,
    PassportRecognizer,
    PhoneRecognizer,
    RicRecognizer,
    hkid_check_character,
    luhn_valid,
    ric_check_character,
)
from kaifong.governance.recognizers._context import Finding
from kaifong.governance.recognizers._normalise import normalise_for_scan
from kaifong.governance.recognizers._prefilter import Needs, TextFacts
from kaifong.governance.sanitise import map_span

__all__ = [
    "DEFAULT_RECOGNIZERS",
    "KINDS",
    "REDACTION_PASSES",
    "AddressRecognizer",
    "BankAccountRecognizer",
    "BrnRecognizer",
    "CardRecognizer",
    "EmailRecognizer",
    "Finding",
    "HkidRecognizer",
    "NameRecognizer",
    "Needs",
    "PassportRecognizer",
    "PhoneRecognizer",
    "Recognizer",
    "Redaction",
    "RicRecognizer",
    "find",
    "hkid_check_character",
    "luhn_valid",
    "redact",
    "ric_check_character",
]

KINDS = ("HKID", "PHONE", "EMAIL", "PASSPORT", "RIC", "BRN", "CARD", "BANK_ACCOUNT", "ADDRESS", "NAME")
#: How many times :func:`redact` looks again at its own result (one more pass is rarely needed).
REDACTION_PASSES = 4


class Recognizer(Protocol):
    """A detector of one kind of personal data.

    Contract: ``kind`` names what is found (it becomes the ``[KIND]`` redaction placeholder);
    ``find(text)`` receives text that is already NFKC-normalised (see
    :func:`kaifong.governance.sanitise.normalise_with_offsets`) and returns findings whose ``start``
    and ``end`` are offsets into that text, with ``0 <= start < end <= len(text)`` and a score in
    ``[0, 1]``; a score of 0.5 or more means "redact".  It must never raise, whatever the string
    (including lone surrogates), and it must run in time linear in ``len(text)`` (no catastrophic
    backtracking).

    A recognizer may also have a ``needs`` attribute, a :class:`Needs`: what a text must hold for it to
    find anything (six digits in a row for an HKID).  :func:`find` checks every recognizer's needs
    against facts gathered in one scan of the text, and does not call those that could find nothing.
    """

    kind: str

    def find(self, text: str) -> list[Finding]:
        """Return the findings in the normalised ``text``."""
        ...


DEFAULT_RECOGNIZERS: tuple[Recognizer, ...] = (
    HkidRecognizer(),
    PhoneRecognizer(),
    EmailRecognizer(),
    PassportRecognizer(),
    RicRecognizer(),
    BrnRecognizer(),
    CardRecognizer(),
    BankAccountRecognizer(),
    AddressRecognizer(),
    NameRecognizer(),
)


def _with_needs(recognizers: Sequence[Recognizer]) -> list[tuple[Recognizer, Needs | None]]:
    return [(recognizer, getattr(recognizer, "needs", None)) for recognizer in recognizers]


_DEFAULT_NEEDS = _with_needs(DEFAULT_RECOGNIZERS)
# The numeric needs (digit runs, digit counts) take few values, so the recognizers a text's digit
# facts admit are worked out once per (longest run, digit count) pair, capped where no need asks for
# more; only the other needs (a character, a context word, a pattern) are checked for each text.
_Plan = tuple[tuple[Recognizer, Needs | None], ...]
_PLANS: dict[tuple[int, int], _Plan] = {}
_RUN_CAP = max((n.digit_run for _, n in _DEFAULT_NEEDS if n is not None), default=0)
_DIGITS_CAP = max((n.digits for _, n in _DEFAULT_NEEDS if n is not None), default=0)


def _plan(run: int, digits: int) -> _Plan:
    key = (min(run, _RUN_CAP), min(digits, _DIGITS_CAP))
    plan = _PLANS.get(key)
    if plan is None:
        plan = tuple(
            (recognizer, None if needs is None or _only_numeric(needs) else needs)
            for recognizer, needs in _DEFAULT_NEEDS
            if needs is None or (key[0] >= needs.digit_run and key[1] >= needs.digits)
        )
        _PLANS[key] = plan
    return plan


def _only_numeric(needs: Needs) -> bool:
    return not needs.char and needs.context is None and needs.pattern is None


def find(text: str, *, recognizers: Sequence[Recognizer] | None = None) -> list[Finding]:
    """Find personal data in ``text``; offsets refer to ``text`` itself, not its normalised form.

    The text is NFKC-normalised with invisible characters stripped, every recognizer runs on the
    normalised text, spans are mapped back, overlaps are resolved (higher score wins, then the
    longer span), and the findings are returned sorted by start.  Kinds: see :data:`KINDS`.
    """
    normalised, offsets = normalise_for_scan(text)
    facts = TextFacts(normalised)
    if recognizers is None:
        plan: Sequence[tuple[Recognizer, Needs | None]] = _plan(facts.longest_digit_run, facts.digits)
    else:
        plan = _with_needs(recognizers)
    size = len(normalised)
    candidates: list[Finding] = []
    for recognizer, needs in plan:
        if needs is not None and not facts.meet(needs):
            continue
        for finding in recognizer.find(normalised):
            if not 0 <= finding.start < finding.end <= size:
                continue
            if offsets is None:  # the normalised text has the same offsets (it is often text itself)
                start, end = finding.start, finding.end
            else:
                start, end = map_span(text, offsets, finding.start, finding.end)
            value = text[start:end]
            if start != finding.start or end != finding.end or value != finding.text:
                finding = Finding(finding.kind, start, end, finding.score, value)
            candidates.append(finding)
    return _drop_overlaps(candidates)


def _drop_overlaps(candidates: list[Finding]) -> list[Finding]:
    if len(candidates) < 2:
        return candidates
    candidates.sort(key=lambda f: (-f.score, -(f.end - f.start), f.start))
    starts: list[int] = []
    kept: list[Finding] = []
    for finding in candidates:
        i = bisect.bisect_left(starts, finding.start)
        if i < len(kept) and kept[i].start < finding.end:
            continue
        if i > 0 and kept[i - 1].end > finding.start:
            continue
        starts.insert(i, finding.start)
        kept.insert(i, finding)
    return kept


@dataclass(frozen=True)
class Redaction:
    """Redacted text, with each finding replaced by ``[KIND]``, and the kinds redacted, in order (of
    position, then of pass: see :func:`redact`)."""

    text: str
    kinds: tuple[str, ...]


def redact(
    text: str,
    threshold: float = 0.5,
    *,
    recognizers: Sequence[Recognizer] | None = None,
    published: str = "",
) -> Redaction:
    """Replace every finding scoring at least ``threshold`` in ``text`` by ``[HKID]``, ``[PHONE]``...

    ``published`` is text that may be repeated as it is — the official sources an answer quotes — so a
    department's hotline or enquiry e-mail that occurs verbatim in it is not redacted from the answer.

    The result is looked at again until nothing more is found (at most REDACTION_PASSES times): taking
    an identifier out can expose its neighbour (in ``A123456(3)A123456(3)`` the first is glued to the
    second, so it is no HKID until the second becomes ``[HKID]``).  In those later passes a finding
    that overlaps a placeholder is left alone.
    """
    kinds: list[str] = []
    for index in range(REDACTION_PASSES):
        redacted, found = _redact_once(text, threshold, recognizers, published, later=index > 0)
        if not found:
            break
        kinds.extend(found)
        text = redacted
    return Redaction(text, tuple(kinds))


_PLACEHOLDER = re.compile(r"\[[A-Z][A-Z_]*\]")


def _redact_once(
    text: str, threshold: float, recognizers: Sequence[Recognizer] | None, published: str, later: bool
) -> tuple[str, list[str]]:
    placeholders = [match.span() for match in _PLACEHOLDER.finditer(text)] if later else []
    parts: list[str] = []
    kinds: list[str] = []
    position = 0
    for finding in find(text, recognizers=recognizers):
        if finding.score < threshold or (published and finding.text and finding.text in published):
            continue
        if placeholders and any(start < finding.end and finding.start < end for start, end in placeholders):
            continue
        parts.append(text[position : finding.start])
        parts.append(f"[{finding.kind}]")
        kinds.append(finding.kind)
        position = finding.end
    parts.append(text[position:])
    return "".join(parts), kinds
