"""The Level 3 qualification record: details, certificate and verification.

The older two-part route records when each part was achieved; it is achieved only when
both are, on the later of the two dates. An "other" qualification carries the person's
reason it should count, for whoever verifies it.

One row per person, changed in place. Every change is audited with a digest of the
values, and any change (a new certificate included) clears the verification, because a
verification vouches for exactly what was checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models.base import utcnow
from app.models.registration import QUALIFICATION_STATUSES, Qualification
from app.models.users import User
from app.services.audit import chain as audit
from app.services.audit.digests import record_digest
from app.services.errors import DomainError
from app.services.registration.access import can_oversee, check_can_verify
from app.services.registration.rules import (
    QUALIFICATION_KIND_BY_KEY,
    QualificationKind,
    latest_start,
    missing_parts,
    record_date_problem,
)
from app.services.rule_results import long_date
from app.services.storage.documents import StoredDocument, Upload, discard, store_document

# Statuses in which the course has begun, so a start date is expected.
STARTED_STATUSES = ("in-progress", "achieved")
PART_FIELDS = ("first_part_achieved_on", "second_part_achieved_on")
MAX_JUSTIFICATION = 2000


@dataclass(frozen=True)
class QualificationDetails:
    kind: str
    status: str
    awarding_body: str = ""
    title: str | None = None
    started_on: date | None = None
    achieved_on: date | None = None  # for a two-part route, the later part's date
    first_part_achieved_on: date | None = None
    second_part_achieved_on: date | None = None
    justification: str | None = None


@dataclass(frozen=True)
class SavedQualification:
    qualification: Qualification
    # A replaced certificate's file, to delete once the change is committed.
    replaced_storage_key: str | None = None


def qualification_for(user_id: int) -> Qualification | None:
    return db.session.scalar(
        select(Qualification)
        .where(Qualification.user_id == user_id)
        .options(joinedload(Qualification.verified_by))
    )


def qualification_name(qualification: Qualification) -> str:
    """The qualification as pages name it: its own title for a kind that asks for one
    (an "other" qualification), else the kind's label."""
    kind = QUALIFICATION_KIND_BY_KEY.get(qualification.kind)
    if kind is None:
        return qualification.title or qualification.kind
    if kind.needs_title:
        return qualification.title or kind.label
    return kind.label


def qualification_parts(qualification: Qualification) -> list[tuple[str, date | None]]:
    """Each part of a two-part route with the date it was achieved (empty for others)."""
    kind = QUALIFICATION_KIND_BY_KEY.get(qualification.kind)
    if kind is None or kind.parts is None:
        return []
    days = (qualification.first_part_achieved_on, qualification.second_part_achieved_on)
    return list(zip(kind.parts, days, strict=True))


def awaiting_verification(qualification: Qualification | None) -> bool:
    """An achieved qualification nobody has verified yet: what `verify_qualification` takes."""
    return (
        qualification is not None
        and qualification.status == "achieved"
        and qualification.verified_by_id is None
    )


def _clean(details: QualificationDetails, today: date) -> QualificationDetails:
    kind = QUALIFICATION_KIND_BY_KEY.get(details.kind)
    if kind is None:
        raise DomainError("Choose the qualification you are taking or hold", "kind")
    title, awarding_body = _clean_names(kind, details)
    started_on, achieved_on = details.started_on, details.achieved_on
    for day, label, field in (
        (started_on, "The course start date", "started_on"),
        (achieved_on, "The achievement date", "achieved_on"),
    ):
        problem = record_date_problem(day, label, latest=latest_start(today)) if day else None
        if problem:
            raise DomainError(problem, field)
    if details.status in STARTED_STATUSES:
        if started_on is None:
            raise DomainError("Enter the date the course started", "started_on")
        if started_on > today:
            raise DomainError(
                f"The course start, {long_date(started_on)}, is in the future: "
                "choose 'Enrolled' until it starts",
                "started_on",
            )
    parts = _clean_parts(kind, details, started_on, today)
    if kind.parts is not None:
        # The route is achieved on the later part's date; the single date is not asked.
        first, second = parts
        achieved_on = max(first, second) if first and second else None
    if details.status == "achieved":
        if achieved_on is None:
            raise DomainError("Enter the date you achieved the qualification", "achieved_on")
        if achieved_on > today:
            raise DomainError("The achievement date cannot be in the future", "achieved_on")
        if started_on is not None and achieved_on < started_on:
            raise DomainError(
                "The achievement date must be on or after the course start", "achieved_on"
            )
    elif achieved_on is not None:
        raise DomainError(
            "Leave the achievement date blank until the qualification is achieved", "achieved_on"
        )
    return QualificationDetails(
        kind.key,
        details.status,
        awarding_body,
        title,
        started_on,
        achieved_on,
        *parts,
        _clean_justification(kind, details.justification),
    )


def _clean_names(kind: QualificationKind, details: QualificationDetails) -> tuple[str | None, str]:
    """The title (for a kind that needs one), a known status and the awarding body."""
    title = (details.title or "").strip() or None
    if kind.needs_title and not title:
        raise DomainError("Enter the qualification's full title", "title")
    if not kind.needs_title:
        title = None
    if title and len(title) > 300:
        raise DomainError("The title must be 300 characters or fewer", "title")
    if details.status not in QUALIFICATION_STATUSES:
        raise DomainError("Choose where you are with the qualification", "status")
    awarding_body = " ".join((details.awarding_body or "").split())
    if details.status != "not-started" and not awarding_body:
        raise DomainError(
            "Enter the awarding body, for example City & Guilds or Pearson", "awarding_body"
        )
    if len(awarding_body) > 200:
        raise DomainError("The awarding body must be 200 characters or fewer", "awarding_body")
    return title, awarding_body


