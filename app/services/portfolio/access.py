"""Who may see which evidence, and which version of it: the one place that decides it.

- A trainee sees all of their own evidence, drafts included, at its current version.
- A supervisor sees the shared evidence of the enrolments they currently supervise,
  clinically or educationally, at its shared version (`Evidence.shared_version_number`):
  the submitted one, or while the trainee drafts a revision of accepted evidence, the
  accepted one. Never a draft.
- A lead sees the shared evidence of trainees inside their organisation's subtree, at
  its shared version.
- Anyone else, admins included, sees none.
One person may hold several roles; they see the union, each item as the rule for that
item says (their own at its current version, a supervisee's at its shared one).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, bindparam, case, false, or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models.enrolments import Enrolment
from app.models.evidence import Evidence
from app.models.organisations import Organisation
from app.models.users import User, UserRole
from app.services.accounts.organisations import ancestors, subtree

# Something is shared with the trainee's supervisors and leads once it has a shared version.
SHARED = Evidence.shared_version_number.is_not(None)


AccessFlags = tuple[bool, bool, bool]  # sees as trainee, as supervisor, as lead
AS_TRAINEE, AS_SUPERVISOR, AS_LEAD = range(3)
# Every kind of viewer, for statements defined once per kind.
VIEWER_KINDS: tuple[AccessFlags, ...] = tuple(itertools.product((False, True), repeat=3))


def access_flags(user: User) -> AccessFlags:
    """Which of the rules above apply to `user` (a lead needs an organisation)."""
    return (
        user.has_role("trainee"),
        user.has_role("supervisor"),
        user.has_role("lead") and user.organisation_id is not None,
    )


def _only(flags: AccessFlags, rule: int) -> AccessFlags:
    """`flags` narrowed to one of the rules (`AS_SUPERVISOR`, ...)."""
    trainee, supervisor, lead = (flag and i == rule for i, flag in enumerate(flags))
    return trainee, supervisor, lead


def _visible(flags: AccessFlags, viewer_id, organisation_id) -> Select[tuple[Evidence]]:
    """The rule, written once: `viewer_id` and `organisation_id` are values or bind
    parameters (see `visible_evidence_template`)."""
    as_trainee, as_supervisor, as_lead = flags
    allowed = []
    if as_trainee:
        allowed.append(Enrolment.trainee_id == viewer_id)
    if as_supervisor:
        supervises = or_(
            Enrolment.clinical_supervisor_id == viewer_id,
            Enrolment.education_supervisor_id == viewer_id,
        )
        allowed.append(and_(SHARED, supervises))
    if as_lead:
        tree = subtree(organisation_id)
        in_tree = select(User.id).where(User.organisation_id.in_(select(tree.c.id)))
        allowed.append(and_(SHARED, Enrolment.trainee_id.in_(in_tree)))
    return (
        select(Evidence)
        .join(Enrolment, Evidence.enrolment_id == Enrolment.id)
        .where(or_(*allowed) if allowed else false())
    )


def visible_evidence_for(user: User) -> Select[tuple[Evidence]]:
    """A query for the evidence `user` may see; add filters, ordering and loading to it."""
    return _visible(access_flags(user), user.id, user.organisation_id)


def visible_evidence_template(flags: AccessFlags) -> Select[tuple[Evidence]]:
    """`visible_evidence_for` for a kind of viewer, with the viewer as bind parameters.
    Execute what is built on it with `viewer_params(user)` among the parameters."""
    return _visible(flags, bindparam("viewer_id"), bindparam("viewer_organisation_id"))


def viewer_params(user: User) -> dict[str, int | None]:
    return {"viewer_id": user.id, "viewer_organisation_id": user.organisation_id}


_VISIBLE_ITEM = {
    flags: visible_evidence_template(flags).where(Evidence.id == bindparam("evidence_id"))
    for flags in VIEWER_KINDS
}


def evidence_visible_to(user: User, evidence_id: int) -> Evidence | None:
    """The evidence item if `user` may see it, else None (which a view turns into a 404)."""
    return db.session.scalar(
        _VISIBLE_ITEM[access_flags(user)], {**viewer_params(user), "evidence_id": evidence_id}
    )


def can_see_evidence(user: User, evidence: Evidence) -> bool:
    return evidence_visible_to(user, evidence.id) is not None


# --- Which version a viewer sees ----------------------------------------------------------


def version_seen_by(user: User, evidence: Evidence) -> int | None:
    """The version number of `evidence` that `user` sees (None: they see none of it); ask
    only about an item the rule above lets them see."""
    if evidence.enrolment.trainee_id == user.id:
        return evidence.current_version_number
    return evidence.shared_version_number


def seen_version_number(flags: AccessFlags, viewer_id) -> ColumnElement[int]:
    """`version_seen_by` in SQL, for the items of a query built on `_visible` (which joins
    the enrolment); `viewer_id` a value or a bind parameter."""
    if not flags[0]:
        return Evidence.shared_version_number
    return case(
        (Enrolment.trainee_id == viewer_id, Evidence.current_version_number),
        else_=Evidence.shared_version_number,
    )


def seen_status(flags: AccessFlags, viewer_id) -> ColumnElement[str]:
    """The status of the version `seen_version_number` gives: the trainee sees their own
    item's status; anyone else the shared version's (an item being revised is accepted)."""
    if not flags[0]:
        return Evidence.shared_status
    return case((Enrolment.trainee_id == viewer_id, Evidence.status), else_=Evidence.shared_status)


# --- Who can see one item, in words for its trainee ----------------------------------


@dataclass(frozen=True)
class Viewer:
    name: str
    # How they come to see it: "clinical supervisor", "education supervisor", or the
    # organisation a lead covers.
    why: str


@dataclass(frozen=True)
class Audience:
    """Everyone besides the trainee who can open an item now, by the rule above."""

    supervisors: tuple[Viewer, ...] = ()
    leads: tuple[Viewer, ...] = ()

    @property
    def nobody_else(self) -> bool:
        return not (self.supervisors or self.leads)


def _admitted(viewers: list[tuple[AccessFlags, int, int | None]], evidence_id: int) -> list[bool]:
    """For each (flags, viewer id, organisation id), whether `_visible` lets that viewer
    see the item: one query however many viewers."""
    if not viewers:
        return []
    checks = [
        _visible(flags, viewer_id, organisation_id).where(Evidence.id == evidence_id).exists()
        for flags, viewer_id, organisation_id in viewers
    ]
    return list(db.session.execute(select(*checks)).one())


def audience(evidence: Evidence) -> Audience:
    """The people other than the trainee who can see `evidence` at present. `_visible`
    decides: this only finds whom to ask, its enrolment's supervisors and the leads of
    the trainee's organisation or any organisation above it, and names those the
    supervisor or lead rule admits (none while nothing of it is shared). Only active
    accounts are named."""
    enrolment = evidence.enrolment
    supervisors = [
        (person, why)
        for person, why in (
            (enrolment.clinical_supervisor, "clinical supervisor"),
            (enrolment.education_supervisor, "education supervisor"),
        )
        if person is not None and person.active
    ]
    organisation_id = enrolment.trainee.organisation_id
    leads: list[tuple[User, str]] = []
    if organisation_id is not None:
        chain = ancestors(organisation_id)
        leads = [
            (lead, where)
            for lead, where in db.session.execute(
                select(User, Organisation.name)
                .join(Organisation, User.organisation_id == Organisation.id)
                .join(UserRole, and_(UserRole.user_id == User.id, UserRole.role == "lead"))
                .where(User.organisation_id.in_(select(chain.c.id)), User.active.is_(True))
                .options(selectinload(User.role_rows))
                .order_by(User.name, User.id)
            )
        ]
    asked = [(person, why, AS_SUPERVISOR) for person, why in supervisors] + [
        (lead, where, AS_LEAD) for lead, where in leads
    ]
    admitted = _admitted(
        [(_only(access_flags(p), rule), p.id, p.organisation_id) for p, _, rule in asked],
        evidence.id,
    )
    named = [
        (Viewer(p.name, why), rule)
        for (p, why, rule), ok in zip(asked, admitted, strict=True)
        if ok
    ]
    return Audience(
        tuple(viewer for viewer, rule in named if rule == AS_SUPERVISOR),
        tuple(viewer for viewer, rule in named if rule == AS_LEAD),
    )
