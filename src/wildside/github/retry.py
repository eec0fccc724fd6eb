"""When to retry a GitHub API call and how long to wait: a pure function of
the response (or transport error), the attempt number and the time.

GitHub signals limits three ways: `Retry-After` (secondary limits, 429),
`x-ratelimit-remaining: 0` with `x-ratelimit-reset` (primary limit, 403/429),
and a 403 whose body mentions a secondary rate limit without headers (wait at
least a minute). 5xx answers and transport errors are retried with full
jitter. The total sleep of one call is capped: a wait that would exceed the
budget fails at once with a message saying when to retry."""

from __future__ import annotations

import random
from dataclasses import dataclass

RETRYABLE_STATUS = frozenset({500, 502, 503, 504})
SECONDARY_LIMIT_WAIT = 60.0


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    max_total_sleep: float = 120.0
    base_delay: float = 1.0
    max_delay: float = 30.0


@dataclass(frozen=True)
class Decision:
    """Retry after `delay` seconds, or give up (`delay is None`) for `reason`."""

    delay: float | None
    reason: str


def backoff(policy: RetryPolicy, attempt: int, rng: random.Random) -> float:
    """Full jitter: uniform in [base/2, min(max, base * 2**attempt)]."""
    ceiling = min(policy.max_delay, policy.base_delay * 2 ** (attempt - 1))
    return rng.uniform(min(policy.base_delay / 2, ceiling), ceiling)


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def rate_limit_delay(
    status: int, headers: dict[str, str], body: str, now: float
) -> tuple[float, str] | None:
    """Seconds to wait if the answer is a rate limit, else None."""
    if status not in (403, 429):
        return None
    retry_after = _number(headers.get("retry-after"))
    if retry_after is not None:
        return max(0.0, retry_after), f"rate limited (HTTP {status}, Retry-After {retry_after:g}s)"
    reset = _number(headers.get("x-ratelimit-reset"))
    if headers.get("x-ratelimit-remaining") == "0" and reset is not None:
        return max(0.0, reset - now) + 1.0, f"rate limit exhausted (HTTP {status})"
    if "secondary rate limit" in body.lower() or status == 429:
        return SECONDARY_LIMIT_WAIT, f"secondary rate limit (HTTP {status})"
    return None


def decide(
    policy: RetryPolicy,
    attempt: int,
    slept: float,
    rng: random.Random,
    *,
    status: int | None,
    headers: dict[str, str] | None = None,
    body: str = "",
    now: float = 0.0,
    error: str | None = None,
) -> Decision:
    """What to do after attempt number `attempt` (1-based) that answered
    `status` (None: a transport error described by `error`)."""
    limited = rate_limit_delay(status, headers or {}, body, now) if status is not None else None
    if limited is not None:
        delay, reason = limited
    elif status is None:
        delay, reason = backoff(policy, attempt, rng), error or "network error"
    elif status in RETRYABLE_STATUS:
        delay, reason = backoff(policy, attempt, rng), f"HTTP {status}"
    else:
        return Decision(None, f"HTTP {status}")
    if attempt >= policy.max_attempts:
        return Decision(None, f"{reason}; gave up after {attempt} attempts")
    if slept + delay > policy.max_total_sleep:
        return Decision(
            None,
            f"{reason}; waiting {delay:.0f}s more would exceed the retry budget of "
            f"{policy.max_total_sleep:.0f}s, retry later",
        )
    return Decision(delay, reason)
