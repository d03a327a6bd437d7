"""Time from an accepted push to searchable, on the embedded default (target p99 <= 2 s).

    .venv/bin/python -m benchmarks.bench_push [--offerings 10000] [--pushes 200] [--records 10]

Builds a catalogue of synthetic offerings, starts `microcred serve` on a free loopback port in
a child process, then, one after another, pushes a small delta feed of new offerings with a
provider key and polls `/v1/search` (every 10 ms) until the newest offering of the push is
found. The figure is the time from sending the push to the first search that finds it, so it
includes the 202 round trip, the background worker, the index drain and the search itself.
Writes benchmarks/results/push.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.bench_search import build_catalogue, free_port, summary
from microcred.services import build_services
from microcred.settings import Settings

RESULTS = Path(__file__).parent / "results"
POLL_SECONDS = 0.01


def push_feed(push_number: int, records: int) -> bytes:
    rows = [
        f"NEW-{push_number}-{i},Pushfresh course {push_number} {i},Online,NZ$100,6 weeks\n"
        for i in range(records)
    ]
    return ("id,title,mode,price,duration\n" + "".join(rows)).encode()


def run(offerings: int, pushes: int, records: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        build_catalogue(data_dir, offerings)
        services = build_services(Settings(data_dir=data_dir))
        key = services.keys.create("provider", provider_id="bench-0").secret
        services.close()
        port = free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "microcred.cli",
                "--data-dir",
                str(data_dir),
                "serve",
                "--port",
                str(port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        latencies, accept = [], []
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
                for _ in range(300):
                    try:
                        if client.get("/healthz").status_code == 200:
                            break
                    except httpx.TransportError:
                        time.sleep(0.1)
                headers = {"Authorization": f"Bearer {key}", "Content-Type": "text/csv"}
                for n in range(pushes):
                    body = push_feed(n, records)
                    wanted = f"NEW-{n}-{records - 1}"
                    started = time.perf_counter()
                    response = client.post(
                        "/v1/providers/bench-0/submissions",
                        content=body,
                        headers=headers,
                        params={"mode": "delta"},
                    )
                    accept.append((time.perf_counter() - started) * 1000)
                    response.raise_for_status()
                    deadline = started + 30
                    while time.perf_counter() < deadline:
                        hits = client.get(
                            "/v1/search",
                            params={
                                "q": f"pushfresh {n}",
                                "provider": "bench-0",
                                "size": 50,
                                "facets": "none",
                                "highlight": "false",
                            },
                        ).json()["hits"]
                        if any(h["provider_offering_id"] == wanted for h in hits):
                            break
                        time.sleep(POLL_SECONDS)
                    else:
                        raise RuntimeError(f"push {n} was not searchable within 30 s")
                    latencies.append((time.perf_counter() - started) * 1000)
        finally:
            server.terminate()
            server.wait(timeout=10)
    return {
        "benchmark": "push_to_searchable",
        "offerings_in_catalogue": offerings,
        "records_per_push": records,
        "push_accepted_202": summary(accept),
        "push_to_searchable": summary(latencies),
        "target_p99_ms": 2000,
        "machine": "2 cores, SQLite (WAL) catalogue with FTS5 index, one worker thread",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offerings", type=int, default=10_000)
    parser.add_argument("--pushes", type=int, default=200)
    parser.add_argument("--records", type=int, default=10)
    args = parser.parse_args()
    result = run(args.offerings, args.pushes, args.records)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "push.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
