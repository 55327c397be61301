"""Pure pre-registration eligibility rules (GPhC criteria for registration as a pharmacy
technician): no database, no Flask.

Decisions where the criteria leave room:
- A week belongs to the training year its `week_starting` date falls in; a week that
  straddles a year boundary is not split.
- Training year k runs from the start's (k-1)th anniversary to the day before its kth.
  Anniversaries of 29 February roll to 1 March, so no minimum is reached early.
- Only years 1..`minimum_years` need the per-year minimum; hours after them still count
  toward the total.
- A training start mid-week counts that week from the start day: the hours logged for it
  are the hours from that day, and its supervised minimum is pro rata to the days left
  in it (14 hours a week is 2 a day, so a Wednesday start needs 10). Weeks ending before
  the training start, or starting after today, are not counted.
- Two logs for the same week are one week: their hours are added before the weekly
  supervision test, because the 14-hour minimum is per week, not per log.
- The weekly supervision rule is a filter, not a gate: it is always met, and warns when
  weeks were left out (the totals then show whether enough remains).
- No early registration: the 2-year rule must be met whatever the hours.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from app.services.calendar_months import add_months, add_months_rolling
from app.services.rule_results import RuleResult, format_number, long_date, plural

Hours = Decimal | int | float
HOURS_IN_A_WEEK = Decimal(168)
DAYS_IN_A_WEEK = 7


def _hours(value: Hours) -> Decimal:
    # str() first: Decimal(13.1) would carry the float's binary error into the totals.
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass(frozen=True)
class EligibilityRules:
    """GPhC thresholds, configurable because the criteria are revised from time to time."""

    minimum_years: int = 2
    minimum_total_hours: Decimal = Decimal(1260)
    minimum_hours_per_year: Decimal = Decimal(315)
    minimum_weekly_supervised_hours: Decimal = Decimal(14)
    course_start_within_months: int = 3
    register_within_years_of_course_start: int = 5
    register_within_years_of_course_end: int = 2
    deadline_warning_months: int = 6

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if field.type == "Decimal":
                object.__setattr__(self, field.name, _hours(value))
            if value < 0:
                raise ValueError(f"{field.name} cannot be negative")


DEFAULT_ELIGIBILITY_RULES = EligibilityRules()


@dataclass(frozen=True)
class WeeklyLog:
    week_starting: date
    hours: Decimal
    supervised_hours: Decimal  # directly accountable to a pharmacist or pharmacy technician

    def __post_init__(self) -> None:
        object.__setattr__(self, "hours", _hours(self.hours))
        object.__setattr__(self, "supervised_hours", _hours(self.supervised_hours))


def weekly_log_problems(hours: Hours, supervised_hours: Hours) -> list[str]:
    """Form-level checks on one week's numbers."""
    hours, supervised_hours = _hours(hours), _hours(supervised_hours)
    problems: list[str] = []
    if hours < 0 or supervised_hours < 0:
        return ["Hours cannot be negative"]
    if hours > HOURS_IN_A_WEEK:
        problems.append("A week has at most 168 hours")
    if supervised_hours > hours:
        problems.append("Supervised hours cannot be more than the week's total hours")
    return problems


@dataclass(frozen=True)
class UncountedWeek:
    week_starting: date
    hours: Decimal
    supervised_hours: Decimal
    reason: str


@dataclass(frozen=True)
class TrainingYear:
    number: int
    starts_on: date
    ends_on: date  # inclusive
    counted_hours: Decimal


@dataclass(frozen=True)
class TrainingEligibility:
    rules: tuple[RuleResult, ...]
    counted_hours: Decimal
    counted_weeks: int
    training_years: tuple[TrainingYear, ...]
    not_counted: tuple[UncountedWeek, ...]
    minimum_period_reached_on: date  # the earliest possible registration date
    registration_deadline: date | None  # None until the course start is known

    @property
    def eligible(self) -> bool:
        return all(rule.met for rule in self.rules)

    @property
    def unmet(self) -> tuple[RuleResult, ...]:
        return tuple(rule for rule in self.rules if not rule.met)


def _merge_weeks(logs: Iterable[WeeklyLog]) -> list[WeeklyLog]:
    merged: dict[date, WeeklyLog] = {}
    for log in logs:
        seen = merged.get(log.week_starting)
        if seen is not None:
            log = WeeklyLog(
                log.week_starting,
                seen.hours + log.hours,
                seen.supervised_hours + log.supervised_hours,
            )
        merged[log.week_starting] = log
    return [merged[week] for week in sorted(merged)]


def _year_start(training_start: date, number: int) -> date:
    return add_months_rolling(training_start, 12 * (number - 1))


