"""Each enrolment's competencies are kept with their statuses beside its progress summary
(`competency_progress`), in the transaction of the change, writing only the rows whose
status moved. `reports verify-summary` finds a kept status that differs from the records,
and the long export reads the kept statuses.

A submission is summed up as a step (`summary_steps.note_submission`) rather than by
recounting the enrolment, and leaves its summary equal to a fresh computation from the
records: the backlog, the oldest wait, the day of the last activity, and each competency
it is the first to link started, and nothing else. Anything more in the same transaction
recounts instead.

The trainee, supervisor and two-competency framework (B1, B2) come from the supervision
fixtures."""

# The fixtures imported below are parameters of the tests here.
# ruff: noqa: F811

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models.base import utcnow
from app.models.evidence import Evidence
from app.models.progress import CompetencyProgress
from app.services.portfolio import evidence as evidence_service
from app.services.reporting import competency_progress, progress_summary
from app.services.reporting.competency_report import iter_competency_rows
from app.services.supervision import reviews, signoffs
from tests.evidence.conftest import valid_answers
from tests.evidence.test_summary_of_drafts import spy_on_refreshes
from tests.summary.test_summary_upkeep import assert_summaries_true, stored
from tests.supervision.conftest import (  # noqa: F401 (fixtures)
    accepted,
    competency,
    enrol,
    enrolment,
    fresh,
    org,
    ready,
    sign,
    small_framework,
    submitted,
    supervisor,
    trainee,
)


def kept(enrolment) -> dict[str, str]:
    """The enrolment's kept statuses, by competency code, as the database holds them."""
    rows = db.session.execute(
        select(CompetencyProgress.competency_id, CompetencyProgress.status).where(
            CompetencyProgress.enrolment_id == enrolment.id
        )
    )
    codes = {competency(enrolment, code).id: code for code in ("B1", "B2")}
    return {codes[competency_id]: status for competency_id, status in rows}


@pytest.fixture
def written(monkeypatch) -> list[tuple[int, str]]:
    """Each kept row written: (competency id, status)."""
    seen: list = []
    real = competency_progress.upsert_rows

    def spy(model, key, rows):
        seen.extend((row["competency_id"], row["status"]) for row in rows)
        return real(model, key, rows)

    monkeypatch.setattr(competency_progress, "upsert_rows", spy)
    return seen


def assert_true() -> None:
    check = progress_summary.first_difference()
    assert check.problem is None, check.problem


def test_enrolling_keeps_every_competency_of_the_version_not_started(enrolment):
    assert kept(enrolment) == {"B1": "not_started", "B2": "not_started"}
    assert_true()


def test_submitting_starts_the_competency_it_links_without_a_recount(
    enrolment, submitted, written, monkeypatch
):
    recounted: list = []
    real = competency_progress.statuses

    def spy(*args, **kwargs):
        recounted.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(competency_progress, "statuses", spy)
    submitted(enrolment, "reflective-account", ["B1"])

    assert kept(enrolment) == {"B1": "in_progress", "B2": "not_started"}
    # Summed up as a step (`competency_progress.share`): no competency was recounted.
    assert (recounted, written) == ([], [])
    assert_true()


def test_relinking_an_item_moves_what_it_linked_before_and_after(enrolment, submitted):
    item = submitted(enrolment, "reflective-account", ["B1"])
    reviews.record_review(
        item,
        reviewer=enrolment.clinical_supervisor,
        decision="changes_requested",
        comment="This shows B2 better.",
        version_number=item.current_version_number,
    )
    db.session.commit()

    evidence_service.edit(
        item,
        valid_answers("reflective-account", title="Reflection on B2"),
        [("B2", "How this shows B2")],
        actor=enrolment.trainee,
    )
    evidence_service.submit(item, actor=enrolment.trainee)
    db.session.commit()

    assert kept(enrolment) == {"B1": "not_started", "B2": "in_progress"}
    assert_true()


def test_a_sign_off_and_its_revocation(enrolment, ready, sign, written):
    ready(enrolment, "B1")
    assert kept(enrolment) == {"B1": "ready", "B2": "not_started"}
    written.clear()

    record = sign(enrolment, "B1")
    assert kept(enrolment) == {"B1": "signed_off", "B2": "not_started"}
    assert written == [(competency(enrolment, "B1").id, "signed_off")]

    signoffs.revoke(
        record,
        actor=enrolment.clinical_supervisor,
        reason="Signed in error.",
        authenticated_at=fresh(),
    )
    db.session.commit()
    assert kept(enrolment) == {"B1": "ready", "B2": "not_started"}
    assert_true()


def test_verify_names_a_kept_status_the_records_do_not_give(enrolment, submitted):
    submitted(enrolment, "reflective-account", ["B1"])
    b1 = competency(enrolment, "B1").id
    db.session.execute(
        update(CompetencyProgress)
        .where(CompetencyProgress.enrolment_id == enrolment.id)
        .where(CompetencyProgress.competency_id == b1)
        .values(status="ready")
    )

    check = progress_summary.first_difference()

    assert check.problem == (
        f"enrolment {enrolment.id}: competency {b1} is ready in the kept statuses "
        "but in_progress from the records"
    )
    db.session.rollback()


