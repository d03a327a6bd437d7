"""The production shape of docker-compose.yml, started without Docker (issue 11 item 4).

PostgreSQL (a schema of the test server), one OpenSearch node, two API processes
(`microcred serve --no-worker`), one submission worker (tests/production_worker.py) and one
scheduler (`microcred scheduler`), all processes on loopback. One test drives it as users
would: three providers push while a thread searches; API A is killed -9 mid-push (B keeps
serving and no 202-acknowledged submission is lost); the engine node is killed and restarted
mid-ingest (search answers 503 meanwhile, nothing is lost, the index catches up to the
catalogue's counts and versions); `microcred reindex` runs while the APIs serve (no failed
search).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from catalogue.db import create_catalogue_engine
from microcred.local_engine import DEFAULT_CACHE, EngineError, free_port, kill_engine, start_engine

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MICROCRED = str(BIN / "microcred") if (BIN / "microcred").exists() else None
PROVIDERS = ("ps-north", "ps-south", "ps-east")

try:  # pytest-timeout is not a dependency yet; every wait below has its own deadline too
    import pytest_timeout  # noqa: F401

    _timeout = pytest.mark.timeout(600)
except ImportError:

    def _timeout(test):
        return test


def _cli(*args: str) -> list[str]:
    return [MICROCRED, *args] if MICROCRED else [sys.executable, "-m", "microcred.cli", *args]


def _feed(provider: str, push: int, rows: int = 4) -> bytes:
    """A delta feed: `rows` new offerings, and (after the first push) the first offering of
    the previous push again with a new description, so versions move too."""
    lines = ["id,title,description,url,mode,price"]
    for r in range(rows):
        lines.append(
            f"{provider}-{push}-{r},Production shape course {push} {r},"
            f"Learn thing {r} of push {push},https://example.org/{provider}/{push}/{r},"
            f"Online,NZ$100"
        )
    if push > 0:
        lines.append(
            f"{provider}-{push - 1}-0,Production shape course {push - 1} 0,"
            f"Revised in push {push},https://example.org/{provider}/{push - 1}/0,"
            f"Online,NZ$100"
        )
    return ("\n".join(lines) + "\n").encode()


class Shape:
    def __init__(self, tmp: Path, env: dict[str, str]) -> None:
        self.tmp, self.env, self.procs = tmp, env, {}

    def start(self, name: str, argv: list[str], **extra: str) -> subprocess.Popen:
        data = self.tmp / name
        data.mkdir(parents=True, exist_ok=True)
        env = dict(self.env, MICROCRED_DATA_DIR=str(data), **extra)
        log = open(self.tmp / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(
            argv,
            env=env,
            cwd=str(data),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        proc.log = log
        self.procs[name] = proc
        return proc

    def run(self, *args: str, timeout: float = 120) -> str:
        data = self.tmp / "cli"
        data.mkdir(exist_ok=True)
        done = subprocess.run(
            _cli(*args),
            env=dict(self.env, MICROCRED_DATA_DIR=str(data)),
            cwd=str(data),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
        return done.stdout

    def log(self, name: str) -> str:
        return (self.tmp / f"{name}.log").read_text(errors="replace")[-3000:]

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for proc in self.procs.values():
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
            proc.log.close()


def _wait_healthy(url: str, proc: subprocess.Popen, what: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"{what} exited with {proc.returncode}"
        try:
            if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{what} did not become healthy within {seconds}s")


class Searcher(threading.Thread):
    """Searches one API until stopped; every answer's status (or error) is kept."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.stop, self.statuses = url, threading.Event(), []

    def run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=15) as client:
            while not self.stop.is_set():
                try:
                    self.statuses.append(
                        client.get("/v1/search", params={"q": "course", "size": 5}).status_code
                    )
                except httpx.HTTPError as exc:
                    self.statuses.append(type(exc).__name__)
                time.sleep(0.02)

    def finish(self) -> list:
        self.stop.set()
        self.join(30)
        assert not self.is_alive(), "the search thread did not stop"
        return self.statuses


