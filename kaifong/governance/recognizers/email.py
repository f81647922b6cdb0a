"""Email addresses: ASCII, practical rather than RFC 5322 complete."""

from __future__ import annotations

import re

from kaifong.governance.recognizers._context import Finding, finding
from kaifong.governance.recognizers._prefilter import Needs

__all__ = ["EmailRecognizer"]

_LOCAL_CHARS = "[A-Za-z0-9._%+-]"
_EMAIL_RE = re.compile(
    rf"(?<!{_LOCAL_CHARS})"
    r"[A-Za-z0-9_%+-](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?"
    r"@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z]{2,24}"
    r"(?![A-Za-z0-9-])"
)
# An address's local part (at most 64 characters) is the whole run of local-part characters before its
# "@": the pattern can only start where that run does, so it is tried there and nowhere else.  The run
# is measured on the reversed 65 characters before the "@".
_LOCAL_RUN = re.compile(f"{_LOCAL_CHARS}*")
_LOCAL_MAX = 64


class EmailRecognizer:
    """Email addresses (ASCII, practical rather than RFC 5322 complete), score 0.95."""

    kind = "EMAIL"
    needs = Needs(char="@")

    def find(self, text: str) -> list[Finding]:
        """Return the email addresses in the normalised ``text``."""
        findings: list[Finding] = []
        position = 0
        at = text.find("@")
        while at >= 0:
            before = text[max(0, at - _LOCAL_MAX - 1) : at][::-1]
            run = _LOCAL_RUN.match(before)  # always matches, if only the empty string
            start = at - (run.end() if run is not None else 0)
            if start >= position and at - start <= _LOCAL_MAX:
                match = _EMAIL_RE.match(text, start)
                if match is not None:
                    findings.append(finding(self.kind, match, 0.95))
                    position = match.end()
            at = text.find("@", at + 1)
        return findings
