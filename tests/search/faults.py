"""Faults of a search engine, made with real parts: a TCP proxy on 127.0.0.1 in front of
a real engine node that can go away and come back, or answer HTTP errors in the engine's
place. (A node killed and restarted with its data is tests/test_production_shape.py.)

An engine that is unreachable for a while and then back with its data (a network
partition, a node restart with its disk) is what the proxy gives: while it is stopped,
connections to its port are refused, and connections open through it are cut.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from urllib.parse import urlsplit


class TcpProxy:
    """Forwards 127.0.0.1:<port> to the engine, byte for byte, until stopped."""

    def __init__(self, target_url: str) -> None:
        target = urlsplit(target_url)
        self.target = (target.hostname, target.port)
        self.port = 0
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        # Answer this many requests with an HTTP error of our own instead of forwarding.
        self._error_status: int | None = None
        self._errors_left = 0
        self.errors_sent = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> TcpProxy:
        """Listen (again, on the same port after a stop)."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        thread = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def stop(self) -> None:
        """Refuse new connections and cut the open ones: the engine is gone."""
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        self._cut_connections()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = []

    def answer_errors(self, status: int, count: int) -> None:
        """Answer the next `count` requests with `status` (as a loaded or failing engine
        would), then forward again. Open connections are cut so the next request opens
        a new one and meets the error."""
        with self._lock:
            self._error_status, self._errors_left = status, count
        self._cut_connections()

    def _cut_connections(self) -> None:
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # stopped
            with self._lock:
                error = self._error_status if self._errors_left > 0 else None
                if error is not None:
                    self._errors_left -= 1
                    self.errors_sent += 1
            if error is not None:
                threading.Thread(
                    target=self._answer_error, args=(client, error), daemon=True
                ).start()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    @staticmethod
    def _answer_error(client: socket.socket, status: int) -> None:
        """Read one request (headers and Content-Length body) and answer `status` as the
        engines do, with an error body, then close."""
        try:
            client.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = client.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            while len(body) < length:
                chunk = client.recv(65536)
                if not chunk:
                    break
                body += chunk
            kind = {429: "es_rejected_execution_exception", 401: "security_exception"}.get(
                status, "unavailable_exception"
            )
            payload = json.dumps(
                {"error": {"type": kind, "reason": f"injected {status}"}, "status": status}
            ).encode()
            client.sendall(
                b"HTTP/1.1 %d Injected\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\nConnection: close\r\n\r\n%s"
                % (status, len(payload), payload)
            )
        except OSError:
            pass
        finally:
            client.close()