def _clean_parts(
    kind: QualificationKind, details: QualificationDetails, started_on: date | None, today: date
) -> tuple[date | None, date | None]:
    """Each part's date for a two-part route (None for other routes): on or after the
    course start, not in the future; both for an achieved route, and an achieved route
    when both are."""
    if kind.parts is None:
        return (None, None)
    days = (details.first_part_achieved_on, details.second_part_achieved_on)
    for name, day, field in zip(kind.parts, days, PART_FIELDS, strict=True):
        if day is None:
            continue
        if details.status not in STARTED_STATUSES:
            raise DomainError("Leave the parts' dates blank until the course has started", field)
        problem = record_date_problem(day, f"The date of the {name}", latest=today)
        if problem:
            raise DomainError(problem, field)
        if started_on is not None and day < started_on:
            raise DomainError(f"The date of the {name} must be on or after the course start", field)
    missing = missing_parts(kind, days)
    if details.status == "achieved" and missing:
        field = PART_FIELDS[kind.parts.index(missing[0])]
        raise DomainError(
            f"The older route is achieved only when both parts are: enter the date you "
            f"achieved the {missing[0]}",
            field,
        )
    if details.status != "achieved" and not missing:
        raise DomainError("Both parts are achieved, so choose 'Achieved'", "status")
    return days


def _clean_justification(kind: QualificationKind, raw: str | None) -> str | None:
    if not kind.needs_justification:
        return None
    text = (raw or "").strip()
    if not text:
        raise DomainError(
            "Explain why this qualification should count towards registration", "justification"
        )
    if len(text) > MAX_JUSTIFICATION:
        raise DomainError(
            f"The explanation must be {MAX_JUSTIFICATION:,} characters or fewer", "justification"
        )
    return text


def _values(row: Qualification | QualificationDetails) -> dict:
    return {
        "kind": row.kind,
        "status": row.status,
        "awarding_body": row.awarding_body,
        "title": row.title,
        "started_on": row.started_on,
        "achieved_on": row.achieved_on,
        "first_part_achieved_on": row.first_part_achieved_on,
        "second_part_achieved_on": row.second_part_achieved_on,
        "justification": row.justification,
    }


def _attach(qualification: Qualification, document: StoredDocument) -> str | None:
    replaced = qualification.certificate_storage_key
    qualification.certificate_storage_key = document.storage_key
    qualification.certificate_sha256 = document.sha256
    qualification.certificate_size_bytes = document.size_bytes
    qualification.certificate_media_type = document.media_type
    qualification.certificate_filename = document.filename
    qualification.certificate_uploaded_at = utcnow()
    return replaced


def save_qualification(
    person: User,
    details: QualificationDetails,
    *,
    actor: User,
    today: date,
    certificate: Upload | None = None,
    upload_dir: str | Path = "",
    max_bytes: int = 0,
) -> SavedQualification:
    """Create or change the person's Level 3 record, with an optional new certificate."""
    if actor.id != person.id and not can_oversee(actor, person):
        raise DomainError("You cannot change this person's qualification")
    cleaned = _clean(details, today)
    qualification = qualification_for(person.id)
    changed = qualification is None or _values(qualification) != _values(cleaned)
    if not changed and certificate is None:
        raise DomainError("These are the details already recorded, so nothing has changed")

    document = None
    if certificate is not None:
        document = store_document(
            certificate, upload_dir=upload_dir, max_bytes=max_bytes, field="certificate"
        )
    try:
        created = qualification is None
        if qualification is None:
            qualification = Qualification(user_id=person.id)
            db.session.add(qualification)
        for name, value in _values(cleaned).items():
            setattr(qualification, name, value)
        qualification.updated_by_id = actor.id
        replaced = _attach(qualification, document) if document else None
        was_verified = qualification.verified_by_id is not None
        qualification.verified_by_id = None
        qualification.verified_on = None
        db.session.flush()
        audit.record(
            "qualification.created" if created else "qualification.changed",
            "qualification",
            qualification.id,
            actor=actor,
            data={
                "user_id": person.id,
                "digest": record_digest(_values(cleaned)),
                "certificate_sha256": document.sha256 if document else None,
                "verification_cleared": was_verified,
            },
        )
    except BaseException:
        if document is not None:
            discard(upload_dir, document.storage_key)
        raise
    return SavedQualification(qualification, replaced)


def verify_qualification(
    person: User, qualification_id: int, *, actor: User, today: date
) -> Qualification:
    """Record that `actor` checked the achieved qualification (certificate or awarding body)."""
    check_can_verify(actor, person, "qualification")
    qualification = qualification_for(person.id)
    if qualification is None:
        raise DomainError("There is no qualification to verify")
    if qualification.id != qualification_id:
        raise DomainError("The qualification changed after you opened the page. Check it again")
    if qualification.status != "achieved":
        raise DomainError("Only an achieved qualification can be verified")
    if qualification.verified_by_id is not None:
        raise DomainError(
            f"This qualification was already verified on {long_date(qualification.verified_on)}"
        )
    qualification.verified_by_id = actor.id
    qualification.verified_on = today
    db.session.flush()
    audit.record(
        "qualification.verified",
        "qualification",
        qualification.id,
        actor=actor,
        data={"user_id": person.id, "certificate_sha256": qualification.certificate_sha256},
    )
    return qualification
