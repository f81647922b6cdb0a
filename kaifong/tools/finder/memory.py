"""Session memory of stated facts: in this process only, for a limited time, never written anywhere."""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import NoReturn

from kaifong.tools.finder.facts import Facts
from kaifong.tools.sweeper import Sweeper


class FactMemory:
    """The facts each finder session has stated, so a resident need not repeat them within a session.

    Facts stay in memory for ``ttl`` seconds after their last use (30 minutes by default; a timer erases
    them within ``sweep_every`` seconds after that even if no one calls again) and at most
    ``max_sessions`` sessions are kept (the least recently used goes first). Nothing is persisted: the
    memory cannot be pickled or copied, its ``repr`` shows only a count, and ``forget`` drops a session
    at once. Session ids are random and issued here; an unknown or expired id starts a new session.
    """

    def __init__(
        self,
        ttl: float = 1800.0,
        max_sessions: int = 10_000,
        *,
        clock: Callable[[], float] = time.monotonic,
        sweep_every: float = 60.0,
    ) -> None:
        if ttl <= 0 or max_sessions <= 0:
            raise ValueError("ttl and max_sessions must be positive")
        self.ttl = ttl
        self.max_sessions = max_sessions
        self._clock = clock
        self._sessions: OrderedDict[str, tuple[Facts, float]] = OrderedDict()
        self._lock = threading.Lock()
        self._sweeper = Sweeper(self.sweep, sweep_every)

    @staticmethod
    def new_id() -> str:
        """A fresh, unguessable session id."""
        return secrets.token_urlsafe(16)

    def recall(self, session_id: str) -> Facts | None:
        """The facts of a live session (renewing its time to live), or None if it is unknown or expired."""
        now = self._clock()
        with self._lock:
            self._expire(now)
            entry = self._sessions.pop(session_id, None)
            if entry is None:
                return None
            self._sessions[session_id] = (entry[0], now)
            return entry[0]

    def remember(self, session_id: str, facts: Facts) -> None:
        """Keep ``facts`` for ``session_id`` (replacing what it held)."""
        now = self._clock()
        with self._lock:
            self._expire(now)
            self._sessions.pop(session_id, None)
            self._sessions[session_id] = (facts, now)
            while len(self._sessions) > self.max_sessions:
                self._sessions.popitem(last=False)
        self._sweeper.wake()

    def sweep(self) -> int:
        """Drop the expired sessions now (a timer does this every ``sweep_every`` seconds while any are
        held, so an abandoned session does not wait for the next visitor); returns how many remain."""
        with self._lock:
            self._expire(self._clock())
            return len(self._sessions)

    def forget(self, session_id: str) -> bool:
        """Drop a session's facts now; True if there were any."""
        with self._lock:
            return self._sessions.pop(session_id, None) is not None

    def _expire(self, now: float) -> None:
        while self._sessions:
            session_id, (_, used) = next(iter(self._sessions.items()))
            if now - used < self.ttl:
                break
            del self._sessions[session_id]

    def __len__(self) -> int:
        with self._lock:
            self._expire(self._clock())
            return len(self._sessions)

    def __repr__(self) -> str:
        return f"FactMemory({len(self._sessions)} sessions, ttl={self.ttl:g}s)"

    def __reduce__(self) -> NoReturn:
        raise TypeError("a FactMemory holds what residents said about themselves; it is never persisted")

    def __copy__(self) -> NoReturn:
        self.__reduce__()

    def __deepcopy__(self, memo: object) -> NoReturn:
        self.__reduce__()
