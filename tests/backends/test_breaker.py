"""Tests for the circuit breaker: closed → open after N failures → half-open trial → closed or open again."""

from __future__ import annotations

import pytest

from kaifong.backends.base import BackendError
from kaifong.backends.breaker import CircuitBreaker


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_it_opens_after_n_failures_in_a_row_and_fails_fast() -> None:
    clock = Clock()
    breaker = CircuitBreaker(3, 30.0, clock=clock)
    for _ in range(2):
        breaker.before_call()
        breaker.failure()
    assert breaker.state == "closed"
    breaker.before_call()
    breaker.failure()
    assert breaker.state == "open"
    clock.now += 10
    with pytest.raises(BackendError, match=r"circuit open after 3 failed calls .* in 20\.0 s") as caught:
        breaker.before_call()
    assert caught.value.reason == "circuit_open"


def test_a_success_resets_the_count() -> None:
    breaker = CircuitBreaker(2, 30.0, clock=Clock())
    breaker.failure()
    breaker.success()
    breaker.failure()
    assert breaker.state == "closed"


def test_after_the_cooldown_one_trial_goes_through_and_its_success_closes() -> None:
    clock = Clock()
    breaker = CircuitBreaker(1, 30.0, clock=clock)
    breaker.failure()
    clock.now += 30
    assert breaker.state == "half-open"
    breaker.before_call()  # the trial
    with pytest.raises(BackendError, match="a trial call is running"):
        breaker.before_call()  # everyone else still fails fast
    breaker.success()
    assert breaker.state == "closed"
    breaker.before_call()


def test_a_failed_trial_opens_it_for_another_cooldown() -> None:
    clock = Clock()
    breaker = CircuitBreaker(5, 30.0, clock=clock)
    for _ in range(5):
        breaker.failure()
    clock.now += 31
    breaker.before_call()
    breaker.failure()  # one failure is enough in half-open
    assert breaker.state == "open"
    clock.now += 29
    with pytest.raises(BackendError):
        breaker.before_call()
    clock.now += 1
    breaker.before_call()


def test_an_abandoned_trial_is_given_back() -> None:
    clock = Clock()
    breaker = CircuitBreaker(1, 5.0, clock=clock)
    breaker.failure()
    clock.now += 5
    breaker.before_call()
    breaker.abandon()
    assert breaker.state == "half-open"
    breaker.before_call()  # the next caller becomes the trial


def test_it_needs_at_least_one_failure_to_open() -> None:
    with pytest.raises(ValueError, match="failures >= 1"):
        CircuitBreaker(0, 1.0)
