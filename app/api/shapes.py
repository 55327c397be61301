"""The API's JSON bodies built from service rows, and report filters read from query
arguments: shared by the trainee, evidence and report endpoints."""

from __future__ import annotations

from app.services.portfolio.lists import EvidenceRow
from app.services.reporting.progress_rows import TraineeProgress
from app.services.reporting.scope import ReportFilters


def evidence_out(row: EvidenceRow) -> dict:
    return {
        "id": row.id,
        "type": row.type_code,
        "title": row.title,
        "occurred_on": row.occurred_on,
        "status": row.status,
        "competencies": row.competency_codes,
        "version": row.version_number,
        "completed_by": "assessor" if row.assessor_completed else "trainee",
    }


def filters_from(args: dict) -> ReportFilters:
    return ReportFilters(
        organisation_id=args.get("organisation_id"),
        cohort_id=args.get("cohort_id"),
        supervisor_id=args.get("supervisor_id"),
        flag=args.get("flag"),
    )


def list_item(row: TraineeProgress) -> dict:
    return {
        "id": row.trainee_id,
        "name": row.name,
        "email": row.email,
        "enrolment_id": row.enrolment_id,
        "organisation": row.organisation,
        "cohort": row.cohort,
        "clinical_supervisor": row.clinical_supervisor,
        "progress": {
            "signed_off": row.signed_off,
            "total": row.total,
            "percent": row.percent,
            "expected_percent": row.expected_percent,
        },
        "awaiting_review": row.awaiting_review,
        "last_activity_on": row.last_activity_on,
        "registration": row.registration_flag,
        "level3": row.level3_status,
        "flags": [str(flag) for flag in row.flags],
        "enrolment_status": row.status,
        "paused_days": row.paused_days,
        "expected_end_on_after_pauses": row.adjusted_end_on,
    }
