"""Pre-registration eligibility rules at their boundaries (no app, no database)."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.services.pathway.eligibility import (
    EligibilityRules,
    TrainingEligibility,
    WeeklyLog,
    assess_training_eligibility,
    registration_deadline,
    weekly_log_problems,
)
from app.services.rule_results import RuleResult

START = date(2023, 3, 1)  # year 1: 1 Mar 2023 - 29 Feb 2024; year 2: 1 Mar 2024 - 28 Feb 2025
YEAR_2 = date(2024, 3, 1)
TWO_YEARS = date(2025, 3, 1)
COURSE_START = date(2023, 4, 1)
COURSE_END = date(2025, 2, 1)  # deadline: min(1 Apr 2028, 1 Feb 2027) = 1 Feb 2027
DEADLINE = date(2027, 2, 1)
WEEK = timedelta(weeks=1)
DAY = timedelta(days=1)


def spread(
    first_week: date, total: Decimal | int, supervised: Decimal | int = 14
) -> list[WeeklyLog]:
    """Weekly logs adding up to `total` hours: 35-hour weeks and one longer last week."""
    total = Decimal(total)
    full_weeks = int(total // 35) - 1
    logs = [WeeklyLog(first_week + WEEK * n, 35, supervised) for n in range(full_weeks)]
    logs.append(WeeklyLog(first_week + WEEK * full_weeks, total - 35 * full_weeks, supervised))
    return logs


def training(year_1: Decimal | int = 630, year_2: Decimal | int = 630) -> list[WeeklyLog]:
    return spread(START, year_1) + spread(YEAR_2, year_2)


def assess(logs: list[WeeklyLog] | None = None, **kwargs) -> TrainingEligibility:
    arguments = {
        "course_start": COURSE_START,
        "course_end": COURSE_END,
        "today": TWO_YEARS,
    } | kwargs
    start = arguments.pop("training_start", START)
    return assess_training_eligibility(start, training() if logs is None else logs, **arguments)


def rule(result: TrainingEligibility, key: str) -> RuleResult:
    (found,) = (r for r in result.rules if r.key == key)
    return found


def test_a_complete_training_period_is_eligible() -> None:
    result = assess()
    assert result.eligible
    assert result.unmet == ()
    assert [r.key for r in result.rules] == [
        "minimum-period",
        "total-hours",
        "year-1-hours",
        "year-2-hours",
        "weekly-supervision",
        "course-start",
        "registration-deadline",
    ]
    assert result.counted_hours == 1260
    assert [y.counted_hours for y in result.training_years] == [630, 630]
    assert result.minimum_period_reached_on == TWO_YEARS
    assert result.registration_deadline == DEADLINE
    assert not any(r.warning for r in result.rules)


# --- Hours ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year_2", "met", "detail"),
    [
        pytest.param(629, False, "1,259 of 1,260 hours", id="1259"),
        pytest.param(Decimal("629.5"), False, "1,259.5 of 1,260 hours", id="1259.5"),
        pytest.param(630, True, "1,260 of 1,260 hours", id="1260"),
        pytest.param(631, True, "1,261 of 1,260 hours", id="1261"),
    ],
)
def test_total_hours_boundary(year_2: Decimal | int, met: bool, detail: str) -> None:
    result = assess(training(630, year_2))
    total = rule(result, "total-hours")
    assert (total.met, total.detail) == (met, detail)
    assert result.eligible is met


@pytest.mark.parametrize(
    ("year", "hours", "met"),
    [
        pytest.param(1, 314, False, id="year-1-314"),
        pytest.param(1, Decimal("314.75"), False, id="year-1-314.75"),
        pytest.param(1, 315, True, id="year-1-315"),
        pytest.param(2, 314, False, id="year-2-314"),
        pytest.param(2, 315, True, id="year-2-315"),
    ],
)
def test_hours_in_each_year_boundary(year: int, hours: Decimal | int, met: bool) -> None:
    # The other year makes up the total, so only the per-year rule can fail.
    other = Decimal(1260) - Decimal(hours)
    logs = training(hours, other) if year == 1 else training(other, hours)
    result = assess(logs)
    per_year = rule(result, f"year-{year}-hours")
    assert per_year.met is met
    assert per_year.detail.startswith(f"{Decimal(hours).normalize():f} of 315 hours")
    assert rule(result, "total-hours").met
    assert result.eligible is met
    assert [r.key for r in result.unmet] == ([] if met else [f"year-{year}-hours"])


@pytest.mark.parametrize(
    ("week_starting", "year"),
    [
        pytest.param(START, 1, id="first-day"),
        pytest.param(date(2024, 2, 29), 1, id="last-day-of-year-1-leap"),
        pytest.param(YEAR_2, 2, id="first-day-of-year-2"),
        pytest.param(date(2025, 2, 28), 2, id="last-day-of-year-2"),
    ],
)
def test_a_week_belongs_to_the_year_it_starts_in(week_starting: date, year: int) -> None:
    result = assess([WeeklyLog(week_starting, 30, 20)])
    hours = [y.counted_hours for y in result.training_years]
    assert hours == ([30, 0] if year == 1 else [0, 30])


def test_hours_after_the_second_year_count_toward_the_total_only() -> None:
    result = assess([WeeklyLog(TWO_YEARS, 30, 20)], today=TWO_YEARS + WEEK)
    assert result.counted_hours == 30
    assert [y.counted_hours for y in result.training_years] == [0, 0]


def test_training_years_for_a_29_february_start() -> None:
    result = assess([], training_start=date(2024, 2, 29), today=date(2026, 3, 1))
    assert [(y.starts_on, y.ends_on) for y in result.training_years] == [
        (date(2024, 2, 29), date(2025, 2, 28)),
        (date(2025, 3, 1), date(2026, 2, 28)),
    ]
    assert "(29 February 2024 to 28 February 2025)" in rule(result, "year-1-hours").detail


# --- Weekly supervision -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("supervised", "counted"),
    [
        pytest.param(Decimal("13.5"), False, id="13.5-not-counted"),
        pytest.param(Decimal("13.99"), False, id="13.99-not-counted"),
        pytest.param(14, True, id="14-counted"),
        pytest.param(Decimal("14.5"), True, id="14.5-counted"),
        pytest.param(0, False, id="0-not-counted"),
    ],
)
def test_only_weeks_with_14_supervised_hours_count(
    supervised: Decimal | int, counted: bool
) -> None:
    week = date(2024, 6, 3)
    result = assess([WeeklyLog(week, 37, supervised)])
    assert result.counted_hours == (37 if counted else 0)
    assert result.counted_weeks == (1 if counted else 0)
    supervision = rule(result, "weekly-supervision")
    assert supervision.met
    assert supervision.warning is not counted
    if counted:
        assert result.not_counted == ()
    else:
        (left_out,) = result.not_counted
        assert left_out.week_starting == week
        assert left_out.hours == 37
        assert left_out.reason.endswith("fewer than 14")
        assert "1 week not counted (starting 3 June 2024)" in supervision.detail


def test_one_week_short_of_supervision_makes_the_total_fall_short() -> None:
    logs = training()
    logs[3] = dataclasses.replace(logs[3], supervised_hours=Decimal("13.5"))
    result = assess(logs)
    assert rule(result, "total-hours").detail == "1,225 of 1,260 hours"
    assert [r.key for r in result.unmet] == ["total-hours"]  # year 1 still has 595
    assert not result.eligible


def test_logs_for_the_same_week_are_added_before_the_supervision_test() -> None:
    week = date(2024, 6, 3)
    result = assess([WeeklyLog(week, 20, 7), WeeklyLog(week, 20, 7)])
    assert result.counted_weeks == 1
    assert result.counted_hours == 40


@pytest.mark.parametrize(
    ("week_starting", "counted", "reason"),
    [
        pytest.param(START - WEEK, False, "Before the training start", id="ends-day-before-start"),
        pytest.param(START - 6 * DAY, True, None, id="contains-start-day"),
        pytest.param(START, True, None, id="start-day"),
        pytest.param(TWO_YEARS, True, None, id="starts-today"),
        pytest.param(TWO_YEARS + DAY, False, "Starts after today", id="starts-tomorrow"),
    ],
)
def test_weeks_outside_the_training_are_not_counted(
    week_starting: date, counted: bool, reason: str | None
) -> None:
    result = assess([WeeklyLog(week_starting, 30, 20)])
    assert result.counted_weeks == int(counted)
    assert [w.reason for w in result.not_counted] == ([] if counted else [reason])


def test_many_uncounted_weeks_are_summarised() -> None:
    logs = [WeeklyLog(START + WEEK * n, 10, 10) for n in range(7)]
    detail = rule(assess(logs), "weekly-supervision").detail
    assert detail.startswith("0 weeks counted; 7 weeks not counted (starting 1 March 2023, ")
    assert detail.endswith("and 2 more)")


def test_hours_may_be_given_as_floats_without_rounding_errors() -> None:
    logs = [WeeklyLog(START + WEEK * n, 0.1 + 14, 14.1) for n in range(3)]
    assert assess(logs).counted_hours == Decimal("42.3")


# --- Minimum period ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("training_start", "today", "met"),
    [
        pytest.param(START, TWO_YEARS - DAY, False, id="2-years-minus-1-day"),
        pytest.param(START, TWO_YEARS, True, id="2-years"),
        pytest.param(START, TWO_YEARS + DAY, True, id="2-years-plus-1-day"),
        pytest.param(date(2024, 2, 29), date(2026, 2, 28), False, id="29-feb-start-28-feb"),
        pytest.param(date(2024, 2, 29), date(2026, 3, 1), True, id="29-feb-start-1-mar"),
        pytest.param(date(2023, 12, 31), date(2025, 12, 30), False, id="31-dec-minus-1-day"),
        pytest.param(date(2023, 12, 31), date(2025, 12, 31), True, id="31-dec"),
    ],
)
def test_two_years_boundary(training_start: date, today: date, met: bool) -> None:
    result = assess([], training_start=training_start, today=today)
    assert rule(result, "minimum-period").met is met


def test_no_early_registration_even_with_all_the_hours() -> None:
    # All 1,260 hours and 315+ in each year, one day before the 2 years are up.
    result = assess(today=TWO_YEARS - DAY)
    assert rule(result, "total-hours").met
    assert [r.key for r in result.unmet] == ["minimum-period"]
    assert rule(result, "minimum-period").detail == (
        "730 of 731 days: 2 years are reached on 1 March 2025, "
        "even if the hours are complete sooner"
    )


def test_minimum_period_wording_before_and_after() -> None:
    before = rule(assess([], today=START - DAY), "minimum-period")
    assert (before.met, before.detail) == (False, "Training starts on 1 March 2023")
    reached = rule(assess([]), "minimum-period")
    assert reached.detail == "2 years reached on 1 March 2025 (started 1 March 2023)"


def test_a_year_in_progress_says_so() -> None:
    detail = rule(assess([], today=date(2023, 6, 1)), "year-2-hours").detail
    assert detail == "0 of 315 hours (1 March 2024 to 28 February 2025); starts 1 March 2024"
    detail = rule(assess([], today=date(2023, 6, 1)), "year-1-hours").detail
    assert detail.endswith("; in progress until 29 February 2024")


# --- Course start -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("training_start", "course_start", "met"),
    [
        pytest.param(START, date(2023, 6, 1), True, id="exactly-3-months"),
        pytest.param(START, date(2023, 6, 2), False, id="3-months-plus-1-day"),
        pytest.param(START, START, True, id="same-day"),
        pytest.param(START, date(2022, 9, 1), True, id="course-before-work"),
        pytest.param(date(2023, 11, 30), date(2024, 2, 29), True, id="30-nov-to-29-feb-leap"),
        pytest.param(date(2023, 11, 30), date(2024, 3, 1), False, id="30-nov-to-1-mar-leap"),
        pytest.param(date(2022, 11, 30), date(2023, 2, 28), True, id="30-nov-to-28-feb"),
        pytest.param(date(2022, 11, 30), date(2023, 3, 1), False, id="30-nov-to-1-mar"),
        pytest.param(date(2023, 5, 31), date(2023, 8, 31), True, id="31-may-to-31-aug"),
    ],
)
def test_course_start_within_3_months_boundary(
    training_start: date, course_start: date, met: bool
) -> None:
    result = assess([], training_start=training_start, course_start=course_start)
    assert rule(result, "course-start").met is met


def test_a_late_course_start_explains_the_numbers() -> None:
    detail = rule(assess(course_start=date(2023, 6, 2)), "course-start").detail
    assert detail == (
        "Course started 2 June 2023, 1 day after the latest allowed date, 1 June 2023; "
        "work-based experience can only count from 2 March 2023"
    )


@pytest.mark.parametrize(
    ("today", "ending"),
    [
        pytest.param(date(2023, 5, 1), "must start by 1 June 2023", id="still-time"),
        pytest.param(date(2023, 6, 2), "must start by 1 June 2023, which has passed", id="late"),
    ],
)
def test_a_missing_course_start_is_not_met(today: date, ending: str) -> None:
    result = assess([], course_start=None, today=today)
    assert not rule(result, "course-start").met
    assert rule(result, "course-start").detail.endswith(ending)
    assert not rule(result, "registration-deadline").met
    assert result.registration_deadline is None


def test_a_planned_course_start_reads_in_the_future() -> None:
    detail = rule(assess([], today=date(2023, 3, 10)), "course-start").detail
    assert detail.startswith("Course starts 1 April 2023")


# --- Registration deadline --------------------------------------------------------------


@pytest.mark.parametrize(
    ("course_start", "course_end", "deadline"),
    [
        pytest.param(COURSE_START, None, date(2028, 4, 1), id="no-end-start-plus-5"),
        pytest.param(COURSE_START, COURSE_END, date(2027, 2, 1), id="end-plus-2-earlier"),
        pytest.param(COURSE_START, date(2026, 6, 1), date(2028, 4, 1), id="start-plus-5-earlier"),
        pytest.param(COURSE_START, date(2026, 4, 1), date(2028, 4, 1), id="both-equal"),
        pytest.param(date(2024, 2, 29), None, date(2029, 2, 28), id="29-feb-start"),
        pytest.param(date(2022, 9, 1), date(2024, 2, 29), date(2026, 2, 28), id="29-feb-end"),
    ],
)
def test_registration_deadline_is_the_earlier_date(
    course_start: date, course_end: date | None, deadline: date
) -> None:
    assert registration_deadline(course_start, course_end) == deadline


@pytest.mark.parametrize(
    ("today", "met", "warning"),
    [
        pytest.param(date(2026, 7, 31), True, False, id="fine-day-before-warning"),
        pytest.param(date(2026, 8, 1), True, True, id="6-months-before"),
        pytest.param(DEADLINE - DAY, True, True, id="deadline-eve"),
        pytest.param(DEADLINE, True, True, id="deadline-day"),
        pytest.param(DEADLINE + DAY, False, False, id="passed"),
    ],
)
def test_registration_deadline_states(today: date, met: bool, warning: bool) -> None:
    deadline = rule(assess(today=today), "registration-deadline")
    assert (deadline.met, deadline.warning) == (met, warning)


def test_registration_deadline_wording() -> None:
    on_the_day = rule(assess(today=DEADLINE), "registration-deadline")
    assert on_the_day.detail == (
        "Register by 1 February 2027 (course end + 2 years, earlier than course start "
        "+ 5 years): 0 days left"
    )
    passed = rule(assess(today=DEADLINE + DAY), "registration-deadline")
    assert passed.detail == (
        "The deadline passed on 1 February 2027 (course end + 2 years, earlier than course "
        "start + 5 years)"
    )
    same = rule(assess(course_end=date(2026, 4, 1)), "registration-deadline")
    assert same.detail.startswith(
        "Register by 1 April 2028 (course start + 5 years and course end + 2 years coincide)"
    )
    no_end = rule(assess(course_end=None), "registration-deadline")
    assert no_end.detail.startswith("Register by 1 April 2028 (course start + 5 years): ")


def test_a_deadline_before_the_minimum_period_warns() -> None:
    result = assess(
        [],
        training_start=date(2024, 3, 1),
        course_start=date(2020, 4, 1),
        course_end=None,
        today=date(2024, 3, 1),
    )
    deadline = rule(result, "registration-deadline")
    assert deadline.met
    assert deadline.warning
    assert deadline.detail.endswith("but the minimum period is only reached on 1 March 2026")


# --- Configuration ----------------------------------------------------------------------


def test_rules_default_to_the_gphc_thresholds() -> None:
    rules = EligibilityRules()
    assert rules.minimum_years == 2
    assert rules.minimum_total_hours == Decimal(1260)
    assert rules.minimum_hours_per_year == Decimal(315)
    assert rules.minimum_weekly_supervised_hours == Decimal(14)
    assert rules.course_start_within_months == 3
    assert rules.register_within_years_of_course_start == 5
    assert rules.register_within_years_of_course_end == 2
    assert rules.deadline_warning_months == 6


def test_rules_are_frozen_and_reject_negative_values() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        EligibilityRules().minimum_total_hours = Decimal(1)  # type: ignore[misc]
    with pytest.raises(ValueError, match="minimum_total_hours"):
        EligibilityRules(minimum_total_hours=Decimal(-1))


def test_changed_thresholds_change_the_outcome() -> None:
    rules = EligibilityRules(
        minimum_total_hours=1000,  # type: ignore[arg-type]
        minimum_hours_per_year=Decimal(500),
        deadline_warning_months=24,
    )
    assert isinstance(rules.minimum_total_hours, Decimal)
    result = assess(training(500, 500), rules=rules)
    assert result.eligible
    assert rule(result, "total-hours").detail == "1,000 of 1,000 hours"
    assert rule(result, "year-1-hours").name == "At least 500 hours in year 1"
    assert rule(result, "registration-deadline").warning  # within 24 months of 1 Feb 2027


@pytest.mark.parametrize(
    ("changes", "failing"),
    [
        ({"minimum_weekly_supervised_hours": Decimal(15)}, "total-hours"),
        ({"course_start_within_months": 0}, "course-start"),
        ({"minimum_hours_per_year": Decimal(631)}, "year-1-hours"),
        ({"register_within_years_of_course_end": 0}, "registration-deadline"),
    ],
)
def test_each_threshold_is_read_from_the_rules(changes: dict, failing: str) -> None:
    result = assess(rules=dataclasses.replace(EligibilityRules(), **changes))
    assert failing in [r.key for r in result.unmet]


def test_three_training_years_when_configured() -> None:
    rules = EligibilityRules(minimum_years=3)
    result = assess([], rules=rules, today=date(2026, 3, 1))
    assert len(result.training_years) == 3
    assert result.minimum_period_reached_on == date(2026, 3, 1)
    assert rule(result, "year-3-hours").detail.startswith("0 of 315 hours (1 March 2025 to")


# --- Weekly log validation --------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "supervised", "problems"),
    [
        (37.5, 14, []),
        (14, 14, []),
        (0, 0, []),
        (168, 168, []),
        (169, 20, ["A week has at most 168 hours"]),
        (10, 14, ["Supervised hours cannot be more than the week's total hours"]),
        (-1, 0, ["Hours cannot be negative"]),
        (10, -1, ["Hours cannot be negative"]),
    ],
)
def test_weekly_log_problems(hours: float, supervised: float, problems: list[str]) -> None:
    assert weekly_log_problems(hours, supervised) == problems
