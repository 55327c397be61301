"""Who may see an enrolment's supervision record (sign-offs, sessions, completion).

- The trainee sees their own enrolments, whatever their status.
- A supervisor sees the enrolments they are the current clinical or education
  supervisor of; only the clinical supervisor acts on sign-offs (see `signoffs`).
- A lead sees the enrolments of trainees inside their organisation's subtree.
- Admins see none of it: it is portfolio content.
Everything else answers None, which a view turns into a 404.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models.enrolments import Enrolment
from app.models.signoffs import SignOff
from app.models.users import User
from app.services.organisations import subtree_ids


def can_view(user: User, enrolment: Enrolment) -> bool:
    if user.has_role("trainee") and enrolment.trainee_id == user.id:
        return True
    if user.has_role("supervisor") and user.id in (
        enrolment.clinical_supervisor_id,
        enrolment.education_supervisor_id,
    ):
        return True
    if user.has_role("lead") and user.organisation_id is not None:
        return enrolment.trainee.organisation_id in subtree_ids(user.organisation_id)
    return False


def _with_people(query):
    """Load the trainee, framework and supervisors with the enrolment (no extra queries)."""
    return query.options(
        joinedload(Enrolment.trainee),
        joinedload(Enrolment.framework),
        joinedload(Enrolment.clinical_supervisor),
        joinedload(Enrolment.education_supervisor),
    )


def enrolment_for_viewer(user: User, enrolment_id: int) -> Enrolment | None:
    enrolment = db.session.scalar(
        _with_people(select(Enrolment).where(Enrolment.id == enrolment_id))
    )
    if enrolment is None or not can_view(user, enrolment):
        return None
    return enrolment


def enrolment_for_supervisor(user: User, enrolment_id: int) -> Enrolment | None:
    """An enrolment `user` currently supervises (clinically or educationally), else None."""
    enrolment = enrolment_for_viewer(user, enrolment_id)
    if enrolment is None or user.id not in (
        enrolment.clinical_supervisor_id,
        enrolment.education_supervisor_id,
    ):
        return None
    return enrolment


def sign_off_for_viewer(user: User, sign_off_id: int) -> SignOff | None:
    sign_off = db.session.get(SignOff, sign_off_id)
    if sign_off is None or enrolment_for_viewer(user, sign_off.enrolment_id) is None:
        return None
    return sign_off


def trainee_enrolment_for_viewer(user: User, trainee_id: int) -> Enrolment | None:
    """The trainee's enrolment `user` may see: the active one, else the most recent."""
    candidates = db.session.scalars(
        _with_people(select(Enrolment).where(Enrolment.trainee_id == trainee_id)).order_by(
            (Enrolment.status == "active").desc(), Enrolment.started_on.desc(), Enrolment.id.desc()
        )
    )
    return next((e for e in candidates if can_view(user, e)), None)
