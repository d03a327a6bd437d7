"""Search latency while a large feed is validated in the same server process (target: p95
under 100 ms).

    .venv/bin/python -m benchmarks.bench_validate_latency [--offerings 10000] [--feed-mb 50]
        [--searches 300]

Builds a catalogue of synthetic offerings, starts one uvicorn process on a free loopback
port (`microcred.web:app_from_environment`), and sends a search mix one request at a time:
first alone (the baseline), then while another thread POSTs a ~50 MB CSV feed to
`/v1/providers/{id}/validate` with a provider key - uploading it, parsing, normalising and
diffing it against the catalogue, the report coming back. Searches run until the validate
has answered (at most --max-seconds), so the second figure covers the whole of it. Every
loop is bounded. Writes benchmarks/results/validate_latency.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from benchmarks.bench_search import build_catalogue, free_port, query_mix, summary
from benchmarks.synthetic import FIELDS, synthetic_rows
from microcred.services import build_services
from microcred.settings import Settings

RESULTS = Path(__file__).parent / "results"
PROVIDER = "bench-0"
# Longer descriptions than the search corpus's, so 50 MB stays under the 100,000 records
# one feed may hold.
PADDING = (
    " Learners work through case studies, a capstone project and reflective journal "
    "entries, with feedback from industry mentors at each stage of the course."
)


def large_feed(target_bytes: int) -> tuple[bytes, int]:
    """A CSV feed of about `target_bytes`, and its number of records."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS)
    writer.writeheader()
    records = 0
    for row in synthetic_rows(200_000, seed=99, id_prefix="BIG"):
        row["description"] += PADDING
        writer.writerow(row)
        records += 1
        if records % 1000 == 0 and buffer.tell() >= target_bytes:
            break
    return buffer.getvalue().encode(), records


def wait_until_up(client: httpx.Client, server: subprocess.Popen) -> None:
    for _ in range(600):
        if server.poll() is not None:
            raise RuntimeError("the server exited before it answered")
        try:
            if client.get("/healthz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the server did not answer /healthz within 60 s")


def timed_searches(
    client: httpx.Client, mix: list[dict], *, until: threading.Event | None, max_seconds: float
) -> list[float]:
    """Searches one after another: all of `mix`, or, with `until`, until it is set."""
    timings: list[float] = []
    deadline = time.monotonic() + max_seconds
    for i in range(100_000):  # bounded; normally ends far sooner
        if until is not None and until.is_set():
            break
        if until is None and i >= len(mix):
            break
        if time.monotonic() > deadline:
            break
        started = time.perf_counter()
        client.get("/v1/search", params=mix[i % len(mix)]).raise_for_status()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def run(offerings: int, feed_mb: float, searches: int, max_seconds: float) -> dict:
    feed, records = large_feed(int(feed_mb * 1_000_000))
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        build_catalogue(data_dir, offerings)
        services = build_services(Settings(data_dir=data_dir))
        key = services.keys.create("provider", provider_id=PROVIDER).secret
        workers = services.settings.normalise_workers
        services.close()
        port = free_port()
        env = dict(os.environ, MICROCRED_DATA_DIR=str(data_dir))
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "microcred.web:app_from_environment",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        outcome: dict = {}
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
                wait_until_up(client, server)
                mix = query_mix(searches)
                timed_searches(client, mix[:20], until=None, max_seconds=60)  # warm up
                alone = timed_searches(client, mix, until=None, max_seconds=max_seconds)

                done = threading.Event()

                def validate() -> None:
                    started = time.perf_counter()
                    try:
                        with httpx.Client(
                            base_url=f"http://127.0.0.1:{port}", timeout=max_seconds
                        ) as uploader:
                            response = uploader.post(
                                f"/v1/providers/{PROVIDER}/validate",
                                content=feed,
                                headers={
                                    "Authorization": f"Bearer {key}",
                                    "Content-Type": "text/csv",
                                },
                            )
                        outcome["status"] = response.status_code
                        body = response.json()
                        outcome["report"] = {
                            k: body.get(k)
                            for k in (
                                "status",
                                "records",
                                "accepted",
                                "rejected",
                                "created",
                                "unchanged",
                                "withdrawn",
                            )
                        }
                        outcome["response_bytes"] = len(response.content)
                    except Exception as exc:  # noqa: BLE001 - recorded in the result, not lost
                        outcome["error"] = f"{type(exc).__name__}: {exc}"
                    finally:
                        outcome["seconds"] = round(time.perf_counter() - started, 1)
                        done.set()

                thread = threading.Thread(target=validate, name="validate", daemon=True)
                thread.start()
                during = timed_searches(client, mix, until=done, max_seconds=max_seconds)
                thread.join(max_seconds)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return {
        "benchmark": "search_latency_during_validate",
        "offerings": offerings,
        "feed": {"bytes": len(feed), "records": records, "format": "csv"},
        "validate": outcome,
        "search_alone": summary(alone),
        "search_during_validate": summary(during) if during else None,
        "target_p95_ms": 100,
        "query_mix": "1-2 keywords + 2 filters + 5 facets + sort, size 20, one at a time",
        "machine": f"{os.cpu_count()} cores shared, SQLite (WAL) catalogue with FTS5 index, "
        f"one uvicorn process, normalise_workers={workers}",
        # Other work on the machine shows in every figure: the 1-minute load at the end.
        "load_average_1m": round(os.getloadavg()[0], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offerings", type=int, default=10_000)
    parser.add_argument("--feed-mb", type=float, default=50)
    parser.add_argument("--searches", type=int, default=300)
    parser.add_argument("--max-seconds", type=float, default=600)
    args = parser.parse_args()
    result = run(args.offerings, args.feed_mb, args.searches, args.max_seconds)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "validate_latency.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
