"""A draft nobody else sees moves only its trainee's last activity in the progress summary,
without recomputing it; its submission is summed up as a step too (see
tests/summary/test_competency_progress.py); a deletion recomputes it. Either way the
stored summary is what the records say."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.extensions import db
from app.models.base import utcnow
from app.models.progress import ProgressSummary
from app.services.portfolio import evidence as evidence_service
from app.services.reporting import progress_summary
from app.services.supervision import reviews
from app.services.supervision import sessions as supervision_sessions
from tests.evidence.conftest import TODAY, valid_answers


def spy_on_refreshes(monkeypatch, note: Callable[[str, int], None]) -> None:
    """`note(which refresh, enrolment id)` for each enrolment `progress_summary.refresh` or
    `refresh_evidence` recomputes, call by call (both still run)."""
    for name in ("refresh", "refresh_evidence"):
        real = getattr(progress_summary, name)

        def spy(enrolment_ids, real=real, name=name):
            ids = set(enrolment_ids)
            for enrolment_id in sorted(ids):
                note(name, enrolment_id)
            real(ids)

        monkeypatch.setattr(progress_summary, name, spy)


@pytest.fixture
def recomputed(monkeypatch) -> list[int]:
    """The enrolments either refresh recomputes."""
    seen: list[int] = []
    spy_on_refreshes(monkeypatch, lambda _name, enrolment_id: seen.append(enrolment_id))
    return seen


def _summary(enrolment) -> ProgressSummary:
    db.session.expire_all()
    return db.session.get(ProgressSummary, enrolment.id)


def _matches_the_records() -> None:
    assert progress_summary.first_difference().problem is None


def test_a_new_private_draft_moves_only_the_last_activity(enrolment, log_evidence, recomputed):
    enrolment.started_on = TODAY
    db.session.commit()
    assert _summary(enrolment).last_activity_on == TODAY
    recomputed.clear()

    log_evidence(enrolment, "reflective-account", ["D1.1"])

    assert enrolment.id not in recomputed
    summary = _summary(enrolment)
    assert summary.last_activity_on == utcnow().date() > TODAY
    assert (summary.in_progress, summary.awaiting_review) == (0, 0)
    _matches_the_records()


def test_editing_the_draft_is_summed_up_the_same_way(enrolment, log_evidence, recomputed):
    item = log_evidence(enrolment, "reflective-account", ["D1.1"])
    recomputed.clear()

    evidence_service.edit(
        item,
        valid_answers("reflective-account", title="Second thoughts"),
        [("D1.1", "How this shows D1.1"), ("D2.1", "And D2.1")],
        actor=enrolment.trainee,
        today=TODAY,
    )
    db.session.commit()

    assert enrolment.id not in recomputed
    _matches_the_records()


def test_submitting_steps_and_deleting_recomputes(enrolment, log_evidence, recomputed):
    shared = log_evidence(enrolment, "reflective-account", ["D1.1"])
    private = log_evidence(enrolment, "reflective-account", ["D2.1"])
    recomputed.clear()

    evidence_service.submit(shared, actor=enrolment.trainee)
    db.session.commit()
    assert enrolment.id not in recomputed
    summary = _summary(enrolment)
    assert (summary.awaiting_review, summary.in_progress) == (1, 1)
    assert summary.oldest_waiting_since == shared.submitted_at
    _matches_the_records()

    recomputed.clear()
    evidence_service.delete_draft(private, actor=enrolment.trainee)
    db.session.commit()
    assert enrolment.id in recomputed
    _matches_the_records()


@pytest.fixture
def refreshed(monkeypatch) -> list[tuple[str, int]]:
    """(which refresh, enrolment id) for each enrolment a refresh recomputes."""
    seen: list[tuple[str, int]] = []
    spy_on_refreshes(monkeypatch, lambda name, enrolment_id: seen.append((name, enrolment_id)))
    return seen


def test_evidence_alone_recomputes_the_evidence_values_and_a_session_the_whole_row(
    enrolment, supervisor, log_evidence, refreshed
):
    item = log_evidence(enrolment, "reflective-account", ["D1.1"], status="submitted")
    assert refreshed == []  # a submission is a step

    reviews.record_review(
        item, reviewer=supervisor, decision="accepted", comment="", version_number=1
    )
    db.session.commit()
    assert refreshed == [("refresh_evidence", enrolment.id)]
    assert _summary(enrolment).awaiting_review == 0
    _matches_the_records()
    refreshed.clear()

    # A session and a review in one transaction: the row is recomputed once, in whole.
    second = log_evidence(enrolment, "reflective-account", ["D2.1"], status="submitted")
    refreshed.clear()
    reviews.record_review(
        second, reviewer=supervisor, decision="accepted", comment="", version_number=1
    )
    supervision_sessions.record_session(
        enrolment,
        supervisor=supervisor,
        held_on=TODAY,
        duration_minutes=30,
        topics="Progress on D2.1",
        today=TODAY,
    )
    db.session.commit()
    assert refreshed == [("refresh", enrolment.id)]
    assert _summary(enrolment).last_supervision_on == TODAY
    _matches_the_records()
