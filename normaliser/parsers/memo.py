"""Memoising the pure value parsers: feeds repeat the same few values ('Online', 'NZ$1,250').

Every parser here is a pure function of its arguments, so its result for one set of
arguments can be kept. What is kept must not change afterwards, so the cache holds the
value and a tuple of issues (Issue is frozen), and every call gets a new `Parsed` with
its own issue list and, for list values, its own list: callers may edit those.

The pydantic value objects in a result (Level, Price, Place...) are shared between the
calls that asked for the same value, and so between offerings. Nothing may assign to
their fields; make a `model_copy(update=...)` instead, as the parsers do.

Only short values are cached: a long text is pasted prose, seldom repeated, and would
make each cache entry large. Arguments that cannot be hashed (a list of values) are
parsed without the cache.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from normaliser import text
from normaliser.issues import Parsed

# Entries per cached function, and the longest text argument that is cached.
CACHE_SIZE = 2048
MAX_CACHED_TEXT = 256

F = TypeVar("F", bound=Callable[..., Any])
_CACHED: list[Any] = []


def memoised_parser(parser: F) -> F:
    """Cache a parser returning `Parsed`; each call still gets a `Parsed` of its own."""

    @functools.lru_cache(maxsize=CACHE_SIZE, typed=True)
    def cached(*args: Any, **kwargs: Any) -> tuple[Any, tuple[Any, ...], bool]:
        parsed = parser(*args, **kwargs)
        value = parsed.value
        return (
            (tuple(value) if isinstance(value, list) else value),
            tuple(parsed.issues),
            isinstance(value, list),
        )

    @functools.wraps(parser)
    def wrapper(*args: Any, **kwargs: Any) -> Parsed:
        if args and isinstance(args[0], str) and len(args[0]) > MAX_CACHED_TEXT:
            return parser(*args, **kwargs)
        try:
            value, issues, is_list = cached(*args, **kwargs)
        except TypeError:  # an argument cannot be hashed: parse without the cache
            return parser(*args, **kwargs)
        return Parsed(list(value) if is_list else value, list(issues))

    _register(wrapper, cached)
    return wrapper  # type: ignore[return-value]


def memoised(function: F) -> F:
    """Cache a function whose result is immutable (a code, an enum, a string, None)."""
    cached = functools.lru_cache(maxsize=CACHE_SIZE, typed=True)(function)

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if args and isinstance(args[0], str) and len(args[0]) > MAX_CACHED_TEXT:
            return function(*args, **kwargs)
        try:
            return cached(*args, **kwargs)
        except TypeError:  # an argument cannot be hashed
            return function(*args, **kwargs)

    _register(wrapper, cached)
    return wrapper  # type: ignore[return-value]


def clear_caches() -> None:
    """Forget every memoised result (for tests and benchmarks that want a cold start)."""
    for cached in _CACHED:
        cached.cache_clear()
    text.clear_caches()


def _register(wrapper: Any, cached: Any) -> None:
    wrapper.cache_clear = cached.cache_clear
    wrapper.cache_info = cached.cache_info
    _CACHED.append(cached)
