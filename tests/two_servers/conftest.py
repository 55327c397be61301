"""The two-server test's shared services: the S3 server (tests/s3_server.py) and a Redis
queue name of the test's own (tests/jobs/worker_process.py)."""

from __future__ import annotations

import pytest

from tests.jobs.worker_process import PrivateQueue, redis_or_skip
from tests.s3_server import s3_server  # noqa: F401 - registers the fixture


@pytest.fixture
def shared_queue():
    queue = PrivateQueue(redis_or_skip())
    yield queue
    queue.forget()