def test_the_long_export_reads_the_kept_statuses(enrolment, submitted, supervisor):
    submitted(enrolment, "reflective-account", ["B1"])
    rows = {row.competency_code: row.status for row in iter_competency_rows(supervisor)}
    assert rows == {"B1": "in_progress", "B2": "not_started"}

    # A kept status is what the export shows (verify-summary is what checks it is true).
    db.session.execute(
        update(CompetencyProgress)
        .where(CompetencyProgress.enrolment_id == enrolment.id)
        .values(status="ready")
    )
    rows = {row.competency_code: row.status for row in iter_competency_rows(supervisor)}
    assert rows == {"B1": "ready", "B2": "ready"}
    db.session.rollback()


# --- A submission summed up as a step ------------------------------------------------------


@pytest.fixture
def recounts(monkeypatch) -> list[int]:
    """The enrolments recounted (`refresh` or `refresh_evidence`)."""
    seen: list[int] = []
    spy_on_refreshes(monkeypatch, lambda _name, enrolment_id: seen.append(enrolment_id))
    return seen


def draft(enrolment, codes: list[str]) -> Evidence:
    item = evidence_service.create_draft(
        enrolment,
        "reflective-account",
        valid_answers("reflective-account", title="A reflection"),
        [(code, f"How this shows {code}") for code in codes],
        actor=enrolment.trainee,
    )
    db.session.commit()
    return item


def submit(item: Evidence) -> None:
    evidence_service.submit(item, actor=item.enrolment.trainee)
    db.session.commit()


def test_a_first_link_starts_its_competency_and_a_second_counts_it_once(enrolment, recounts):
    first, second = draft(enrolment, ["B1"]), draft(enrolment, ["B1", "B2"])

    submit(first)
    row = stored(enrolment.id)
    assert (row["awaiting_review"], row["in_progress"]) == (1, 1)
    assert row["oldest_waiting_since"] == first.submitted_at
    assert kept(enrolment) == {"B1": "in_progress", "B2": "not_started"}
    assert_summaries_true()

    submit(second)
    row = stored(enrolment.id)
    # B1 was started already: only B2 starts; the oldest wait stays the first's.
    assert (row["awaiting_review"], row["in_progress"]) == (2, 2)
    assert row["oldest_waiting_since"] == first.submitted_at
    assert kept(enrolment) == {"B1": "in_progress", "B2": "in_progress"}
    assert recounts == []
    assert_summaries_true()


def test_the_oldest_wait_and_the_last_activity_move_only_forward_as_the_records_say(
    enrolment, recounts
):
    waiting = draft(enrolment, ["B1"])
    submit(waiting)
    later = draft(enrolment, ["B2"])
    # The summary as the records had it if the first had waited since last week.
    week_ago = utcnow() - timedelta(days=7)
    db.session.execute(
        update(Evidence).where(Evidence.id == waiting.id).values(submitted_at=week_ago)
    )
    progress_summary.rebuild()
    db.session.commit()

    submit(later)
    row = stored(enrolment.id)
    assert row["oldest_waiting_since"] == week_ago
    assert row["last_activity_on"] == later.updated_at.date()
    assert recounts == []
    assert_summaries_true()


def test_a_signed_off_competency_stays_signed_off(enrolment, ready, sign, recounts):
    ready(enrolment, "B1")
    sign(enrolment, "B1")
    before = stored(enrolment.id)
    recounts.clear()

    submit(draft(enrolment, ["B1"]))
    row = stored(enrolment.id)
    assert (row["signed_off"], row["in_progress"]) == (1, before["in_progress"])
    assert row["awaiting_review"] == before["awaiting_review"] + 1
    assert kept(enrolment)["B1"] == "signed_off"
    assert recounts == []
    assert_summaries_true()


def test_a_revision_of_accepted_evidence_is_a_step_too(enrolment, accepted, recounts):
    item = accepted(enrolment, "reflective-account", ["B1"])
    evidence_service.edit(
        item,
        valid_answers("reflective-account", title="Now about B2 as well"),
        [("B1", "Still B1"), ("B2", "And B2")],
        actor=enrolment.trainee,
    )
    db.session.commit()
    recounts.clear()

    submit(item)
    assert kept(enrolment) == {"B1": "in_progress", "B2": "in_progress"}
    assert stored(enrolment.id)["awaiting_review"] == 1
    assert recounts == []
    assert_summaries_true()


def test_a_submission_with_another_change_to_the_enrolment_is_recounted(
    enrolment, submitted, recounts
):
    waiting = submitted(enrolment, "reflective-account", ["B1"])
    item = draft(enrolment, ["B2"])
    recounts.clear()

    reviews.record_review(
        waiting,
        reviewer=enrolment.clinical_supervisor,
        decision="changes_requested",
        comment="Say more about B1.",
        version_number=waiting.current_version_number,
    )
    evidence_service.submit(item, actor=enrolment.trainee)
    db.session.commit()

    assert recounts == [enrolment.id]
    row = stored(enrolment.id)
    assert (row["awaiting_review"], row["oldest_waiting_since"]) == (1, item.submitted_at)
    assert_summaries_true()


def test_a_submission_rolled_back_leaves_the_summary_as_it_was(enrolment):
    item = draft(enrolment, ["B1"])
    before = stored(enrolment.id)

    evidence_service.submit(item, actor=enrolment.trainee)
    db.session.rollback()

    assert stored(enrolment.id) == before
    assert kept(enrolment) == {"B1": "not_started", "B2": "not_started"}
