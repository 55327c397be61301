"""Erasing a person's personal data, while the records other people rely on stay whole.

What erasing a person does (see SECURITY.md, "Retention and erasure"):

- their account keeps its id (other records point at it) but its name and e-mail become
  placeholders ("Erased person 12", erased-12@erased.invalid); the password is removed,
  the account deactivated, every session ended and every API token revoked;
- their registration, Level 3, training log, declarations, revalidation records,
  notifications and e-mail digests are deleted;
- as a trainee: evidence never submitted is deleted; submitted evidence keeps its place (reviews
  and sign-offs point at its versions) but its title, answers and link notes are replaced by
  "[erased]"; every file (attachments, certificate, exemption letter) is listed for deletion
  from disk once the transaction commits; supervision session notes and programme details are
  cleared, and so are the words of the development plan (objectives, their review comments, the
  supervisor's comment on the learning needs); an enrolment still running is withdrawn;
- the signed records about them (reviews of their evidence, sign-offs, revocations, the
  completion) keep who signed, what, when, the outcome and the record's digest; the trainee's
  name, the comments and reasons written about them become "[erased]". The database allows
  exactly this change to those append-only tables, and nothing else (migration c3e8f51a2d47);
- the stored copy of their Open Badges credential is emptied (its digest and its place in
  the revocation list stay, so the copy they hold still checks);
- what they wrote or signed about other people stays: a supervisor's reviews, sign-offs
  and declarations for other trainees are those trainees' records.

The audit trail is not touched: its events hold ids, counts and digests, never names or
text, so it still verifies. One event, `user.erased`, records the erasure itself.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import case, delete, func, or_, select, update

from app.extensions import db
from app.models.base import utcnow
from app.models.credentials import IssuedCredential
from app.models.development import DevelopmentObjective, LearningNeedsAnalysis, ObjectiveReview
from app.models.enrolments import CURRENT_ENROLMENT_STATUSES, Enrolment
from app.models.evidence import Attachment, Evidence, EvidenceLink, EvidenceVersion
from app.models.identities import UserIdentity
from app.models.notifications import Notification, SubmissionDigest
from app.models.one_time_links import OneTimeLink
from app.models.registration import (
    ExceptionalCircumstances,
    Qualification,
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
from app.services.audit import chain as audit
from app.services.credentials.issuing import erase_stored_copies
from app.services.errors import DomainError
from app.services.feedback.records import erase_rounds
from app.services.registration import signer_standing
from app.services.reporting import summary_upkeep

ERASED = "[erased]"


def placeholder_name(user_id: int) -> str:
    return f"Erased person {user_id}"


def placeholder_email(user_id: int) -> str:
    return f"erased-{user_id}@erased.invalid"


def is_erased(user: User) -> bool:
    return user.email == placeholder_email(user.id)


@dataclass
class Erasure:
    """What an erasure changed, and the stored files to delete once it commits."""

    user_id: int
    counts: Counter[str] = field(default_factory=Counter)
    storage_keys: list[str] = field(default_factory=list)


def check_may_erase(person: User, *, actor: User | None) -> None:
    if actor is not None and actor.id == person.id:
        raise DomainError("You cannot erase your own account")
    if is_erased(person):
        raise DomainError(f"{person.name} is already erased")
    supervised = db.session.scalar(
        select(func.count(Enrolment.id)).where(
            or_(
                Enrolment.clinical_supervisor_id == person.id,
                Enrolment.education_supervisor_id == person.id,
            ),
            Enrolment.status.in_(CURRENT_ENROLMENT_STATUSES),
        )
    )
    if supervised:
        raise DomainError(
            f"{person.name} supervises {supervised} trainee"
            f"{'' if supervised == 1 else 's'}: assign another supervisor first"
        )


def erase_person(person: User, *, actor: User | None) -> Erasure:
    """Erase `person` (flushed, not committed); delete `storage_keys` after the commit."""
    check_may_erase(person, actor=actor)
    erasure = Erasure(person.id)
    enrolment_ids = list(
        db.session.scalars(select(Enrolment.id).where(Enrolment.trainee_id == person.id))
    )
    _erase_own_records(person.id, erasure)
    signer_standing.touch([person.id])  # their registrations went by a bulk statement
    if enrolment_ids:
        _erase_training(enrolment_ids, erasure)
    _erase_account(person, erasure)
    audit.record(
        "user.erased", "user", person.id, actor=actor, data={"counts": dict(erasure.counts)}
    )
    # Bulk statements went around the session: nothing it holds may be trusted now.
    db.session.expire_all()
    return erasure


def _count(erasure: Erasure, what: str, result) -> None:
    if result.rowcount:
        erasure.counts[what] += result.rowcount


def _erase_own_records(user_id: int, erasure: Erasure) -> None:
    """Everything kept about the person that nobody else's record depends on."""
    certificates = db.session.scalars(
        select(Qualification.certificate_storage_key).where(
            Qualification.user_id == user_id, Qualification.certificate_storage_key.is_not(None)
        )
    )
    erasure.storage_keys.extend(certificates)
    for model, what in (
        (Registration, "registrations"),
        (Qualification, "qualifications"),
        (TrainingWeek, "training_weeks"),
        (TrainingPeriod, "training_periods"),
        (TrainingDeclaration, "training_declarations"),
        (RevalidationRecord, "revalidation_records"),
        (ExceptionalCircumstances, "exceptional_circumstances"),
        (Notification, "notifications"),
        (SubmissionDigest, "submission_digests"),
        (OneTimeLink, "one_time_links"),  # invitations, resets, e-mail changes
        (UserIdentity, "sso_links"),  # the provider's subject identifies the person
    ):
        result = db.session.execute(
            delete(model).where(model.user_id == user_id),  # type: ignore[attr-defined]
            execution_options={"synchronize_session": False},
        )
        _count(erasure, what, result)
    result = db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id)
        .values(
            label="",
            revoked_at=func.coalesce(ApiToken.revoked_at, utcnow()),
        ),
        execution_options={"synchronize_session": False},
    )
    _count(erasure, "api_tokens", result)


