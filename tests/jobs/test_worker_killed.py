"""A worker killed in the middle of an export (SIGKILL: no clean-up at all) leaves a job
that is retried; the retry produces one complete file, and nothing half-written is ever
offered."""

from __future__ import annotations

from sqlalchemy import select

from app.database import read_only_transactions
from app.demo.generate import REGION_LEAD_EMAIL, generate_dataset
from app.extensions import db
from app.models.audit import AuditEvent
from app.models.base import utcnow
from app.models.export_jobs import ExportJob
from app.services.accounts import users as accounts
from app.services.jobs import export_jobs
from app.services.reporting.csv_export import competencies_csv
from app.services.reporting.scope import ReportFilters
from app.services.storage import current_storage
from tests.jobs.test_background_exports import export_keys, fresh, outbox
from tests.jobs.worker_process import wait_until

# Large enough that the export is still writing when the test sees its first progress
# report and stops the worker (about 50 reports of 240 rows each).
TRAINEES = 600
ROWS = TRAINEES * 20


def test_a_worker_killed_mid_export_leaves_a_job_retried_into_one_complete_file(
    queued_app, framework, start_worker, client
):
    generate_dataset(TRAINEES, 0, seed=9)
    db.session.commit()
    lead = accounts.find_user_by_email(REGION_LEAD_EMAIL)
    job = export_jobs.request_export(
        lead, ReportFilters(), "competencies-csv", today=utcnow().date()
    )
    db.session.commit()
    job_id = job.id

    first = start_worker(lease_seconds=2)
    wait_until(lambda: fresh(job_id).rows_done > 0, "the first progress report")
    first.pause()  # frozen at once, wherever it is; then killed without warning
    job = fresh(job_id)
    assert (job.status, 0 < job.rows_done < ROWS) == ("running", True), "the export outran us"
    first.kill()

    # Killed: the job says it is still being prepared, and nothing is offered.
    job = fresh(job_id)
    assert (job.status, job.attempts) == ("running", 1)
    assert not export_jobs.downloadable(job)
    assert not current_storage().exists(job.storage_key)
    # Once its lease has passed, the next worker's sweep queues it again and runs it.
    wait_until(lambda: utcnow() > fresh(job_id).lease_until, "the dead attempt's lease to pass")
    second = start_worker()
    assert second.wait() == 0, second.log()
    assert "exports queued again: 1" in second.log()

    job = fresh(job_id)
    assert (job.status, job.attempts, job.rows_done, job.rows_total) == ("done", 2, ROWS, ROWS)
    assert export_keys() == [job.storage_key]  # one file: the complete one
    with current_storage().open(job.storage_key) as handle:
        stored = handle.read()
    assert len(stored.splitlines()) == ROWS + 1
    # Byte for byte what the same export streams in a request.
    with read_only_transactions():
        expected = b"".join(competencies_csv(lead, ReportFilters(), today=job.report_on))
    assert stored == expected
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject_type == "export_job")
    ).all()
    assert actions == ["export.requested", "export.requeued", "export.completed"]
    assert [m["Subject"] for m in outbox(queued_app)] == ["Your export is ready"]
    assert db.session.scalars(select(ExportJob.status)).all() == ["done"]
