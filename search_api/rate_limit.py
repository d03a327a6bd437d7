"""A rate limit per API key, in two kinds that the composition root chooses between.

- TokenBucketLimiter, in memory, in this process (the embedded default: one process). Each
  key may make `per_minute` requests a minute, in bursts of up to `per_minute`: its bucket
  holds that many tokens, refills at per_minute/60 a second, and each request takes one.
- SlidingWindowLimiter, counted in a store every API process shares (the catalogue on
  PostgreSQL: catalogue.coordination.WindowCounters), so N processes behind a proxy give a
  key the rate once, not N times. It counts requests per key in fixed one-minute windows
  and estimates the last 60 s as this window's count plus the previous window's, weighted
  by how much of it still lies in those 60 s (the "sliding window counter" Cloudflare
  describes in "How we built rate limiting capable of scaling to millions of domains",
  2017): two round trips per request, one row per key and minute, and no burst of twice
  the rate at a window's edge as a plain fixed window allows.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

WINDOW_SECONDS = 60


class RateLimited(Exception):
    """HTTP 429; `retry_after` is the whole seconds until a request will be let through."""

    def __init__(self, retry_after: int, per_minute: int, subject: str = "this key") -> None:
        super().__init__(
            f"{subject} is over its limit of {per_minute} requests a minute; "
            f"retry after {retry_after} s"
        )
        self.retry_after = retry_after


class RateLimiter(Protocol):
    def take(self, key: object) -> None:
        """Let one request of `key` through, or raise RateLimited."""


class WindowCounter(Protocol):
    """Requests per key and window (its start, in epoch seconds), shared by the processes."""

    def count(self, key: str, window_start: int) -> int: ...

    def add_within(self, key: str, window_start: int, allowance: int) -> int | None:
        """Count one more request if that makes at most `allowance`: the new count, or None
        (nothing counted). Atomic across processes."""

    def forget(self, key: str, before: int) -> None: ...


@dataclass
class _Bucket:
    tokens: float
    updated: float


# A token bucket limiter forgets the buckets that have refilled every this many requests, so
# the clients of a public limit (one bucket each) do not pile up in memory.
PRUNE_EVERY = 4096


class TokenBucketLimiter:
    def __init__(
        self,
        per_minute: int,
        clock: Callable[[], float] = time.monotonic,
        *,
        subject: str = "this key",
    ) -> None:
        if per_minute < 1:
            raise ValueError("a rate limit needs at least one request a minute")
        self.per_minute = per_minute
        self.subject = subject
        self._requests = 0
        self.capacity = float(per_minute)
        self.refill_per_second = per_minute / 60.0
        self._clock = clock
        self._buckets: dict[object, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, key: object) -> None:
        """Let one request of `key` through, or raise RateLimited."""
        now = self._clock()
        with self._lock:
            self._requests += 1
            if self._requests % PRUNE_EVERY == 0:
                self._prune(now)
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(self.capacity, now)
            bucket.tokens = min(
                self.capacity, bucket.tokens + (now - bucket.updated) * self.refill_per_second
            )
            bucket.updated = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return
            wait = (1 - bucket.tokens) / self.refill_per_second
        raise RateLimited(max(1, math.ceil(wait)), self.per_minute, self.subject)

    def _prune(self, now: float) -> None:
        """Forget full buckets: a new one starts full, so forgetting them changes nothing."""
        full = [
            key
            for key, b in self._buckets.items()
            if b.tokens + (now - b.updated) * self.refill_per_second >= self.capacity
        ]
        for key in full:
            del self._buckets[key]


class SlidingWindowLimiter:
    """`per_minute` requests of a key in any 60 s, as estimated from the shared counts."""

    def __init__(
        self,
        counter: WindowCounter,
        per_minute: int,
        *,
        prefix: str = "agency-key",
        clock: Callable[[], float] = time.time,
        subject: str = "this key",
    ) -> None:
        """`clock`: wall-clock seconds (every process must agree on the window)."""
        if per_minute < 1:
            raise ValueError("a rate limit needs at least one request a minute")
        self.counter = counter
        self.per_minute = per_minute
        self.prefix = prefix
        self.subject = subject
        self._clock = clock

    def take(self, key: object) -> None:
        """Let one request of `key` through, or raise RateLimited."""
        name = f"{self.prefix}:{key}"
        now = self._clock()
        start = int(now // WINDOW_SECONDS) * WINDOW_SECONDS
        elapsed = now - start
        previous = self.counter.count(name, start - WINDOW_SECONDS)
        carried = previous * (1 - elapsed / WINDOW_SECONDS)
        # The most requests this window may hold: carried + this window's <= per_minute.
        allowance = math.floor(self.per_minute - carried + 1e-9)
        count = self.counter.add_within(name, start, allowance)
        if count is not None:
            if count == 1:  # the key's first request this window: older windows are done
                self.counter.forget(name, start - WINDOW_SECONDS)
            return
        current = self.counter.count(name, start)
        raise RateLimited(
            self._retry_after(previous, current, elapsed), self.per_minute, self.subject
        )

    def _retry_after(self, previous: int, current: int, elapsed: float) -> int:
        """Seconds until the estimate leaves room for one more request, if no other comes."""
        room = self.per_minute - current - 1  # what the carried share must drop to
        if previous and room >= 0:
            # previous * (1 - t / W) <= room, for t the time into this window.
            wait = WINDOW_SECONDS * (1 - room / previous) - elapsed
        else:
            # In the next window this one is carried: current * (1 - t / W) + 1 <= per_minute.
            over = 1 - (self.per_minute - 1) / current if current else 0.0
            wait = WINDOW_SECONDS - elapsed + WINDOW_SECONDS * max(0.0, over)
        return max(1, math.ceil(wait - 1e-9))  # not a second more for a rounding error
