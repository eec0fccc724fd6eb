"""The wait between push attempts: short while attempts are quick, and in
proportion to an attempt's length when attempts are slow, so that many
writers on a loaded machine or behind a distant remote spread out instead of
spending their attempts on pushes that are bound to be rejected."""

from __future__ import annotations

from wildside.gitops.writer import BACKOFF_CAP, backoff_limit


def test_the_limit_doubles_from_a_tenth_of_a_second_to_the_cap() -> None:
    quick = [backoff_limit(attempt, 0.2) for attempt in range(1, 8)]
    assert quick == [0.1, 0.2, 0.4, 0.8, 1.6, BACKOFF_CAP, BACKOFF_CAP]


def test_slow_attempts_wait_in_proportion_to_their_length() -> None:
    assert backoff_limit(30, 2.0) == 6.0
    assert backoff_limit(30, 0.5) == BACKOFF_CAP
    assert backoff_limit(1, 2.0) == 0.1  # the first retry stays quick
