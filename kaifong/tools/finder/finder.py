"""One finder request: read the facts, recall the session's, filter and match the catalogue, audit, reply.

Only ids, rule ids and hashes reach the audit log (which facts were stated, never their values); the
text itself is never stored. A message that a crisis guard flags gets the fixed crisis reply instead
of a list (the same one the chat gives).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from kaifong.governance.audit import AuditLog, Event, text_hash
from kaifong.governance.guards.base import Guard
from kaifong.language import detect
from kaifong.tools.finder.catalogue import Catalogue
from kaifong.tools.finder.extract import extract
from kaifong.tools.finder.facts import Facts, Problem, consistent, facts_from_mapping
from kaifong.tools.finder.matching import Filters, Kind, Match, find_matches
from kaifong.tools.finder.memory import FactMemory
from kaifong.tools.finder.names import districts, languages
from kaifong.types import Form

Status = Literal["answered", "signposted_crisis"]


class FinderInputError(ValueError):
    """A request the finder cannot take as sent; ``reason`` names a finder message (``finder.error.*``)."""

    def __init__(self, reason: str, **values: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.values = values


@dataclass(frozen=True)
class FinderRequest:
    """What a resident sent: free text and/or short-form facts, filters, and the session to continue."""

    text: str = ""
    facts: Mapping[str, object] | None = None
    district: str | None = None
    language: str | None = None
    kind: str | None = None
    session_id: str | None = None
    form: Form | None = None
    fallback_form: Form = "en"
    forget: bool = False


@dataclass(frozen=True)
class FinderReply:
    """The finder's answer, before it is put into words (see :mod:`kaifong.tools.finder.present`)."""

    request_id: str
    status: Status
    form: Form
    session_id: str
    catalogue_version: str
    facts: Facts
    filters: Filters
    matches: tuple[Match, ...] = ()
    problems: tuple[Problem, ...] = ()
    updated: tuple[tuple[str, object, object], ...] = ()
    stated: tuple[str, ...] = ()
    session_expired: bool = False


KINDS: dict[str, Kind | None] = {"service": "service", "course": "course", "any": None, "": None}
#: District filter values that mean "do not filter by district" (even if the resident named one).
EVERYWHERE = frozenset({"any", "all", "*", "全港", "所有地區", "所有地区"})


def _reply_form(request: FinderRequest) -> Form:
    if request.form is not None:
        return request.form
    if request.text.strip() and any(char.isalpha() for char in request.text):
        return detect(request.text).form
    return request.fallback_form


