"""The oversight errors; each message says what is wrong and how to fix it.

OversightError (a KaifongError)
├── BadName        a staff or operator name that cannot go in the audit log as given
├── BadReason      a kill-switch reason that is empty or too long
├── NoteTooLong    a resident's note over the limit (``length``, ``limit``)
├── UnknownCase    no escalation case has this id
└── CaseConflict   the case is claimed by someone else, or already closed
"""

from __future__ import annotations

from kaifong.errors import KaifongError


class OversightError(KaifongError):
    """Base class of the oversight errors."""

    code = "oversight_error"


class BadName(OversightError):
    """A staff or operator name that is empty, too long or holds characters other than a-z 0-9 . _ -."""

    code = "bad_name"


class BadReason(OversightError):
    """A kill-switch reason that is empty or too long."""

    code = "bad_reason"


class NoteTooLong(OversightError):
    """A resident's note longer than the limit."""

    code = "note_too_long"

    def __init__(self, length: int, limit: int) -> None:
        super().__init__(f"the note is {length} characters long; the limit is {limit}")
        self.length = length
        self.limit = limit


class UnknownCase(OversightError):
    """An escalation case id that does not exist."""

    code = "unknown_case"


class CaseConflict(OversightError):
    """A change the case's current status does not allow."""

    code = "case_conflict"
