"""Who may see and verify a person's registration, qualification, training and
revalidation records: the one place that decides it.

- Everyone sees their own.
- A supervisor sees the trainees whose current (active or paused) enrolment they
  supervise, clinically or educationally.
- A lead sees the trainees inside their organisation's subtree.
- Admins see none of it (it is portfolio content), though they manage programme status.
- A supervisor's own GPhC registration, which every signature of theirs relies on, is
  kept by a lead over their organisation or an administrator (`may_keep_signer_registration`).
Verifying follows seeing, except that nobody verifies their own records (the rule that
nobody supervises themselves, `supervision_access.refuse_self_supervision`): someone
reaching their own records through the oversight pages is refused with its message.
"""

from __future__ import annotations

from sqlalchemy import exists, or_, select

from app.extensions import db
from app.models.enrolments import CURRENT_ENROLMENT_STATUSES, Enrolment
from app.models.users import User
from app.services.accounts.organisations import subtree_ids
from app.services.errors import DomainError
from app.services.supervision.access import is_self_supervision, refuse_self_supervision


def supervises(supervisor_id: int, trainee_id: int, *, clinical_only: bool = False) -> bool:
    """True when `supervisor_id` supervises a current enrolment of `trainee_id`."""
    assigned = Enrolment.clinical_supervisor_id == supervisor_id
    if not clinical_only:
        assigned = or_(assigned, Enrolment.education_supervisor_id == supervisor_id)
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Enrolment.trainee_id == trainee_id,
                    Enrolment.status.in_(CURRENT_ENROLMENT_STATUSES),
                    assigned,
                )
            )
        )
    )


def leads_organisation_of(lead: User, person: User) -> bool:
    if not lead.has_role("lead") or lead.organisation_id is None:
        return False
    return person.organisation_id in subtree_ids(lead.organisation_id)


def can_oversee(viewer: User, person: User) -> bool:
    """A supervisor or lead who may see and verify `person`'s records (never themself)."""
    if is_self_supervision(viewer.id, person.id) or not person.has_role("trainee"):
        return False
    if viewer.has_role("supervisor") and supervises(viewer.id, person.id):
        return True
    return leads_organisation_of(viewer, person)


def may_keep_signer_registration(actor: User, person: User) -> bool:
    """A supervisor's own registration (what they sign with) is recorded and verified by an
    education lead over their organisation or an administrator, never by themselves."""
    if actor.id == person.id or not person.has_role("supervisor"):
        return False
    return actor.has_role("admin") or leads_organisation_of(actor, person)


def check_can_verify(actor: User, person: User, record: str) -> None:
    """Verification is someone else's check: the person's supervisor or a lead over them."""
    refuse_self_supervision(actor.id, person.id)
    if not can_oversee(actor, person):
        raise DomainError(
            "Only the person's supervisor or an education lead for their organisation "
            f"can verify their {record}"
        )


def person_for_viewer(viewer: User, user_id: int) -> User | None:
    """The person whose records `viewer` may oversee, else None (a view answers 404)."""
    person = db.session.get(User, user_id)
    if person is not None:
        refuse_self_supervision(viewer.id, person.id)
    if person is None or not can_oversee(viewer, person):
        return None
    return person