@_timeout
@pytest.mark.postgresql_only("the production shape runs on PostgreSQL")
def test_production_shape(tmp_path: Path, catalogue_url: str) -> None:
    started = time.monotonic()
    # Under the engine cache, not tmp_path: as root the node runs as its own user, who
    # cannot enter pytest's private temporary directories (as tests/search/conftest.py).
    node_dir, node_port = DEFAULT_CACHE / "nodes" / f"shape-{os.getpid()}", free_port()
    try:
        engine = start_engine("opensearch", data_dir=node_dir, port=node_port, heap="512m")
    except EngineError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no OpenSearch node could be started: {exc}")
    prefix = f"mcps{os.getpid()}-"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MICROCRED_")}
    env.update(
        MICROCRED_DATABASE_URL=catalogue_url,
        MICROCRED_SEARCH_BACKEND="opensearch",
        MICROCRED_SEARCH_URL=engine.url,
        MICROCRED_SEARCH_INDEX_PREFIX=prefix,
        MICROCRED_SEARCH_TIMEOUT="5",
        MICROCRED_NORMALISE_WORKERS="1",
        MICROCRED_ALLOW_PRIVATE_FEEDS="true",
        MICROCRED_REFERENCE_CURRENCY="EUR",
        PYTHONPATH=str(REPO),
    )
    shape = Shape(tmp_path, env)
    db = create_catalogue_engine(catalogue_url)
    try:
        keys = {}
        for provider in PROVIDERS:
            shape.run(
                "providers",
                "add",
                provider,
                "--name",
                f"Provider {provider}",
                "--country",
                "NZ",
                "--currency",
                "NZD",
            )
            keys[provider] = (
                shape.run("keys", "create", "--role", "provider", "--provider", provider)
                .strip()
                .splitlines()[-1]
            )
        ports = {"api-a": free_port(), "api-b": free_port()}
        urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        for name, port in ports.items():
            shape.start(name, _cli("serve", "--no-worker", "--port", str(port)))
        shape.start("worker", [sys.executable, "-m", "tests.production_worker"])
        shape.start("scheduler", _cli("scheduler"))
        for name in ports:
            _wait_healthy(urls[name], shape.procs[name], name)
        time.sleep(1)
        for name in ("worker", "scheduler"):
            assert shape.procs[name].poll() is None, f"{name} died:\n{shape.log(name)}"

        acknowledged: dict[int, str] = {}  # submission id -> provider
        b = httpx.Client(base_url=urls["api-b"], timeout=30)

        def push(target: str, provider: str, n: int) -> None:
            body, idem = _feed(provider, n), f"{provider}-push-{n}"
            headers = {
                "Authorization": f"Bearer {keys[provider]}",
                "Idempotency-Key": idem,
                "Content-Type": "text/csv",
            }
            path = f"/v1/providers/{provider}/submissions"
            try:
                answer = httpx.post(
                    urls[target] + path,
                    params={"mode": "delta", "format": "csv"},
                    content=body,
                    headers=headers,
                    timeout=30,
                )
            except httpx.HTTPError:
                # API A is gone: the user sends the same push (same key) to B.
                answer = b.post(
                    path, params={"mode": "delta", "format": "csv"}, content=body, headers=headers
                )
            assert answer.status_code == 202, answer.text
            acknowledged[answer.json()["id"]] = provider

        def all_applied(seconds: float) -> None:
            deadline = time.monotonic() + seconds
            waiting = dict(acknowledged)
            while waiting and time.monotonic() < deadline:
                for sid, provider in list(waiting.items()):
                    report = b.get(
                        f"/v1/providers/{provider}/submissions/{sid}",
                        headers={"Authorization": f"Bearer {keys[provider]}"},
                    )
                    assert report.status_code == 200, report.text
                    status = report.json()["status"]
                    assert status not in ("failed", "held", "discarded"), report.json()
                    if status == "applied":
                        del waiting[sid]
                time.sleep(0.2)
            assert not waiting, f"acknowledged but never applied: {waiting}"

        def catalogue_versions() -> dict[str, int]:
            with db.connect() as conn:
                return dict(
                    conn.execute(
                        text("SELECT id, version FROM offerings WHERE status = 'active'")
                    ).all()
                )

        def index_versions() -> dict[str, int]:
            answer = httpx.post(
                f"{engine.url}/{prefix}offerings/_search",
                params={"version": "true"},
                json={"size": 10000, "_source": False, "query": {"match_all": {}}},
                timeout=30,
            )
            answer.raise_for_status()
            return {h["_id"]: h["_version"] for h in answer.json()["hits"]["hits"]}

        def caught_up(seconds: float) -> None:
            deadline = time.monotonic() + seconds
            last = None
            while time.monotonic() < deadline:
                try:
                    expected = catalogue_versions()
                    total = b.get("/v1/search", params={"size": 1}).json().get("total")
                    indexed = index_versions()
                    last = (len(expected), total, len(indexed))
                    if total == len(expected) and indexed == expected:
                        return
                except (httpx.HTTPError, ValueError):
                    pass
                time.sleep(0.5)
            raise AssertionError(
                f"the index did not catch up (catalogue, search total, "
                f"index docs): {last}\nworker:\n{shape.log('worker')}"
            )

        # 1. Pushes from three providers, alternately to A and B, while searching B; A is
        # killed -9 in the middle of the pushes.
        searcher = Searcher(urls["api-b"])
        searcher.start()
        pushes = {p: 0 for p in PROVIDERS}
        for i in range(24):
            provider = PROVIDERS[i % 3]
            target = "api-a" if i % 2 == 0 else "api-b"
            if i == 12:
                proc = shape.procs["api-a"]
                threading.Timer(0.005, os.killpg, (proc.pid, signal.SIGKILL)).start()
            push(target, provider, pushes[provider])
            pushes[provider] += 1
        shape.procs["api-a"].wait(10)
        assert shape.procs["api-a"].returncode == -signal.SIGKILL
        all_applied(120)
        caught_up(120)
        statuses = searcher.finish()
        assert statuses and all(s == 200 for s in statuses), (
            f"searches on B failed: {[s for s in statuses if s != 200][:10]}"
        )
        assert len(acknowledged) == 24
        hit = b.get("/v1/search", params={"q": f"{PROVIDERS[0]}-0-1"}).json()
        assert hit["total"] >= 1

        # 2. The engine node killed mid-ingest: search 503, pages 200, pushes still 202,
        # nothing lost once it is back.
        some_id = next(iter(catalogue_versions()))
        for _ in range(2):
            for provider in PROVIDERS:
                if provider == PROVIDERS[1]:
                    kill_engine(node_dir)
                push("api-b", provider, pushes[provider])
                pushes[provider] += 1
        down = b.get("/v1/search", params={"q": "course"})
        assert down.status_code == 503, down.text
        assert b.get(f"/v1/offerings/{some_id}").status_code == 200
        all_applied(120)
        assert b.get("/v1/search", params={"q": "course"}).status_code == 503
        engine = start_engine("opensearch", data_dir=node_dir, port=node_port, heap="512m")
        caught_up(180)

        # 3. A reindex while the API serves: no failed search.
        searcher = Searcher(urls["api-b"])
        searcher.start()
        time.sleep(0.5)
        out = shape.run("reindex", timeout=180)
        assert "reindexed" in out, out
        time.sleep(0.5)
        statuses = searcher.finish()
        assert statuses and all(s == 200 for s in statuses), (
            f"searches during the reindex failed: {[s for s in statuses if s != 200][:10]}"
        )
        caught_up(60)
        for name in ("api-b", "worker", "scheduler"):
            assert shape.procs[name].poll() is None, f"{name} died:\n{shape.log(name)}"
        print(
            f"production shape: {len(acknowledged)} submissions, "
            f"{len(catalogue_versions())} offerings, {time.monotonic() - started:.0f}s"
        )
    finally:
        shape.stop_all()
        db.dispose()
        kill_engine(node_dir)
        shutil.rmtree(node_dir, ignore_errors=True)
