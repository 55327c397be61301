"""Exports from the cohort dashboard: the same scope and filters as the page.

CSV streams as it is written; the XLSX is built in constant memory into a temporary
file that is streamed and deleted; PDFs are small enough to build whole.
"""

from __future__ import annotations

import re
import unicodedata

from flask import Response, abort, redirect, request, url_for

from app.auth.current import me
from app.database import streamed_reads
from app.downloads import download
from app.lead.blueprint import bp
from app.lead.common import export_filters, scope_label
from app.permissions import roles
from app.services.clock import uk_today
from app.services.jobs import export_jobs
from app.services.reporting import csv_export as exports_csv
from app.services.reporting import pdf_export as exports_pdf
from app.services.reporting import progress_report
from app.services.reporting import scope as report_scope
from app.services.reporting import xlsx_export as exports_xlsx
from app.services.reporting.scope import ReportFilters
from app.services.reporting.trainee_summary import trainee_summary


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "trainee"


def streamed_filters(kind: str) -> ReportFilters | Response:
    """The filters of an export streamed in this request; one too large for that, with a
    queue configured, goes to the page that prepares it in the background."""
    filters = export_filters()
    if isinstance(filters, Response):
        return filters
    if export_jobs.runs_in_background(me(), filters, kind):
        return redirect(url_for("lead.export_prepare", kind=kind, **request.args), 303)
    return filters


@bp.route("/exports/progress.csv")
@roles("lead", "supervisor")
def export_progress_csv():
    filters = streamed_filters("progress-csv")
    if isinstance(filters, Response):
        return filters
    today = uk_today()
    chunks = exports_csv.progress_csv(me(), filters, today=today)
    return download(streamed_reads(chunks), "text/csv", f"progress-{today}.csv")


@bp.route("/exports/competencies.csv")
@roles("lead", "supervisor")
def export_competencies_csv():
    filters = streamed_filters("competencies-csv")
    if isinstance(filters, Response):
        return filters
    today = uk_today()
    chunks = exports_csv.competencies_csv(me(), filters, today=today)
    return download(streamed_reads(chunks), "text/csv", f"competencies-{today}.csv")


@bp.route("/exports/progress.xlsx")
@roles("lead", "supervisor")
def export_progress_xlsx():
    filters = streamed_filters("progress-xlsx")
    if isinstance(filters, Response):
        return filters
    today = uk_today()
    path = exports_xlsx.build_progress_workbook(me(), filters, today=today)
    return download(
        exports_xlsx.stream_and_delete(path), exports_xlsx.MEDIA_TYPE, f"progress-{today}.xlsx"
    )


@bp.route("/exports/cohort-summary.pdf")
@roles("lead", "supervisor")
def export_cohort_summary_pdf():
    filters = export_filters()
    if isinstance(filters, Response):
        return filters
    today = uk_today()
    viewer = me()
    report = progress_report.build_report(viewer, filters, today=today)
    described = "Filtered as on the dashboard." if filters != ReportFilters() else "No filters."
    content = exports_pdf.cohort_summary_pdf(
        report, scope_label=scope_label(viewer), filters_label=described
    )
    return download(content, exports_pdf.MEDIA_TYPE, f"cohort-summary-{today}.pdf")


@bp.route("/trainees/<int:enrolment_id>/portfolio.pdf")
@roles("lead", "supervisor")
def trainee_portfolio_pdf(enrolment_id: int):
    enrolment = report_scope.enrolment_in_scope(me(), enrolment_id) or abort(404)
    today = uk_today()
    content = exports_pdf.trainee_portfolio_pdf(
        trainee_summary(enrolment, today), generated_on=today
    )
    name = f"portfolio-{_slug(enrolment.trainee.name)}-{today}.pdf"
    return download(content, exports_pdf.MEDIA_TYPE, name)