def _years_rule(training_start: date, today: date, reached_on: date, years: int) -> RuleResult:
    needed = (reached_on - training_start).days
    elapsed = (today - training_start).days
    name = f"At least {plural(years, 'year')} of work-based experience"
    if elapsed < 0:
        detail = f"Training starts on {long_date(training_start)}"
    elif today >= reached_on:
        detail = (
            f"{plural(years, 'year')} reached on {long_date(reached_on)} "
            f"(started {long_date(training_start)})"
        )
    else:
        detail = (
            f"{format_number(elapsed)} of {plural(needed, 'day')}: {plural(years, 'year')} "
            f"are reached on {long_date(reached_on)}, even if the hours are complete sooner"
        )
    return RuleResult("minimum-period", name, today >= reached_on, detail)


def _supervision_rule(
    counted_weeks: int, not_counted: list[UncountedWeek], minimum: Decimal
) -> RuleResult:
    name = f"At least {plural(minimum, 'supervised hour')} in each week counted"
    detail = f"{plural(counted_weeks, 'week')} counted"
    if not_counted:
        listed = ", ".join(long_date(week.week_starting) for week in not_counted[:5])
        more = f" and {len(not_counted) - 5} more" if len(not_counted) > 5 else ""
        detail += f"; {plural(len(not_counted), 'week')} not counted (starting {listed}{more})"
    return RuleResult("weekly-supervision", name, True, detail, warning=bool(not_counted))


def _course_start_rule(
    training_start: date, course_start: date | None, today: date, months: int
) -> RuleResult:
    latest = add_months(training_start, months)
    name = f"Course started within {plural(months, 'month')} of starting work"
    if course_start is None:
        overdue = "" if today <= latest else ", which has passed"
        return RuleResult(
            "course-start",
            name,
            False,
            f"No course start date is recorded; the course must start by {long_date(latest)}"
            f"{overdue}",
        )
    if course_start <= latest:
        verb = "starts" if course_start > today else "started"
        return RuleResult(
            "course-start",
            name,
            True,
            f"Course {verb} {long_date(course_start)}; the latest allowed is {long_date(latest)}",
        )
    late = (course_start - latest).days
    # Work from 3 months before the course start counts; a later training start fixes this.
    counts_from = add_months(course_start, -months)
    return RuleResult(
        "course-start",
        name,
        False,
        f"Course started {long_date(course_start)}, {plural(late, 'day')} after the latest "
        f"allowed date, {long_date(latest)}; work-based experience can only count from "
        f"{long_date(counts_from)}",
    )


def registration_deadline(
    course_start: date,
    course_end: date | None,
    rules: EligibilityRules = DEFAULT_ELIGIBILITY_RULES,
) -> date:
    """The earlier of course start + 5 years and course end + 2 years (clamped, so a
    29 February start gives 28 February: never a later deadline than the true one)."""
    deadline = add_months(course_start, 12 * rules.register_within_years_of_course_start)
    if course_end is not None:
        deadline = min(
            deadline, add_months(course_end, 12 * rules.register_within_years_of_course_end)
        )
    return deadline


def _deadline_rule(
    course_start: date | None,
    course_end: date | None,
    today: date,
    minimum_reached_on: date,
    rules: EligibilityRules,
) -> tuple[RuleResult, date | None]:
    start_years = plural(rules.register_within_years_of_course_start, "year")
    end_years = plural(rules.register_within_years_of_course_end, "year")
    name = f"Registered within {start_years} of the course start or {end_years} of its end"
    if course_start is None:
        return RuleResult(
            "registration-deadline",
            name,
            False,
            "The deadline cannot be worked out until the course start date is recorded",
        ), None
    deadline = registration_deadline(course_start, course_end, rules)
    from_start = add_months(course_start, 12 * rules.register_within_years_of_course_start)
    basis = f"course start + {start_years}"
    if course_end is not None and deadline < from_start:
        basis = f"course end + {end_years}, earlier than course start + {start_years}"
    elif course_end is not None and deadline == add_months(
        course_end, 12 * rules.register_within_years_of_course_end
    ):
        basis = f"course start + {start_years} and course end + {end_years} coincide"
    if today > deadline:
        return RuleResult(
            "registration-deadline",
            name,
            False,
            f"The deadline passed on {long_date(deadline)} ({basis})",
        ), deadline
    days_left = (deadline - today).days
    detail = f"Register by {long_date(deadline)} ({basis}): {plural(days_left, 'day')} left"
    warning = today >= add_months(deadline, -rules.deadline_warning_months)
    if deadline < minimum_reached_on:
        # Impossible to meet: the minimum period ends after the deadline.
        detail += f", but the minimum period is only reached on {long_date(minimum_reached_on)}"
        warning = True
    return RuleResult("registration-deadline", name, True, detail, warning=warning), deadline


def first_trained_day(week_starting: date, training_start: date) -> date:
    """The week's first day of training: the training start for the week it starts in. A
    week belongs to the training year, and to the declaration, this day falls in."""
    return max(week_starting, training_start)