def _erase_training(enrolment_ids: list[int], erasure: Erasure) -> None:
    """The trainee's evidence and the records about their training."""
    evidence_ids = select(Evidence.id).where(Evidence.enrolment_id.in_(enrolment_ids))
    erasure.storage_keys.extend(
        db.session.scalars(
            select(Attachment.storage_key).where(Attachment.evidence_id.in_(evidence_ids))
        )
    )
    _delete_unsubmitted_evidence(enrolment_ids, erasure)
    _erase_shared_evidence(evidence_ids, erasure)
    _erase_signed_records(enrolment_ids, evidence_ids, erasure)
    _count(
        erasure,
        "supervision_sessions_erased",
        db.session.execute(
            update(SupervisionSession)
            .where(SupervisionSession.enrolment_id.in_(enrolment_ids))
            .values(topics=ERASED, agreed_actions=""),
            execution_options={"synchronize_session": False},
        ),
    )
    _erase_development_plan(enrolment_ids, erasure)
    erasure.counts.update({k: n for k, n in erase_rounds(enrolment_ids).items() if n})
    _close_enrolments(enrolment_ids, erasure)
    summary_upkeep.touch(enrolment_ids)  # bulk statements above: no flush saw them
    db.session.flush()


def _erase_development_plan(enrolment_ids: list[int], erasure: Erasure) -> None:
    """The words of the development plan; its ratings, dates, outcomes and stages stay."""
    objective_ids = select(DevelopmentObjective.id).where(
        DevelopmentObjective.enrolment_id.in_(enrolment_ids)
    )
    for what, statement in (
        (
            "objectives_erased",
            update(DevelopmentObjective)
            .where(DevelopmentObjective.enrolment_id.in_(enrolment_ids))
            .values(description=ERASED),
        ),
        (
            "objective_reviews_erased",
            update(ObjectiveReview)
            .where(ObjectiveReview.objective_id.in_(objective_ids), ObjectiveReview.comment != "")
            .values(comment=ERASED),
        ),
        (
            "learning_needs_comments_erased",
            update(LearningNeedsAnalysis)
            .where(
                LearningNeedsAnalysis.enrolment_id.in_(enrolment_ids),
                LearningNeedsAnalysis.supervisor_comment.is_not(None),
            )
            .values(supervisor_comment=ERASED),
        ),
    ):
        _count(
            erasure,
            what,
            db.session.execute(statement, execution_options={"synchronize_session": False}),
        )


def _delete_unsubmitted_evidence(enrolment_ids: list[int], erasure: Erasure) -> None:
    # Never submitted: nobody else ever saw it, so it goes whole (versions, links, files).
    never_submitted = select(Evidence.id).where(
        Evidence.enrolment_id.in_(enrolment_ids),
        Evidence.status == "draft",
        Evidence.submitted_at.is_(None),
    )
    unsent = list(db.session.scalars(never_submitted))
    for model, column in (
        (Attachment, Attachment.evidence_id),
        (EvidenceLink, EvidenceLink.evidence_version_id),
        (EvidenceVersion, EvidenceVersion.evidence_id),
    ):
        target = (
            column.in_(select(EvidenceVersion.id).where(EvidenceVersion.evidence_id.in_(unsent)))
            if model is EvidenceLink
            else column.in_(unsent)
        )
        db.session.execute(
            delete(model).where(target), execution_options={"synchronize_session": False}
        )
    _count(
        erasure,
        "evidence_deleted",
        db.session.execute(
            delete(Evidence).where(Evidence.id.in_(unsent)),
            execution_options={"synchronize_session": False},
        ),
    )


