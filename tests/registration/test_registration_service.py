"""Recording, verifying and flagging GPhC registrations, and the final sign-off gate."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.registration import Registration
from app.services.errors import DomainError
from app.services.registration import qualifications
from app.services.registration import records as registration
from app.services.registration.records import (
    RegistrationDetails,
    final_signoff_prerequisites,
    record_registration,
    registration_history,
    registration_status_for,
    verify_registration,
)
from app.services.supervision.access import SELF_SUPERVISION
from tests.registration.conftest import TODAY, technician_details

DAY = timedelta(days=1)


def _error(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    db.session.rollback()
    return caught.value


# --- Recording ------------------------------------------------------------------------------


def test_a_number_with_spaces_is_stored_without_them(trainee):
    row = record_registration(trainee, technician_details(number=" 501 23 45 "), actor=trainee)
    assert row.number == "5012345"


def test_a_pharmacist_number_entered_as_a_technician_number_is_refused(trainee):
    error = _error(
        lambda: record_registration(trainee, technician_details(number="2012345"), actor=trainee)
    )
    assert error.field == "number"
    assert "pharmacist number" in error.message
    assert "start with 5" in error.message
    assert (
        db.session.scalars(select(Registration).where(Registration.user_id == trainee.id)).all()
        == []
    )


@pytest.mark.parametrize("number", ["1012345", "501234", "50123456", "5O12345", ""])
def test_numbers_of_the_wrong_shape_are_refused(trainee, number):
    error = _error(
        lambda: record_registration(trainee, technician_details(number=number), actor=trainee)
    )
    assert error.field == "number"


@pytest.mark.parametrize("day", [1, 15])
def test_registration_dates_on_the_1st_or_15th_are_accepted(trainee, day):
    details = technician_details(registered_on=date(2024, 5, day))
    assert record_registration(trainee, details, actor=trainee).registered_on.day == day


@pytest.mark.parametrize("day", [2, 14, 16, 31])
def test_other_registration_dates_are_refused(trainee, day):
    error = _error(
        lambda: record_registration(
            trainee, technician_details(registered_on=date(2024, 5, day)), actor=trainee
        )
    )
    assert error.field == "registered_on"
    assert "1st or the 15th" in error.message


@pytest.mark.parametrize("expires_on", [date(2023, 3, 1), date(2023, 2, 28)])
def test_expiry_must_come_after_registration(trainee, expires_on):
    error = _error(
        lambda: record_registration(
            trainee, technician_details(expires_on=expires_on), actor=trainee
        )
    )
    assert error.field == "expires_on"


def test_a_trainee_status_has_no_number(trainee):
    details = RegistrationDetails("pharmacy-technician", "trainee", "5012345", None, None)
    error = _error(lambda: record_registration(trainee, details, actor=trainee))
    assert error.field == "number"


def test_a_trainee_status_is_recorded_without_number_or_dates(trainee):
    details = RegistrationDetails("pharmacy-technician", "trainee", "", None, None)
    row = record_registration(trainee, details, actor=trainee)
    assert (row.status, row.number, row.registered_on) == ("trainee", None, None)


def test_registered_needs_both_dates(trainee):
    error = _error(
        lambda: record_registration(
            trainee,
            RegistrationDetails("pharmacy-technician", "registered", "5012345", None, None),
            actor=trainee,
        )
    )
    assert error.field == "registered_on"


def test_each_change_is_a_new_unverified_row_and_history_is_kept(trainee, supervisor, register):
    first = register(trainee, verified_by=supervisor)
    second = record_registration(
        trainee, technician_details(expires_on=date(2026, 12, 31)), actor=trainee
    )
    db.session.commit()
    history = registration_history(trainee.id)
    assert [row.id for row in history] == [second.id, first.id]
    assert second.verified_by_id is None
    assert first.verified_by_id == supervisor.id  # the old row keeps what was checked


def test_recording_the_same_details_again_changes_nothing(trainee, register):
    register(trainee)
    error = _error(lambda: record_registration(trainee, technician_details(), actor=trainee))
    assert "nothing has changed" in error.message
    assert len(registration_history(trainee.id)) == 1


def test_a_stranger_cannot_record_someone_elses_registration(trainee, other_supervisor):
    error = _error(
        lambda: record_registration(trainee, technician_details(), actor=other_supervisor)
    )
    assert "cannot change" in error.message


def test_the_audit_event_carries_a_digest_not_the_number(trainee):
    row = record_registration(trainee, technician_details(), actor=trainee)
    event = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "registration.recorded", AuditEvent.subject_id == str(row.id)
        )
    ).one()
    assert "5012345" not in json.dumps(event.data)
    assert len(event.data["digest"]) == 64


# --- Verifying ------------------------------------------------------------------------------


def test_the_supervisor_verifies_the_current_registration(trainee, supervisor, register):
    row = register(trainee)
    verify_registration(trainee, row.id, actor=supervisor, today=TODAY)
    assert (row.verified_by_id, row.verified_on) == (supervisor.id, TODAY)
    assert db.session.scalar(
        select(AuditEvent.id).where(AuditEvent.action == "registration.verified")
    )


def test_a_lead_in_the_organisation_subtree_can_verify(trainee, lead, register):
    row = register(trainee)
    verify_registration(trainee, row.id, actor=lead, today=TODAY)
    assert row.verified_by_id == lead.id


def test_a_trainee_cannot_verify_their_own_registration(trainee, register):
    row = register(trainee)
    error = _error(lambda: verify_registration(trainee, row.id, actor=trainee, today=TODAY))
    assert error.message == SELF_SUPERVISION


def test_a_supervisor_who_is_also_the_trainee_cannot_verify_themself(
    make_user, practice, framework, supervisor, register
):
    from app.services.accounts import users as accounts
    from app.services.supervision import enrolments

    person = make_user(roles=("trainee", "supervisor"), org=practice)
    enrolments.enrol(person, framework, supervisor=supervisor)
    accounts.set_roles(person, ["trainee", "supervisor", "lead"], actor=person)
    db.session.commit()
    row = register(person)
    error = _error(lambda: verify_registration(person, row.id, actor=person, today=TODAY))
    assert error.message == SELF_SUPERVISION


def test_an_unassigned_supervisor_cannot_verify(trainee, other_supervisor, register):
    row = register(trainee)
    error = _error(
        lambda: verify_registration(trainee, row.id, actor=other_supervisor, today=TODAY)
    )
    assert "supervisor or an education lead" in error.message


def test_a_lead_outside_the_organisation_cannot_verify(trainee, outside_lead, register):
    row = register(trainee)
    error = _error(lambda: verify_registration(trainee, row.id, actor=outside_lead, today=TODAY))
    assert "supervisor or an education lead" in error.message


def test_verifying_a_registration_that_has_since_changed_is_refused(trainee, supervisor, register):
    old = register(trainee)
    register(trainee, expires_on=date(2026, 12, 31))
    error = _error(lambda: verify_registration(trainee, old.id, actor=supervisor, today=TODAY))
    assert "changed" in error.message


def test_a_registration_is_verified_once(trainee, supervisor, register):
    row = register(trainee, verified_by=supervisor)
    error = _error(lambda: verify_registration(trainee, row.id, actor=supervisor, today=TODAY))
    assert "already verified" in error.message


# --- Currency flags -------------------------------------------------------------------------

EXPIRES = date(2025, 12, 31)  # renewal deadline 31 October 2025, notice from 31 July 2025


@pytest.mark.parametrize(
    ("today", "flag", "label"),
    [
        (date(2025, 7, 30), "current", "Current"),
        (date(2025, 7, 31), "renewal-due", "Renewal due"),
        (date(2025, 10, 31), "renewal-due", "Renewal due"),
        (date(2025, 11, 1), "overdue", "Overdue for renewal"),
        (EXPIRES, "overdue", "Overdue for renewal"),  # expiring today: still valid today
        (EXPIRES + DAY, "expired", "Expired"),  # expired yesterday
    ],
)
def test_currency_flags_at_their_boundaries(trainee, register, today, flag, label):
    register(trainee, expires_on=EXPIRES)
    status = registration_status_for([trainee.id], today)[trainee.id]
    assert (status.flag, status.label) == (flag, label)


def test_people_without_a_registration_are_flagged_as_such(trainee):
    status = registration.registration_status(trainee.id, TODAY)
    assert (status.flag, status.label) == ("none", "No registration recorded")


@pytest.mark.parametrize(
    ("status", "flag"), [("lapsed", "lapsed"), ("removed", "removed"), ("trainee", "trainee")]
)
def test_non_registered_statuses_are_their_own_flags(trainee, status, flag):
    details = (
        RegistrationDetails("pharmacy-technician", "trainee", None, None, None)
        if status == "trainee"
        else technician_details(status=status)
    )
    record_registration(trainee, details, actor=trainee)
    assert registration.registration_status(trainee.id, TODAY).flag == flag


def test_an_unverified_number_needs_verification(trainee, supervisor, register):
    register(trainee)
    assert registration.registration_status(trainee.id, TODAY).needs_verification
    row = registration_history(trainee.id)[0]
    verify_registration(trainee, row.id, actor=supervisor, today=TODAY)
    assert not registration.registration_status(trainee.id, TODAY).needs_verification


def test_flags_for_many_people_take_one_query(make_trainee, register, count_queries):
    people = [make_trainee() for _ in range(6)]
    for n, person in enumerate(people):
        register(person, number=f"50000{n:02d}")
        register(person, number=f"50000{n:02d}", expires_on=date(2026, 12, 31))
    ids = [person.id for person in people]
    db.session.expire_all()
    with count_queries() as queries:
        statuses = registration_status_for(ids, TODAY)
    assert queries.count == 1
    assert {s.expires_on for s in statuses.values()} == {date(2026, 12, 31)}


# --- The final sign-off gate ----------------------------------------------------------------


def _achieved_and_verified(person, verifier):
    saved = qualifications.save_qualification(
        person,
        qualifications.QualificationDetails(
            "l3-diploma-principles-practice",
            "achieved",
            "Pearson",
            started_on=date(2022, 9, 1),
            achieved_on=date(2024, 7, 1),
        ),
        actor=person,
        today=TODAY,
    )
    qualifications.verify_qualification(person, saved.qualification.id, actor=verifier, today=TODAY)
    db.session.commit()


def test_nothing_recorded_blocks_with_both_reasons(trainee):
    assert final_signoff_prerequisites(trainee.id, TODAY) == [
        "No GPhC registration is recorded",
        "No Level 3 qualification is recorded",
    ]


def test_current_verified_registration_and_verified_level_3_pass(trainee, supervisor, register):
    register(trainee, verified_by=supervisor)
    _achieved_and_verified(trainee, supervisor)
    assert final_signoff_prerequisites(trainee.id, TODAY) == []


def test_an_unverified_registration_blocks(trainee, supervisor, register):
    register(trainee)
    _achieved_and_verified(trainee, supervisor)
    problems = final_signoff_prerequisites(trainee.id, TODAY)
    assert problems == [
        "The registration has not been verified against the GPhC register by a supervisor or lead"
    ]


def test_expiring_today_does_not_block_but_expired_yesterday_does(trainee, supervisor, register):
    register(trainee, verified_by=supervisor, expires_on=TODAY)
    _achieved_and_verified(trainee, supervisor)
    assert final_signoff_prerequisites(trainee.id, TODAY) == []
    assert final_signoff_prerequisites(trainee.id, TODAY + DAY) == [
        "The registration expired on 2 June 2025"
    ]


def test_a_qualification_not_yet_achieved_blocks(trainee, supervisor, register):
    register(trainee, verified_by=supervisor)
    qualifications.save_qualification(
        trainee,
        qualifications.QualificationDetails(
            "l3-diploma-principles-practice", "in-progress", "Pearson", started_on=date(2024, 9, 1)
        ),
        actor=trainee,
        today=TODAY,
    )
    problems = final_signoff_prerequisites(trainee.id, TODAY)
    assert "The Level 3 qualification is not yet achieved (it is in progress)" in problems
