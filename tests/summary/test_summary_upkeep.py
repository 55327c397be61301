"""Each change that moves a progress summary, made through the app's own services, moves the
stored row as the change says, and leaves every row equal to a fresh computation from the
records (`progress_summary.first_difference`). A change rolled back leaves the row as it was.

The trainee, supervisor, two-competency framework and evidence come from the supervision
fixtures; the framework move uses the crosswalk fixtures (tests/frameworks_lifecycle)."""

# The fixtures imported below are parameters of the tests here.
# ruff: noqa: F811

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.enrolments import Enrolment
from app.models.progress import ProgressSummary
from app.models.signoffs import SignOff
from app.services.clock import uk_today
from app.services.framework_moves.moving import MOVED, move_trainees
from app.services.portfolio import evidence as evidence_service
from app.services.privacy import erasure
from app.services.registration import qualifications
from app.services.registration import records as registration
from app.services.registration.qualifications import QualificationDetails
from app.services.registration.records import RegistrationDetails
from app.services.reporting import flag_tallies, progress_summary
from app.services.reporting.flags import report_thresholds
from app.services.supervision import completion, enrolment_lifecycle, reviews, signoffs
from app.services.supervision import sessions as supervision_sessions
from tests.evidence.conftest import valid_answers
from tests.frameworks_lifecycle.conftest import cohort, on_v1, v1, v2  # noqa: F401 (fixtures)
from tests.supervision.conftest import (  # noqa: F401 (fixtures)
    accepted,
    enrol,
    enrolment,
    fresh,
    org,
    qualified,
    ready,
    registered,
    sign,
    small_framework,
    submitted,
    supervisor,
    trainee,
)

COLUMNS = [getattr(ProgressSummary, name) for name in progress_summary.COLUMNS]


def stored(enrolment_id: int) -> dict:
    """The summary row as the database holds it now (not the session's copy)."""
    row = db.session.execute(
        select(*COLUMNS).where(ProgressSummary.enrolment_id == enrolment_id)
    ).one_or_none()
    assert row is not None, f"enrolment {enrolment_id} has no summary row"
    return row._asdict()


def assert_summaries_true() -> None:
    check = progress_summary.first_difference()
    assert check.problem is None, check.problem
    assert check.checked == db.session.scalar(select(db.func.count(Enrolment.id)))
    # The organisations' flag tallies, counted again by the same commits.
    problem = flag_tallies.first_difference(uk_today(), report_thresholds())
    assert problem is None, problem


def draft(enrolment: Enrolment, code: str = "B1"):
    item = evidence_service.create_draft(
        enrolment,
        "reflective-account",
        valid_answers("reflective-account", title=f"Reflection on {code}"),
        [(code, f"How this shows {code}")],
        actor=enrolment.trainee,
    )
    db.session.commit()
    return item


def review(item, decision: str, comment: str = ""):
    reviews.record_review(
        item,
        reviewer=item.enrolment.clinical_supervisor,
        decision=decision,
        comment=comment,
        version_number=item.current_version_number,
    )
    db.session.commit()


# --- Evidence and its review ---------------------------------------------------------------


def test_enrolling_writes_a_row_that_matches_the_records(enrolment):
    row = stored(enrolment.id)
    assert (row["competencies"], row["signed_off"], row["percent"]) == (2, 0, 0)
    assert row["awaiting_review"] == 0
    assert row["last_activity_on"] == enrolment.started_on
    assert_summaries_true()


def test_a_draft_is_activity_but_not_progress_until_it_is_submitted(enrolment):
    item = draft(enrolment)
    row = stored(enrolment.id)
    assert (row["awaiting_review"], row["in_progress"]) == (0, 0)
    assert row["last_activity_on"] == uk_today()
    assert_summaries_true()

    evidence_service.submit(item, actor=enrolment.trainee)
    db.session.commit()

    row = stored(enrolment.id)
    assert (row["awaiting_review"], row["in_progress"]) == (1, 1)
    assert row["oldest_waiting_since"] == item.submitted_at
    assert_summaries_true()


