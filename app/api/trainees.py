"""Trainees through the API: the progress list, one trainee's status, their evidence.

The list is the cohort dashboard's report (same scope, same filters, same fixed number
of queries); one trainee answers 404 unless the pages would show them to the caller.
"""

from __future__ import annotations

from app.api.blueprint import bp, errors, query_args
from app.api.problems import ApiProblem
from app.api.schemas import EvidenceList, PageArgs, TraineeDetail, TraineeList, TraineeListArgs
from app.api.shapes import evidence_out, filters_from, list_item
from app.auth.current import me
from app.models.enrolments import Enrolment
from app.models.signoffs import SignOff
from app.models.users import User
from app.permissions import roles
from app.services.clock import uk_today
from app.services.frameworks.labels import framework_label
from app.services.portfolio import lists as evidence_lists
from app.services.registration.qualifications import qualification_for
from app.services.registration.records import RegistrationStatus, registration_status
from app.services.reporting.progress_report import progress_report
from app.services.reporting.trainee_summary import CompetencyStanding, competency_standing
from app.services.supervision.access import trainee_record_for_viewer


@bp.route("/trainees")
@query_args(TraineeListArgs)
@bp.response(200, TraineeList)
@errors(400, 401, 403)
@bp.doc(summary="Trainees in your scope with their progress (the cohort dashboard's rows)")
@roles("lead", "supervisor")
def trainee_list(page: int, per_page: int, **filters):
    found = progress_report(
        me(), filters_from(filters), page=page, per_page=per_page, count_flags=False
    )
    return {
        "items": [list_item(row) for row in found.rows],
        "page": found.page,
        "per_page": found.per_page,
        "total": found.total,
    }


def _visible(trainee_id: int) -> tuple[User, Enrolment | None]:
    """The trainee and the enrolment the caller may see; 404 when they may see neither."""
    found = trainee_record_for_viewer(me(), trainee_id)
    if found is None:
        raise ApiProblem(404, "not_found", "No trainee with that id is visible to you")
    return found


def _registration(status: RegistrationStatus) -> dict:
    row = status.registration
    return {
        "flag": status.flag,
        "label": status.label,
        "status": row.status if row else None,
        "register": row.register if row else None,
        "number": status.number,
        "expires_on": status.expires_on,
        "verified": status.verified,
    }


def _qualification(trainee_id: int) -> dict:
    row = qualification_for(trainee_id)
    if row is None:
        return {"kind": None, "title": None, "status": None, "achieved_on": None, "verified": False}
    return {
        "kind": row.kind,
        "title": row.title,
        "status": row.status,
        "achieved_on": row.achieved_on,
        "verified": row.verified_by_id is not None,
    }


def _person(user: User | None) -> dict | None:
    return {"id": user.id, "name": user.name} if user else None


def _enrolment(enrolment: Enrolment) -> dict:
    return {
        "id": enrolment.id,
        "framework": enrolment.framework.code,
        "version": enrolment.framework.version,
        "framework_status": enrolment.framework.status,
        "framework_label": framework_label(enrolment.framework),
        "status": enrolment.status,
        "supervisor": _person(enrolment.clinical_supervisor),
        "education_supervisor": _person(enrolment.education_supervisor),
        "cohort": enrolment.cohort.name if enrolment.cohort else None,
        "started_on": enrolment.started_on,
        "expected_end_on": enrolment.expected_end_on,
    }


def _competencies(found: CompetencyStanding) -> list[dict]:
    standing = found.standing
    return [
        {
            "id": item.code,
            "title": item.title,
            "domain": item.domain_code,
            "status": item.status,
            "missing": item.still_needed,
            "accepted_evidence": item.accepted_count,
            **_sign_off(standing.get(item.competency_id) if item.status == "signed_off" else None),
        }
        for item in found.progress
    ]


def _sign_off(record: SignOff | None) -> dict:
    """Who signed the competency off, when, at what outcome (made only in the pages)."""
    if record is None:
        return {"signed_off_on": None, "signed_off_by": None, "outcome": None}
    return {
        "signed_off_on": record.signed_at.date(),
        "signed_off_by": record.signer_name,
        "outcome": record.outcome_label,
    }


@bp.route("/trainees/<int:trainee_id>")
@bp.response(200, TraineeDetail)
@errors(401, 403, 404)
@bp.doc(summary="One trainee: registration, Level 3, enrolment and each competency's status")
@roles("trainee", "supervisor", "lead")
def trainee_detail(trainee_id: int):
    trainee, enrolment = _visible(trainee_id)
    today = uk_today()
    # Drafts are private: only the trainee's own view counts them as "in progress".
    found = (
        competency_standing(enrolment, count_drafts=me().id == trainee.id)
        if enrolment is not None
        else None
    )
    return {
        "id": trainee.id,
        "name": trainee.name,
        "email": trainee.email,
        "registration": _registration(registration_status(trainee.id, today)),
        "qualification": _qualification(trainee.id),
        "enrolment": _enrolment(enrolment) if enrolment is not None else None,
        "progress": {
            "signed_off": found.signed_off if found else 0,
            "total": found.total if found else 0,
            "percent": found.percent if found else 0,
        },
        "competencies": _competencies(found) if found else [],
    }


@bp.route("/trainees/<int:trainee_id>/evidence")
@query_args(PageArgs)
@bp.response(200, EvidenceList)
@errors(400, 401, 403, 404)
@bp.doc(summary="A trainee's evidence you may see, newest activity first")
@roles("trainee", "supervisor", "lead")
def trainee_evidence(trainee_id: int, page: int, per_page: int):
    _trainee, enrolment = _visible(trainee_id)
    if enrolment is None:
        return {"items": [], "page": 1, "per_page": per_page, "total": 0}
    found = evidence_lists.evidence_page(me(), enrolment, page=page, per_page=per_page)
    return {
        "items": [evidence_out(row) for row in found.rows],
        "page": found.page,
        "per_page": found.per_page,
        "total": found.total,
    }
