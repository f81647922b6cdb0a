"""Open form sessions and one-time downloads, in memory only: idle sessions expire and are erased.

Every action is audited with the form id, field ids and verdicts — never a value; the session id itself
(a bearer secret that opens the answers) is audited only as a hash.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

from kaifong.governance.audit import AuditLog, Event, text_hash
from kaifong.tools.forms.output import FilledForm
from kaifong.tools.forms.pdf import render_pdf
from kaifong.tools.forms.schema import FormDefinition
from kaifong.tools.forms.session import FormError, FormSession
from kaifong.tools.forms.validators import Refused, Verdict
from kaifong.tools.sweeper import Sweeper
from kaifong.types import Form

__all__ = ["DOWNLOAD_MINUTES", "SESSION_MINUTES", "Download", "FormSessionStore"]

SESSION_MINUTES = 30
DOWNLOAD_MINUTES = 15
Format = Literal["pdf", "json"]


@dataclass(frozen=True, repr=False)
class Download:
    """A file ready to hand over once."""

    filename: str
    media_type: str
    content: bytes

    def __repr__(self) -> str:
        return f"Download({self.filename}, {len(self.content)} bytes)"


@dataclass
class _Slot:
    form_id: str
    audit_id: str
    file: Download | None  # None once downloaded: the token then answers "already used"
    expires: float


class FormSessionStore:
    """The form sessions of one app: start, act, finish (PDF + JSON tokens), download once, erase.

    ``renderer`` makes the PDF (``render_pdf``; tests and benchmarks may pass their own).  Sessions idle
    for ``ttl`` seconds, the oldest beyond ``max_sessions``, and unused downloads after ``download_ttl``
    are dropped and their values erased — on every call and by a timer every ``sweep_every`` seconds.
    """

    def __init__(
        self,
        forms: Mapping[str, FormDefinition],
        audit: AuditLog | None = None,
        *,
        ttl: float = SESSION_MINUTES * 60,
        download_ttl: float = DOWNLOAD_MINUTES * 60,
        max_sessions: int = 1000,
        clock: Callable[[], float] = time.monotonic,
        today: Callable[[], date] = date.today,
        renderer: Callable[[FilledForm], bytes] = render_pdf,
        sweep_every: float = 60.0,
    ) -> None:
        self.forms = forms
        self.ttl, self.download_ttl, self.max_sessions = ttl, download_ttl, max_sessions
        self._audit, self._clock, self._today, self._render = audit, clock, today, renderer
        self._sessions: OrderedDict[str, tuple[FormSession, float]] = OrderedDict()
        self._downloads: dict[str, _Slot] = {}
        self._lock = threading.RLock()
        self._sweeper = Sweeper(self.sweep, sweep_every)

    def __len__(self) -> int:
        return len(self._sessions)

    @staticmethod
    def _minutes(seconds: float) -> int:
        return max(1, round(seconds / 60))

    def _record(self, session_id: str, kind: str, **payload: object) -> None:
        if self._audit is not None:
            self._audit.append([Event(text_hash(session_id), kind, payload)])

    def _expire(self, now: float) -> None:
        while self._sessions:
            session_id, (_, used) = next(iter(self._sessions.items()))
            if now - used < self.ttl:
                break
            self._drop(session_id, "expired")
        for token, slot in list(self._downloads.items()):
            if slot.expires <= now:
                del self._downloads[token]

    def sweep(self) -> int:
        """Erase expired sessions and downloads now; returns how many sessions and downloads remain.

        A timer calls this every ``sweep_every`` seconds while anything is held, so the values of a form
        abandoned half-way are erased when it expires, not when the next resident arrives.
        """
        with self._lock:
            self._expire(self._clock())
            return len(self._sessions) + len(self._downloads)

    def _drop(self, session_id: str, why: str) -> None:
        session, _ = self._sessions.pop(session_id)
        was_open = session.state != "finished"
        session.close()  # erase first: a failing audit write must not leave the values behind
        if was_open:
            self._record(session_id, "form_erased", form=session.definition.id, by=why)

    # --- sessions -----------------------------------------------------------------------------------------

    def start(self, form_id: str, form: Form) -> FormSession:
        """Open a session on ``form_id`` in the language form ``form``."""
        definition = self.forms.get(form_id)
        if definition is None:
            raise FormError("unknown_form", 404, "forms.error.unknown_form", name=form_id)
        session = FormSession(definition, form, secrets.token_urlsafe(24), today=self._today)
        with self._lock:
            now = self._clock()
            self._expire(now)
            self._sessions[session.id] = (session, now)
            while len(self._sessions) > self.max_sessions:
                self._drop(next(iter(self._sessions)), "evicted")
        self._sweeper.wake()
        self._record(session.id, "form_started", form=form_id, language=form)
        return session

    def get(self, session_id: str, form_id: str | None = None) -> FormSession:
        """The open session (its time to live renewed); FormError ``unknown_session`` if it has ended."""
        with self._lock:
            now = self._clock()
            self._expire(now)
            entry = self._sessions.get(session_id)
            if entry is None or (form_id is not None and entry[0].definition.id != form_id):
                raise FormError(
                    "unknown_session", 404, "forms.error.unknown_session", minutes=self._minutes(self.ttl)
                )
            self._sessions[session_id] = (entry[0], now)
            self._sessions.move_to_end(session_id)
            return entry[0]

    def answer(self, session: FormSession, raw: str) -> Verdict | None:
        """Answer the current question (None: an empty answer skipped an optional question)."""
        with self._lock:
            question = session.question()
            field_id = question.field.id if question else ""
            verdict = session.answer(raw)
        if verdict is None:
            self._record(session.id, "form_skipped", form=session.definition.id, field=field_id)
        elif isinstance(verdict, Refused):
            self._record(
                session.id,
                "form_answered",
                form=session.definition.id,
                field=field_id,
                verdict=verdict.reason,
            )
        else:
            self._record(
                session.id, "form_answered", form=session.definition.id, field=field_id, verdict="ok"
            )
        return verdict

    def skip(self, session: FormSession) -> None:
        """Skip the current optional question."""
        with self._lock:
            spec = session.skip()
        self._record(session.id, "form_skipped", form=session.definition.id, field=spec.id)

    def erase(self, session_id: str) -> None:
        """The resident's erasure: the session and every value in it are gone at once."""
        with self._lock:
            if session_id not in self._sessions:
                raise FormError(
                    "unknown_session", 404, "forms.error.unknown_session", minutes=self._minutes(self.ttl)
                )
            self._drop(session_id, "resident")

    def finish(self, session: FormSession) -> dict[Format, str]:
        """Make the PDF and JSON, end the session (erasing its values), and return one-time download tokens.

        The answers must be complete (FormError ``incomplete`` otherwise).  If the PDF cannot be made
        (FontUnavailable), the session is kept as it was so that the resident loses nothing.
        """
        with self._lock:
            filled = session.filled()
        pdf = self._render(filled)
        data = json.dumps(filled.as_json(), ensure_ascii=False, indent=2).encode("utf-8")
        answered, skipped = session.answered_ids()
        stem = filled.file_stem()
        with self._lock:
            if session.id not in self._sessions:
                raise FormError(
                    "unknown_session", 404, "forms.error.unknown_session", minutes=self._minutes(self.ttl)
                )
            expires = self._clock() + self.download_ttl
            audit_id = text_hash(session.id)
            tokens: dict[Format, str] = {}
            for kind, file in (
                ("pdf", Download(f"{stem}.pdf", "application/pdf", pdf)),
                ("json", Download(f"{stem}.json", "application/json", data)),
            ):
                token = secrets.token_urlsafe(24)
                self._downloads[token] = _Slot(session.definition.id, audit_id, file, expires)
                tokens[kind] = token  # type: ignore[index]
            self._sessions.pop(session.id)
            session.close()
        self._record(
            session.id, "form_finished", form=session.definition.id, answered=answered, skipped=skipped
        )
        return tokens

    def download(self, token: str) -> Download:
        """Hand over a file once; the second time FormError ``download_used``, later ``download_unknown``."""
        with self._lock:
            self._expire(self._clock())
            slot = self._downloads.get(token)
            if slot is None:
                minutes = self._minutes(self.download_ttl)
                raise FormError("download_unknown", 404, "forms.error.download_unknown", minutes=minutes)
            if slot.file is None:
                raise FormError("download_used", 410, "forms.error.download_used")
            file, slot.file = slot.file, None
        if self._audit is not None:
            kind = file.filename.rsplit(".", 1)[-1]
            self._audit.append(
                [Event(slot.audit_id, "form_downloaded", {"form": slot.form_id, "format": kind})]
            )
        return file
