"""Who may see an enrolment's supervision record (sign-offs, sessions, completion), and
who may act as a trainee's supervisor.

- The trainee sees their own enrolments, whatever their status.
- A supervisor sees the enrolments they are the current clinical or education
  supervisor of; only the clinical supervisor acts on sign-offs (see `signoffs`).
- A lead sees the enrolments of trainees inside their organisation's subtree.
- Admins see none of it: it is portfolio content.
Everything else answers None, which a view turns into a 404.

Nobody supervises themselves. A person may hold the trainee and supervisor roles at
once, but is never enrolled as their own clinical or education supervisor, never
reviews their own evidence, records a session with themselves, signs off or completes
their own training, or verifies or declares their own records. `refuse_self_supervision`
is that rule; every service that does one of those things calls it, and the refusal
(`SelfSupervision`) reads the same wherever it is met: in a form's error summary, as
a 403 page or API error, or as the command line's one line. An enrolment recorded with
the trainee as their own supervisor before the rule existed is refused the same way.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models.enrolments import Enrolment
from app.models.frameworks import Competency
from app.models.signoffs import SignOff
from app.models.users import User
from app.services.accounts.organisations import subtree_ids
from app.services.errors import DomainError

SELF_SUPERVISION = "Nobody can supervise themselves: a trainee's supervisor must be someone else"


class SelfSupervision(DomainError):
    """Someone acting as their own supervisor. A form shows it on `field`; a page or API
    request refused outright by it answers 403 with the same message."""

    def __init__(self, field: str | None = None) -> None:
        super().__init__(SELF_SUPERVISION, field)


def is_self_supervision(actor_id: int, trainee_id: int) -> bool:
    return actor_id == trainee_id


def refuse_self_supervision(actor_id: int, trainee_id: int, *, field: str | None = None) -> None:
    """The one rule: `actor_id` may not supervise, review, sign off or verify `trainee_id`
    if they are the same person."""
    if is_self_supervision(actor_id, trainee_id):
        raise SelfSupervision(field)


def _recorded_supervisor(user: User, enrolment: Enrolment, *, clinical: bool) -> bool:
    ids = (enrolment.clinical_supervisor_id,)
    if not clinical:
        ids += (enrolment.education_supervisor_id,)
    return user.has_role("supervisor") and user.id in ids


def may_supervise(user: User, enrolment: Enrolment, *, clinical: bool = False) -> bool:
    """True when `user` may act as this enrolment's supervisor (`clinical`: its clinical
    supervisor, who signs off): the pages ask it before offering those actions."""
    return _recorded_supervisor(user, enrolment, clinical=clinical) and not is_self_supervision(
        user.id, enrolment.trainee_id
    )


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


def enrolment_for_supervisor(
    user: User, enrolment_id: int, *, clinical: bool = False
) -> Enrolment | None:
    """An enrolment `user` currently supervises (`clinical`: as its clinical supervisor),
    else None; their own enrolment, recorded as supervised by themselves, is refused."""
    enrolment = enrolment_for_viewer(user, enrolment_id)
    if enrolment is None or not _recorded_supervisor(user, enrolment, clinical=clinical):
        return None
    refuse_self_supervision(user.id, enrolment.trainee_id)
    return enrolment


def in_framework(competency: Competency, enrolment: Enrolment) -> bool:
    """Only the competencies of the enrolment's own framework are signed off on it."""
    return competency.framework_id == enrolment.framework_id


def competency_for_enrolment(enrolment: Enrolment, competency_id: int) -> Competency | None:
    """A competency of the enrolment's framework, else None (a view answers 404)."""
    competency = db.session.get(Competency, competency_id)
    if competency is None or not in_framework(competency, enrolment):
        return None
    return competency


def sign_off_for_viewer(user: User, sign_off_id: int) -> SignOff | None:
    sign_off = db.session.get(SignOff, sign_off_id)
    if sign_off is None or enrolment_for_viewer(user, sign_off.enrolment_id) is None:
        return None
    return sign_off


def sign_off_for_clinical_supervisor(user: User, sign_off_id: int) -> SignOff | None:
    """A sign-off of an enrolment `user` is the clinical supervisor of (who may revoke it)."""
    sign_off = db.session.get(SignOff, sign_off_id)
    if (
        sign_off is None
        or enrolment_for_supervisor(user, sign_off.enrolment_id, clinical=True) is None
    ):
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


def trainee_record_for_viewer(user: User, trainee_id: int) -> tuple[User, Enrolment | None] | None:
    """The trainee and the enrolment of theirs `user` may see; a trainee sees themselves
    before they are enrolled too. None when `user` may see neither (answered as 404)."""
    enrolment = trainee_enrolment_for_viewer(user, trainee_id)
    if enrolment is not None:
        return enrolment.trainee, enrolment
    if user.id == trainee_id and user.has_role("trainee"):
        return user, None
    return None
