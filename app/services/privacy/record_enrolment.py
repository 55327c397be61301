"""One enrolment in a trainee's portable record: its programme, competency progress,
evidence with every version, attachment and review, sign-offs, supervisors, supervision
sessions, the development plan, completion and the credential issued for it.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.models.enrolments import Enrolment, SupervisorAssignment
from app.models.evidence import Attachment, Evidence, EvidenceLink, EvidenceVersion
from app.models.reviews import Review
from app.models.supervision import SupervisionSession
from app.models.users import User
from app.services.assessments.completion import assessed_versions, requests_record
from app.services.credentials.issuing import credential_for_enrolment, download_name
from app.services.development import learning_needs, objectives, stages
from app.services.feedback.records import rounds_record
from app.services.frameworks.labels import framework_label
from app.services.portfolio import sufficiency
from app.services.privacy.record_changes import carried_over_from, moves_record, pauses_record
from app.services.privacy.record_files import RecordFiles
from app.services.supervision import signoffs
from app.services.supervision.completion import completion_for


def enrolments_of(person: User) -> list[Enrolment]:
    return list(
        db.session.scalars(
            select(Enrolment)
            .where(Enrolment.trainee_id == person.id)
            .options(
                joinedload(Enrolment.framework),
                joinedload(Enrolment.cohort),
                joinedload(Enrolment.clinical_supervisor),
                joinedload(Enrolment.education_supervisor),
            )
            .order_by(Enrolment.started_on, Enrolment.id)
        )
    )


def enrolment_record(enrolment: Enrolment, files: RecordFiles) -> dict:
    framework = enrolment.framework
    return {
        "id": enrolment.id,
        "framework": {
            "id": framework.code,
            "version": framework.version,
            "title": framework.title,
            "status": framework.status,
            "label": framework_label(framework),
        },
        "cohort": enrolment.cohort.name if enrolment.cohort else None,
        "clinical_supervisor": (
            enrolment.clinical_supervisor.name if enrolment.clinical_supervisor else None
        ),
        "education_supervisor": (
            enrolment.education_supervisor.name if enrolment.education_supervisor else None
        ),
        "supervisor_history": _supervisor_history(enrolment),
        "started_on": enrolment.started_on,
        "expected_end_on": enrolment.expected_end_on,
        "status": enrolment.status,
        "programme": _programme(enrolment, files),
        "competencies": _competencies(enrolment),
        "evidence": _evidence(enrolment, files),
        "sign_offs": _sign_offs(enrolment),
        "supervision_sessions": _supervision_sessions(enrolment),
        "development": _development(enrolment),
        "completion": _completion(enrolment),
        "credential": _credential(enrolment),
        "feedback_rounds": rounds_record(enrolment.id),
        "pauses": pauses_record(enrolment),
        "framework_moves": moves_record(enrolment),
    }


def _programme(enrolment: Enrolment, files: RecordFiles) -> dict:
    return {
        "pathway_status": enrolment.pathway_status,
        "wte": enrolment.wte,
        "protected_learning_days_planned": enrolment.protected_learning_days_planned,
        "protected_learning_days_used": enrolment.protected_learning_days_used,
        "funding": enrolment.funding,
        "afc_band": enrolment.afc_band,
        "exemption_document": files.add(
            f"pathway-exemption-{enrolment.id}",
            enrolment.exemption_storage_key,
            sha256=enrolment.exemption_sha256,
            size_bytes=enrolment.exemption_size_bytes,
            media_type=enrolment.exemption_media_type,
            original_filename=enrolment.exemption_filename,
        ),
    }


def _competencies(enrolment: Enrolment) -> list[dict]:
    signed = signoffs.signed_off_competency_ids(enrolment.id)
    return [
        {
            "id": p.code,
            "title": p.title,
            "domain": p.domain_code,
            "status": p.status,
            "missing": p.missing,
        }
        for p in sufficiency.progress_for(enrolment, signed, count_drafts=True)
    ]


def _supervision_sessions(enrolment: Enrolment) -> list[dict]:
    sessions = db.session.scalars(
        select(SupervisionSession)
        .where(SupervisionSession.enrolment_id == enrolment.id)
        .options(joinedload(SupervisionSession.supervisor))
        .order_by(SupervisionSession.held_on, SupervisionSession.id)
    )
    return [
        {
            "held_on": s.held_on,
            "duration_minutes": s.duration_minutes,
            "supervisor": s.supervisor.name,
            "by_clinical_supervisor": s.by_clinical_supervisor,
            "topics": s.topics,
            "agreed_actions": s.agreed_actions,
        }
        for s in sessions
    ]


def _development(enrolment: Enrolment) -> dict:
    """The learning needs analysis, the objectives with their reviews, the stages."""
    analysis = learning_needs.analysis_for(enrolment.id)
    return {
        "learning_needs": {
            "rated_at": analysis.rated_at,
            "ratings": [
                {"competency": c.code, "rating": c.rating, "label": c.rating_label}
                for c in learning_needs.rated_competencies(enrolment, analysis)
            ],
            "supervisor_comment": analysis.supervisor_comment,
            "commented_by": analysis.commented_by.name if analysis.commented_by else None,
            "commented_at": analysis.commented_at,
        }
        if analysis
        else None,
        "objectives": [
            {
                "description": o.description,
                "target_on": o.target_on,
                "status": o.status,
                "achieved_on": o.achieved_on,
                "competencies": [c.code for c in o.competencies],
                "reviews": [
                    {
                        "reviewed_on": r.reviewed_on,
                        "reviewer": r.reviewer.name,
                        "outcome": r.outcome,
                        "comment": r.comment,
                        "at_supervision_session": r.session_id is not None,
                    }
                    for r in o.reviews
                ],
            }
            for o in objectives.objectives_for(enrolment.id)
        ],
        "stages": [
            {"stage": s.stage, "started_on": s.started_on, "recorded_by": s.recorded_by.name}
            for s in stages.stages_for(enrolment.id)
        ],
    }


def _completion(enrolment: Enrolment) -> dict | None:
    completion = completion_for(enrolment.id)
    if completion is None:
        return None
    return {
        "signer": completion.signer_name,
        "signer_gphc_number": completion.signer_gphc_number,
        "statement": completion.statement,
        "completed_at": completion.completed_at,
        "record_sha256": completion.record_sha256,
    }


def _credential(enrolment: Enrolment) -> dict | None:
    """The Open Badges credential issued on completion: its record, and the credential as
    signed (also in the ZIP under credentials/)."""
    credential = credential_for_enrolment(enrolment.id)
    if credential is None:
        return None
    return {
        "file": f"credentials/{download_name(credential)}",
        "issued_at": credential.issued_at,
        "revoked_at": credential.revoked_at,
        "revoked_by": credential.revoked_by_name,
        "revocation_reason": credential.revocation_reason,
        "status_list": credential.status_list,
        "status_list_index": credential.status_list_index,
        "verification_method": credential.verification_method,
        "document_sha256": credential.document_sha256,
        "credential": json.loads(credential.document),
    }


def _evidence(enrolment: Enrolment, files: RecordFiles) -> list[dict]:
    items = db.session.scalars(
        select(Evidence)
        .where(Evidence.enrolment_id == enrolment.id)
        .options(
            joinedload(Evidence.evidence_type),
            selectinload(Evidence.versions)
            .selectinload(EvidenceVersion.links)
            .joinedload(EvidenceLink.competency),
            selectinload(Evidence.attachments),
        )
        .order_by(Evidence.occurred_on, Evidence.id)
    ).all()
    reviews = _reviews_by_item([item.id for item in items])
    assessed = assessed_versions(item.id for item in items)
    asked = requests_record(item.id for item in items)
    return [
        {
            "id": item.id,
            "type": item.evidence_type.code,
            "type_label": item.evidence_type.label,
            "title": item.title,
            "occurred_on": item.occurred_on,
            "status": item.status,
            "created_at": item.created_at,
            "submitted_at": item.submitted_at,
            "versions": [_version(v) for v in item.versions],
            "attachments": [_attachment(item, a, files) for a in item.attachments],
            "reviews": reviews.get(item.id, []),
            # Who completed the assessor's part: the assessor themselves, identity confirmed
            # by an emailed code, from `assessed_version` on; or the trainee (issue 16).
            "completed_by": "assessor" if item.id in assessed else "trainee",
            "assessed_version": assessed.get(item.id),
            "assessment_requests": asked.get(item.id, []),
        }
        for item in items
    ]


def _reviews_by_item(evidence_ids: list[int]) -> dict[int, list[dict]]:
    reviews: dict[int, list[dict]] = {}
    for review in db.session.scalars(
        select(Review)
        .where(Review.evidence_id.in_(evidence_ids))
        .options(joinedload(Review.reviewer))
        .order_by(Review.created_at, Review.id)
    ):
        reviews.setdefault(review.evidence_id, []).append(
            {
                "version": review.version_number,
                "decision": review.decision,
                "comment": review.comment,
                "reviewer": review.reviewer.name,
                "at": review.created_at,
            }
        )
    return reviews


def _version(v: EvidenceVersion) -> dict:
    return {
        "number": v.number,
        "title": v.title,
        "occurred_on": v.occurred_on,
        "fields": v.fields,
        "competencies": [{"code": k.competency.code, "note": k.note} for k in v.links],
        "content_sha256": v.content_sha256,
        "created_at": v.created_at,
        "submitted_at": v.submitted_at,
    }


def _attachment(item: Evidence, a: Attachment, files: RecordFiles) -> dict:
    return {
        "version": a.version_number,
        **(
            files.add(
                f"evidence-{item.id}/{a.id}",
                a.storage_key,
                sha256=a.sha256,
                size_bytes=a.size_bytes,
                media_type=a.media_type,
                original_filename=a.original_filename,
            )
            or {}
        ),
    }


def _sign_offs(enrolment: Enrolment) -> list[dict]:
    carried = carried_over_from(enrolment)
    return [
        {
            "id": s.id,
            "carried_over_from": carried.get(s.id),
            "competency": s.competency_code,
            "outcome": s.outcome_code,
            "outcome_label": s.outcome_label,
            "proficient": s.proficient,
            "comment": s.comment,
            "override_justification": s.override_justification,
            "unmet_rule": s.unmet_rule,
            "signer": s.signer_name,
            "signer_gphc_number": s.signer_gphc_number,
            "statement": s.statement,
            "evidence_versions": s.evidence_versions,
            "signed_at": s.signed_at,
            "record_sha256": s.record_sha256,
            "revocation": {
                "by": s.revocation.revoked_by_name,
                "reason": s.revocation.reason,
                "at": s.revocation.revoked_at,
                "record_sha256": s.revocation.record_sha256,
            }
            if s.revocation
            else None,
        }
        for s in signoffs.sign_offs_for(enrolment.id)
    ]


def _supervisor_history(enrolment: Enrolment) -> list[dict]:
    """Every supervisor the enrolment had, the current ones with no end."""
    rows = db.session.scalars(
        select(SupervisorAssignment)
        .where(SupervisorAssignment.enrolment_id == enrolment.id)
        .options(joinedload(SupervisorAssignment.supervisor))
        .order_by(SupervisorAssignment.assigned_at, SupervisorAssignment.id)
    )
    return [
        {
            "kind": a.kind,
            "supervisor": a.supervisor.name,
            "from": a.assigned_at,
            "to": a.ended_at,
        }
        for a in rows
    ]
