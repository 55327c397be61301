"""The progress report through the API: the dashboard's rows, in its scope and with its
filters, as streamed JSON, CSV or XLSX (the same files the dashboard exports)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from flask import Response

from app.api.blueprint import bp, errors, query_args
from app.api.schemas import ProgressReport, ProgressReportArgs
from app.api.shapes import filters_from, list_item
from app.auth.current import me
from app.database import streamed_reads
from app.downloads import download
from app.models.users import User
from app.permissions import roles
from app.services.clock import uk_today
from app.services.frameworks.labels import LabelsById
from app.services.reporting import csv_export as exports_csv
from app.services.reporting import xlsx_export as exports_xlsx
from app.services.reporting.progress_report import TraineeProgress, iter_progress
from app.services.reporting.scope import ReportFilters


def report_row(row: TraineeProgress, framework_of: LabelsById) -> dict:
    item = list_item(row)
    item.update(
        {
            "framework_label": framework_of(row.framework_id),
            "gphc_number": row.gphc_number,
            "registration_expires_on": row.registration_expires_on,
            "pathway_status": row.pathway_status,
            "pathway_stage": row.pathway_stage,
            "pathway_stage_since": row.pathway_stage_since,
            "overdue_objectives": row.overdue_objectives,
            "domains": {
                d.code: {"signed_off": d.signed_off, "total": d.total, "percent": d.percent}
                for d in row.domains
            },
        }
    )
    return item


def _json_default(value: object) -> str:
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[no-any-return]
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def json_chunks(viewer: User, filters: ReportFilters) -> Iterator[bytes]:
    """`{"items": [...], "total": n}` written row by row: memory stays flat."""
    yield b'{"items": ['
    total = 0
    framework_of = LabelsById()
    for row in iter_progress(viewer, filters, today=uk_today()):
        prefix = b"," if total else b""
        yield prefix + json.dumps(report_row(row, framework_of), default=_json_default).encode()
        total += 1
    yield b'], "total": %d}' % total


@bp.route("/reports/progress")
@query_args(ProgressReportArgs)
@bp.response(
    200,
    ProgressReport,
    description="JSON by default; `format=csv` or `format=xlsx` gives the dashboard's "
    "export file instead (text/csv, or the XLSX media type)",
)
@errors(400, 401, 403)
@bp.doc(
    summary="The cohort progress report, streamed (leads and supervisors)",
    responses={
        200: {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                exports_xlsx.MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
            }
        }
    },
)
@roles("lead", "supervisor")
def progress(format: str, **filter_args):
    viewer, filters, today = me(), filters_from(filter_args), uk_today()
    if format == "csv":
        chunks = exports_csv.progress_csv(viewer, filters, today=today)
        return download(streamed_reads(chunks), "text/csv", f"progress-{today}.csv")
    if format == "xlsx":
        path = exports_xlsx.build_progress_workbook(viewer, filters, today=today)
        return download(
            exports_xlsx.stream_and_delete(path), exports_xlsx.MEDIA_TYPE, f"progress-{today}.xlsx"
        )
    return Response(streamed_reads(json_chunks(viewer, filters)), mimetype="application/json")
