"""Reading a pushed feed: streamed against the size limit, and its format chosen.

The body is read on the event loop (awaiting the socket costs it nothing); everything that
works on the bytes - hashing, storing, parsing - is the caller's to run in a thread
(`run_in_threadpool`), so one 50 MB feed never holds up another request.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from catalogue.errors import FeedRejected, InvalidRequest
from normaliser.readers.base import FeedFormatError
from normaliser.readers.registry import check_format_name, format_for_media_type


async def read_feed(request: Request, limit: int) -> bytes:
    """The whole body, or FeedRejected (413) as soon as it is over `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise FeedRejected(f"the feed is {int(declared):,} bytes, over the limit of "
                           f"{limit:,}; split it into delta feeds")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:  # stop reading: a lying Content-Length gains nothing
            raise FeedRejected(f"the feed is over the limit of {limit:,} bytes; "
                               f"split it into delta feeds")
        chunks.append(chunk)
    # Joining 50 MB is a copy of 50 MB: done in a thread too.
    return await run_in_threadpool(b"".join, chunks)


def chosen_format(request: Request, format: str | None,
                  check: Callable[[str], str] = check_format_name) -> str | None:
    """The `format` parameter if given (checked by `check`, the ingest service's), else what
    the Content-Type says, else None (detect)."""
    try:
        if format:
            return check(format)
        return format_for_media_type(request.headers.get("content-type"))
    except FeedFormatError as exc:
        raise InvalidRequest(str(exc), parameter="format") from None
