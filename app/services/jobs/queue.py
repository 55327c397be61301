"""The job queue: RQ on the Redis that `REDIS_URL` names, or none.

Without `REDIS_URL` nothing is queued: exports stream in the request as they always have
and the daily digest runs in the command that asks for it, so `make run` needs nothing
more. With it, work is put on the RQ queue `JOBS_QUEUE` once the transaction that asked
for it commits (a worker must never look for a row that is not there yet), and
`flask jobs worker` does it.

The database, not Redis, says what a job's state is: a message lost from Redis, or a worker
killed while working, is found by the sweep (`export_attempts.sweep`) and queued again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app
from redis import Redis
from rq import Queue
from rq.job import Job, JobStatus
from rq.worker import SimpleWorker
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db

log = logging.getLogger(__name__)

_PENDING = "pcpt.jobs_to_queue"
# Long enough for the largest export; a worker killed sooner is found by the sweep.
JOB_TIMEOUT_SECONDS = 6 * 60 * 60
_WAITING = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


@dataclass(frozen=True)
class QueuedCall:
    function: str  # dotted path of a function in app.services.jobs.tasks
    args: tuple
    job_id: str


def configured() -> bool:
    """True when a queue is configured (REDIS_URL set)."""
    return bool(current_app.config.get("REDIS_URL"))


def connection() -> Redis:
    return Redis.from_url(current_app.config["REDIS_URL"], socket_timeout=10)


def job_queue(redis: Redis | None = None) -> Queue:
    return Queue(current_app.config["JOBS_QUEUE"], connection=redis or connection())


def enqueue_after_commit(function: str, *args: object, job_id: str) -> None:
    """Put `function(*args)` on the queue once the current transaction commits.

    `job_id` names the message: the same id is not queued twice while one is waiting.
    """
    db.session.info.setdefault(_PENDING, []).append(QueuedCall(function, args, job_id))


def is_waiting(job_id: str, redis: Redis | None = None) -> bool:
    """Whether a message of this id is waiting on the queue or being worked on."""
    redis = redis or connection()
    try:
        return Job.fetch(job_id, connection=redis).get_status(refresh=False) in _WAITING
    except Exception:  # no such job (expired, never sent): not waiting
        return False


def enqueue_now(call: QueuedCall) -> None:
    redis = connection()
    if is_waiting(call.job_id, redis):
        return
    job_queue(redis).enqueue(
        call.function,
        *call.args,
        job_id=call.job_id,
        job_timeout=JOB_TIMEOUT_SECONDS,
        result_ttl=3600,
        failure_ttl=7 * 24 * 3600,
    )


def _committed(session: Session) -> None:
    for call in session.info.pop(_PENDING, []):
        try:
            enqueue_now(call)
        except Exception:  # committed already; the sweep queues it when Redis is back
            log.exception("could not queue %s; the jobs sweep will queue it again", call.job_id)


def _rolled_back(session: Session, previous_transaction) -> None:
    # Only the outermost rollback undoes the request; a savepoint's leaves it standing.
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)


event.listen(Session, "after_commit", _committed)
event.listen(Session, "after_soft_rollback", _rolled_back)


class SweepingWorker(SimpleWorker):
    """An RQ worker that runs jobs in its own process (the app is already loaded) and, as
    part of its regular maintenance, sweeps for jobs whose worker died."""

    def __init__(self, *args, sweep, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._sweep = sweep

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        try:
            self._sweep()
        except Exception:  # a sweep that fails now is tried again at the next maintenance
            self.log.exception("jobs sweep failed")
