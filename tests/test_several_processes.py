"""Several worker, scheduler and API processes on one PostgreSQL catalogue: real OS processes
(tests/several_processes_child.py) for workers and schedulers, two composed API apps for the
shared rate limit and health. Every wait has a deadline."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from catalogue.models import IngestRunRow, ScheduledRunRow, SubmissionRow
from catalogue.store import as_utc, offering_key
from microcred.services import build_services
from microcred.web import create_web_app
from normaliser.schema import Provider
from tests.test_scheduler import FeedServer, register

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.postgresql_only(
    "several processes share a catalogue on PostgreSQL; the embedded SQLite default is one process"
)


class Child:
    """One child process, its job given as JSON on the command line; its output goes to files
    (a pipe nobody reads while it runs could fill and stop it); its JSON answer is the last
    line it prints."""

    def __init__(self, role: str, job: dict) -> None:
        base = Path(job["data_dir"])
        base.mkdir(parents=True, exist_ok=True)
        self.out, self.err = base / "stdout", base / "stderr"
        with self.out.open("w") as out, self.err.open("w") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.several_processes_child", role, json.dumps(job)],
                cwd=REPO,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                env=dict(os.environ, PYTHONUNBUFFERED="1"),
            )

    @property
    def stderr(self) -> str:
        return self.err.read_text()

    def answer(self, timeout: float) -> dict:
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise
        assert self.process.returncode == 0, self.stderr[-3000:]
        return json.loads(self.out.read_text().strip().splitlines()[-1])

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def feed(*rows: tuple[str, str]) -> bytes:
    return ("id,title,mode,price\n" + "".join(f"{i},{t},Online,NZ$100\n" for i, t in rows)).encode()


def job(settings, tmp_path: Path, name: str, **more) -> dict:
    return dict(
        database_url=settings.database_url, data_dir=str(tmp_path / name), timeout=120, **more
    )


def test_three_worker_processes_apply_each_submission_exactly_once_in_order(
    services, settings, tmp_path
):
    providers = ["p1", "p2", "p3", "p4"]
    for provider_id in providers:
        services.catalogue.upsert_provider(
            Provider(
                id=provider_id, name=f"Provider {provider_id}", country="NZ", default_currency="NZD"
            )
        )
    per_provider = 15
    submitted: dict[str, list[int]] = {p: [] for p in providers}
    for n in range(per_provider):
        for provider_id in providers:
            # A delta: one new offering, and the shared one's title says which feed it was.
            content = feed((f"C{n}", f"Course {n}"), ("SHARED", f"Shared as of feed {n}"))
            submitted[provider_id].append(
                services.ingest.store_submission(
                    provider_id, content, format="csv", mode="delta", channel="push"
                )
            )
    go = tmp_path / "go"
    workers = [Child("worker", job(settings, tmp_path, f"w{i}", go=str(go))) for i in range(3)]
    try:
        go.write_text("go")
        answers = [w.answer(180) for w in workers]
    finally:
        for w in workers:
            w.kill()

    total = per_provider * len(providers)
    assert all(a["finished"] for a in answers), answers
    processed = [s for a in answers for s in a["processed"]]
    assert sorted(processed) == sorted(s for ids in submitted.values() for s in ids)
    with services.engine.connect() as conn:
        runs = dict(
            conn.execute(
                select(IngestRunRow.submission_id, func.count()).group_by(
                    IngestRunRow.submission_id
                )
            ).all()
        )
        statuses = dict(
            conn.execute(
                select(SubmissionRow.status, func.count()).group_by(SubmissionRow.status)
            ).all()
        )
        by = conn.execute(select(SubmissionRow.claimed_by).distinct()).scalars().all()
        order = conn.execute(
            select(IngestRunRow.provider_id, IngestRunRow.submission_id).order_by(IngestRunRow.id)
        ).all()
    assert len(runs) == total and set(runs.values()) == {1}  # one ingest run each
    assert statuses == {"applied": total}
    assert len(by) >= 2, f"only {by} did any work: the workers did not run side by side"
    for provider_id in providers:
        # Each provider's feeds were applied in the order sent...
        assert [s for p, s in order if p == provider_id] == submitted[provider_id]
        shared = services.catalogue.get_offering(offering_key(provider_id, "SHARED"))
        # ... so the shared offering is the last feed's, in one version per feed.
        assert (shared.title, shared.version) == (
            f"Shared as of feed {per_provider - 1}",
            per_provider,
        )
    print(
        f"\n{total} submissions over 3 processes: "
        f"{sorted(len(a['processed']) for a in answers)} each"
    )


def test_a_worker_killed_mid_apply_is_taken_over_only_after_its_lease_and_applied_once(
    settings, tmp_path, provider
):
    lease = 3.0
    services = build_services(settings.model_copy(update={"submission_lease_seconds": lease}))
    try:
        submission_id = services.ingest.store_submission(
            provider.id, feed(("K1", "Kept once")), format="csv", mode="snapshot", channel="push"
        )
        marker = tmp_path / "in-apply"
        stuck = Child(
            "stuck-worker",
            job(settings, tmp_path, "stuck", marker=str(marker), lease_seconds=lease),
        )
        try:
            assert wait_for(marker.exists, 60), "the worker never reached the apply"
            time.sleep(lease)  # the lease is renewed while the worker lives
            row = services.catalogue.get_submission(submission_id)
            assert row.status == "processing" and as_utc(row.lease_expires_at) > datetime.now(
                UTC
            ) + timedelta(seconds=lease / 2)
            stuck.process.send_signal(signal.SIGKILL)
            stuck.process.wait(10)
        finally:
            stuck.kill()
        killed_at = datetime.now(UTC)
        row = services.catalogue.get_submission(submission_id)
        expires = as_utc(row.lease_expires_at)
        assert row.status == "processing" and row.claims == 1
        assert services.catalogue.count_offerings() == 0  # its transaction rolled back

        # Until the lease runs out nobody takes it; the killed worker still holds it.
        tries = 0
        while datetime.now(UTC) < expires - timedelta(seconds=0.3):
            assert services.ingest.claim_next() is None
            tries += 1
            time.sleep(0.1)
        assert tries > 0 or expires <= killed_at + timedelta(seconds=0.3)
        assert wait_for(lambda: datetime.now(UTC) > expires, lease + 5)
        reports = services.worker.run_pending()
        assert [(r.submission_id, r.status, r.created) for r in reports] == [
            (submission_id, "applied", 1)
        ]
        assert services.worker.run_pending() == []
        row = services.catalogue.get_submission(submission_id)
        assert (row.status, row.claims) == ("applied", 2)
        assert len(services.catalogue.runs_for_submission(submission_id)) == 1
        assert services.catalogue.get_offering(offering_key(provider.id, "K1")).version == 1
    finally:
        services.close()


def test_two_scheduler_processes_run_a_due_pull_once(services, settings, tmp_path, provider):
    with FeedServer("id,title,mode,price\nP1,Pulled once,Online,NZ$100\n") as server:
        source = register(services, provider, server.url)
        stop = tmp_path / "stop"
        ready = [tmp_path / f"ready{i}" for i in range(2)]
        schedulers = [
            Child(
                "scheduler", job(settings, tmp_path, f"s{i}", ready=str(ready[i]), stop=str(stop))
            )
            for i in range(2)
        ]
        try:
            assert wait_for(lambda: all(r.exists() for r in ready), 60)
            job_id = f"pull-source-{source.id}"
            with services.engine.connect() as conn:
                assert conn.execute(text("SELECT id FROM apscheduler_jobs")).scalars().all() == [
                    job_id
                ]
            # Make the stored job due a moment from now, through APScheduler (paused: this
            # one runs nothing); both schedulers read it from the shared job store.
            due = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=2)
            editor = BackgroundScheduler(
                jobstores={
                    "default": SQLAlchemyJobStore(
                        engine=services.engine, tablename="apscheduler_jobs"
                    )
                },
                timezone="UTC",
            )
            editor.start(paused=True)
            editor.modify_job(job_id, next_run_time=due)
            editor.shutdown(wait=False)
            assert wait_for(lambda: services.sources.pull_runs(provider.id), 30)
            time.sleep(3)  # time for a second run, if there were to be one
        finally:
            stop.write_text("stop")
            answers = [s.answer(60) for s in schedulers]
        logs = "".join(s.stderr for s in schedulers)
    runs = services.sources.pull_runs(provider.id)
    assert [r["outcome"] for r in runs] == ["fetched"]
    assert len(server.requests) == 1
    with services.engine.connect() as conn:
        claims = conn.execute(
            select(
                ScheduledRunRow.kind,
                ScheduledRunRow.source_id,
                ScheduledRunRow.due_at,
                ScheduledRunRow.claimed_by,
            )
        ).all()
    assert [(k, s, as_utc(d)) for k, s, d, _ in claims] == [("pull", source.id, due)]
    assert claims[0].claimed_by in {a["scheduler"] for a in answers}
    raced = "another scheduler took it" in logs
    print(
        f"\nthe second scheduler {'found it due too and lost the claim' if raced else 'found it done'}"
    )


# --- API processes ---------------------------------------------------------------------------
def test_two_api_instances_share_the_agency_rate_limit(services, settings):
    limited = settings.model_copy(update={"agency_rate_per_minute": 3})
    first, second = build_services(limited), build_services(limited)
    key = services.keys.create("agency", label="Ministry").secret
    headers = {"Authorization": f"Bearer {key}"}
    try:
        with (
            TestClient(create_web_app(first, background=False)) as a,
            TestClient(create_web_app(second, background=False)) as b,
        ):
            answers = [
                client.get("/v1/export/columns", headers=headers).status_code
                for client in (a, b, a)
            ]
            assert answers == [200, 200, 200]
            refused = b.get("/v1/export/columns", headers=headers)
            assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
            assert a.get("/v1/export/columns", headers=headers).status_code == 429
    finally:
        first.close()
        second.close()
