"""The app a test's RQ worker runs (tests only): `flask --app tests.jobs.worker_app jobs
worker`, on the test's database, storage, outbox, Redis and queue, named by environment
variables (see `WorkerProcess` in worker_process.py)."""

from __future__ import annotations

import os

from app import create_app

app = create_app(
    "testing",
    SQLALCHEMY_DATABASE_URI=os.environ["PCPT_WORKER_DATABASE_URL"],
    UPLOAD_DIR=os.environ["PCPT_WORKER_UPLOAD_DIR"],
    STORAGE_URL=os.environ.get("PCPT_WORKER_STORAGE_URL", ""),
    MAIL_OUTBOX=os.environ["PCPT_WORKER_MAIL_OUTBOX"],
    REDIS_URL=os.environ["PCPT_WORKER_REDIS_URL"],
    JOBS_QUEUE=os.environ["PCPT_WORKER_QUEUE"],
    EXPORT_JOB_LEASE_SECONDS=int(os.environ.get("PCPT_WORKER_LEASE_SECONDS", "120")),
)
