"""A session-scoped, in-memory vault of redacted personal data, so a form flow can reuse what was given."""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import NoReturn

from kaifong.governance import pii

__all__ = ["PLACEHOLDER_RE", "PiiVault", "VaultRegistry"]

PLACEHOLDER_RE = re.compile(r"\[([A-Z][A-Z_]{1,30})_([1-9][0-9]{0,5})\]")


def _key(kind: str, value: str) -> tuple[str, str]:
    """A value's identity: NFKC, case and separators ignored (``Ａ１２３４５６（３）`` = ``a1234563``)."""
    folded = unicodedata.normalize("NFKC", value).upper()
    return kind, "".join(char for char in folded if char.isalnum() or char == "@")


class PiiVault:
    """The personal data of one session, behind numbered placeholders; in memory only.

    ``PiiVault.protect`` replaces each finding with a numbered placeholder (``[HKID_1]``) and remembers the
    value; the redacted text is what is stored, logged and sent to a model.  ``PiiVault.restore`` puts
    the values back into text that is about to be shown to the same resident (a pre-filled form field),
    and nowhere else.  Values live only in this process's memory: the vault cannot be pickled or copied,
    its ``repr`` shows counts only, and ``VaultRegistry`` drops (and clears) a session's vault after a
    time to live or when too many sessions are open.

    The same value (up to width, case and spacing) gets the same placeholder every time within a
    session, so a model can refer to ``[HKID_1]`` consistently across turns.
    """

    def __init__(self, threshold: float = 0.5, recognizers: Sequence[pii.Recognizer] | None = None) -> None:
        self._threshold = threshold
        self._recognizers = recognizers
        self._values: dict[str, str] = {}
        self._placeholders: dict[tuple[str, str], str] = {}
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def protect(self, text: str) -> tuple[str, tuple[str, ...]]:
        """``text`` with every finding replaced by its placeholder, and the placeholders used, in order."""
        parts: list[str] = []
        tokens: list[str] = []
        position = 0
        with self._lock:
            for finding in pii.find(text, recognizers=self._recognizers):
                if finding.score < self._threshold:
                    continue
                token = self._placeholder(finding.kind, finding.text)
                parts.append(text[position : finding.start])
                parts.append(token)
                tokens.append(token)
                position = finding.end
        parts.append(text[position:])
        return "".join(parts), tuple(tokens)

    def _placeholder(self, kind: str, value: str) -> str:
        key = _key(kind, value)
        token = self._placeholders.get(key)
        if token is None:
            self._counts[kind] = self._counts.get(kind, 0) + 1
            token = f"[{kind}_{self._counts[kind]}]"
            self._placeholders[key] = token
            self._values[token] = value
        return token

    def restore(self, text: str) -> str:
        """``text`` with this vault's placeholders replaced by their values; for output to the resident only.

        Placeholders this vault did not issue (an unknown number, another kind) are left as they are.
        """
        with self._lock:
            values = dict(self._values)
        return PLACEHOLDER_RE.sub(lambda match: values.get(match.group(), match.group()), text)

    def clear(self) -> None:
        """Forget every value and restart the numbering."""
        with self._lock:
            self._values.clear()
            self._placeholders.clear()
            self._counts.clear()

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, token: object) -> bool:
        return token in self._values

    def __repr__(self) -> str:
        kinds = ", ".join(f"{kind}={count}" for kind, count in sorted(self._counts.items()))
        return f"PiiVault({len(self._values)} values hidden{': ' + kinds if kinds else ''})"

    def __reduce__(self) -> NoReturn:
        raise TypeError("a PiiVault holds personal data and is never pickled, copied or persisted")

    def __copy__(self) -> NoReturn:
        self.__reduce__()

    def __deepcopy__(self, memo: object) -> NoReturn:
        self.__reduce__()


class VaultRegistry:
    """One :class:`PiiVault` per session id, dropped after ``ttl`` idle seconds or beyond ``max_sessions``.

    The least recently used session is evicted first; an evicted or expired vault is cleared.
    """

    def __init__(
        self,
        ttl: float = 1800.0,
        max_sessions: int = 10_000,
        *,
        clock: Callable[[], float] = time.monotonic,
        threshold: float = 0.5,
    ) -> None:
        if ttl <= 0 or max_sessions <= 0:
            raise ValueError("ttl and max_sessions must be positive")
        self.ttl = ttl
        self.max_sessions = max_sessions
        self._clock = clock
        self._threshold = threshold
        self._sessions: OrderedDict[str, tuple[PiiVault, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session_id: str) -> PiiVault:
        """The vault of ``session_id``, created if missing or expired; using it renews its time to live."""
        now = self._clock()
        with self._lock:
            self._expire(now)
            entry = self._sessions.pop(session_id, None)
            vault = entry[0] if entry else PiiVault(self._threshold)
            self._sessions[session_id] = (vault, now)
            while len(self._sessions) > self.max_sessions:
                _, (evicted, _) = self._sessions.popitem(last=False)
                evicted.clear()
            return vault

    def drop(self, session_id: str) -> None:
        """Forget a session's values now (end of the form flow, erasure request)."""
        with self._lock:
            entry = self._sessions.pop(session_id, None)
        if entry:
            entry[0].clear()

    def purge(self) -> int:
        """Drop every expired session; the number dropped."""
        with self._lock:
            return self._expire(self._clock())

    def _expire(self, now: float) -> int:
        dropped = 0
        while self._sessions:
            session_id, (vault, used) = next(iter(self._sessions.items()))
            if now - used < self.ttl:
                break
            del self._sessions[session_id]
            vault.clear()
            dropped += 1
        return dropped

    def __len__(self) -> int:
        return len(self._sessions)

    def __contains__(self, session_id: object) -> bool:
        with self._lock:
            entry = self._sessions.get(session_id) if isinstance(session_id, str) else None
            return entry is not None and self._clock() - entry[1] < self.ttl

    def __repr__(self) -> str:
        return f"VaultRegistry({len(self._sessions)} sessions, ttl={self.ttl:g}s)"
