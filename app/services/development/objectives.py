"""The personal development plan: objectives with target dates, linked to competencies,
reviewed by a supervisor.

- The trainee writes an objective, names the competencies it develops (at least one, of
  their framework) and a target date of today or later.
- A supervisor reviews it, on its own page (with a comment) or at a supervision session
  (the session names the objectives it reviewed). A review either keeps the objective
  going or records it as achieved, on the day of the review; an achieved objective is
  not reviewed again.
- An objective is overdue when it is still open after its target date: due today is not
  overdue, due yesterday is. `is_overdue` is that rule for one objective and
  `overdue_condition` the same rule in SQL, for counting across trainees.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models.development import REVIEW_OUTCOMES, DevelopmentObjective, ObjectiveReview
from app.models.enrolments import Enrolment
from app.models.frameworks import Competency
from app.models.supervision import SupervisionSession
from app.models.users import User
from app.services.audit import chain as audit
from app.services.audit.digests import record_digest
from app.services.development.access import refuse_unless_current
from app.services.errors import DomainError
from app.services.notifications import messages as notifications
from app.services.supervision import access as supervision_access

DESCRIPTION_MAX = 2_000
COMMENT_MAX = 5_000
OUTCOME_LABELS = {"continuing": "Continuing", "achieved": "Achieved"}


def is_overdue(objective: DevelopmentObjective, today: date) -> bool:
    """Still open after its target date."""
    return objective.status == "open" and objective.target_on < today


def may_review(objective: DevelopmentObjective) -> bool:
    """Still open: an achieved objective is not reviewed again."""
    return objective.status == "open"


def overdue_condition(today: date) -> ColumnElement[bool]:
    """`is_overdue` as a SQL condition on DevelopmentObjective."""
    return and_(DevelopmentObjective.status == "open", DevelopmentObjective.target_on < today)


def overdue_counts(enrolment_ids: Iterable[int] | Select, today: date) -> dict[int, int]:
    """Overdue objectives per enrolment (absent: none), in one query."""
    rows = db.session.execute(
        select(DevelopmentObjective.enrolment_id, func.count(DevelopmentObjective.id))
        .where(DevelopmentObjective.enrolment_id.in_(enrolment_ids), overdue_condition(today))
        .group_by(DevelopmentObjective.enrolment_id)
    )
    return dict(rows.all())


def objectives_for(enrolment_id: int) -> list[DevelopmentObjective]:
    """The plan, soonest target first, with competencies and reviews (3 queries)."""
    return list(
        db.session.scalars(
            select(DevelopmentObjective)
            .where(DevelopmentObjective.enrolment_id == enrolment_id)
            .options(
                selectinload(DevelopmentObjective.competencies),
                selectinload(DevelopmentObjective.reviews).joinedload(ObjectiveReview.reviewer),
            )
            .order_by(DevelopmentObjective.target_on, DevelopmentObjective.id)
        )
    )


def open_objectives(enrolment_id: int) -> list[DevelopmentObjective]:
    """Objectives still open, soonest target first: what a session may review."""
    return list(
        db.session.scalars(
            select(DevelopmentObjective)
            .where(
                DevelopmentObjective.enrolment_id == enrolment_id,
                DevelopmentObjective.status == "open",
            )
            .order_by(DevelopmentObjective.target_on, DevelopmentObjective.id)
        )
    )


def objective_of(enrolment: Enrolment, objective_id: int) -> DevelopmentObjective | None:
    """The enrolment's objective with that id, else None."""
    return db.session.scalar(
        select(DevelopmentObjective)
        .where(
            DevelopmentObjective.id == objective_id,
            DevelopmentObjective.enrolment_id == enrolment.id,
        )
        .options(
            selectinload(DevelopmentObjective.competencies),
            selectinload(DevelopmentObjective.reviews).joinedload(ObjectiveReview.reviewer),
        )
    )


