"""Email addresses: ASCII, practical rather than RFC 5322 complete."""

from __future__ import annotations

import re

from kaifong.governance.recognizers._context import Finding, finding

__all__ = ["EmailRecognizer"]

_EMAIL_RE = re.compile(
    r"(?=[A-Za-z0-9_%+-])(?<![A-Za-z0-9._%+-])"
    r"[A-Za-z0-9_%+-](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?"
    r"@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z]{2,24}"
    r"(?![A-Za-z0-9-])"
)


class EmailRecognizer:
    """Email addresses (ASCII, practical rather than RFC 5322 complete), score 0.95."""

    kind = "EMAIL"

    def find(self, text: str) -> list[Finding]:
        """Return the email addresses in the normalised ``text``."""
        return [finding(self.kind, match, 0.95) for match in _EMAIL_RE.finditer(text)]
