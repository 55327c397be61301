"""A submission is summed up as a step (`summary_steps.note_submission`) rather than by
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
from app.services.reporting import progress_summary
from app.services.supervision import reviews
from tests.evidence.conftest import valid_answers
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


@pytest.fixture
def recounts(monkeypatch) -> list[set[int]]:
    """The enrolments recounted (`refresh_evidence` or `refresh`), a set per call."""
    seen: list[set[int]] = []
    for name in ("refresh", "refresh_evidence"):
        real = getattr(progress_summary, name)

        def spy(ids, real=real):
            ids = set(ids)
            seen.append(ids)
            return real(ids)

        monkeypatch.setattr(progress_summary, name, spy)
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


def statuses(enrolment) -> dict[str, str]:
    codes = {competency(enrolment, code).id: code for code in ("B1", "B2")}
    rows = db.session.execute(
        select(CompetencyProgress.competency_id, CompetencyProgress.status).where(
            CompetencyProgress.enrolment_id == enrolment.id
        )
    )
    return {codes[competency_id]: status for competency_id, status in rows}


def test_a_first_link_starts_its_competency_and_a_second_counts_it_once(enrolment, recounts):
    first, second = draft(enrolment, ["B1"]), draft(enrolment, ["B1", "B2"])

    submit(first)
    row = stored(enrolment.id)
    assert (row["awaiting_review"], row["in_progress"]) == (1, 1)
    assert row["oldest_waiting_since"] == first.submitted_at
    assert statuses(enrolment) == {"B1": "in_progress", "B2": "not_started"}
    assert_summaries_true()

    submit(second)
    row = stored(enrolment.id)
    # B1 was started already: only B2 starts; the oldest wait stays the first's.
    assert (row["awaiting_review"], row["in_progress"]) == (2, 2)
    assert row["oldest_waiting_since"] == first.submitted_at
    assert statuses(enrolment) == {"B1": "in_progress", "B2": "in_progress"}
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
    assert statuses(enrolment)["B1"] == "signed_off"
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
    assert statuses(enrolment) == {"B1": "in_progress", "B2": "in_progress"}
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

    assert recounts == [{enrolment.id}]
    row = stored(enrolment.id)
    assert (row["awaiting_review"], row["oldest_waiting_since"]) == (1, item.submitted_at)
    assert_summaries_true()


def test_a_submission_rolled_back_leaves_the_summary_as_it_was(enrolment):
    item = draft(enrolment, ["B1"])
    before = stored(enrolment.id)

    evidence_service.submit(item, actor=enrolment.trainee)
    db.session.rollback()

    assert stored(enrolment.id) == before
    assert statuses(enrolment) == {"B1": "not_started", "B2": "not_started"}