def add_objective(
    enrolment: Enrolment,
    *,
    trainee: User,
    description: str,
    target_on: date | None,
    competency_ids: Sequence[int],
    today: date,
) -> DevelopmentObjective:
    """A new objective on the trainee's own plan."""
    if trainee.id != enrolment.trainee_id:
        raise DomainError("Only the trainee adds objectives to their plan")
    refuse_unless_current(enrolment, "its development plan can no longer change")
    description = (description or "").strip()
    if not description:
        raise DomainError("Describe what you want to achieve", "description")
    if len(description) > DESCRIPTION_MAX:
        raise DomainError(f"Write {DESCRIPTION_MAX:,} characters or fewer", "description")
    if target_on is None:
        raise DomainError("Enter the target date", "target_on")
    if target_on < today:
        raise DomainError("The target date must be today or in the future", "target_on")
    wanted = set(competency_ids)
    if not wanted:
        raise DomainError("Choose at least one competency this objective develops", "competencies")
    competencies = list(
        db.session.scalars(
            select(Competency)
            .where(Competency.id.in_(wanted), Competency.framework_id == enrolment.framework_id)
            .order_by(Competency.position)
        )
    )
    if len(competencies) != len(wanted):
        raise DomainError("Choose competencies of your framework", "competencies")
    objective = DevelopmentObjective(
        enrolment_id=enrolment.id,
        description=description,
        target_on=target_on,
        status="open",
        competencies=competencies,
    )
    db.session.add(objective)
    db.session.flush()
    audit.record(
        "objective.added",
        "development_objective",
        objective.id,
        actor=trainee,
        data={
            "enrolment_id": enrolment.id,
            "competency_ids": sorted(wanted),
            "content_sha256": record_digest({"description": description, "target_on": target_on}),
        },
    )
    return objective


def _check_reviewer(enrolment: Enrolment, reviewer: User) -> None:
    supervision_access.refuse_self_supervision(reviewer.id, enrolment.trainee_id)
    if not supervision_access.may_supervise(reviewer, enrolment):
        raise DomainError("Only the trainee's supervisors can review their objectives")
    refuse_unless_current(enrolment, "its development plan can no longer change")


def _review(
    enrolment: Enrolment,
    objective: DevelopmentObjective,
    *,
    reviewer: User,
    outcome: str,
    comment: str,
    reviewed_on: date,
    session: SupervisionSession | None,
) -> ObjectiveReview:
    review = ObjectiveReview(
        objective_id=objective.id,
        reviewer_id=reviewer.id,
        session_id=session.id if session else None,
        reviewed_on=reviewed_on,
        outcome=outcome,
        comment=comment,
    )
    if outcome == "achieved":
        objective.status = "achieved"
        objective.achieved_on = reviewed_on
    db.session.add(review)
    db.session.flush()
    audit.record(
        "objective.reviewed",
        "development_objective",
        objective.id,
        actor=reviewer,
        data={
            "enrolment_id": enrolment.id,
            "review_id": review.id,
            "outcome": outcome,
            "session_id": session.id if session else None,
            "content_sha256": record_digest({"comment": comment}),
        },
    )
    return review


def review_objective(
    enrolment: Enrolment,
    objective: DevelopmentObjective,
    *,
    reviewer: User,
    outcome: str | None,
    comment: str,
    today: date,
) -> ObjectiveReview:
    """A supervisor's review of one objective, with a comment for the trainee."""
    _check_reviewer(enrolment, reviewer)
    if objective.enrolment_id != enrolment.id:
        raise DomainError("That objective is not on this trainee's plan")
    if not may_review(objective):
        raise DomainError("This objective is already achieved")
    if outcome not in REVIEW_OUTCOMES:
        raise DomainError("Choose whether the objective is achieved or continues", "outcome")
    comment = (comment or "").strip()
    if not comment:
        raise DomainError("Enter your comment on the trainee's progress", "comment")
    if len(comment) > COMMENT_MAX:
        raise DomainError(f"Write {COMMENT_MAX:,} characters or fewer", "comment")
    review = _review(
        enrolment,
        objective,
        reviewer=reviewer,
        outcome=outcome,
        comment=comment,
        reviewed_on=today,
        session=None,
    )
    notifications.notify(
        enrolment.trainee,
        "objective_reviewed",
        f"{reviewer.name} reviewed your objective due {objective.target_on.day} "
        f"{objective.target_on:%B %Y}.",
        notifications.path_for("trainee.development") + f"#objective-{objective.id}",
    )
    return review


def review_at_session(
    enrolment: Enrolment,
    session: SupervisionSession,
    *,
    reviewer: User,
    objective_ids: Iterable[int],
) -> list[ObjectiveReview]:
    """Record that the session reviewed these open objectives of the enrolment."""
    wanted = set(objective_ids)
    if not wanted:
        return []
    _check_reviewer(enrolment, reviewer)
    chosen = [o for o in open_objectives(enrolment.id) if o.id in wanted]
    if len(chosen) != len(wanted):
        raise DomainError(
            "Choose objectives of this trainee's plan that are still open", "objectives"
        )
    return [
        _review(
            enrolment,
            objective,
            reviewer=reviewer,
            outcome="continuing",
            comment="",
            reviewed_on=session.held_on,
            session=session,
        )
        for objective in chosen
    ]
