"""A trainee's portable record as data: everything the service holds about them, in the
schema `pcpt-portable-record/v1` (documented in docs/portable-record.md), with the stored
files it refers to. `portable_record_archive` packs it into the ZIP they download, which
also answers a data subject access request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.enrolments import Enrolment, SupervisorAssignment
from app.models.evidence import Evidence, EvidenceLink, EvidenceVersion
from app.models.notifications import Notification
from app.models.registration import (
    ExceptionalCircumstances,
    Registration,
    RevalidationRecord,
    TrainingDeclaration,
    TrainingPeriod,
    TrainingWeek,
)
from app.models.reviews import Review
from app.models.signoffs import Completion, SignOff, SignOffRevocation
from app.models.supervision import SupervisionSession
from app.models.users import ApiToken, User
from app.services.portfolio import sufficiency
from app.services.portfolio.attachments import stored_path
from app.services.registration.qualifications import qualification_for
from app.services.supervision import signoffs
from app.services.supervision.completion import completion_for

SCHEMA = "pcpt-portable-record/v1"


@dataclass(frozen=True)
class RecordFile:
    """A stored file to copy into the archive, and where it goes."""

    archive_path: str
    stored: Path
    sha256: str | None
    size_bytes: int | None
    media_type: str | None
    original_filename: str | None


def json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _safe_part(name: str | None) -> str:
    """A file name part for the archive (already made safe at upload; belt and braces)."""
    cleaned = "".join(ch if ch.isalnum() or ch in "-_. " else "_" for ch in (name or "file"))
    return cleaned.strip(". ") or "file"


class _Files:
    """Collects the stored files the JSON mentions, giving each its archive path."""

    def __init__(self, upload_dir: str | Path) -> None:
        self.upload_dir = upload_dir
        self.found: list[RecordFile] = []

    def add(self, folder: str, storage_key: str | None, **meta: Any) -> dict | None:
        if not storage_key:
            return None
        try:
            path = stored_path(self.upload_dir, storage_key)
        except ValueError:
            return None
        archive = f"files/{folder}/{_safe_part(meta.get('original_filename'))}"
        present = path.is_file()
        if present:
            self.found.append(RecordFile(archive, path, **meta))
        return {**meta, "file": archive if present else None, "missing": not present}


def _person(person: User) -> dict:
    return {
        "id": person.id,
        "name": person.name,
        "email": person.email,
        "organisation": person.organisation.name if person.organisation else None,
        "roles": sorted(person.roles),
        "active": person.active,
        "created_at": person.created_at,
        "last_login_at": person.last_login_at,
    }


def _registrations(person: User) -> list[dict]:
    rows = db.session.scalars(
        select(Registration)
        .where(Registration.user_id == person.id)
        .options(joinedload(Registration.verified_by))
        .order_by(Registration.id)
    )
    return [
        {
            "register": r.register,
            "number": r.number,
            "status": r.status,
            "registered_on": r.registered_on,
            "expires_on": r.expires_on,
            "recorded_at": r.recorded_at,
            "verified_on": r.verified_on,
            "verified_by": r.verified_by.name if r.verified_by else None,
        }
        for r in rows
    ]


def _qualification(person: User, files: _Files) -> dict | None:
    q = qualification_for(person.id)
    if q is None:
        return None
    return {
        "kind": q.kind,
        "title": q.title,
        "awarding_body": q.awarding_body,
        "status": q.status,
        "started_on": q.started_on,
        "achieved_on": q.achieved_on,
        "verified_on": q.verified_on,
        "verified_by": q.verified_by.name if q.verified_by else None,
        "certificate": files.add(
            "level-3-certificate",
            q.certificate_storage_key,
            sha256=q.certificate_sha256,
            size_bytes=q.certificate_size_bytes,
            media_type=q.certificate_media_type,
            original_filename=q.certificate_filename,
        ),
    }


def _training(person: User) -> dict:
    period = db.session.scalar(select(TrainingPeriod).where(TrainingPeriod.user_id == person.id))
    weeks = db.session.scalars(
        select(TrainingWeek)
        .where(TrainingWeek.user_id == person.id)
        .order_by(TrainingWeek.week_starting)
    )
    declarations = db.session.scalars(
        select(TrainingDeclaration)
        .where(TrainingDeclaration.user_id == person.id)
        .options(joinedload(TrainingDeclaration.declared_by))
        .order_by(TrainingDeclaration.id)
    )
    return {
        "started_on": period.started_on if period else None,
        "weeks": [
            {
                "week_starting": w.week_starting,
                "hours": w.hours,
                "supervised_hours": w.supervised_hours,
                "supervisor_name": w.supervisor_name,
            }
            for w in weeks
        ],
        "declarations": [
            {
                "declared_by": d.declared_by.name,
                "declarant_gphc_number": d.declarant_gphc_number,
                "period_start": d.period_start,
                "period_end": d.period_end,
                "counted_hours": d.counted_hours,
                "statement": d.statement,
                "weeks_sha256": d.weeks_sha256,
                "declared_at": d.declared_at,
            }
            for d in declarations
        ],
    }


def _revalidation(person: User) -> dict:
    records = db.session.scalars(
        select(RevalidationRecord)
        .where(RevalidationRecord.user_id == person.id)
        .order_by(RevalidationRecord.year_ends_on, RevalidationRecord.occurred_on)
    )
    reduced = db.session.scalars(
        select(ExceptionalCircumstances)
        .where(ExceptionalCircumstances.user_id == person.id)
        .order_by(ExceptionalCircumstances.year_ends_on)
    )
    return {
        "records": [
            {
                "kind": r.kind,
                "year_ends_on": r.year_ends_on,
                "occurred_on": r.occurred_on,
                "title": r.title,
                "fields": r.fields,
                "standards": r.standards,
                "peer_declaration": r.peer_declaration,
            }
            for r in records
        ],
        "exceptional_circumstances": [
            {"year_ends_on": e.year_ends_on, "reason": e.reason, "recorded_at": e.recorded_at}
            for e in reduced
        ],
    }


def _evidence(enrolment: Enrolment, files: _Files) -> list[dict]:
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
    reviews: dict[int, list[dict]] = {}
    for review in db.session.scalars(
        select(Review)
        .where(Review.evidence_id.in_([item.id for item in items]))
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
            "versions": [
                {
                    "number": v.number,
                    "title": v.title,
                    "occurred_on": v.occurred_on,
                    "fields": v.fields,
                    "competencies": [{"code": k.competency.code, "note": k.note} for k in v.links],
                    "content_sha256": v.content_sha256,
                    "created_at": v.created_at,
                    "submitted_at": v.submitted_at,
                }
                for v in item.versions
            ],
            "attachments": [
                {
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
                for a in item.attachments
            ],
            "reviews": reviews.get(item.id, []),
        }
        for item in items
    ]


def _sign_offs(enrolment: Enrolment) -> list[dict]:
    return [
        {
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


def _api_tokens(person: User) -> list[dict]:
    rows = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == person.id).order_by(ApiToken.id)
    )
    return [
        {
            "label": t.label,
            "created_at": t.created_at,
            "expires_at": t.expires_at,
            "revoked_at": t.revoked_at,
        }
        for t in rows
    ]


def _ids(query) -> list[str]:
    return [str(i) for i in db.session.scalars(query)]


def _events_about(person: User) -> list[dict]:
    """What others (or the service) recorded about the person in the audit trail: events
    on their account or on any record of theirs, and events naming them by id."""
    enrolment_ids = select(Enrolment.id).where(Enrolment.trainee_id == person.id)
    sign_off_ids = select(SignOff.id).where(SignOff.enrolment_id.in_(enrolment_ids))
    subjects = {
        "user": [str(person.id)],
        "enrolment": _ids(enrolment_ids),
        "evidence": _ids(select(Evidence.id).where(Evidence.enrolment_id.in_(enrolment_ids))),
        "sign_off": _ids(sign_off_ids),
        "sign_off_revocation": _ids(
            select(SignOffRevocation.id).where(SignOffRevocation.sign_off_id.in_(sign_off_ids))
        ),
        "completion": _ids(select(Completion.id).where(Completion.enrolment_id.in_(enrolment_ids))),
        "supervision_session": _ids(
            select(SupervisionSession.id).where(SupervisionSession.enrolment_id.in_(enrolment_ids))
        ),
    }
    about = or_(
        *(
            and_(AuditEvent.subject_type == kind, AuditEvent.subject_id.in_(ids))
            for kind, ids in subjects.items()
            if ids
        ),
        AuditEvent.data["user_id"].as_integer() == person.id,
        AuditEvent.data["trainee_id"].as_integer() == person.id,
    )
    rows = db.session.execute(
        select(AuditEvent, User.name)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(about, or_(AuditEvent.actor_id.is_(None), AuditEvent.actor_id != person.id))
        .order_by(AuditEvent.id)
    )
    return [
        {
            "at": event.at,
            "action": event.action,
            "subject_type": event.subject_type,
            "subject_id": event.subject_id,
            "by": name,
        }
        for event, name in rows
    ]


def _enrolment(enrolment: Enrolment, files: _Files) -> dict:
    signed = signoffs.signed_off_competency_ids(enrolment.id)
    progress = sufficiency.progress_for(enrolment, signed, count_drafts=True)
    sessions = db.session.scalars(
        select(SupervisionSession)
        .where(SupervisionSession.enrolment_id == enrolment.id)
        .options(joinedload(SupervisionSession.supervisor))
        .order_by(SupervisionSession.held_on, SupervisionSession.id)
    )
    completion = completion_for(enrolment.id)
    framework = enrolment.framework
    return {
        "id": enrolment.id,
        "framework": {"id": framework.code, "version": framework.version, "title": framework.title},
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
        "programme": {
            "pathway_status": enrolment.pathway_status,
            "wte": enrolment.wte,
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
        },
        "competencies": [
            {
                "id": p.code,
                "title": p.title,
                "domain": p.domain_code,
                "status": p.status,
                "missing": p.missing,
            }
            for p in progress
        ],
        "evidence": _evidence(enrolment, files),
        "sign_offs": _sign_offs(enrolment),
        "supervision_sessions": [
            {
                "held_on": s.held_on,
                "duration_minutes": s.duration_minutes,
                "supervisor": s.supervisor.name,
                "topics": s.topics,
                "agreed_actions": s.agreed_actions,
            }
            for s in sessions
        ],
        "completion": {
            "signer": completion.signer_name,
            "signer_gphc_number": completion.signer_gphc_number,
            "statement": completion.statement,
            "completed_at": completion.completed_at,
            "record_sha256": completion.record_sha256,
        }
        if completion
        else None,
    }


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


def portable_record(
    person: User, *, upload_dir: str | Path, generated_at: datetime
) -> tuple[dict, list[RecordFile]]:
    """The record as JSON-ready data, and the stored files it refers to."""
    files = _Files(upload_dir)
    notifications = db.session.scalars(
        select(Notification)
        .where(Notification.user_id == person.id)
        .order_by(Notification.created_at, Notification.id)
    )
    actions = db.session.scalars(
        select(AuditEvent).where(AuditEvent.actor_id == person.id).order_by(AuditEvent.id)
    )
    record = {
        "schema": SCHEMA,
        "generated_at": generated_at,
        "person": _person(person),
        "registrations": _registrations(person),
        "qualification": _qualification(person, files),
        "training": _training(person),
        "revalidation": _revalidation(person),
        "enrolments": [_enrolment(e, files) for e in enrolments_of(person)],
        "api_tokens": _api_tokens(person),
        "notifications": [
            {"kind": n.kind, "text": n.text, "created_at": n.created_at, "read_at": n.read_at}
            for n in notifications
        ],
        "actions": [
            {
                "at": a.at,
                "action": a.action,
                "subject_type": a.subject_type,
                "subject_id": a.subject_id,
            }
            for a in actions
        ],
        "events": _events_about(person),
    }
    return record, files.found
