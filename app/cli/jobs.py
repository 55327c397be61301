"""`flask --app wsgi jobs ...`: the background worker, its sweep, and the daily digest."""

from __future__ import annotations

from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup
from redis.exceptions import RedisError

from app.cli.common import fails_cleanly
from app.extensions import db
from app.services.clock import uk_today
from app.services.jobs import export_attempts, queue
from app.services.jobs import tasks as job_tasks

jobs_cli = AppGroup("jobs", help="Background jobs: the worker, its sweep, the daily digest.")


def _sweep_line() -> str:
    outcome = export_attempts.sweep()
    return (
        f"exports queued again: {outcome.requeued}; messages sent again: {outcome.resent}; "
        f"expired files deleted: {outcome.expired}"
    )


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
@fails_cleanly
def worker(burst: bool) -> None:
    """Run queued jobs (exports, the daily digest) until stopped (SIGTERM finishes the
    current job first)."""
    if not queue.configured():
        raise click.ClickException("REDIS_URL is not set: there is no queue to work on")
    try:
        redis = queue.connection()
        redis.ping()
    except RedisError as error:
        raise click.ClickException(f"Redis at REDIS_URL cannot be reached ({error})") from None
    click.echo(_sweep_line())
    sweeping = queue.SweepingWorker(
        [queue.job_queue(redis)],
        connection=redis,
        sweep=_sweep_line,
        maintenance_interval=int(current_app.config["JOBS_SWEEP_SECONDS"]),
    )
    sweeping.work(burst=burst, logging_level="INFO")


@jobs_cli.command("sweep")
@fails_cleanly
def sweep() -> None:
    """Queue again exports whose worker died, resend lost messages, delete expired files."""
    try:
        click.echo(_sweep_line())
    except RedisError as error:
        raise click.ClickException(f"Redis at REDIS_URL cannot be reached ({error})") from None


@jobs_cli.command("digest")
@click.option("--date", "on", help="The day the digest is for, as YYYY-MM-DD (default: today).")
@fails_cleanly
def digest(on: str | None) -> None:
    """The daily digest: put on the queue when REDIS_URL is set, otherwise sent now."""
    try:
        day = date.fromisoformat(on) if on else uk_today()
    except ValueError:
        raise click.ClickException(f"--date must be a date as YYYY-MM-DD, not {on!r}") from None
    if not queue.configured():
        click.echo(job_tasks.digest_now(day))
        return
    db.session.rollback()
    try:
        queue.enqueue_now(
            queue.QueuedCall(
                job_tasks.SEND_DIGEST,
                (day.isoformat(),),
                f"{current_app.config['JOBS_QUEUE']}-digest-{day.isoformat()}",
            )
        )
    except RedisError as error:
        raise click.ClickException(f"Redis at REDIS_URL cannot be reached ({error})") from None
    click.echo(f"digest for {day.isoformat()} queued")
