"""Staff and operator names as they go into the audit log: short identifiers, checked, never free text."""

from __future__ import annotations

import re

from kaifong.oversight.errors import BadName

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def checked_name(value: str, role: str = "staff") -> str:
    """``value`` stripped, or BadName saying what a valid name looks like."""
    name = value.strip()
    if not _NAME.fullmatch(name):
        raise BadName(
            f"{role} name {value!r} is not valid: use 1-64 characters a-z, A-Z, 0-9, '.', '_' or '-' "
            "(a login or staff number, such as chan.tm or S1234), starting with a letter or digit"
        )
    return name