def days_trained_in_week(week_starting: date, training_start: date) -> int:
    """The week's days on or after the training start: 7 for a whole week, fewer for the
    week the training starts in, 0 for a week that ends before it."""
    first_day = first_trained_day(week_starting, training_start)
    return max(0, min(DAYS_IN_A_WEEK, (week_starting - first_day).days + DAYS_IN_A_WEEK))


def weekly_supervised_minimum(
    week_starting: date, training_start: date, rules: EligibilityRules = DEFAULT_ELIGIBILITY_RULES
) -> Decimal:
    """The supervised hours a week needs to count: the full minimum, or pro rata for the
    days from the training start (rounded up to the hundredth, so never below the rate)."""
    days = days_trained_in_week(week_starting, training_start)
    minimum = rules.minimum_weekly_supervised_hours
    if days >= DAYS_IN_A_WEEK:
        return minimum
    return (minimum * days / DAYS_IN_A_WEEK).quantize(Decimal("0.01"), ROUND_CEILING)


def _not_counted_because(
    log: WeeklyLog, training_start: date, today: date, rules: EligibilityRules
) -> str | None:
    """Why a logged week does not count, or None when it does."""
    if days_trained_in_week(log.week_starting, training_start) == 0:
        return "Before the training start"
    if log.week_starting > today:
        return "Starts after today"
    minimum = weekly_supervised_minimum(log.week_starting, training_start, rules)
    if log.supervised_hours < minimum:
        pro_rata = ""
        if log.week_starting < training_start:
            pro_rata = f" from the training start on {long_date(training_start)}"
        return (
            f"{format_number(log.supervised_hours)} supervised hours, "
            f"fewer than {format_number(minimum)}{pro_rata}"
        )
    return None


def _total_hours_rule(counted_hours: Decimal, rules: EligibilityRules) -> RuleResult:
    return RuleResult(
        "total-hours",
        f"At least {plural(rules.minimum_total_hours, 'hour')} in total",
        counted_hours >= rules.minimum_total_hours,
        f"{format_number(counted_hours)} of {plural(rules.minimum_total_hours, 'hour')}",
    )


def _year_hours_rule(year: TrainingYear, today: date, rules: EligibilityRules) -> RuleResult:
    if today < year.starts_on:
        timing = f"; starts {long_date(year.starts_on)}"
    elif today <= year.ends_on:
        timing = f"; in progress until {long_date(year.ends_on)}"
    else:
        timing = ""
    return RuleResult(
        f"year-{year.number}-hours",
        f"At least {plural(rules.minimum_hours_per_year, 'hour')} in year {year.number}",
        year.counted_hours >= rules.minimum_hours_per_year,
        f"{format_number(year.counted_hours)} of "
        f"{plural(rules.minimum_hours_per_year, 'hour')} "
        f"({long_date(year.starts_on)} to {long_date(year.ends_on)}){timing}",
    )


def assess_training_eligibility(
    training_start: date,
    logs: Iterable[WeeklyLog],
    *,
    course_start: date | None,
    course_end: date | None = None,
    today: date,
    rules: EligibilityRules = DEFAULT_ELIGIBILITY_RULES,
) -> TrainingEligibility:
    """Apply every rule; each result carries the numbers behind it."""
    year_starts = [_year_start(training_start, n) for n in range(1, rules.minimum_years + 2)]
    minimum_reached_on = year_starts[-1]
    year_hours = [Decimal(0)] * rules.minimum_years
    counted_hours = Decimal(0)
    counted_weeks = 0
    not_counted: list[UncountedWeek] = []

    for log in _merge_weeks(logs):
        reason = _not_counted_because(log, training_start, today, rules)
        if reason is not None:
            not_counted.append(
                UncountedWeek(log.week_starting, log.hours, log.supervised_hours, reason)
            )
            continue
        counted_hours += log.hours
        counted_weeks += 1
        counted_from = first_trained_day(log.week_starting, training_start)
        for index in range(rules.minimum_years):
            if year_starts[index] <= counted_from < year_starts[index + 1]:
                year_hours[index] += log.hours

    years = tuple(
        TrainingYear(n + 1, year_starts[n], year_starts[n + 1] - timedelta(days=1), year_hours[n])
        for n in range(rules.minimum_years)
    )

    deadline_rule, deadline = _deadline_rule(
        course_start, course_end, today, minimum_reached_on, rules
    )
    results = [
        _years_rule(training_start, today, minimum_reached_on, rules.minimum_years),
        _total_hours_rule(counted_hours, rules),
        *(_year_hours_rule(year, today, rules) for year in years),
        _supervision_rule(counted_weeks, not_counted, rules.minimum_weekly_supervised_hours),
        _course_start_rule(training_start, course_start, today, rules.course_start_within_months),
        deadline_rule,
    ]

    return TrainingEligibility(
        rules=tuple(results),
        counted_hours=counted_hours,
        counted_weeks=counted_weeks,
        training_years=years,
        not_counted=tuple(not_counted),
        minimum_period_reached_on=minimum_reached_on,
        registration_deadline=deadline,
    )
