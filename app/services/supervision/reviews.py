"""Supervisors reviewing submitted evidence: the queue, the decision, the history.

Accepting an observed item (an assessment of live practice) is a signature: the
reviewer's own GPhC registration must stand that day (`registration.signers`). Asking
for changes, or accepting anything else, is not.

A decision applies to the version the reviewer saw. The evidence row is locked while
the decision is recorded (SELECT ... FOR UPDATE on PostgreSQL; SQLite's write
transactions are already serial), and a version can carry one review only (a unique
constraint), so two supervisors deciding at once cannot both succeed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import BindParameter, and_, bindparam, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload, selectinload

from app.extensions import db
from app.models.base import utcnow
from app.models.enrolments import CURRENT_ENROLMENT_STATUSES, Enrolment
from app.models.evidence import Attachment, Evidence, EvidenceLink, EvidenceVersion
from app.models.frameworks import EvidenceType
from app.models.reviews import Review
from app.models.users import User
from app.services.audit import chain as audit
from app.services.clock import uk_today
from app.services.errors import DomainError, NotFound
from app.services.notifications import messages as notifications
from app.services.paging import PageNumbers, clamp_page
from app.services.portfolio import evidence as evidence_service
from app.services.portfolio import sufficiency
from app.services.registration import signers
from app.services.supervision.access import refuse_self_supervision

COMMENT_MAX = 5000
DECISION_LABELS = {"accepted": "Accepted", "changes_requested": "Changes requested"}


def _supervises(user_id: int | BindParameter[int]):
    return or_(
        Enrolment.clinical_supervisor_id == user_id,
        Enrolment.education_supervisor_id == user_id,
    )


# --- The queue ----------------------------------------------------------------------------


class QueueItem(NamedTuple):
    evidence_id: int
    title: str
    type_label: str
    version_number: int
    trainee_name: str
    enrolment_id: int
    submitted_at: datetime
    days_waiting: int


@dataclass(frozen=True)
class QueuePage(PageNumbers):
    """One page of the queue, oldest first, and how many items wait for each enrolment."""

    items: list[QueueItem]
    total: int
    page: int
    per_page: int
    waiting: dict[int, int]

    @property
    def shown(self) -> int:
        return len(self.items)


_TRAINEE = aliased(User)
_WAITING_ITEMS = and_(
    Evidence.status == "submitted",
    Enrolment.status.in_(CURRENT_ENROLMENT_STATUSES),
    _supervises(bindparam("supervisor_id")),
)
# Grouped by the evidence's column: grouped by the enrolment's, SQLite scanned every
# enrolment (checked with EXPLAIN QUERY PLAN).
_WAITING_PER_ENROLMENT = (
    select(Evidence.enrolment_id, func.count(Evidence.id))
    .join(Enrolment, Evidence.enrolment_id == Enrolment.id)
    .where(_WAITING_ITEMS)
    .group_by(Evidence.enrolment_id)
)
_QUEUE_PAGE = (
    select(
        Evidence.id,
        Evidence.title,
        EvidenceType.label,
        Evidence.current_version_number,
        _TRAINEE.name,
        Enrolment.id,
        Evidence.submitted_at,
    )
    .join(Enrolment, Evidence.enrolment_id == Enrolment.id)
    .join(_TRAINEE, _TRAINEE.id == Enrolment.trainee_id)
    .join(EvidenceType, EvidenceType.id == Evidence.evidence_type_id)
    .where(_WAITING_ITEMS)
    .order_by(Evidence.submitted_at, Evidence.id)
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)


def review_queue(
    supervisor_id: int, now: datetime | None = None, *, page: int = 1, per_page: int = 1000
) -> QueuePage:
    """Submitted evidence of every trainee the supervisor supervises, oldest first: one
    page of it, and the count waiting per enrolment (2 queries)."""
    now = now or utcnow()
    waiting = dict(
        db.session.execute(_WAITING_PER_ENROLMENT, {"supervisor_id": supervisor_id}).all()
    )
    total = sum(waiting.values())
    page = clamp_page(page, total, per_page)
    params = {"supervisor_id": supervisor_id, "limit": per_page, "offset": (page - 1) * per_page}
    rows = db.session.execute(_QUEUE_PAGE, params).all() if total else []
    day = timedelta(days=1)
    items = [QueueItem(*row, max((now - row[6]) // day, 0)) for row in rows]
    return QueuePage(items, total, page, per_page, waiting)


# --- One item --------------------------------------------------------------------------


def evidence_for_reviewer(reviewer: User, evidence_id: int) -> Evidence | None:
    """Shared evidence of a trainee `reviewer` currently supervises, else None (a 404);
    their own evidence, under an enrolment recorded as supervised by themselves, is refused."""
    evidence = db.session.scalar(
        select(Evidence)
        .join(Enrolment, Evidence.enrolment_id == Enrolment.id)
        .where(
            Evidence.id == evidence_id,
            Evidence.shared_version_number.is_not(None),
            Enrolment.status.in_(CURRENT_ENROLMENT_STATUSES),
            _supervises(reviewer.id),
        )
        .options(
            joinedload(Evidence.enrolment).joinedload(Enrolment.trainee),
            joinedload(Evidence.evidence_type),
            selectinload(Evidence.attachments),
        )
    )
    if evidence is not None:
        refuse_self_supervision(reviewer.id, evidence.enrolment.trainee_id)
    return evidence


def shared_version(evidence: Evidence) -> EvidenceVersion:
    """The version a reviewer sees: the one waiting for them, or while the trainee revises
    accepted evidence, the accepted one (`Evidence.shared_version_number`)."""
    return db.session.scalars(
        select(EvidenceVersion).where(
            EvidenceVersion.evidence_id == evidence.id,
            EvidenceVersion.number == evidence.shared_version_number,
        )
    ).one()


def linked_progress(
    evidence: Evidence, links: Iterable[EvidenceLink], signed_off: Iterable[int] = ()
) -> list[sufficiency.CompetencyProgress]:
    """Where each competency of `links` (a version's) stands against its sign-off rule."""
    linked = {link.competency_id for link in links}
    progress = sufficiency.progress_for(
        evidence.enrolment, frozenset(signed_off), count_drafts=False
    )
    return [item for item in progress if item.competency_id in linked]


def shared_attachments(evidence: Evidence) -> list[Attachment]:
    """The files of the version a reviewer sees: those added in it or before it. A file
    added to a revision in progress is the trainee's alone, like the revision."""
    shared = evidence.shared_version_number
    return [a for a in evidence.attachments if shared is not None and a.version_number <= shared]


def links_of(version: EvidenceVersion) -> list[EvidenceLink]:
    """The competencies a version claims, with their notes, in the order given (1 query)."""
    return list(
        db.session.scalars(
            select(EvidenceLink)
            .where(EvidenceLink.evidence_version_id == version.id)
            .options(joinedload(EvidenceLink.competency))
            .order_by(EvidenceLink.id)
        )
    )


def _lock(evidence_id: int) -> Evidence:
    """Re-read the evidence row under a lock, so the status checked is the status written."""
    found = db.session.scalar(
        select(Evidence)
        .where(Evidence.id == evidence_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if found is None:
        raise NotFound("Evidence not found")
    return found


def acceptance_refusal(
    reviewer: User, evidence: Evidence, today: date
) -> signers.SignerRefusal | None:
    """Why `reviewer` may not accept this item today, else None. Accepting an observed
    assessment attests to practice the reviewer stands behind: a signature, so their own
    registration must stand (`registration.signers`). Other evidence needs no registration."""
    if not evidence.evidence_type.observed:
        return None
    return signers.signer_refusal(reviewer.id, today, signers.OBSERVATION_REGISTERS)


def record_review(
    evidence: Evidence,
    *,
    reviewer: User,
    decision: str,
    comment: str,
    version_number: int,
) -> Review:
    """Accept the version the reviewer saw, or ask for changes (which needs a comment)."""
    refuse_self_supervision(reviewer.id, evidence.enrolment.trainee_id)
    comment = (comment or "").strip()
    if decision not in DECISION_LABELS:
        raise DomainError("Choose whether to accept the evidence or ask for changes", "decision")
    if decision == "changes_requested" and not comment:
        raise DomainError("Say what the trainee needs to change", "comment")
    if len(comment) > COMMENT_MAX:
        raise DomainError(f"Comments must be {COMMENT_MAX:,} characters or fewer", "comment")
    enrolment = evidence.enrolment
    if reviewer.id not in (enrolment.clinical_supervisor_id, enrolment.education_supervisor_id):
        raise NotFound("Evidence not found")
    if enrolment.status not in CURRENT_ENROLMENT_STATUSES:
        raise DomainError(f"This enrolment is {enrolment.status}: its evidence cannot change")
    if decision == "accepted":
        refusal = acceptance_refusal(reviewer, evidence, uk_today())
        if refusal is not None:
            raise signers.SignerNotRegistered(refusal)
    evidence = _lock(evidence.id)
    evidence_service.set_status_from_review(evidence, decision, version_number=version_number)
    version = evidence.current_version
    review = Review(
        evidence_id=evidence.id,
        evidence_version_id=version.id,
        version_number=version.number,
        content_sha256=version.content_sha256,
        reviewer_id=reviewer.id,
        decision=decision,
        comment=comment,
    )
    db.session.add(review)
    try:
        db.session.flush()
    except IntegrityError:
        raise DomainError("Someone has just reviewed this version of the evidence") from None
    audit.record(
        "evidence.reviewed",
        "evidence",
        evidence.id,
        actor=reviewer,
        data={
            "review_id": review.id,
            "decision": decision,
            "version": version.number,
            "content_sha256": version.content_sha256,
        },
    )
    _tell_trainee(evidence, decision)
    return review


def _tell_trainee(evidence: Evidence, decision: str) -> None:
    trainee = evidence.enrolment.trainee
    link = notifications.path_for("trainee.evidence_detail", "/portfolio/", evidence_id=evidence.id)
    if decision == "accepted":
        notifications.notify(
            trainee,
            "evidence_accepted",
            f"Your supervisor accepted “{evidence.title}”.",
            link,
            email_subject="Your evidence was accepted",
            email_body="Your supervisor has accepted one of your evidence items.",
        )
    else:
        notifications.notify(
            trainee,
            "changes_requested",
            f"Your supervisor asked for changes to “{evidence.title}”.",
            link,
            email_subject="Your supervisor asked for changes",
            email_body=(
                "Your supervisor has asked for changes to one of your evidence items. "
                "Sign in to read their comments."
            ),
        )


# --- History -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewRecord:
    id: int
    decision: str
    comment: str
    reviewer_name: str
    reviewed_at: datetime
    version_number: int
    content_sha256: str

    @property
    def decision_label(self) -> str:
        return DECISION_LABELS[self.decision]


def review_history(evidence_id: int) -> list[ReviewRecord]:
    """Every review of an evidence item, newest first, in one query."""
    rows = db.session.execute(
        select(
            Review.id,
            Review.decision,
            Review.comment,
            User.name,
            Review.created_at,
            Review.version_number,
            Review.content_sha256,
        )
        .join(User, User.id == Review.reviewer_id)
        .where(Review.evidence_id == evidence_id)
        .order_by(Review.created_at.desc(), Review.id.desc())
    )
    return [ReviewRecord(*row) for row in rows]
