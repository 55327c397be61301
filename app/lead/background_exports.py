"""Exports prepared in the background: asking for one, following its progress (a page,
and a small JSON status the page's script polls), and downloading the finished file.

Only the person who asked sees a job; anyone else gets a 404 (`export_jobs.job_for`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from flask import Response, abort, jsonify, redirect, render_template, request, url_for

from app.auth.current import me
from app.downloads import download
from app.extensions import db
from app.form_base import PortfolioForm, show_error
from app.lead.blueprint import bp
from app.lead.common import export_filters
from app.models.base import utcnow
from app.permissions import roles
from app.services.clock import uk_today
from app.services.errors import DomainError
from app.services.jobs import export_jobs
from app.services.storage import StoredFileMissing, current_storage
from app.services.storage.store import CHUNK

# The streaming download of each kind, for an export small enough (or no queue).
STREAMED = {
    "progress-csv": "lead.export_progress_csv",
    "competencies-csv": "lead.export_competencies_csv",
    "progress-xlsx": "lead.export_progress_xlsx",
}


class PrepareExportForm(PortfolioForm):
    """Only the CSRF token: what to export is in the address, as on the dashboard."""


def _kind_or_404(kind: str) -> export_jobs.ExportKind:
    return export_jobs.KINDS.get(kind) or abort(404)


@bp.route("/exports/<kind>/prepare", methods=["GET", "POST"])
@roles("lead", "supervisor")
def export_prepare(kind: str):
    export_kind = _kind_or_404(kind)
    filters = export_filters()
    if isinstance(filters, Response):
        return filters
    viewer = me()
    if not export_jobs.runs_in_background(viewer, filters, kind):
        return redirect(url_for(STREAMED[kind], **request.args), 303)
    form = PrepareExportForm()
    if form.validate_on_submit():
        try:
            job = export_jobs.request_export(viewer, filters, kind, today=uk_today())
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            return redirect(url_for("lead.export_job", job_id=job.id), 303)
    return render_template(
        "lead/export_prepare.jinja",
        title="Prepare a large export",
        form=form,
        kind=export_kind,
        rows=export_jobs.rows_for(viewer, filters, kind),
        filtered=bool(request.args),
        keep_hours=export_jobs.keep_hours(),
    )


@bp.route("/exports/jobs")
@roles("lead", "supervisor")
def export_jobs_list():
    return render_template(
        "lead/export_jobs.jinja",
        title="Your exports",
        jobs=export_jobs.recent_jobs(me()),
        kinds=export_jobs.KINDS,
        labels=export_jobs.STATUS_LABELS,
        now=utcnow(),
        downloadable=export_jobs.downloadable,
        progress_words=export_jobs.progress_words,
    )


@bp.route("/exports/jobs/<int:job_id>")
@roles("lead", "supervisor")
def export_job(job_id: int):
    job = export_jobs.job_for(me(), job_id) or abort(404)
    return render_template(
        "lead/export_job.jinja",
        title=f"Export: {export_jobs.kind_of(job).label}",
        job=job,
        kind=export_jobs.kind_of(job),
        state=export_jobs.status_view(job),
        filename=export_jobs.filename(job),
    )


@bp.route("/exports/jobs/<int:job_id>/status")
@roles("lead", "supervisor")
def export_job_status(job_id: int):
    job = export_jobs.job_for(me(), job_id) or abort(404)
    response = jsonify(export_jobs.status_view(job))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/exports/jobs/<int:job_id>/download")
@roles("lead", "supervisor")
def export_job_download(job_id: int):
    job = export_jobs.job_for(me(), job_id) or abort(404)
    if not export_jobs.downloadable(job):
        abort(404)
    try:
        handle = current_storage().open(job.storage_key)
    except StoredFileMissing:
        abort(404)
    return download(
        _Streamed(handle), export_jobs.kind_of(job).media_type, export_jobs.filename(job)
    )


class _Streamed:
    """The stored file in chunks, closed when the response is (read or not: a HEAD
    request never starts the body)."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self._handle.read(CHUNK):
            yield chunk

    def close(self) -> None:
        self._handle.close()