def test_submitting_puts_evidence_in_the_queue_and_accepting_takes_it_out(enrolment, submitted):
    assert stored(enrolment.id)["awaiting_review"] == 0

    item = submitted(enrolment, "reflective-account", ["B1"])
    row = stored(enrolment.id)
    assert row["awaiting_review"] == 1
    assert row["oldest_waiting_since"] == item.submitted_at
    assert_summaries_true()

    review(item, "accepted")
    row = stored(enrolment.id)
    assert (row["awaiting_review"], row["oldest_waiting_since"]) == (0, None)
    # One accepted item of the two B1 needs: still in progress, not ready.
    assert (row["in_progress"], row["ready"]) == (1, 0)
    assert_summaries_true()


def test_asking_for_changes_takes_evidence_out_of_the_queue_and_resubmitting_puts_it_back(
    enrolment, submitted
):
    first = submitted(enrolment, "reflective-account", ["B1"])
    second = submitted(enrolment, "observation", ["B2"])
    row = stored(enrolment.id)
    assert row["awaiting_review"] == 2
    assert row["oldest_waiting_since"] == first.submitted_at

    review(first, "changes_requested", "Say what you checked first.")
    row = stored(enrolment.id)
    assert row["awaiting_review"] == 1
    assert row["oldest_waiting_since"] == second.submitted_at
    assert_summaries_true()

    evidence_service.edit(
        first,
        valid_answers("reflective-account", title="Reflection on B1, checked first"),
        [("B1", "How this shows B1")],
        actor=enrolment.trainee,
    )
    evidence_service.submit(first, actor=enrolment.trainee)
    db.session.commit()
    assert stored(enrolment.id)["awaiting_review"] == 2
    assert_summaries_true()


# --- Sign-off, revocation and completion -----------------------------------------------------


def test_a_sign_off_counts_and_its_revocation_takes_it_back(enrolment, ready, sign):
    before = stored(enrolment.id)
    ready(enrolment, "B1")
    row = stored(enrolment.id)
    assert (row["ready"], row["signed_off"], row["percent"]) == (1, 0, 0)
    assert_summaries_true()

    record = sign(enrolment, "B1")
    row = stored(enrolment.id)
    assert (row["ready"], row["signed_off"], row["percent"]) == (0, 1, 50)
    assert row["last_activity_on"] == uk_today()
    # Half done, the trainee falls behind later than with nothing signed off, if at all.
    assert row["behind_from"] is None or row["behind_from"] > before["behind_from"]
    assert_summaries_true()

    signoffs.revoke(
        record,
        actor=enrolment.clinical_supervisor,
        reason="Wrong trainee",
        authenticated_at=fresh(),
    )
    db.session.commit()
    row = stored(enrolment.id)
    assert (row["ready"], row["signed_off"], row["percent"]) == (1, 0, 0)
    assert row["behind_from"] == before["behind_from"]
    assert_summaries_true()


def test_completing_the_training_leaves_every_competency_signed_off(
    enrolment, trainee, ready, sign, registered, qualified
):
    for code in ("B1", "B2"):
        ready(enrolment, code)
        sign(enrolment, code)
    registered(trainee)
    qualified(trainee)
    assert_summaries_true()

    completion.complete(
        enrolment, signer=enrolment.clinical_supervisor, authenticated_at=fresh(), today=uk_today()
    )
    db.session.commit()

    row = stored(enrolment.id)
    assert (row["competencies"], row["signed_off"], row["percent"]) == (2, 2, 100)
    assert (row["behind_from"], row["level3_to_verify"]) == (None, False)
    assert_summaries_true()


# --- Pauses, supervision and the trainee's registration ----------------------------------------


