"""The life of an evidence item: drafting, editing, submitting, deleting, attaching files.

draft -> submitted -> accepted | changes_requested. A draft's current version has never
been seen by anyone but the trainee, so editing a draft changes that version in place.
Editing an item in any other state (submitted, changes requested or accepted) makes a
new version, copying the links and keeping the attachments, and returns the item to
draft: the trainee submits it again when ready, and until then their supervisor keeps
seeing nothing new, while reviews and sign-offs keep the version they saw. Only a draft
that was never submitted can be deleted; anything else is history. Likewise a file can be
removed only from a version that was never submitted.

Accepting a version records it on the item (`accepted_version_number`). What was accepted
is what was assessed, so it stays on the record while the trainee revises it: their
supervisors and leads keep seeing it, and it keeps counting towards sign-off, until a
later version is accepted in its place. A later version sent back for changes leaves it
counting; the revision itself is the trainee's alone until they submit it.

Every change checks that the actor is the enrolment's trainee, validates everything
before changing anything, writes one audit event, and flushes; the caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import BinaryIO

from app.extensions import db
from app.models.base import utcnow
from app.models.enrolments import Enrolment
from app.models.evidence import Attachment, Evidence, EvidenceVersion
from app.models.frameworks import EvidenceType
from app.models.users import User
from app.services.assessments import completion
from app.services.audit import chain as audit
from app.services.clock import uk_today
from app.services.errors import DomainError, NotFound
from app.services.portfolio import attachments
from app.services.portfolio.content import (
    LinkRequest,
    content_digest,
    evidence_type_for,
    form_of,
    guard_patient_data,
    prepare_content,
    set_content,
)
from app.services.portfolio.evidence_changes import (
    check_trainee,
    editable_version,
    is_assessed,
    lock_item,
    sync_current,
)

REVIEW_DECISIONS = ("accepted", "changes_requested")
STATUS_LABELS = {
    "draft": "a draft",
    "submitted": "submitted",
    "changes_requested": "waiting for changes",
    "accepted": "accepted",
}


# --- Lifecycle -------------------------------------------------------------------


def create_draft(
    enrolment: Enrolment,
    evidence_type: EvidenceType | str,
    answers: Mapping[str, object],
    links: Sequence[LinkRequest],
    *,
    actor: User,
    max_links: int | None = None,
    confirmed: bool = False,
    today: date | None = None,
    client_key: str | None = None,
) -> Evidence:
    """A new draft, private to the trainee, with version 1 holding `answers` and `links`.

    `answers` are the type's form fields (title and occurred_on included); see
    `assessment_forms.form_for`. `client_key`: the key the browser's script gave the draft
    (`drafts.checked_key`). Raises FormInvalid, DomainError or PatientDataWarning.
    """
    check_trainee(enrolment, actor)
    if isinstance(evidence_type, str):
        evidence_type = evidence_type_for(enrolment, evidence_type)
    elif evidence_type.framework_id != enrolment.framework_id:
        raise DomainError("Choose a type of evidence your framework lists", "type")
    values, resolved = prepare_content(
        enrolment,
        evidence_type,
        answers,
        links,
        max_links=max_links,
        confirmed=confirmed,
        today=today,
    )
    version = EvidenceVersion(number=1, content_sha256="", created_by_id=actor.id)
    set_content(version, values, resolved, form_of(evidence_type))
    evidence = Evidence(
        enrolment=enrolment,
        evidence_type=evidence_type,
        title=version.title,
        occurred_on=version.occurred_on,
        status="draft",
        current_version_number=1,
        versions=[version],
        attachments=[],
        client_key=client_key,
    )
    db.session.add(evidence)
    sync_current(evidence, version)
    audit.record(
        "evidence.created",
        "evidence",
        evidence.id,
        actor=actor,
        data={
            "enrolment_id": enrolment.id,
            "evidence_type_id": evidence_type.id,
            "version": 1,
            "content_sha256": version.content_sha256,
        },
    )
    return evidence


def edit(
    evidence: Evidence,
    answers: Mapping[str, object],
    links: Sequence[LinkRequest],
    *,
    actor: User,
    max_links: int | None = None,
    confirmed: bool = False,
    today: date | None = None,
) -> EvidenceVersion:
    """Change the content; see the module docstring for when this makes a new version.

    Saving identical content changes nothing and returns the current version.
    """
    check_trainee(evidence.enrolment, actor)
    lock_item(evidence)
    values, resolved = prepare_content(
        evidence.enrolment,
        evidence.evidence_type,
        answers,
        links,
        max_links=max_links,
        confirmed=confirmed,
        today=today,
    )
    values = completion.keep_locked(evidence, answers, values)
    current = evidence.current_version
    unchanged = content_digest(
        evidence.evidence_type.code,
        str(values["title"]),
        date.fromisoformat(str(values["occurred_on"])),
        {k: v for k, v in values.items() if k not in ("title", "occurred_on")},
        [(c.code, note) for c, note in resolved],
        [a.sha256 for a in evidence.attachments if a.version_number <= current.number],
    )
    if unchanged == current.content_sha256:
        return current
    previous_status = evidence.status
    version, revised = editable_version(evidence, actor)
    set_content(version, values, resolved, form_of(evidence.evidence_type))
    sync_current(evidence, version)
    audit.record(
        "evidence.revised" if revised else "evidence.edited",
        "evidence",
        evidence.id,
        actor=actor,
        data={
            "version": version.number,
            "previous_status": previous_status,
            "content_sha256": version.content_sha256,
        },
    )
    return version


def submit(evidence: Evidence, *, actor: User) -> EvidenceVersion:
    """Send the current version to the trainee's supervisors for review."""
    check_trainee(evidence.enrolment, actor)
    lock_item(evidence)
    if evidence.status != "draft":
        raise DomainError(
            f"This evidence is {STATUS_LABELS[evidence.status]}: change it to submit it again",
            "status",
        )
    if completion.waiting_for_assessor(evidence):
        raise DomainError(
            "The assessor has not completed their part yet. Send them a request, or "
            "complete it with them now, then submit",
            "status",
        )
    now = utcnow()
    version = evidence.current_version
    version.submitted_at = now
    evidence.submitted_at = now
    evidence.status = "submitted"
    db.session.flush()
    audit.record(
        "evidence.submitted",
        "evidence",
        evidence.id,
        actor=actor,
        data={"version": version.number, "content_sha256": version.content_sha256},
    )
    return version


