"""Human oversight: the escalation queue and staff desk, the kill switch, and the configuration audit."""

from kaifong.oversight.configuration import record_configuration
from kaifong.oversight.errors import (
    BadName,
    BadReason,
    CaseConflict,
    NoteTooLong,
    OversightError,
    UnknownCase,
)
from kaifong.oversight.escalations import (
    RESIDENT_REQUEST,
    Case,
    CaseFile,
    Opened,
    StaffDesk,
    open_case,
    request_person,
)
from kaifong.oversight.killswitch import (
    KILL_SWITCH_STATUS,
    KillSwitchState,
    flip,
    is_engaged,
    read_state,
)

__all__ = [
    "KILL_SWITCH_STATUS",
    "RESIDENT_REQUEST",
    "BadName",
    "BadReason",
    "Case",
    "CaseConflict",
    "CaseFile",
    "KillSwitchState",
    "NoteTooLong",
    "Opened",
    "OversightError",
    "StaffDesk",
    "UnknownCase",
    "flip",
    "is_engaged",
    "open_case",
    "read_state",
    "record_configuration",
    "request_person",
]