def test_a_pause_moves_the_day_the_trainee_falls_behind(enrolment, supervisor):
    # Started 6 January 2025 with nothing signed off: behind from some day in 2025.
    before = stored(enrolment.id)["behind_from"]
    assert before is not None
    assert before.year == 2025
    paused_from = enrolment.started_on + timedelta(days=14)
    assert paused_from < before

    enrolment_lifecycle.pause(
        enrolment, reason="Long-term sickness", paused_from=paused_from, actor=supervisor
    )
    db.session.commit()
    # While paused the time allowed stands still, so the day moves off (or far on).
    paused = stored(enrolment.id)["behind_from"]
    assert paused is None or paused > uk_today()
    assert_summaries_true()

    enrolment_lifecycle.resume(enrolment, resumed_on=uk_today(), actor=supervisor)
    db.session.commit()
    # Back from today: behind again as many days after today as it was after the pause.
    resumed = stored(enrolment.id)["behind_from"]
    assert resumed == uk_today() + (before - paused_from)
    assert_summaries_true()


def test_a_session_with_the_clinical_supervisor_is_the_last_supervision(enrolment, supervisor):
    assert stored(enrolment.id)["last_supervision_on"] is None
    held_on = uk_today() - timedelta(days=3)
    supervision_sessions.record_session(
        enrolment,
        supervisor=supervisor,
        held_on=held_on,
        duration_minutes=40,
        topics="Inhaler technique clinic",
        today=uk_today(),
    )
    db.session.commit()
    assert stored(enrolment.id)["last_supervision_on"] == held_on
    assert_summaries_true()


def test_recording_verifying_and_renewing_a_registration(enrolment, trainee, supervisor):
    today = uk_today()
    assert stored(enrolment.id)["registration_expires_on"] is None
    expires_on = today + timedelta(days=300)
    row = registration.record_registration(
        trainee,
        RegistrationDetails(
            "pharmacy-technician", "registered", "5012345", date(2024, 3, 1), expires_on
        ),
        actor=trainee,
    )
    db.session.commit()
    unverified = stored(enrolment.id)
    assert unverified["registration_expires_on"] == expires_on
    # Flagged as renewal comes due, some weeks before the expiry.
    assert today < unverified["registration_flag_from"] < expires_on
    assert_summaries_true()

    registration.verify_registration(trainee, row.id, actor=supervisor, today=today)
    db.session.commit()
    assert stored(enrolment.id) == unverified  # checked on the register: no date moves
    assert_summaries_true()

    renewed_to = today + timedelta(days=200)
    registration.record_registration(
        trainee,
        RegistrationDetails(
            "pharmacy-technician", "registered", "5012345", date(2024, 3, 1), renewed_to
        ),
        actor=trainee,
    )
    db.session.commit()
    renewed = stored(enrolment.id)
    assert renewed["registration_expires_on"] == renewed_to
    # Due for renewal sooner, so flagged sooner: still before the new expiry.
    assert today < renewed["registration_flag_from"] < unverified["registration_flag_from"]
    assert renewed["registration_flag_from"] < renewed_to
    assert_summaries_true()


def test_a_qualification_outside_the_list_waits_for_verification_until_verified(
    enrolment, trainee, supervisor
):
    assert stored(enrolment.id)["level3_to_verify"] is False
    saved = qualifications.save_qualification(
        trainee,
        QualificationDetails(
            kind="other",
            status="achieved",
            awarding_body="Pharmacy college overseas",
            title="Diploma in Pharmacy Technology",
            started_on=date(2019, 9, 1),
            achieved_on=date(2021, 7, 15),
            justification="Covers the same knowledge and competence as the Level 3 diploma.",
        ),
        actor=trainee,
        today=uk_today(),
    )
    db.session.commit()
    assert stored(enrolment.id)["level3_to_verify"] is True
    assert_summaries_true()

    qualifications.verify_qualification(
        trainee, saved.qualification.id, actor=supervisor, today=uk_today()
    )
    db.session.commit()
    assert stored(enrolment.id)["level3_to_verify"] is False
    assert_summaries_true()


# --- Moving framework version and erasing the trainee ----------------------------------------


