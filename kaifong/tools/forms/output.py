"""A filled-in form as data: its entries in the resident's language, and the JSON download built from them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kaifong.language.messages import message
from kaifong.tools.forms.schema import FormDefinition
from kaifong.types import Form

__all__ = ["FilledEntry", "FilledForm"]


@dataclass(frozen=True)
class FilledEntry:
    """One answered (or skipped) question: ``shown`` is what the PDF prints, ``data`` what the JSON holds."""

    field_id: str
    section: str
    label: str
    shown: str | None
    data: object

    def __repr__(self) -> str:
        return f"FilledEntry({self.field_id}, {'answered' if self.shown is not None else 'skipped'})"


@dataclass(frozen=True, repr=False)
class FilledForm:
    """A finished form in one language form, prepared on ``prepared``; held in memory until downloaded."""

    definition: FormDefinition
    form: Form
    prepared: date
    entries: tuple[FilledEntry, ...]

    def __repr__(self) -> str:
        return f"FilledForm({self.definition.id}, {self.form}, {len(self.entries)} entries)"

    def file_stem(self) -> str:
        """A file name without personal data: ``oala-application-2026-11-22``."""
        return f"{self.definition.id}-{self.prepared.isoformat()}"

    def as_json(self) -> dict[str, object]:
        """The JSON download: the form, where to submit it, and every answer by field id."""
        definition, form = self.definition, self.form
        return {
            "form": definition.id,
            "form_number": definition.form_number,
            "title": definition.title(form),
            "department": definition.department(form),
            "language": form,
            "prepared": self.prepared.isoformat(),
            "answers": {entry.field_id: entry.data for entry in self.entries},
            "labels": {entry.field_id: entry.label for entry in self.entries},
            "submit": definition.submit(form),
            "notice": message("forms.ui.never_submits", form),
            "sources": [
                {"url": source.url, "page_date": source.page_date, "checked": source.checked}
                for source in definition.sources
            ],
        }
