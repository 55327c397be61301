"""What may happen on an enrolment now, and who may do it: asked before a page offers it.

- Signing off (a competency, or the training as complete) and revoking a sign-off belong
  to the enrolment's clinical supervisor, while the enrolment is active.
- Recording a supervision session belongs to either of its supervisors, while the
  enrolment is current (active or paused).
- A review decision is taken only on evidence waiting for one (submitted).
- Nobody does any of it for themselves (`access.refuse_self_supervision`).
The services that act (`signoffs`, `completion`, `sessions`, `reviews`) refuse the same things and
say why; these answer yes or no, so a page or the API offers only what would be allowed.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.models.enrolments import CURRENT_ENROLMENT_STATUSES, Enrolment
from app.models.evidence import Evidence
from app.models.signoffs import SignOff
from app.models.users import User
from app.services.supervision.access import may_supervise


def is_current(enrolment: Enrolment) -> bool:
    """Active or paused: the training is under way, so sessions are expected and recorded."""
    return enrolment.status in CURRENT_ENROLMENT_STATUSES


def open_for_signing(enrolment: Enrolment) -> bool:
    """Only an active enrolment takes sign-offs, revocations and the final sign-off."""
    return enrolment.status == "active"


def may_sign_off(user: User, enrolment: Enrolment) -> bool:
    """`user` may sign off this enrolment's competencies, and its training as complete."""
    return open_for_signing(enrolment) and may_supervise(user, enrolment, clinical=True)


def may_revoke(user: User, sign_off: SignOff) -> bool:
    """`user` may revoke this sign-off: it still stands, and they may sign for it now."""
    return sign_off.revocation is None and may_sign_off(user, sign_off.enrolment)


def may_record_session(user: User, enrolment: Enrolment) -> bool:
    """`user` may record a supervision session on this enrolment."""
    return is_current(enrolment) and may_supervise(user, enrolment)


def awaiting_review(evidence: Evidence) -> bool:
    """The evidence waits for its supervisor's decision: accept, or ask for changes."""
    return evidence.status == "submitted"


@dataclass(frozen=True)
class RecordActions:
    """What the supervision record page offers the person viewing it."""

    supervises: bool  # one of the trainee's supervisors: the page leads back to their list
    sign_off: bool
    record_session: bool


def record_actions(user: User, enrolment: Enrolment) -> RecordActions:
    return RecordActions(
        supervises=may_supervise(user, enrolment),
        sign_off=may_sign_off(user, enrolment),
        record_session=may_record_session(user, enrolment),
    )
