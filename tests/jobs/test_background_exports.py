"""Exports too large for a request go to the queue: a real `flask jobs worker` prepares the
file, only the person who asked can download it, and they are e-mailed when it is ready.
Without a queue, or for a small export, the file streams in the request as before."""

from __future__ import annotations

import email
from datetime import timedelta
from pathlib import Path

from rq import Queue
from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.export_jobs import ExportJob
from app.services.jobs import export_attempts, export_jobs, tasks
from app.services.reporting.scope import ReportFilters
from app.services.storage import current_storage
from tests.jobs.conftest import INLINE_MAX_ROWS, TRAINEES

ROWS = TRAINEES * 20  # the NCF has 20 competencies


def fresh(job_id: int) -> ExportJob:
    """The job as the database holds it now (a worker process changed it)."""
    db.session.rollback()
    return db.session.get(ExportJob, job_id, populate_existing=True)


def ask_for_competencies(client) -> int:
    """The lead's way: the dashboard's link, the page saying it is large, the button."""
    link = client.get("/lead/exports/competencies.csv")
    assert link.status_code == 303
    assert link.headers["Location"].endswith("/lead/exports/competencies-csv/prepare")
    page = client.get("/lead/exports/competencies-csv/prepare")
    assert f"about {ROWS:,} rows" in page.get_data(as_text=True)
    asked = client.post("/lead/exports/competencies-csv/prepare")
    assert asked.status_code == 303
    return int(asked.headers["Location"].rsplit("/", 1)[1])


def streamed_competencies(client, app) -> bytes:
    """What the same export streams in the request when there is no queue."""
    url = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = ""
    try:
        response = client.get("/lead/exports/competencies.csv")
    finally:
        app.config["REDIS_URL"] = url
    assert response.status_code == 200
    return response.data


def export_keys() -> list[str]:
    return sorted(o.key for o in current_storage().iter_keys() if o.key.startswith("exports/"))


def outbox(app) -> list[email.message.Message]:
    folder = Path(app.config["MAIL_OUTBOX"])
    files = sorted(folder.glob("*.eml")) if folder.exists() else []
    return [email.message_from_bytes(f.read_bytes()) for f in files]


def test_without_a_queue_a_large_export_streams_in_the_request(
    app, client, bulk_cohort, sign_in_as
):
    app.config["EXPORT_INLINE_MAX_ROWS"] = INLINE_MAX_ROWS
    sign_in_as(client, bulk_cohort.email)
    response = client.get("/lead/exports/competencies.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert len(response.data.decode().splitlines()) == ROWS + 1
    # Asked for anyway, the prepare page sends the browser to the streamed file.
    prepare = client.get("/lead/exports/competencies-csv/prepare")
    assert prepare.status_code == 303
    assert prepare.headers["Location"].endswith("/lead/exports/competencies.csv")
    assert db.session.scalars(select(ExportJob)).all() == []


def test_a_small_export_streams_even_with_a_queue(queued_app, client, bulk_cohort, sign_in_as):
    queued_app.config["EXPORT_INLINE_MAX_ROWS"] = ROWS
    sign_in_as(client, bulk_cohort.email)
    response = client.get("/lead/exports/competencies.csv")
    assert response.status_code == 200
    assert len(response.data.decode().splitlines()) == ROWS + 1
    dashboard = client.get("/lead/dashboard").get_data(as_text=True)
    assert 'href="/lead/exports/competencies.csv" download>' in dashboard
    assert "/lead/exports/competencies-csv/prepare" not in dashboard


def test_the_dashboard_offers_a_large_export_to_prepare_not_to_download(
    queued_app, client, bulk_cohort, sign_in_as
):
    sign_in_as(client, bulk_cohort.email)
    dashboard = client.get("/lead/dashboard").get_data(as_text=True)
    assert 'href="/lead/exports/competencies-csv/prepare"' in dashboard
    assert "Competencies, one row per trainee and competency (CSV): large, prepared" in dashboard
    assert 'href="/lead/exports/progress-csv/prepare"' in dashboard  # 150 rows > 100
    assert "/lead/exports/cohort-summary.pdf" in dashboard  # the PDF is a summary: always streamed


def test_a_worker_prepares_a_large_export_and_only_the_requester_downloads_it(
    queued_app, client, bulk_cohort, sign_in_as, start_worker, test_queue, make_user
):
    sign_in_as(client, bulk_cohort.email)
    job_id = ask_for_competencies(client)
    job = fresh(job_id)
    assert (job.status, job.rows_total, job.requester_id) == ("queued", ROWS, bulk_cohort.id)
    assert Queue(test_queue.name, connection=test_queue.redis).count == 1
    requested = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export.requested")
    ).one()
    assert requested.subject_id == str(job_id)
    page = client.get(f"/lead/exports/jobs/{job_id}").get_data(as_text=True)
    assert "Waiting to start" in page
    assert f"0 of {ROWS:,} rows" in page
    assert client.get(f"/lead/exports/jobs/{job_id}/download").status_code == 404

    assert start_worker().wait() == 0

    job = fresh(job_id)
    assert (job.status, job.rows_done, job.attempts) == ("done", ROWS, 1)
    assert job.expires_at - job.finished_at == timedelta(hours=24)
    download = client.get(f"/lead/exports/jobs/{job_id}/download")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == (
        f'attachment; filename="competencies-{job.report_on.isoformat()}.csv"'
    )
    assert download.headers["Cache-Control"] == "private, no-store"
    assert download.data == streamed_competencies(client, queued_app)
    assert export_keys() == [job.storage_key]
    status = client.get(f"/lead/exports/jobs/{job_id}/status").get_json()
    assert status["ready"] is True
    assert status["progress_text"] == f"{ROWS:,} of {ROWS:,} rows"
    page = client.get(f"/lead/exports/jobs/{job_id}").get_data(as_text=True)
    assert "Ready to download" in page
    assert "Kept until" in page

    [mail] = [m for m in outbox(queued_app) if m["To"] == bulk_cohort.email]
    assert mail["Subject"] == "Your export is ready"
    assert f"http://127.0.0.1:5000/lead/exports/jobs/{job_id}" in mail.get_payload()
    assert "@" not in mail.get_payload().split("ready.")[0]  # no trainee's details

    # Another lead, even over the same trainees, finds nothing there.
    other = make_user(roles=("lead",), org=bulk_cohort.organisation)
    client.post("/auth/logout")
    client.post("/auth/login", data={"email": other.email, "password": "correct horse battery"})
    for path in ("", "/status", "/download"):
        assert client.get(f"/lead/exports/jobs/{job_id}{path}").status_code == 404
    listing = client.get("/lead/exports/jobs").get_data(as_text=True)
    assert f"/lead/exports/jobs/{job_id}" not in listing
    assert "You have not asked for any large exports" in listing