def deletable(evidence: Evidence) -> bool:
    """Only a draft that was never submitted may be deleted; anything else is history."""
    return evidence.status == "draft" and evidence.submitted_at is None


def delete_draft(evidence: Evidence, *, actor: User) -> list[str]:
    """Delete a never-submitted draft; returns the storage keys of its files.

    Remove those files with `attachments.remove_stored` once the transaction commits.
    """
    check_trainee(evidence.enrolment, actor)
    lock_item(evidence)
    if not deletable(evidence):
        raise DomainError(
            "Only a draft that was never submitted can be deleted: "
            "submitted evidence stays in your portfolio's history",
            "status",
        )
    if completion.completed_request(evidence.id) is not None:
        raise DomainError(
            "An assessor has completed this draft: it stays in your portfolio", "status"
        )
    keys = [a.storage_key for a in evidence.attachments]
    audit.record(
        "evidence.deleted",
        "evidence",
        evidence.id,
        actor=actor,
        data={
            "enrolment_id": evidence.enrolment_id,
            "content_sha256": evidence.current_version.content_sha256,
            "attachments": len(keys),
        },
    )
    db.session.delete(evidence)
    db.session.flush()
    return keys


def add_attachment(
    evidence: Evidence,
    stream: BinaryIO,
    filename: str,
    *,
    actor: User,
    upload_dir: str | Path,
    max_bytes: int,
) -> Attachment:
    """Attach a file, on a new version when the item was already submitted."""
    check_trainee(evidence.enrolment, actor)
    lock_item(evidence)
    # The name is shown to reviewers, so it gets the same NHS number check as the text.
    guard_patient_data([("file", filename)], confirmed=True, today=uk_today())
    # A new version unless the current one is a draft nobody assessed (`editable_version`).
    in_place = evidence.status == "draft" and not is_assessed(
        evidence.id, evidence.current_version_number
    )
    number = evidence.current_version_number + (0 if in_place else 1)
    attachment = attachments.store_upload(
        evidence,
        stream,
        filename,
        version_number=number,
        upload_dir=upload_dir,
        max_bytes=max_bytes,
        actor=actor,
    )
    previous_status = evidence.status
    version, _ = editable_version(evidence, actor)
    sync_current(evidence, version)
    audit.record(
        "evidence.attachment_added",
        "evidence",
        evidence.id,
        actor=actor,
        data={
            "attachment_id": attachment.id,
            "sha256": attachment.sha256,
            "version": version.number,
            "previous_status": previous_status,
            "content_sha256": version.content_sha256,
        },
    )
    return attachment


def removable(evidence: Evidence, attachment: Attachment) -> bool:
    """A file can be removed while only the trainee has seen it: added to the current
    version, and that version not yet submitted. Files of a version a supervisor could
    see are part of the record, like the version itself."""
    return (
        attachment.evidence_id == evidence.id
        and evidence.status == "draft"
        and attachment.version_number == evidence.current_version_number
        and not is_assessed(evidence.id, attachment.version_number)
    )


def remove_attachment(evidence: Evidence, attachment: Attachment, *, actor: User) -> str:
    """Remove a file added to the unsubmitted current version; returns its storage key.

    Remove the stored file with `attachments.remove_stored` once the transaction commits.
    """
    check_trainee(evidence.enrolment, actor)
    lock_item(evidence)
    # Read under the lock: another tab may have removed the file a moment ago.
    if attachment not in evidence.attachments:
        raise NotFound("The file is no longer attached to this evidence")
    if not removable(evidence, attachment):
        raise DomainError(
            "Only a file added since you last submitted can be removed: "
            "files your supervisor could see stay with the version they saw",
            "attachment",
        )
    version = evidence.current_version
    evidence.attachments.remove(attachment)
    sync_current(evidence, version)
    audit.record(
        "evidence.attachment_removed",
        "evidence",
        evidence.id,
        actor=actor,
        data={
            "attachment_id": attachment.id,
            "sha256": attachment.sha256,
            "version": version.number,
            "content_sha256": version.content_sha256,
        },
    )
    return attachment.storage_key


def set_status_from_review(evidence: Evidence, decision: str, *, version_number: int) -> str:
    """Apply a supervisor's decision on the version they reviewed; returns the old status.

    Part of recording a review: the review service writes the Review row and the one
    audit event for it in the same transaction, so this helper writes none.
    """
    if decision not in REVIEW_DECISIONS:
        raise DomainError("Choose whether to accept the evidence or ask for changes", "decision")
    if evidence.status != "submitted":
        raise DomainError(
            f"This evidence is {STATUS_LABELS[evidence.status]}, not waiting for review",
            "decision",
        )
    if version_number != evidence.current_version_number:
        raise DomainError("This evidence has changed since you opened it: review it again")
    previous = evidence.status
    evidence.status = decision
    if decision == "accepted":
        evidence.accepted_version_number = version_number
    db.session.flush()
    return previous