class Finder:
    """Answers finder requests over one catalogue, one session memory and (optionally) the audit log."""

    def __init__(
        self,
        catalogue: Catalogue,
        memory: FactMemory,
        audit: AuditLog | None = None,
        *,
        crisis: Guard | None = None,
        max_chars: int = 2000,
    ) -> None:
        self.catalogue = catalogue
        self.memory = memory
        self.audit = audit
        self.crisis = crisis
        self.max_chars = max_chars

    def _validate(self, request: FinderRequest) -> None:
        if not isinstance(request.text, str):
            raise FinderInputError("finder.error.not_text")
        if len(request.text) > self.max_chars:
            raise FinderInputError("finder.error.too_long", length=len(request.text), limit=self.max_chars)
        if request.kind is not None and request.kind.strip().lower() not in KINDS:
            raise FinderInputError("finder.error.bad_kind", value=request.kind[:40])
        nothing = not request.text.strip() and not request.facts
        no_filters = not any((request.district, request.language, request.kind))
        if nothing and no_filters and not request.forget and not request.session_id:
            raise FinderInputError("finder.error.empty")

    def _session(self, request: FinderRequest) -> tuple[str, Facts, bool]:
        if request.session_id:
            if request.forget:
                self.memory.forget(request.session_id)
                return request.session_id, Facts(), False
            remembered = self.memory.recall(request.session_id)
            if remembered is not None:
                return request.session_id, remembered, False
            return FactMemory.new_id(), Facts(), True
        return FactMemory.new_id(), Facts(), False

    def _filters(
        self, request: FinderRequest, facts: Facts, hint_language: str | None, hint_kind: Kind | None
    ) -> tuple[Filters, list[Problem]]:
        problems: list[Problem] = []
        district = facts.district
        if request.district and request.district.strip().lower() in EVERYWHERE:
            district = None
        elif request.district and request.district.strip():
            found = districts().resolve(request.district)
            if found is None:
                problems.append(Problem("unknown_district", "district", (request.district[:40],)))
            else:
                district = found.id
        language = hint_language
        if request.language and request.language.strip():
            spoken = languages().resolve(request.language)
            if spoken is None:
                problems.append(Problem("unknown_language", "language", (request.language[:40],)))
            else:
                language = spoken.id
        kind = hint_kind if request.kind is None else KINDS[request.kind.strip().lower()]
        return Filters(district, language, kind), problems

    def answer(self, request: FinderRequest) -> FinderReply:
        """Answer one request; FinderInputError for a request that cannot be taken (nothing kept)."""
        self._validate(request)
        form = _reply_form(request)
        request_id = uuid.uuid4().hex
        session_id, earlier, expired = self._session(request)
        text = request.text.strip()
        if text and self.crisis is not None:
            verdict = self.crisis.check(text, detect(text))
            if verdict.stops:
                reply = FinderReply(
                    request_id,
                    "signposted_crisis",
                    form,
                    session_id,
                    self.catalogue.version,
                    earlier,
                    Filters(),
                )
                self._audit(reply)
                return reply
        problems: list[Problem] = []
        said = Facts()
        hint_language: str | None = None
        hint_kind: Kind | None = None
        if text:
            found = extract(text)
            said, hint_language, hint_kind = found.facts, found.language, found.kind
            problems.extend(found.problems)
        if request.facts:
            from_form, form_problems = facts_from_mapping(request.facts)
            said, _ = said.merged(from_form)
            problems.extend(form_problems)
        facts, updated = earlier.merged(said)
        facts, conflicts = consistent(facts)
        problems.extend(conflicts)
        filters, filter_problems = self._filters(request, facts, hint_language, hint_kind)
        problems.extend(filter_problems)
        if text and said.is_empty() and hint_language is None and hint_kind is None and not problems:
            problems.append(Problem("nothing_understood"))
        if not facts.is_empty():
            self.memory.remember(session_id, facts)
        reply = FinderReply(
            request_id=request_id,
            status="answered",
            form=form,
            session_id=session_id,
            catalogue_version=self.catalogue.version,
            facts=facts,
            filters=filters,
            matches=find_matches(self.catalogue, facts, filters),
            problems=tuple(dict.fromkeys(problems)),
            updated=updated,
            stated=tuple(said.known()),
            session_expired=expired,
        )
        self._audit(reply)
        return reply

    def _audit(self, reply: FinderReply) -> None:
        """One event: ids, rule ids and hashes only (which facts were stated, never their values)."""
        if self.audit is None:
            return
        payload: dict[str, object] = {
            "status": reply.status,
            "form": reply.form,
            "catalogue_version": reply.catalogue_version,
            "session": text_hash(reply.session_id),
            "facts_stated": list(reply.stated),
            "facts_known": list(reply.facts.known()),
            "filters": {  # whether a district filtered the list, never which (it is where someone lives)
                "district": reply.filters.district is not None,
                "language": reply.filters.language,
                "kind": reply.filters.kind,
            },
            "listed": [m.entry.id for m in reply.matches],
            "rules_met": {m.entry.id: list(m.met_rules) for m in reply.matches if m.met_rules},
            "missing": {m.entry.id: list(m.missing) for m in reply.matches if m.missing},
            "problems": [p.code for p in reply.problems],
        }
        self.audit.append([Event(reply.request_id, "finder_answered", payload)])
