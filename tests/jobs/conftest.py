"""Fixtures for the background job tests: a Redis queue of the test's own, a real
`flask jobs worker` process, and a bulk cohort large enough to need the queue."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.demo.generate import REGION_LEAD_EMAIL, generate_dataset
from app.demo.seed import DEMO_PASSWORD
from app.extensions import db
from app.services.accounts import users as accounts
from tests.jobs.worker_process import PrivateQueue, WorkerProcess, redis_or_skip

# Small enough to be quick, large enough that the competencies export (20 rows a
# trainee) goes to the queue and reports its progress many times.
TRAINEES = 150
INLINE_MAX_ROWS = 100


@pytest.fixture
def test_queue() -> Iterator[PrivateQueue]:
    queue = PrivateQueue(redis_or_skip())
    yield queue
    queue.forget()


@pytest.fixture
def queued_app(app, test_queue: PrivateQueue):
    """The test's app with a queue: exports over INLINE_MAX_ROWS rows go to it."""
    app.config.update(
        REDIS_URL=test_queue.url, JOBS_QUEUE=test_queue.name, EXPORT_INLINE_MAX_ROWS=INLINE_MAX_ROWS
    )
    return app


@pytest.fixture
def start_worker(
    app, test_queue: PrivateQueue, tmp_path: Path
) -> Iterator[Callable[..., WorkerProcess]]:
    started: list[WorkerProcess] = []

    def start(*, burst: bool = True, lease_seconds: int = 120) -> WorkerProcess:
        worker = WorkerProcess(app, test_queue, tmp_path, lease_seconds=lease_seconds)
        started.append(worker.start(burst=burst))
        return worker

    yield start
    for worker in started:
        worker.stop()
    logs = "".join(w.log() for w in started)
    assert "Traceback" not in logs, f"a worker logged an error:\n{logs[-5000:]}"


@pytest.fixture
def bulk_cohort(app, framework):
    """TRAINEES generated trainees; the region lead sees them all."""
    generate_dataset(TRAINEES, 0, seed=5)
    db.session.commit()
    return accounts.find_user_by_email(REGION_LEAD_EMAIL)


@pytest.fixture
def sign_in_as():
    def sign_in(client, email: str, password: str = DEMO_PASSWORD) -> None:
        response = client.post("/auth/login", data={"email": email, "password": password})
        assert response.status_code == 302, "sign-in failed"

    return sign_in
