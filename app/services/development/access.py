"""Who acts on a trainee's development records besides the trainee.

- The trainee rates their own learning needs and writes their own objectives.
- Their clinical or education supervisor comments on the learning needs analysis and
  reviews objectives (`supervision_access.may_supervise`).
- Their supervisor, or a lead of the trainee's organisation, records the pathway stage
  and sees the whole plan (`may_oversee`).
Nobody does any of this for themselves (`refuse_self_supervision`).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.models.enrolments import CURRENT_ENROLMENT_STATUSES, Enrolment
from app.models.users import User
from app.services.errors import DomainError
from app.services.registration.access import leads_organisation_of
from app.services.supervision import access as supervision_access


def is_current(enrolment: Enrolment) -> bool:
    return enrolment.status in CURRENT_ENROLMENT_STATUSES


def refuse_unless_current(enrolment: Enrolment, what: str) -> None:
    """Development records change only while the training is under way (active or paused)."""
    if not is_current(enrolment):
        raise DomainError(f"This enrolment is {enrolment.status}: {what}")


def may_oversee(user: User, enrolment: Enrolment) -> bool:
    """A supervisor of the enrolment or a lead over the trainee (never the trainee)."""
    if supervision_access.is_self_supervision(user.id, enrolment.trainee_id):
        return False
    return supervision_access.may_supervise(user, enrolment) or leads_organisation_of(
        user, enrolment.trainee
    )


def enrolment_for_overseer(user: User, enrolment_id: int) -> Enrolment | None:
    """An enrolment `user` may oversee, else None (a 404); their own is refused with the
    rule that nobody supervises themselves (a 403)."""
    enrolment = supervision_access.enrolment_for_viewer(user, enrolment_id)
    if enrolment is None:
        return None
    supervision_access.refuse_self_supervision(user.id, enrolment.trainee_id)
    return enrolment if may_oversee(user, enrolment) else None


@dataclass(frozen=True)
class DevelopmentActions:
    """What `user` may do on an enrolment's development record now: pages offer only these."""

    comment_on_needs: bool
    review_objectives: bool
    record_stage: bool


def actions_for(user: User, enrolment: Enrolment) -> DevelopmentActions:
    current = is_current(enrolment)
    supervises = current and supervision_access.may_supervise(user, enrolment)
    return DevelopmentActions(
        comment_on_needs=supervises,
        review_objectives=supervises,
        record_stage=current and may_oversee(user, enrolment),
    )
