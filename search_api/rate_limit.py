"""A rate limit per API key: a token bucket per key, in memory, in this process.

Each key may make `per_minute` requests a minute, in bursts of up to `per_minute`: its
bucket holds that many tokens, refills at per_minute/60 a second, and each request takes
one. Kept in memory per API process, so with N processes behind a proxy a key gets up to N
times the rate; a shared store (Redis, the database) would make it exact and costs a round
trip per request, which the agency routes' traffic does not warrant.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


class RateLimited(Exception):
    """HTTP 429; `retry_after` is the whole seconds until a request will be let through."""

    def __init__(self, retry_after: int, per_minute: int) -> None:
        super().__init__(f"this key is over its limit of {per_minute} requests a minute; "
                         f"retry after {retry_after} s")
        self.retry_after = retry_after


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBucketLimiter:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute < 1:
            raise ValueError("a rate limit needs at least one request a minute")
        self.per_minute = per_minute
        self.capacity = float(per_minute)
        self.refill_per_second = per_minute / 60.0
        self._clock = clock
        self._buckets: dict[object, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, key: object) -> None:
        """Let one request of `key` through, or raise RateLimited."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(self.capacity, now)
            bucket.tokens = min(self.capacity,
                                bucket.tokens + (now - bucket.updated) * self.refill_per_second)
            bucket.updated = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return
            wait = (1 - bucket.tokens) / self.refill_per_second
        raise RateLimited(max(1, math.ceil(wait)), self.per_minute)