def test_a_framework_move_counts_the_new_versions_competencies(on_v1, v1, v2, accepted, sign):
    for code in ("A1", "A2"):  # A1 is carried over to version 2; A2 merges into M1
        accepted(on_v1, "reflective-account", [code], title=f"Reflection on {code}")
        accepted(on_v1, "observation", [code], title=f"Observed {code}")
        sign(on_v1, code)
    assert (stored(on_v1.id)["signed_off"], stored(on_v1.id)["percent"]) == (2, 40)

    report = move_trainees(v1, v2, actor=None, trainee_email=on_v1.trainee.email)
    db.session.commit()

    assert [t.outcome for t in report.trainees] == [MOVED]
    row = stored(on_v1.id)
    assert (row["competencies"], row["signed_off"], row["percent"]) == (5, 1, 20)
    assert_summaries_true()


@pytest.fixture
def administrator(make_user):
    return make_user(roles=("admin",))


def _lived_training(enrolment, trainee, supervisor, submitted, ready, sign) -> None:
    """Evidence of every kind, a sign-off, a session and a verified registration."""
    ready(enrolment, "B1")
    sign(enrolment, "B1")
    submitted(enrolment, "reflective-account", ["B2"])
    draft(enrolment, "B2")
    supervision_sessions.record_session(
        enrolment,
        supervisor=supervisor,
        held_on=uk_today() - timedelta(days=3),
        duration_minutes=30,
        topics="Discharge letters",
        today=uk_today(),
    )
    row = registration.record_registration(
        trainee,
        RegistrationDetails(
            "pharmacy-technician",
            "registered",
            "5012345",
            date(2024, 3, 1),
            uk_today() + timedelta(days=300),
        ),
        actor=trainee,
    )
    registration.verify_registration(trainee, row.id, actor=supervisor, today=uk_today())
    db.session.commit()


def test_erasing_a_trainee_in_training_leaves_a_summary_that_matches(
    enrolment, trainee, supervisor, administrator, submitted, ready, sign
):
    _lived_training(enrolment, trainee, supervisor, submitted, ready, sign)
    assert stored(enrolment.id)["registration_expires_on"] is not None

    erasure.erase_person(trainee, actor=administrator)
    db.session.commit()

    row = stored(enrolment.id)
    # The registration is deleted; the signed records and shared evidence stay.
    assert (row["registration_expires_on"], row["registration_flag_from"]) == (None, None)
    assert (row["signed_off"], row["awaiting_review"]) == (1, 1)
    assert_summaries_true()


def test_erasing_a_trainee_whose_training_is_complete_leaves_a_summary_that_matches(
    enrolment, trainee, supervisor, administrator, ready, sign, registered, qualified
):
    # A completed enrolment is not withdrawn by the erasure: only the bulk deletes of the
    # registration and Level 3 change what its summary is computed from.
    for code in ("B1", "B2"):
        ready(enrolment, code)
        sign(enrolment, code)
    registered(trainee)
    qualified(trainee)
    completion.complete(
        enrolment, signer=enrolment.clinical_supervisor, authenticated_at=fresh(), today=uk_today()
    )
    db.session.commit()
    assert stored(enrolment.id)["registration_expires_on"] is not None

    erasure.erase_person(trainee, actor=administrator)
    db.session.commit()

    assert stored(enrolment.id)["registration_expires_on"] is None
    assert_summaries_true()


# --- A change rolled back -----------------------------------------------------------------------


def test_a_change_rolled_back_leaves_the_summary_as_it_was(enrolment, submitted):
    item = submitted(enrolment, "reflective-account", ["B1"])
    before = stored(enrolment.id)

    reviews.record_review(
        item,
        reviewer=enrolment.clinical_supervisor,
        decision="accepted",
        comment="",
        version_number=item.current_version_number,
    )
    db.session.flush()
    db.session.rollback()

    assert stored(enrolment.id) == before
    assert_summaries_true()


