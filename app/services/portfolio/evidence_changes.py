"""What every change to an evidence item shares: the actor must be the enrolment's
trainee and the enrolment current (active or paused: a completed or withdrawn enrolment's
evidence is read-only, kept for the record and still downloadable), the item is re-read
under a row lock, an edit lands on the draft's own version or a new copy of a submitted
one, and the item's title, date and digest follow its current version.
"""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models.assessments import AssessmentRequest
from app.models.enrolments import CURRENT_ENROLMENT_STATUSES, Enrolment
from app.models.evidence import Evidence, EvidenceLink, EvidenceVersion
from app.models.users import User
from app.services.errors import DomainError, NotFound
from app.services.portfolio.content import version_digest


def check_trainee(enrolment: Enrolment, actor: User) -> None:
    if actor.id != enrolment.trainee_id:
        # Someone else's evidence does not exist, as far as they can tell.
        raise NotFound("Evidence not found")
    if enrolment.status not in CURRENT_ENROLMENT_STATUSES:
        raise DomainError(
            f"This enrolment is {enrolment.status}: its evidence is kept read-only. "
            "You can read and download it, but not add or change it"
        )


def lock_item(evidence: Evidence) -> None:
    """Re-read the item under a row lock, so the state checked is the state changed.

    On PostgreSQL two requests (two browser tabs, a trainee and a reviewer) may read the
    same item at once; without the lock both would pass the status check and the second
    would overwrite the first. SQLite's write transactions are already serial.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        # Nothing to do: what this transaction read is still so. A write transaction
        # begins IMMEDIATE, and SQLite refuses to turn a reading one into a writing one
        # once another connection has written since (it is never silently stale).
        return
    # One statement takes the lock and re-reads the row into the loaded item. It selects
    # the item alone: PostgreSQL refuses FOR UPDATE on a query that outer-joins the
    # relationships a page loaded with it.
    db.session.execute(
        select(Evidence)
        .where(Evidence.id == evidence.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()  # the row is read into the item as the result is consumed


def sync_current(evidence: Evidence, version: EvidenceVersion) -> None:
    evidence.title = version.title
    evidence.occurred_on = version.occurred_on
    # The digest is of content only (no ids), so it is written with the rows in one flush.
    version.content_sha256 = version_digest(evidence, version)
    db.session.flush()
    db.session.expire(evidence, ["current_version"])


def is_assessed(evidence_id: int, number: int) -> bool:
    """An assessor completed this version: it stays as they left it (issue 16)."""
    return (
        db.session.scalar(
            select(AssessmentRequest.id).where(
                AssessmentRequest.evidence_id == evidence_id,
                AssessmentRequest.version_number == number,
                AssessmentRequest.completed_at.is_not(None),
            )
        )
        is not None
    )


def editable_version(evidence: Evidence, actor: User) -> tuple[EvidenceVersion, bool]:
    """The version to change: the draft's own, or a new copy of a submitted (or
    assessed) one."""
    current = evidence.current_version
    if evidence.status == "draft" and not is_assessed(evidence.id, current.number):
        return current, False
    version = EvidenceVersion(
        number=current.number + 1,
        title=current.title,
        occurred_on=current.occurred_on,
        fields=dict(current.fields),
        judgement=current.judgement,
        rating_level=current.rating_level,
        content_sha256="",
        created_by_id=actor.id,
    )
    version.links = [
        EvidenceLink(competency=link.competency, note=link.note) for link in current.links
    ]
    evidence.versions.append(version)
    evidence.current_version_number = version.number
    evidence.status = "draft"
    return version, True
