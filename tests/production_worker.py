"""The one submission worker of the production shape, as a process of its own
(tests/test_production_shape.py): applies pushed submissions and drains the index outbox
until SIGTERM. The API processes there run `microcred serve --no-worker`."""

from __future__ import annotations

import signal
import threading

from microcred.services import build_services
from microcred.settings import get_settings


def main() -> None:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    services = build_services(get_settings())
    services.worker.start()
    print("worker: started", flush=True)
    try:
        stop.wait()
    finally:
        services.worker.stop()
        services.close()


if __name__ == "__main__":
    main()