def test_a_savepoint_rolled_back_is_not_summed_up_with_the_change_committed_after_it(
    enrolment, submitted, supervisor
):
    item = submitted(enrolment, "reflective-account", ["B1"])
    before = stored(enrolment.id)

    savepoint = db.session.begin_nested()
    reviews.record_review(
        item,
        reviewer=supervisor,
        decision="accepted",
        comment="",
        version_number=item.current_version_number,
    )
    db.session.flush()
    savepoint.rollback()  # the reviewer closed the page
    held_on = uk_today() - timedelta(days=1)
    supervision_sessions.record_session(
        db.session.get(Enrolment, enrolment.id),
        supervisor=supervisor,
        held_on=held_on,
        duration_minutes=20,
        topics="Queue of evidence",
        today=uk_today(),
    )
    db.session.commit()

    row = stored(enrolment.id)
    assert row == {**before, "last_supervision_on": held_on}
    assert row["awaiting_review"] == 1
    assert_summaries_true()


def test_a_sign_off_refused_mid_way_leaves_the_summary_as_it_was(enrolment, ready, sign):
    ready(enrolment, "B1")
    sign(enrolment, "B1")
    before = stored(enrolment.id)
    standing = db.session.scalar(select(SignOff).where(SignOff.enrolment_id == enrolment.id))
    assert standing is not None

    with pytest.raises(Exception, match="already signed off"):
        sign(enrolment, "B1")
    db.session.rollback()

    assert stored(enrolment.id) == before
    assert_summaries_true()


# --- The placing -----------------------------------------------------------------------------


def test_a_trainee_moved_to_another_organisation_takes_their_summary_along(
    enrolment, trainee, supervisor, make_org, monkeypatch
):
    from app.services.accounts import users

    assert stored(enrolment.id)["organisation_id"] == trainee.organisation_id
    elsewhere = make_org("Elsewhere Surgery", "practice")
    refreshed: list[int] = []
    real = progress_summary.refresh
    monkeypatch.setattr(progress_summary, "refresh", lambda ids: (refreshed.extend(ids), real(ids)))
    users.update_profile(trainee, name=trainee.name, organisation=elsewhere, actor=supervisor)
    db.session.commit()
    assert stored(enrolment.id)["organisation_id"] == elsewhere.id
    assert refreshed == [enrolment.id]
    assert_summaries_true()

    # A change to anything else of theirs (a new name, signing in) recomputes nothing.
    refreshed.clear()
    users.update_profile(trainee, name="A New Name", organisation=elsewhere, actor=supervisor)
    trainee.last_login_at = trainee.created_at
    db.session.commit()
    assert refreshed == []
    assert_summaries_true()


def test_the_cohort_supervisors_and_dates_are_the_enrolments(enrolment, supervisor):
    row = stored(enrolment.id)
    assert (row["status"], row["cohort_id"]) == ("active", enrolment.cohort_id)
    assert row["clinical_supervisor_id"] == supervisor.id
    assert (row["started_on"], row["expected_end_on"]) == (
        enrolment.started_on,
        enrolment.expected_end_on,
    )
    enrolment.expected_end_on += timedelta(days=30)
    db.session.commit()
    assert stored(enrolment.id)["expected_end_on"] == enrolment.expected_end_on
    assert_summaries_true()


def test_a_savepoint_rolled_back_after_a_change_leaves_that_change_summed_up(enrolment, supervisor):
    item = draft(enrolment)
    waiting = draft(enrolment, "B2")
    evidence_service.submit(waiting, actor=enrolment.trainee)
    db.session.commit()

    evidence_service.submit(item, actor=enrolment.trainee)
    db.session.flush()
    savepoint = db.session.begin_nested()
    reviews.record_review(
        waiting,
        reviewer=supervisor,
        decision="accepted",
        comment="",
        version_number=waiting.current_version_number,
    )
    db.session.flush()
    savepoint.rollback()
    db.session.commit()

    # Both wait: the review of `waiting` was rolled back; `item`'s submission, made
    # before the savepoint, stands.
    assert stored(enrolment.id)["awaiting_review"] == 2
    assert_summaries_true()


def test_a_submission_in_a_savepoint_rolled_back_is_not_summed_up(enrolment):
    item = draft(enrolment)
    before = stored(enrolment.id)

    savepoint = db.session.begin_nested()
    evidence_service.submit(item, actor=enrolment.trainee)
    db.session.flush()
    savepoint.rollback()
    db.session.commit()

    assert stored(enrolment.id) == before
    assert_summaries_true()
