"""A trainee's portable record as data: everything the service holds about them, in the
schema `pcpt-portable-record/v1` (documented in docs/portable-record.md), with the stored
files it refers to. `portable_record_archive` packs it into the ZIP they download, which
also answers a data subject access request.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.enrolments import Enrolment
from app.models.evidence import Evidence
from app.models.notifications import Notification
from app.models.registration import (
    ExceptionalCircumstances,
    Registration,
    RevalidationRecord,
    TrainingDeclaration,
    TrainingPeriod,
    TrainingWeek,
)
from app.models.signoffs import Completion, SignOff, SignOffRevocation
from app.models.supervision import SupervisionSession
from app.models.users import ApiToken, User
from app.services.privacy.record_changes import sign_on_links, two_factor_record
from app.services.privacy.record_enrolment import enrolment_record, enrolments_of
from app.services.privacy.record_files import RecordFile, RecordFiles
from app.services.registration.qualifications import qualification_for

SCHEMA = "pcpt-portable-record/v1"


def json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


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
            "renewed_on": r.renewed_on,
            "expires_on": r.expires_on,
            "recorded_at": r.recorded_at,
            "verified_on": r.verified_on,
            "verified_by": r.verified_by.name if r.verified_by else None,
        }
        for r in rows
    ]


def _qualification(person: User, files: RecordFiles) -> dict | None:
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
        "first_part_achieved_on": q.first_part_achieved_on,
        "second_part_achieved_on": q.second_part_achieved_on,
        "justification": q.justification,
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
            {
                "year_ends_on": e.year_ends_on,
                "reason": e.reason,
                "recorded_at": e.recorded_at,
                "gphc_agreed_on": e.gphc_agreed_on,
                "gphc_reference": e.gphc_reference,
            }
            for e in reduced
        ],
    }


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


def portable_record(
    person: User, *, upload_dir: str | Path, generated_at: datetime
) -> tuple[dict, list[RecordFile]]:
    """The record as JSON-ready data, and the stored files it refers to."""
    files = RecordFiles(upload_dir)
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
        "enrolments": [enrolment_record(e, files) for e in enrolments_of(person)],
        "api_tokens": _api_tokens(person),
        "two_factor": two_factor_record(person),
        "sign_on_links": sign_on_links(person),
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
