"""What the supervision record offers, decided by the services the actions go through.

`permissions` answers yes or no before a page or the API offers an action; the services
that act (`signoffs`, `sessions`) refuse exactly what it answers no to. The competency a
sign-off page loads belongs to the enrolment's framework, and the API's trainee detail
shows what the pages count.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update

from app.extensions import db
from app.models.enrolments import Enrolment
from app.models.users import User
from app.services.errors import DomainError
from app.services.reporting import summary_upkeep
from app.services.reporting.trainee_summary import competency_standing
from app.services.supervision import enrolments, permissions, reviews, signoffs
from app.services.supervision import sessions as supervision_sessions
from app.services.supervision.access import competency_for_enrolment, trainee_record_for_viewer
from tests.supervision.conftest import competency, fresh

STATUSES = ("active", "paused", "completed", "withdrawn")


@pytest.fixture
def educator(enrolment, make_user, org) -> User:
    """The enrolment's education supervisor (a pharmacist, so a number is no obstacle)."""
    person = make_user(roles=("supervisor",), org=org, gphc="2000003", name="Eve Educator")
    enrolments.assign_supervisor(
        enrolment, person, kind="education", actor=make_user(roles=("admin",))
    )
    db.session.commit()
    return person


def with_status(enrolment: Enrolment, status: str) -> Enrolment:
    enrolment.status = status
    db.session.commit()
    return enrolment


def record_session(enrolment: Enrolment, supervisor: User):
    return supervision_sessions.record_session(
        enrolment,
        supervisor=supervisor,
        held_on=date(2025, 3, 4),
        duration_minutes=45,
        topics="Inhaler technique",
        today=date(2025, 6, 10),
    )


@pytest.mark.parametrize(("status", "current"), [(s, s in ("active", "paused")) for s in STATUSES])
def test_an_enrolment_is_current_while_active_or_paused(enrolment, status, current):
    assert permissions.is_current(with_status(enrolment, status)) is current


# --- Signing off ------------------------------------------------------------------------


def test_the_clinical_supervisor_may_sign_off_an_active_enrolment(enrolment, supervisor, ready):
    assert permissions.may_sign_off(supervisor, enrolment)
    ready(enrolment, "B1")
    signoffs.sign_off(
        enrolment,
        competency(enrolment, "B1"),
        signer=supervisor,
        outcome_code="competent",
        comment="Seen doing this well in clinic.",
        authenticated_at=fresh(),
    )


@pytest.mark.parametrize("status", ["paused", "completed", "withdrawn"])
def test_nobody_may_sign_off_an_enrolment_that_is_not_active(
    enrolment, supervisor, ready, sign, status
):
    ready(enrolment, "B1")
    with_status(enrolment, status)
    assert not permissions.may_sign_off(supervisor, enrolment)
    with pytest.raises(DomainError, match=status):
        sign(enrolment, "B1")


def test_the_education_supervisor_records_sessions_but_does_not_sign(enrolment, educator, sign):
    assert not permissions.may_sign_off(educator, enrolment)
    assert permissions.may_record_session(educator, enrolment)
    with pytest.raises(DomainError, match="clinical supervisor"):
        sign(enrolment, "B1", signer=educator)


@pytest.mark.parametrize("roles", [("supervisor",), ("lead",), ("trainee",)])
def test_someone_who_does_not_supervise_the_trainee_is_offered_nothing(
    enrolment, make_user, org, roles
):
    stranger = make_user(roles=roles, org=org, gphc="2000009")
    assert permissions.record_actions(stranger, enrolment) == permissions.RecordActions(
        supervises=False, sign_off=False, record_session=False
    )


def test_the_trainee_is_offered_nothing_on_their_own_record(enrolment, trainee):
    assert permissions.record_actions(trainee, enrolment) == permissions.RecordActions(
        supervises=False, sign_off=False, record_session=False
    )


def test_a_trainee_recorded_as_their_own_supervisor_is_offered_nothing(
    enrol, make_user, org, small_framework
):
    dual = make_user(roles=("trainee", "supervisor"), org=org, gphc="2000005")
    enrolment = enrol(dual, small_framework)
    db.session.execute(
        update(Enrolment)
        .where(Enrolment.id == enrolment.id)
        .values(clinical_supervisor_id=dual.id, education_supervisor_id=dual.id)
    )
    summary_upkeep.touch([enrolment.id])  # no flush sees a bulk UPDATE
    db.session.commit()
    db.session.refresh(enrolment)
    assert permissions.record_actions(dual, enrolment) == permissions.RecordActions(
        supervises=False, sign_off=False, record_session=False
    )