def _erase_shared_evidence(evidence_ids, erasure: Erasure) -> None:
    # Shared: the item and its versions stay for the records that point at them.
    _count(
        erasure,
        "attachments_deleted",
        db.session.execute(
            delete(Attachment).where(Attachment.evidence_id.in_(evidence_ids)),
            execution_options={"synchronize_session": False},
        ),
    )
    versions = select(EvidenceVersion.id).where(EvidenceVersion.evidence_id.in_(evidence_ids))
    db.session.execute(
        update(EvidenceLink).where(EvidenceLink.evidence_version_id.in_(versions)).values(note=""),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        update(EvidenceVersion)
        .where(EvidenceVersion.evidence_id.in_(evidence_ids))
        .values(title=ERASED, fields={}),
        execution_options={"synchronize_session": False},
    )
    _count(
        erasure,
        "evidence_erased",
        db.session.execute(
            update(Evidence).where(Evidence.id.in_(evidence_ids)).values(title=ERASED),
            execution_options={"synchronize_session": False},
        ),
    )


def _close_enrolments(enrolment_ids: list[int], erasure: Erasure) -> None:
    """Forget each enrolment's exemption letter and employment terms; stop a running one."""
    for enrolment in db.session.scalars(select(Enrolment).where(Enrolment.id.in_(enrolment_ids))):
        if enrolment.exemption_storage_key:
            erasure.storage_keys.append(enrolment.exemption_storage_key)
        enrolment.exemption_storage_key = None
        enrolment.exemption_sha256 = None
        enrolment.exemption_size_bytes = None
        enrolment.exemption_media_type = None
        enrolment.exemption_filename = None
        enrolment.wte = None
        enrolment.funding = None
        enrolment.afc_band = None
        if enrolment.status in CURRENT_ENROLMENT_STATUSES:
            enrolment.status = "withdrawn"
            erasure.counts["enrolments_withdrawn"] += 1


def _erase_signed_records(enrolment_ids: list[int], evidence_ids, erasure: Erasure) -> None:
    """The trainee's personal fields in the append-only records; the rest stays as signed."""
    _count(
        erasure,
        "review_comments_erased",
        db.session.execute(
            update(Review)
            .where(Review.evidence_id.in_(evidence_ids), Review.comment != "")
            .values(comment=ERASED),
            execution_options={"synchronize_session": False},
        ),
    )
    sign_off_ids = select(SignOff.id).where(SignOff.enrolment_id.in_(enrolment_ids))
    _count(
        erasure,
        "sign_offs_erased",
        db.session.execute(
            update(SignOff)
            .where(SignOff.enrolment_id.in_(enrolment_ids))
            .values(
                trainee_name=ERASED,
                statement=func.replace(SignOff.statement, SignOff.trainee_name, ERASED),
                comment=ERASED,
                override_justification=case(
                    (SignOff.override_justification.is_(None), None), else_=ERASED
                ),
            ),
            execution_options={"synchronize_session": False},
        ),
    )
    _count(
        erasure,
        "revocations_erased",
        db.session.execute(
            update(SignOffRevocation)
            .where(SignOffRevocation.sign_off_id.in_(sign_off_ids))
            .values(reason=ERASED),
            execution_options={"synchronize_session": False},
        ),
    )
    db.session.execute(
        update(IssuedCredential)
        .where(
            IssuedCredential.enrolment_id.in_(enrolment_ids),
            IssuedCredential.revocation_reason.is_not(None),
        )
        .values(revocation_reason=ERASED),
        execution_options={"synchronize_session": False},
    )
    for completion in db.session.scalars(
        select(Completion).where(Completion.enrolment_id.in_(enrolment_ids))
    ):
        completion.statement = completion.statement.replace(completion.trainee_name, ERASED)
        completion.trainee_name = ERASED
        completion.prerequisites = _erased_prerequisites(completion.prerequisites)
        erasure.counts["completions_erased"] += 1
    if emptied := erase_stored_copies(enrolment_ids):
        erasure.counts["credentials_erased"] += emptied
    db.session.flush()


def _erased_prerequisites(snapshot: dict) -> dict:
    """The completion's snapshot without the registration number and the person's dates."""
    erased = dict(snapshot)
    if erased.get("registration"):
        erased["registration"] = {
            **erased["registration"],
            "number": ERASED,
            "expires_on": ERASED,
        }
    if erased.get("qualification"):
        erased["qualification"] = {**erased["qualification"], "achieved_on": ERASED}
    return erased


def _erase_account(person: User, erasure: Erasure) -> None:
    person.name = placeholder_name(person.id)
    person.email = placeholder_email(person.id)
    person.password_hash = None
    person.active = False
    person.last_login_at = None
    # Every session this person still has stops working at its next request.
    person.session_version += 1
    erasure.counts["accounts"] += 1
    db.session.flush()
