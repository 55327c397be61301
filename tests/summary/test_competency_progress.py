"""Each enrolment's competencies are kept with their statuses beside its progress summary
(`competency_progress`), in the transaction of the change, writing only the rows whose
status moved. `reports verify-summary` finds a kept status that differs from the records,
and the long export reads the kept statuses.

The trainee, supervisor and two-competency framework (B1, B2) come from the supervision
fixtures."""

# The fixtures imported below are parameters of the tests here.
# ruff: noqa: F811

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models.progress import CompetencyProgress
from app.services.portfolio import evidence as evidence_service
from app.services.reporting import competency_progress, progress_summary
from app.services.reporting.competency_report import iter_competency_rows
from app.services.supervision import reviews, signoffs
from tests.evidence.conftest import valid_answers
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
