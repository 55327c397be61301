"""`reports verify-summary` and `reports rebuild-summary` on the access-control world
(tests/security/world.py): exit 0 with the count while every stored summary matches its
records, exit 1 naming the enrolment and column of a row changed behind the app's back (or
the competency of a kept status), or the enrolment whose row is missing, and a rebuild that
makes the check pass again."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from app.extensions import db
from app.models.enrolments import Enrolment
from app.models.progress import CompetencyProgress, ProgressSummary
from app.services.reporting import progress_summary
from tests.security.world import build_world


@pytest.fixture
def world(app, make_user, make_org, framework):
    """The seeded world; its summaries rebuilt after the test, which may have changed them."""
    yield build_world(app, make_user, make_org, framework)
    db.session.rollback()
    progress_summary.rebuild()
    db.session.commit()


def matched(count: int) -> str:
    return (
        f"progress summaries match their records ({count} enrolments), "
        "and today's flag tallies their summaries\n"
    )


def verify(runner):
    db.session.commit()
    return runner.invoke(args=["reports", "verify-summary"])


def enrolment_count() -> int:
    return db.session.scalar(select(func.count(Enrolment.id)))


def last_enrolment_id() -> int:
    return db.session.scalar(select(func.max(Enrolment.id)))


def tamper(sql: str, **params) -> None:
    """Change the stored summaries with plain SQL, as nothing in the app would."""
    db.session.execute(text(sql), params)
    db.session.commit()


def test_a_seeded_database_verifies_with_its_count(world, runner):
    count = enrolment_count()
    assert count >= 3
    assert db.session.scalar(select(func.count()).select_from(ProgressSummary)) == count

    result = verify(runner)

    assert result.exit_code == 0, result.output
    assert result.output == matched(count)


def test_a_row_changed_by_hand_is_named_with_its_column(world, runner):
    target = last_enrolment_id()
    kept = db.session.get(ProgressSummary, target).awaiting_review
    tamper(
        "UPDATE progress_summaries SET awaiting_review = awaiting_review + 5 "
        "WHERE enrolment_id = :id",
        id=target,
    )

    result = verify(runner)

    assert result.exit_code == 1
    assert result.output == (
        f"Error: progress summary differs: enrolment {target}: awaiting_review is {kept + 5} "
        f"in the summary but {kept} from the records\n"
    )


def test_a_date_changed_by_hand_is_named_too(world, runner):
    target = last_enrolment_id()
    tamper(
        "UPDATE progress_summaries SET last_activity_on = :day WHERE enrolment_id = :id",
        id=target,
        day="2001-02-03",
    )

    result = verify(runner)

    assert result.exit_code == 1
    assert result.output.startswith(
        f"Error: progress summary differs: enrolment {target}: last_activity_on is 2001-02-03 "
        "in the summary but "
    )


def test_a_missing_row_is_named(world, runner):
    target = last_enrolment_id()
    tamper("DELETE FROM progress_summaries WHERE enrolment_id = :id", id=target)

    result = verify(runner)

    assert result.exit_code == 1
    assert result.output == (
        f"Error: progress summary differs: enrolment {target}: no summary row\n"
    )


def test_a_kept_competency_status_changed_or_missing_is_named(world, runner):
    target = last_enrolment_id()
    competency_id, status = db.session.execute(
        select(CompetencyProgress.competency_id, CompetencyProgress.status)
        .where(CompetencyProgress.enrolment_id == target)
        .order_by(CompetencyProgress.competency_id)
        .limit(1)
    ).one()
    other = "signed_off" if status != "signed_off" else "not_started"
    tamper(
        "UPDATE competency_progress SET status = :other "
        "WHERE enrolment_id = :id AND competency_id = :c",
        other=other,
        id=target,
        c=competency_id,
    )

    result = verify(runner)

    assert result.exit_code == 1
    assert result.output == (
        f"Error: progress summary differs: enrolment {target}: competency {competency_id} is "
        f"{other} in the kept statuses but {status} from the records\n"
    )

    tamper("DELETE FROM competency_progress WHERE enrolment_id = :id", id=target)
    assert verify(runner).output == (
        f"Error: progress summary differs: enrolment {target}: competency {competency_id} is "
        f"missing in the kept statuses but {status} from the records\n"
    )


def test_rebuild_puts_back_every_row_and_verify_passes_again(world, runner):
    count = enrolment_count()
    first, last = db.session.execute(select(func.min(Enrolment.id), func.max(Enrolment.id))).one()
    tamper("DELETE FROM progress_summaries WHERE enrolment_id = :id", id=first)
    tamper(
        "UPDATE progress_summaries SET signed_off = 99, percent = 99, level3_to_verify = :yes "
        "WHERE enrolment_id = :id",
        id=last,
        yes=True,
    )
    assert verify(runner).exit_code == 1

    rebuilt = runner.invoke(args=["reports", "rebuild-summary"])

    assert rebuilt.exit_code == 0, rebuilt.output
    assert (
        rebuilt.output == f"progress summaries rebuilt ({count} enrolments), and the flag tallies\n"
    )
    result = verify(runner)
    assert result.exit_code == 0, result.output
    assert result.output == matched(count)
    db.session.expire_all()
    assert db.session.get(ProgressSummary, first) is not None
    assert db.session.get(ProgressSummary, last).signed_off != 99


def test_an_empty_database_verifies_with_none(runner):
    result = verify(runner)
    assert result.exit_code == 0, result.output
    assert result.output == matched(0)
