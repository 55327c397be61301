"""The pre-registration training log, its eligibility panel and the declaration."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.registration import TrainingWeek
from app.services.errors import DomainError
from app.services.pathway.training_declaration import declare_training
from app.services.pathway.training_log import (
    WeekEntry,
    declarations_for,
    delete_week,
    eligibility_for,
    import_weeks,
    log_week,
    set_training_start,
    weeks_for,
)
from app.services.registration import qualifications
from app.services.supervision.access import SELF_SUPERVISION
from tests.registration.conftest import TODAY

START = date(2023, 3, 6)  # a Monday; year 1 ends 5 March 2024, year 2 on 5 March 2025
YEAR_2 = date(2024, 3, 11)  # the first Monday of year 2
WEEK = timedelta(weeks=1)


def weeks_totalling(first: date, total: Decimal | int, supervised: Decimal | int = 14):
    """Consecutive weeks of 35 hours and a longer last week, adding up to `total`."""
    total = Decimal(total)
    full = int(total // 35) - 1
    entries = [
        WeekEntry(first + WEEK * n, Decimal(35), Decimal(supervised), "Sam") for n in range(full)
    ]
    entries.append(WeekEntry(first + WEEK * full, total - 35 * full, Decimal(supervised), "Sam"))
    return entries


@pytest.fixture
def started(trainee):
    """The trainee, with the training start and a course that started a month later."""
    set_training_start(trainee, START, actor=trainee, today=TODAY)
    qualifications.save_qualification(
        trainee,
        qualifications.QualificationDetails(
            "l3-diploma-principles-practice", "in-progress", "Pearson", started_on=date(2023, 4, 3)
        ),
        actor=trainee,
        today=TODAY,
    )
    db.session.commit()
    return trainee


def log_years(person, year_1, year_2):
    import_weeks(
        person,
        weeks_totalling(START, year_1) + weeks_totalling(YEAR_2, year_2),
        actor=person,
        today=TODAY,
    )
    db.session.commit()


def rule(person, key: str):
    panel = eligibility_for(person.id, TODAY)
    (found,) = (r for r in panel.result.rules if r.key == key)
    return found


def _error(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    db.session.rollback()
    return caught.value


# --- Eligibility at the boundaries ----------------------------------------------------------


def test_1259_hours_in_total_is_not_enough(started):
    log_years(started, 630, 629)
    total = rule(started, "total-hours")
    assert not total.met
    assert total.detail == "1,259 of 1,260 hours"


def test_1260_hours_in_total_is_enough(started):
    log_years(started, 630, 630)
    assert rule(started, "total-hours").met
    assert eligibility_for(started.id, TODAY).result.eligible


def test_314_hours_in_a_year_is_not_enough(started):
    log_years(started, 314, 946)
    year_1 = rule(started, "year-1-hours")
    assert not year_1.met
    assert year_1.detail.startswith("314 of 315 hours")
    assert rule(started, "total-hours").met


def test_315_hours_in_a_year_is_enough(started):
    log_years(started, 315, 945)
    assert rule(started, "year-1-hours").met


def test_a_week_of_13_and_a_half_supervised_hours_does_not_count(started):
    log_week(
        started, WeekEntry(START, Decimal(35), Decimal("13.5"), "Sam"), actor=started, today=TODAY
    )
    log_week(
        started,
        WeekEntry(START + WEEK, Decimal(35), Decimal(14), "Sam"),
        actor=started,
        today=TODAY,
    )
    db.session.commit()
    result = eligibility_for(started.id, TODAY).result
    assert result.counted_hours == 35
    assert [w.week_starting for w in result.not_counted] == [START]
    assert "13.5 supervised hours, fewer than 14" in result.not_counted[0].reason


def test_no_early_registration_before_two_years(started):
    log_years(started, 630, 630)
    panel = eligibility_for(started.id, date(2025, 3, 5))
    (years,) = (r for r in panel.result.rules if r.key == "minimum-period")
    assert not years.met


def test_the_panel_waits_for_the_training_start(trainee):
    panel = eligibility_for(trainee.id, TODAY)
    assert panel.result is None
    assert "Record when" in panel.summary


def test_a_course_started_more_than_3_months_after_work_is_flagged(started):
    qualifications.save_qualification(
        started,
        qualifications.QualificationDetails(
            "l3-diploma-principles-practice", "in-progress", "Pearson", started_on=date(2023, 6, 7)
        ),
        actor=started,
        today=TODAY,
    )
    assert not rule(started, "course-start").met


# --- Logging weeks ----------------------------------------------------------------------------


def test_a_week_must_start_on_a_monday(started):
    error = _error(
        lambda: log_week(
            started,
            WeekEntry(START + timedelta(days=2), Decimal(35), Decimal(20)),
            actor=started,
            today=TODAY,
        )
    )
    assert error.field == "week_starting"
    assert "Wednesday" in error.message


def test_a_week_that_has_not_started_is_refused(started):
    error = _error(
        lambda: log_week(
            started,
            WeekEntry(TODAY + WEEK, Decimal(35), Decimal(20), "Sam"),
            actor=started,
            today=TODAY,
        )
    )
    assert error.field == "week_starting"


@pytest.mark.parametrize(
    ("hours", "supervised", "field"),
    [
        ("35", "36", "supervised_hours"),
        ("169", "20", "hours"),
        ("-1", "0", "hours"),
        ("35.125", "20", "hours"),
        ("lots", "20", "hours"),
    ],
)
def test_impossible_hours_are_refused(started, hours, supervised, field):
    error = _error(
        lambda: log_week(
            started, WeekEntry(START, hours, supervised, "Sam"), actor=started, today=TODAY
        )
    )
    assert error.field == field


def test_supervised_hours_need_the_supervisors_name(started):
    error = _error(
        lambda: log_week(
            started, WeekEntry(START, Decimal(35), Decimal(20), " "), actor=started, today=TODAY
        )
    )
    assert error.field == "supervisor_name"


def test_logging_a_week_again_corrects_it(started):
    log_week(started, WeekEntry(START, Decimal(35), Decimal(20), "Sam"), actor=started, today=TODAY)
    log_week(
        started, WeekEntry(START, Decimal("37.5"), Decimal(20), "Sam"), actor=started, today=TODAY
    )
    db.session.commit()
    (week,) = weeks_for(started.id)
    assert week.hours == Decimal("37.5")
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.action.like("training_week.%"))
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["training_week.logged", "training_week.corrected"]


def test_importing_weeks_is_one_statement_and_one_audit_event(started, count_queries):
    entries = weeks_totalling(START, 700)
    with count_queries() as queries:
        import_weeks(started, entries, actor=started, today=TODAY)
    inserts = [
        s for s in queries.statements if s.lstrip().upper().startswith("INSERT INTO TRAINING_WEEKS")
    ]
    assert len(inserts) == 1
    assert db.session.scalar(select(func.count(TrainingWeek.id))) == 20
    assert (
        db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "training_week.imported")
        )
        == 1
    )


# --- The declaration --------------------------------------------------------------------------


def test_the_clinical_supervisor_declares_the_period(started, supervisor):
    log_years(started, 630, 630)
    declaration = declare_training(
        started,
        actor=supervisor,
        period_start=START,
        period_end=date(2025, 3, 5),
        confirmed=True,
        today=TODAY,
    )
    assert declaration.counted_hours == Decimal(1260)
    assert declaration.declarant_gphc_number == "2000001"
    assert "Sam Supervisor, a registered pharmacist" in declaration.statement
    assert "6 March 2023 to 5 March 2025" in declaration.statement
    assert len(declaration.weeks_sha256) == 64


def test_declared_weeks_can_no_longer_be_changed(started, supervisor):
    log_years(started, 630, 630)
    declare_training(
        started,
        actor=supervisor,
        period_start=START,
        period_end=date(2025, 3, 5),
        confirmed=True,
        today=TODAY,
    )
    db.session.commit()
    error = _error(
        lambda: log_week(
            started, WeekEntry(START, Decimal(10), Decimal(10), "Sam"), actor=started, today=TODAY
        )
    )
    assert "can no longer be changed" in error.message
    first = weeks_for(started.id)[-1]
    assert (
        "can no longer be changed"
        in _error(lambda: delete_week(started, first.id, actor=started)).message
    )


def test_only_a_supervisor_of_theirs_can_declare(started, other_supervisor, lead):
    log_years(started, 630, 630)
    for actor in (other_supervisor, lead):
        error = _error(
            lambda actor=actor: declare_training(
                started,
                actor=actor,
                period_start=START,
                period_end=TODAY,
                confirmed=True,
                today=TODAY,
            )
        )
        assert "clinical or education supervisor can declare" in error.message


def test_nobody_declares_their_own_training_period(started):
    log_years(started, 630, 630)
    error = _error(
        lambda: declare_training(
            started,
            actor=started,
            period_start=START,
            period_end=TODAY,
            confirmed=True,
            today=TODAY,
        )
    )
    assert error.message == SELF_SUPERVISION
    assert declarations_for(started.id) == []


def test_the_declaration_must_be_confirmed(started, supervisor):
    log_years(started, 630, 630)
    error = _error(
        lambda: declare_training(
            started,
            actor=supervisor,
            period_start=START,
            period_end=TODAY,
            confirmed=False,
            today=TODAY,
        )
    )
    assert error.field == "confirm"


def test_a_period_cannot_start_before_the_training(started, supervisor):
    log_years(started, 630, 630)
    error = _error(
        lambda: declare_training(
            started,
            actor=supervisor,
            period_start=START - WEEK,
            period_end=TODAY,
            confirmed=True,
            today=TODAY,
        )
    )
    assert error.field == "period_start"
