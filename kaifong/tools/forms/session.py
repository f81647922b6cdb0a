"""One resident filling in one form: a question at a time, back, skip, change, review; values in the vault.

The session keeps only placeholders (``[FORM_3]``); the answers themselves are held by a
:class:`~kaifong.governance.vault.PiiVault` of the session's own, which stores every value it is given (its
one recognizer claims the whole text) and forgets them all on :meth:`FormSession.close`.  Nothing here
writes to a database or a log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from kaifong.errors import KaifongError
from kaifong.governance.recognizers import Finding
from kaifong.governance.vault import PiiVault
from kaifong.language.messages import message
from kaifong.tools.forms.output import FilledEntry, FilledForm
from kaifong.tools.forms.schema import FieldSpec, FormDefinition, Section
from kaifong.tools.forms.validators import Accepted, Verdict, display, json_value, validate
from kaifong.types import Form

__all__ = ["FormError", "FormSession", "Question", "ReviewItem", "State"]

State = Literal["asking", "review", "finished"]


class FormError(KaifongError):
    """An action the session cannot take; ``key`` names the message, ``status`` the HTTP status to answer."""

    code = "form_error"

    def __init__(self, code: str, status: int, key: str, **values: object) -> None:
        super().__init__(code)
        self.code, self.status, self.key, self.values = code, status, key, values

    def message(self, form: Form) -> str:
        """The message in ``form``, saying what to do next."""
        return message(self.key, form, **self.values)


class _WholeValueRecognizer:
    """Claims the whole text as one finding, so that a PiiVault stores any form answer it is given."""

    kind = "FORM"

    def find(self, text: str) -> list[Finding]:
        return [Finding(self.kind, 0, len(text), 1.0, text)] if text else []


@dataclass(frozen=True)
class Question:
    """What to ask now: the field, its section, where it stands, and the current answer if there is one."""

    field: FieldSpec
    section: Section
    position: int
    total: int
    current: str | None


@dataclass(frozen=True)
class ReviewItem:
    """One line of the review: the answer as the resident reads it, or why there is none."""

    field: FieldSpec
    section: Section
    value: str | None
    status: Literal["answered", "skipped", "missing"]


class FormSession:
    """The state of one form being filled in; every method acts in the resident's language form ``form``."""

    def __init__(
        self, definition: FormDefinition, form: Form, session_id: str, today: Callable[[], date] = date.today
    ) -> None:
        self.definition = definition
        self.form: Form = form
        self.id = session_id
        self.state: State = "asking"
        self._today = today
        self._vault = PiiVault(threshold=0.5, recognizers=[_WholeValueRecognizer()])
        self._tokens: dict[str, str] = {}
        self._skipped: set[str] = set()
        self._writes = 0
        self._current: str | None = self.active_fields()[0].id

    def __repr__(self) -> str:
        return f"FormSession({self.definition.id}, {self.form}, {self.state}, {len(self._tokens)} answers)"

    # --- values, kept in the vault ------------------------------------------------------------------------

    def _store(self, field_id: str, value: str) -> None:
        self._writes += 1
        # A fresh prefix per write: the vault files equal values under one placeholder, ignoring case and
        # punctuation, and a changed answer ("Flat 1, 2/F" -> "Flat 12/F") must never get the old one back.
        _, tokens = self._vault.protect(f"{self._writes:08x}|{value}")
        self._tokens[field_id] = tokens[0]

    def value(self, field_id: str) -> str | None:
        """The canonical answer to a field, read back from the vault (None if unanswered)."""
        token = self._tokens.get(field_id)
        return self._vault.restore(token).split("|", 1)[1] if token else None

    def active_fields(self) -> list[FieldSpec]:
        """The questions that apply, in order: a section counts only while its condition holds."""
        active: list[FieldSpec] = []
        answers: dict[str, str | None] = {}
        for section in self.definition.sections:
            if section.when is not None and answers.get(section.when.field) not in section.when.values:
                continue
            for spec in section.fields:
                active.append(spec)
                answers[spec.id] = self.value(spec.id)
        return active

    # --- asking -------------------------------------------------------------------------------------------

    def _require_open(self) -> None:
        if self.state == "finished":
            raise FormError("form_finished", 409, "forms.error.finished")

    def question(self) -> Question | None:
        """The question to ask now, or None while reviewing or after finishing."""
        if self.state != "asking" or self._current is None:
            return None
        active = self.active_fields()
        spec = next(f for f in active if f.id == self._current)
        current = self.value(spec.id)
        return Question(
            field=spec,
            section=self.definition.section_of(spec.id),
            position=active.index(spec) + 1,
            total=len(active),
            current=display(spec, current, self.form) if current is not None else None,
        )

    def _advance(self, after: str) -> None:
        """Go to the next unanswered question after ``after``; to the review when there is none."""
        active = [f.id for f in self.active_fields()]
        start = active.index(after) + 1 if after in active else 0
        following = [f for f in active[start:] if f not in self._tokens and f not in self._skipped]
        if following:
            self.state, self._current = "asking", following[0]
        else:
            self.state, self._current = "review", None

    def _asked(self) -> FieldSpec:
        self._require_open()
        question = self.question()
        if question is None:
            raise FormError("not_asking", 409, "forms.error.not_asking")
        return question.field

    def answer(self, raw: str) -> Verdict | None:
        """Check and keep the answer to the current question; a refused answer keeps the question open.

        An empty answer to an optional question skips it (and returns None).
        """
        spec = self._asked()
        if not raw.strip() and not spec.required:
            self.skip()
            return None
        verdict = validate(spec, raw, self.form, self._today())
        if isinstance(verdict, Accepted):
            self._store(spec.id, verdict.value)
            self._skipped.discard(spec.id)
            self._forget_inactive()
            self._advance(spec.id)
        return verdict

    def skip(self) -> FieldSpec:
        """Leave the current (optional) question unanswered and go on; the skipped field is returned."""
        spec = self._asked()
        if spec.required:
            raise FormError("cannot_skip", 422, "forms.error.cannot_skip")
        self._tokens.pop(spec.id, None)
        self._skipped.add(spec.id)
        self._advance(spec.id)
        return spec

    def back(self) -> None:
        """Return to the question before this one (from the review: to the last question)."""
        self._require_open()
        active = [f.id for f in self.active_fields()]
        if self.state == "review":
            self.state, self._current = "asking", active[-1]
            return
        index = active.index(self._current) if self._current in active else 0
        if index == 0:
            raise FormError("first_question", 409, "forms.error.first_question")
        self._current = active[index - 1]

    def change(self, field_id: str) -> None:
        """Ask a question again (from the review); after it come the next unanswered one or the review."""
        self._require_open()
        if field_id not in {f.id for f in self.active_fields()}:
            raise FormError("unknown_field", 422, "forms.error.unknown_field", field=field_id)
        self.state, self._current = "asking", field_id

    def go_to_review(self) -> None:
        """Show every answer before finishing (allowed at any point)."""
        self._require_open()
        self.state, self._current = "review", None

    def _forget_inactive(self) -> None:
        """Answers to sections that no longer apply (married -> single) are not kept as answers."""
        active = {f.id for f in self.active_fields()}
        for field_id in list(self._tokens):
            if field_id not in active:
                del self._tokens[field_id]
        self._skipped &= active

    # --- review and finish --------------------------------------------------------------------------------

    def review(self) -> list[ReviewItem]:
        """Every question that applies, with its answer as the resident reads it."""
        items = []
        for spec in self.active_fields():
            value = self.value(spec.id)
            if value is not None:
                items.append(
                    ReviewItem(
                        spec, self.definition.section_of(spec.id), display(spec, value, self.form), "answered"
                    )
                )
            else:
                status: Literal["skipped", "missing"] = (
                    "skipped" if spec.id in self._skipped or not spec.required else "missing"
                )
                items.append(ReviewItem(spec, self.definition.section_of(spec.id), None, status))
        return items

    def missing(self) -> list[FieldSpec]:
        """Required questions that apply and have no answer yet."""
        return [spec for spec in self.active_fields() if spec.required and self.value(spec.id) is None]

    def filled(self) -> FilledForm:
        """The answers, ready for the PDF and the JSON; FormError ``incomplete`` names what is missing."""
        self._require_open()
        missing = self.missing()
        if missing:
            names = "; ".join(spec.label(self.form) for spec in missing)
            raise FormError("incomplete", 409, "forms.error.incomplete", fields=names)
        entries = []
        for spec in self.active_fields():
            value = self.value(spec.id)
            entries.append(
                FilledEntry(
                    field_id=spec.id,
                    section=self.definition.section_of(spec.id).title(self.form),
                    label=spec.label(self.form),
                    shown=display(spec, value, self.form) if value is not None else None,
                    data=json_value(spec, value) if value is not None else None,
                )
            )
        return FilledForm(self.definition, self.form, self._today(), tuple(entries))

    def answered_ids(self) -> tuple[list[str], list[str]]:
        """The ids of answered and of skipped questions that apply (for audit events: ids, never values)."""
        active = [f.id for f in self.active_fields()]
        return [f for f in active if f in self._tokens], [f for f in active if f not in self._tokens]

    def close(self) -> None:
        """End the session: every value is erased from the vault and the session takes no more answers."""
        self._vault.clear()
        self._tokens.clear()
        self._skipped.clear()
        self.state, self._current = "finished", None
