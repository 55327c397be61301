"""A real RQ worker for the tests: `flask jobs worker` in a process of its own, on the
test's database, storage, outbox and Redis queue.

Redis is the one at PCPT_TEST_REDIS_URL (default redis://127.0.0.1:6379/5, database 5
kept for these tests). The SQLite and PostgreSQL runs of the suite may share it at the
same time, so nothing is flushed: each test has a queue of its own (`JOBS_QUEUE`, which
also names its messages) and deletes only the keys that carry that name.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from redis import Redis
from redis.exceptions import RedisError

from tests.conftest import ROOT

REDIS_URL = os.environ.get("PCPT_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
REQUIRE_REDIS = os.environ.get("PCPT_REQUIRE_REDIS") == "1"
SKIP_REASON = (
    f"the background job tests need Redis at {REDIS_URL} "
    "(apt-get install redis-server, or set PCPT_TEST_REDIS_URL)"
)


def redis_or_skip() -> Redis:
    redis = Redis.from_url(REDIS_URL, socket_timeout=5)
    try:
        redis.ping()
    except RedisError:
        if REQUIRE_REDIS:
            pytest.fail(f"PCPT_REQUIRE_REDIS=1 but {SKIP_REASON}")
        pytest.skip(SKIP_REASON)
    return redis


class PrivateQueue:
    """A queue name of this test's own, and the clean-up of every key that names it."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self.url = REDIS_URL
        self.name = f"pcpt-test-{uuid.uuid4().hex[:12]}"

    def forget(self) -> None:
        for key in self.redis.scan_iter(match=f"*{self.name}*", count=500):
            self.redis.delete(key)
        for key in ("rq:workers", "rq:queues"):
            for member in self.redis.smembers(key):
                if self.name.encode() in member:
                    self.redis.srem(key, member)


class WorkerProcess:
    """`flask jobs worker` serving one test's queue; `burst` stops once the queue is empty."""

    def __init__(self, app, queue: PrivateQueue, folder: Path, *, lease_seconds: int = 120) -> None:
        self.log_path = folder / f"worker-{uuid.uuid4().hex[:6]}.log"
        self.env = {
            **os.environ,
            "PCPT_WORKER_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "PCPT_WORKER_UPLOAD_DIR": app.config["UPLOAD_DIR"],
            "PCPT_WORKER_STORAGE_URL": app.config.get("STORAGE_URL") or "",
            "PCPT_WORKER_MAIL_OUTBOX": app.config["MAIL_OUTBOX"],
            "PCPT_WORKER_REDIS_URL": queue.url,
            "PCPT_WORKER_QUEUE": queue.name,
            "PCPT_WORKER_LEASE_SECONDS": str(lease_seconds),
        }
        self.process: subprocess.Popen | None = None

    def start(self, *, burst: bool = True) -> WorkerProcess:
        command = [sys.executable, "-m", "flask", "--app", "tests.jobs.worker_app"]
        command += ["jobs", "worker", *(["--burst"] if burst else [])]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait(self, seconds: float = 120) -> int:
        assert self.process is not None
        try:
            return self.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"the worker did not finish:\n{self.log()[-3000:]}")

    def pause(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGCONT)

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as when a machine dies."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.resume()
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_until(done: Callable[[], object], what: str, seconds: float = 120) -> object:
    """Poll `done` until it answers something true (no timed assertion: only a bound on
    how long to wait before saying what never happened)."""
    deadline = time.monotonic() + seconds
    while True:
        found = done()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"never happened: {what}")
        time.sleep(0.02)