def test_the_status_answer_says_the_progress_in_rows(queued_app, client, bulk_cohort, sign_in_as):
    sign_in_as(client, bulk_cohort.email)
    job_id = ask_for_competencies(client)
    job = fresh(job_id)
    job.status, job.rows_done = "running", 1200
    db.session.commit()
    status = client.get(f"/lead/exports/jobs/{job_id}/status")
    assert status.headers["Cache-Control"] == "private, no-store"
    assert status.get_json() == {
        "id": job_id,
        "status": "running",
        "status_label": "Being prepared",
        "rows_done": 1200,
        "rows_total": ROWS,
        "percent": 40,
        "progress_text": f"1,200 of {ROWS:,} rows",
        "finished": False,
        "ready": False,
        "expires_at": None,
    }
    page = client.get(f"/lead/exports/jobs/{job_id}").get_data(as_text=True)
    assert f'<progress class="app-export-bar" id="export-bar" max="{ROWS}" value="1200">' in page
    assert 'role="status" aria-live="polite">1,200 of 3,000 rows</p>' in page
    assert "Refresh to see the latest progress" in page


def test_a_finished_file_is_deleted_after_its_day(queued_app, client, bulk_cohort, sign_in_as):
    sign_in_as(client, bulk_cohort.email)
    job_id = ask_for_competencies(client)
    assert tasks.run_export(job_id) == "done"
    job = fresh(job_id)
    key = job.storage_key
    assert current_storage().exists(key)
    outcome = export_attempts.sweep(now=job.expires_at - timedelta(seconds=1))
    assert outcome.expired == 0
    assert current_storage().exists(key)

    outcome = export_attempts.sweep(now=job.expires_at)
    assert outcome.expired == 1
    job = fresh(job_id)
    assert (job.status, job.storage_key) == ("expired", None)
    assert not current_storage().exists(key)
    assert client.get(f"/lead/exports/jobs/{job_id}/download").status_code == 404
    page = client.get(f"/lead/exports/jobs/{job_id}").get_data(as_text=True)
    assert "No longer kept" in page
    assert "This file is no longer kept" in page


def test_after_the_last_attempt_a_job_fails_and_says_so(queued_app, bulk_cohort):
    job = export_jobs.request_export(
        bulk_cohort, ReportFilters(), "progress-csv", today=bulk_cohort.created_at.date()
    )
    db.session.commit()
    for attempt in range(1, 4):
        claimed = export_attempts.claim(job.id, f"exports/{attempt:040x}")
        assert claimed is not None
        assert claimed.number == attempt
        later = fresh(job.id).lease_until + timedelta(seconds=1)
        assert export_attempts.sweep(now=later).requeued == 1
    job = fresh(job.id)
    assert (job.status, job.attempts) == ("failed", 3)
    assert job.error == "the worker stopped before the file was finished"
    assert export_attempts.claim(job.id, "exports/" + "f" * 40) is None
    [mail] = outbox(queued_app)
    assert mail["Subject"] == "Your export could not be prepared"
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject_type == "export_job")
    ).all()
    assert actions == ["export.requested", *["export.requeued"] * 2, "export.failed"]


def test_the_worker_needs_a_queue(runner):
    result = runner.invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code == 1
    assert "REDIS_URL is not set" in result.output
