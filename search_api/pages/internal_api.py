"""The dashboard's calls to the agency API, made in-process through the app itself.

The dashboard is a client of the documented API like any other (same routes, same checks
of the key, same answers), without a network hop. Bodies are streamed, so an export of
any size passes through in constant memory.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI


@dataclass
class ApiAnswer:
    status: int
    headers: dict[str, str]
    body: AsyncIterator[bytes]

    async def read(self) -> bytes:
        return b"".join([chunk async for chunk in self.body])

    async def json(self) -> Any:
        return json.loads(await self.read() or b"null")


class InternalApi:
    def __init__(self, app: FastAPI) -> None:
        self.app = app

    async def get(self, path: str, params: list[tuple[str, str]], key: str) -> ApiAnswer:
        """GET `path` with the key as a Bearer token; the body arrives as it is sent."""
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(),
            "query_string": urlencode(params).encode(), "root_path": "",
            "headers": [(b"host", b"internal"), (b"accept", b"*/*"),
                        (b"authorization", f"Bearer {key}".encode())],
            "client": ("127.0.0.1", 0), "server": ("internal", 80),
        }
        messages: asyncio.Queue[dict] = asyncio.Queue(maxsize=16)
        finished = asyncio.Event()
        requested = False

        async def receive() -> dict:
            nonlocal requested
            if not requested:
                requested = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await finished.wait()  # the reader is gone, or done
            return {"type": "http.disconnect"}

        async def send(message: dict) -> None:
            await messages.put(message)

        task = asyncio.create_task(self.app(scope, receive, send))

        async def next_message() -> dict | None:
            getter = asyncio.ensure_future(messages.get())
            done, _ = await asyncio.wait({getter, task}, return_when=asyncio.FIRST_COMPLETED)
            if getter in done:
                return getter.result()
            getter.cancel()
            if not messages.empty():
                return messages.get_nowait()
            task.result()  # raises what the app raised
            return None

        start = await next_message()
        if start is None or start["type"] != "http.response.start":
            finished.set()
            raise RuntimeError(f"no response from {path}")
        headers = {k.decode().lower(): v.decode() for k, v in start.get("headers", [])}

        async def body() -> AsyncIterator[bytes]:
            try:
                while True:
                    message = await next_message()
                    if message is None:
                        return
                    if message["type"] == "http.response.body":
                        if message.get("body"):
                            yield message["body"]
                        if not message.get("more_body"):
                            return
            finally:
                finished.set()
                if not task.done():
                    # The reader left early (a download cancelled): drain what the app still
                    # sends until it notices the disconnect.
                    while not task.done():
                        try:
                            await asyncio.wait_for(messages.get(), timeout=1)
                        except TimeoutError:
                            break
                    if not task.done():
                        task.cancel()

        return ApiAnswer(status=start["status"], headers=headers, body=body())
