"""A circuit breaker: after N failed calls in a row, fail fast for a cool-down, then let one trial through.

States: ``closed`` (calls go through; failures are counted), ``open`` (calls fail at once with
``BackendError(reason="circuit_open")`` until the cool-down has passed), ``half-open`` (one trial call
goes through; others fail fast; the trial's success closes the breaker, its failure opens it again for
another cool-down). A trial that ends neither way (the caller went away) is given back, so the next call
becomes the trial.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Literal

from kaifong.backends.base import BackendError

State = Literal["closed", "open", "half-open"]


class CircuitBreaker:
    """Counts consecutive failures of a backend's calls and fails fast while the backend is down."""

    def __init__(
        self, failures: int, cooldown_s: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if failures < 1:
            raise ValueError("a circuit breaker needs failures >= 1 (failed calls in a row that open it)")
        self.failures = failures
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._lock = threading.Lock()
        self._consecutive = 0
        self._opened_at: float | None = None
        self._trial_running = False

    @property
    def state(self) -> State:
        """``closed``, ``open`` or ``half-open`` (the cool-down has passed: the next call is a trial)."""
        with self._lock:
            return self._state()

    def _state(self) -> State:
        if self._opened_at is None:
            return "closed"
        if self._trial_running or self._clock() - self._opened_at >= self.cooldown_s:
            return "half-open"
        return "open"

    def before_call(self) -> None:
        """Let a call through, or raise BackendError(reason="circuit_open") saying when to expect a retry."""
        with self._lock:
            state = self._state()
            if state == "closed":
                return
            if state == "half-open" and not self._trial_running:
                self._trial_running = True
                return
            assert self._opened_at is not None
            wait = max(0.0, self.cooldown_s - (self._clock() - self._opened_at))
        raise BackendError(
            f"circuit open after {self.failures} failed calls in a row; "
            + (f"the next trial call is in {wait:.1f} s" if wait else "a trial call is running"),
            reason="circuit_open",
        )

    def success(self) -> None:
        """A call succeeded: close the breaker and reset the count."""
        with self._lock:
            self._consecutive = 0
            self._opened_at = None
            self._trial_running = False

    def failure(self) -> None:
        """A call failed: count it; open the breaker at the threshold, or again after a failed trial."""
        with self._lock:
            self._consecutive += 1
            if self._trial_running or self._consecutive >= self.failures:
                self._opened_at = self._clock()
            self._trial_running = False

    def abandon(self) -> None:
        """A call ended neither way (cancelled): give a half-open trial back so the next call can try."""
        with self._lock:
            self._trial_running = False
