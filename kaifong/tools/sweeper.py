"""A daemon timer that erases expired entries of an in-memory store while the store holds any.

Stores of what residents said (finder facts, form answers) expire entries lazily on every call; without a
sweep, an abandoned session would stay in memory until the next visitor. The timer runs only while
something is held and stops by itself when the store is empty.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Sweeper:
    """Calls ``sweep`` (which erases what has expired and returns how many entries remain) every ``every``
    seconds while entries remain; ``wake`` after adding one. ``every`` of 0 disables it (tests)."""

    def __init__(self, sweep: Callable[[], int], every: float) -> None:
        if every < 0:
            raise ValueError("every must be 0 (off) or positive")
        self._sweep = sweep
        self.every = every
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        """True while a sweep is scheduled."""
        with self._lock:
            return self._timer is not None

    def wake(self) -> None:
        """Schedule a sweep if none is (call after adding an entry)."""
        if self.every == 0:
            return
        with self._lock:
            if self._timer is not None:
                return
            self._timer = threading.Timer(self.every, self._tick)
            self._timer.daemon = True
            self._timer.name = "kaifong-sweeper"
            self._timer.start()

    def _tick(self) -> None:
        try:
            remaining = self._sweep()
        except Exception:  # a background timer must not die silently: log it and try again later
            log.exception("sweeping expired sessions failed; trying again in %gs", self.every)
            remaining = 1
        with self._lock:
            self._timer = None
        if remaining:
            self.wake()

    def stop(self) -> None:
        """Cancel a scheduled sweep."""
        with self._lock:
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
