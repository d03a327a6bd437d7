"""Reading a pushed feed: streamed against the size limit, and its format chosen.

The body is read on the event loop (awaiting the socket costs it nothing); everything that
works on the bytes - hashing, storing, parsing - is the caller's to run in a thread
(`run_in_threadpool`), so one 50 MB feed never holds up another request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from catalogue.errors import FeedRejected, InvalidRequest
from normaliser.readers.base import FeedFormatError
from normaliser.readers.registry import check_format_name, format_for_media_type


@dataclass(frozen=True)
class BodyTimeouts:
    """How slowly a feed's body may arrive. Within `grace_seconds` anything goes; after it
    the body must keep up an average of `min_bytes_per_second` since the first byte was
    awaited, and the whole body must be in within `total_seconds`. A client that trickles
    a body (a byte a second holds a connection and a request's memory for days) is answered
    408 and the connection closed."""

    min_bytes_per_second: float = 10_000.0
    grace_seconds: float = 10.0
    total_seconds: float = 600.0


class BodyTooSlow(Exception):
    """HTTP 408: the body arrived slower than BodyTimeouts allow."""


async def _chunks(request: Request, timeouts: BodyTimeouts):
    """The body's chunks, each awaited no longer than the timeouts leave."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    stream = request.stream().__aiter__()
    size = 0
    while True:
        # By when the next chunk must be here for the average rate to hold with it.
        due = min(
            start + max(timeouts.grace_seconds, size / timeouts.min_bytes_per_second),
            start + timeouts.total_seconds,
        )
        try:
            chunk = await asyncio.wait_for(anext(stream), timeout=max(0.0, due - loop.time()))
        except StopAsyncIteration:
            return
        except TimeoutError:
            elapsed = loop.time() - start
            raise BodyTooSlow(
                f"the body arrived too slowly: {size:,} bytes in {elapsed:.0f} s; a feed must "
                f"arrive at {timeouts.min_bytes_per_second:,.0f} bytes/s or more (after the "
                f"first {timeouts.grace_seconds:g} s) and within {timeouts.total_seconds:g} s "
                f"in all"
            ) from None
        size += len(chunk)
        yield chunk


async def read_feed(request: Request, limit: int, timeouts: BodyTimeouts | None = None) -> bytes:
    """The whole body, or FeedRejected (413) as soon as it is over `limit` bytes, or
    BodyTooSlow (408) as soon as it arrives slower than `timeouts` allow."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise FeedRejected(
            f"the feed is {int(declared):,} bytes, over the limit of "
            f"{limit:,}; split it into delta feeds"
        )
    chunks, size = [], 0
    async for chunk in _chunks(request, timeouts or BodyTimeouts()):
        size += len(chunk)
        if size > limit:  # stop reading: a lying Content-Length gains nothing
            raise FeedRejected(
                f"the feed is over the limit of {limit:,} bytes; split it into delta feeds"
            )
        chunks.append(chunk)
    # Joining 50 MB is a copy of 50 MB: done in a thread too.
    return await run_in_threadpool(b"".join, chunks)


def chosen_format(
    request: Request, format: str | None, check: Callable[[str], str] = check_format_name
) -> str | None:
    """The `format` parameter if given (checked by `check`, the ingest service's), else what
    the Content-Type says, else None (detect)."""
    try:
        if format:
            return check(format)
        return format_for_media_type(request.headers.get("content-type"))
    except FeedFormatError as exc:
        raise InvalidRequest(str(exc), parameter="format") from None