# --- Revoking -----------------------------------------------------------------------------


def test_a_standing_sign_off_may_be_revoked_by_the_clinical_supervisor(
    enrolment, supervisor, educator, ready, sign
):
    ready(enrolment, "B1")
    record = sign(enrolment, "B1")
    assert permissions.may_revoke(supervisor, record)
    assert not permissions.may_revoke(educator, record)
    signoffs.revoke(record, actor=supervisor, reason="Wrong trainee", authenticated_at=fresh())
    db.session.commit()
    db.session.refresh(record)
    assert not permissions.may_revoke(supervisor, record)


def test_a_sign_off_on_a_paused_enrolment_cannot_be_revoked(enrolment, supervisor, ready, sign):
    ready(enrolment, "B1")
    record = sign(enrolment, "B1")
    with_status(enrolment, "paused")
    assert not permissions.may_revoke(supervisor, record)
    with pytest.raises(DomainError, match="paused"):
        signoffs.revoke(record, actor=supervisor, reason="Wrong trainee", authenticated_at=fresh())


# --- Sessions -----------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["active", "paused"])
def test_sessions_are_recorded_on_a_current_enrolment(enrolment, supervisor, status):
    with_status(enrolment, status)
    assert permissions.may_record_session(supervisor, enrolment)
    assert record_session(enrolment, supervisor).enrolment_id == enrolment.id


@pytest.mark.parametrize("status", ["completed", "withdrawn"])
def test_no_session_is_recorded_once_the_enrolment_has_ended(enrolment, supervisor, status):
    with_status(enrolment, status)
    actions = permissions.record_actions(supervisor, enrolment)
    assert (actions.supervises, actions.record_session, actions.sign_off) == (True, False, False)
    with pytest.raises(DomainError, match="sessions can no longer be added"):
        record_session(enrolment, supervisor)


# --- The competency a sign-off page loads ------------------------------------------------


def test_a_sign_off_page_loads_only_a_competency_of_the_enrolments_framework(
    enrolment, enrol, make_user, org, framework
):
    own = competency(enrolment, "B1")
    assert competency_for_enrolment(enrolment, own.id) == own
    other_enrolment = enrol(make_user(roles=("trainee",), org=org), framework)
    foreign = other_enrolment.framework.domains[0].competencies[0]
    assert competency_for_enrolment(enrolment, foreign.id) is None
    assert competency_for_enrolment(enrolment, 987_654) is None
    with pytest.raises(DomainError, match="not found"):
        signoffs.sign_off(
            enrolment,
            foreign,
            signer=enrolment.clinical_supervisor,
            outcome_code="competent",
            comment="Seen",
            authenticated_at=fresh(),
        )


# --- What the API's trainee detail shows --------------------------------------------------


def test_a_trainee_sees_themselves_before_they_are_enrolled(make_user, org, supervisor):
    newcomer = make_user(roles=("trainee",), org=org)
    assert trainee_record_for_viewer(newcomer, newcomer.id) == (newcomer, None)
    assert trainee_record_for_viewer(supervisor, newcomer.id) is None


def test_the_supervisor_sees_the_trainee_with_their_enrolment(enrolment, supervisor, trainee):
    assert trainee_record_for_viewer(supervisor, trainee.id) == (trainee, enrolment)


def test_a_signed_off_competency_needs_nothing_more(enrolment, accepted, sign):
    accepted(enrolment, "observation", ["B1"], title="Observed inhaler check")
    sign(enrolment, "B1", override_justification="Seen enough on the ward.")
    found = competency_standing(enrolment, count_drafts=False)
    by_code = {c.code: c for c in found.progress}
    assert by_code["B1"].status == "signed_off"
    assert by_code["B1"].missing  # the rule was unmet when signed
    assert by_code["B1"].still_needed == []
    assert by_code["B2"].still_needed == by_code["B2"].missing != []
    assert (found.signed_off, found.total, found.percent) == (1, 2, 50)


# --- Reviewing ----------------------------------------------------------------------------


def test_only_submitted_evidence_awaits_a_review_decision(enrolment, submitted, supervisor):
    item = submitted(enrolment, "reflective-account", ["B1"])
    assert permissions.awaiting_review(item)
    reviews.record_review(
        item, reviewer=supervisor, decision="accepted", comment="", version_number=1
    )
    db.session.commit()
    assert not permissions.awaiting_review(item)
    with pytest.raises(DomainError, match="not waiting for review"):
        reviews.record_review(
            item, reviewer=supervisor, decision="accepted", comment="", version_number=1
        )
