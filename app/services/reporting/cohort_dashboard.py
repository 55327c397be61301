"""What the cohort dashboard shows beside the report table: the trainee x domain heat map,
and each cohort's progress over time against the expected straight line, laid out for a
server-rendered SVG chart (the filter choices are in `filter_choices`).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    ColumnElement,
    and_,
    func,
    or_,
    select,
)

from app.extensions import db
from app.models.enrolments import EnrolmentPause
from app.models.organisations import Cohort
from app.models.progress import ProgressSummary
from app.models.signoffs import SignOff, SignOffRevocation
from app.models.users import User
from app.services.calendar_months import add_months
from app.services.reporting.flags import ReportThresholds
from app.services.reporting.progress_paging import chosen_flag, summarised
from app.services.reporting.progress_rows import DomainColumn, DomainCount, TraineeProgress
from app.services.reporting.scope import (
    ReportFilters,
)
from app.services.reporting.summary_flags import flag_conditions
from app.services.supervision.pauses import PauseSpan, expected_days, paused_days

NO_COHORT = "No cohort"
MAX_CHART_MONTHS = 36
# The dashboard charts the cohorts of the page it shows, the first this many of them: a
# chart adds up a whole cohort's sign-offs, so the page's cost stays that of a few cohorts.
MAX_CHARTS = 3


def charted_cohorts(rows: Iterable[TraineeProgress]) -> list[int]:
    """The cohorts of these rows (0 for none), in the rows' order, at most MAX_CHARTS."""
    found: list[int] = []
    for row in rows:
        cohort_id = row.cohort_id or 0
        if cohort_id not in found:
            found.append(cohort_id)
    return found[:MAX_CHARTS]


# --- Heat map ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HeatCell:
    count: DomainCount | None  # None: the trainee's framework has no such domain

    @property
    def band(self) -> str:
        """A colour band that only repeats the numbers written in the cell."""
        if self.count is None or self.count.total == 0:
            return "none"
        if self.count.signed_off == 0:
            return "zero"
        if self.count.signed_off >= self.count.total:
            return "complete"
        return "low" if self.count.percent < 50 else "high"

    @property
    def text(self) -> str:
        if self.count is None:
            return "Not in framework"
        return f"{self.count.signed_off} of {self.count.total}"


HEAT_BANDS = (
    ("zero", "None signed off"),
    ("low", "Under half signed off"),
    ("high", "Half or more signed off"),
    ("complete", "All signed off"),
)


def heat_map(
    rows: Iterable[TraineeProgress], columns: list[DomainColumn]
) -> list[tuple[TraineeProgress, list[HeatCell]]]:
    return [(row, [HeatCell(row.domain(c.code)) for c in columns]) for row in rows]


# --- Progress over time -----------------------------------------------------------------


@dataclass(frozen=True)
class ChartPoint:
    month: date  # the month's first day
    signed_off: int  # cumulative, at the month's end (today for this month)
    expected: float  # what the straight lines add up to by then


@dataclass(frozen=True)
class CohortChart:
    key: str  # for element ids
    title: str
    trainees: int
    total: int  # competencies to sign off across the cohort
    points: list[ChartPoint]
    # Layout for the SVG, in its own units.
    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    y_max: int
    actual_path: str
    expected_path: str
    x_labels: list[tuple[float, str]]
    y_ticks: list[tuple[float, int]]
    actual_dots: list[tuple[float, float]]

    @property
    def description(self) -> str:
        last = self.points[-1]
        return (
            f"{self.title}: {self.trainees} trainee{'s' if self.trainees != 1 else ''}. "
            f"By {last.month:%B %Y}, {last.signed_off} of {self.total} competencies are "
            f"signed off; the expected line stands at {round(last.expected)}."
        )


def _month_key(column):
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _in_cohorts(cohort_ids: Collection[int]) -> ColumnElement[bool]:
    """Summaries of enrolments in these cohorts (0: of none)."""
    chosen = ProgressSummary.cohort_id.in_([c for c in cohort_ids if c])
    return or_(chosen, ProgressSummary.cohort_id.is_(None)) if 0 in cohort_ids else chosen


def _signed_by_month(
    viewer: User, filters: ReportFilters, condition: ColumnElement[bool]
) -> dict[int, dict[str, int]]:
    """Standing proficient sign-offs per cohort id (0 for none) and month "YYYY-MM", of the
    enrolments in scope that meet `condition`, added up by the database.

    The charted enrolments (a few cohorts' worth) are chosen first, and only their
    sign-offs read: joined in one statement, the planner checked the organisation scope
    once per sign-off instead of once per enrolment, which grew with the region."""
    charted = (
        summarised(
            viewer,
            filters,
            ProgressSummary.enrolment_id,
            func.coalesce(ProgressSummary.cohort_id, 0).label("cohort"),
        )
        .where(condition)
        .cte("charted")
        .prefix_with("MATERIALIZED")
    )
    month = _month_key(SignOff.signed_at)
    query = (
        select(charted.c.cohort, month, func.count(SignOff.id))
        .join(SignOff, SignOff.enrolment_id == charted.c.enrolment_id)
        .outerjoin(SignOffRevocation, SignOffRevocation.sign_off_id == SignOff.id)
        .where(SignOff.proficient.is_(True), SignOffRevocation.id.is_(None))
        .group_by(charted.c.cohort, month)
    )
    found: dict[int, dict[str, int]] = defaultdict(dict)
    for key, month_key, count in db.session.execute(query):
        found[key][month_key] = count
    return found


# An expected line: start, planned end, competencies and pauses; trainees share most.
Line = tuple[date, date, int, tuple[PauseSpan, ...]]


def _chart_lines(
    viewer: User, filters: ReportFilters, condition: ColumnElement[bool]
) -> dict[tuple[str, int], Counter[Line]]:
    """Per cohort (name, id; "" and 0 for none), how many trainees share each expected
    line: counted in SQL for those never paused, read one by one for the few who were."""
    summary = ProgressSummary
    cohort = func.coalesce(summary.cohort_id, 0)
    name = func.coalesce(Cohort.name, "")
    columns = (name, cohort, summary.started_on, summary.expected_end_on)
    ever_paused = select(EnrolmentPause.enrolment_id)
    shared = (
        summarised(viewer, filters, *columns, summary.competencies, func.count())
        .outerjoin(Cohort, Cohort.id == summary.cohort_id)
        .where(summary.enrolment_id.not_in(ever_paused), condition)
        .group_by(*columns, summary.competencies)
    )
    paused = (
        summarised(viewer, filters, *columns, summary.competencies, summary.enrolment_id)
        .outerjoin(Cohort, Cohort.id == summary.cohort_id)
        .where(summary.enrolment_id.in_(ever_paused), condition)
    )
    lines: dict[tuple[str, int], Counter[Line]] = defaultdict(Counter)
    for title, cohort_id, started_on, end_on, total, count in db.session.execute(shared):
        lines[(title, cohort_id)][(started_on, end_on, total, ())] += count
    paused_rows = db.session.execute(paused).all()
    spans: dict[int, list[PauseSpan]] = defaultdict(list)
    for enrolment_id, paused_from, ended_on in db.session.execute(
        select(EnrolmentPause.enrolment_id, EnrolmentPause.paused_from, EnrolmentPause.ended_on)
        .where(EnrolmentPause.enrolment_id.in_([row[-1] for row in paused_rows]))
        .order_by(EnrolmentPause.paused_from, EnrolmentPause.id)
    ):
        spans[enrolment_id].append(PauseSpan(paused_from, ended_on))
    for title, cohort_id, started_on, end_on, total, enrolment_id in paused_rows:
        lines[(title, cohort_id)][(started_on, end_on, total, tuple(spans[enrolment_id]))] += 1
    return lines


def _month_end(month: date, today: date) -> date:
    end = add_months(month, 1).replace(day=1)
    return min(date.fromordinal(end.toordinal() - 1), today)


def _expected(
    started_on: date, expected_end_on: date, total: int, pauses: tuple[PauseSpan, ...], day: date
) -> float:
    """The expected sign-offs on `day` (the one rule of `supervision.pauses`)."""
    elapsed, duration = expected_days(started_on, expected_end_on, day, paused_days(pauses, day))
    return total * elapsed / duration


def _nice_ceiling(value: float) -> int:
    if value <= 4:
        return 4
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return math.ceil(step * magnitude)
    return math.ceil(value)


def cohort_charts(
    viewer: User,
    filters: ReportFilters,
    cohort_ids: Collection[int],
    *,
    today: date,
    thresholds: ReportThresholds,
) -> list[CohortChart]:
    """One chart for each of these cohorts (0: the trainees of none), over its trainees in
    scope, flag-filtered as the dashboard is (3 queries). The dashboard asks for the
    cohorts of the page it shows, so the work follows the page, not the whole scope."""
    if not cohort_ids:
        return []
    flag = chosen_flag(filters)
    condition = _in_cohorts(cohort_ids)
    if flag:
        condition = and_(condition, flag_conditions(thresholds, today)[flag])
    by_month = _signed_by_month(viewer, filters, condition)
    lines = _chart_lines(viewer, filters, condition)
    return [
        _chart(
            f"cohort-{cohort_id}",
            name or NO_COHORT,
            lines[(name, cohort_id)],
            by_month.get(cohort_id, {}),
            today,
        )
        for name, cohort_id in sorted(lines, key=lambda group: (group[0] == "", group))
    ]


def _chart(
    key: str,
    title: str,
    lines: Counter[Line],
    counts: dict[str, int],
    today: date,
) -> CohortChart:
    first = min(started_on for started_on, *_rest in lines).replace(day=1)
    this_month = today.replace(day=1)
    months = [first]
    while months[-1] < this_month:
        months.append(add_months(months[-1], 1))
    earlier = months[:-MAX_CHART_MONTHS] if len(months) > MAX_CHART_MONTHS else []
    months = months[-MAX_CHART_MONTHS:]
    running = sum(counts.get(f"{m:%Y-%m}", 0) for m in earlier)
    points = []
    for month in months:
        running += counts.get(f"{month:%Y-%m}", 0)
        end = _month_end(month, today)
        expected = sum(n * _expected(*line, end) for line, n in lines.items())
        points.append(ChartPoint(month, running, expected))
    trainees = sum(lines.values())
    total = sum(n * line[2] for line, n in lines.items())
    return _layout(key, title, trainees, total, points)


def _layout(
    key: str, title: str, trainees: int, total: int, points: list[ChartPoint]
) -> CohortChart:
    width, height, left, top, right, bottom = 640, 280, 56, 16, 24, 48
    plot_width, plot_height = width - left - right, height - top - bottom
    y_max = _nice_ceiling(max([p.signed_off for p in points] + [p.expected for p in points] + [1]))
    n = len(points)

    def x(i: int) -> float:
        return left + (plot_width * i / (n - 1) if n > 1 else plot_width / 2)

    def y(value: float) -> float:
        return top + plot_height - plot_height * value / y_max

    actual = [(round(x(i), 1), round(y(p.signed_off), 1)) for i, p in enumerate(points)]
    expected = [(round(x(i), 1), round(y(p.expected), 1)) for i, p in enumerate(points)]
    step = max(1, math.ceil(n / 8))
    return CohortChart(
        key=key,
        title=title,
        trainees=trainees,
        total=total,
        points=points,
        width=width,
        height=height,
        left=left,
        top=top,
        plot_width=plot_width,
        plot_height=plot_height,
        y_max=y_max,
        actual_path=" ".join(f"{px},{py}" for px, py in actual),
        expected_path=" ".join(f"{px},{py}" for px, py in expected),
        x_labels=[
            (round(x(i), 1), f"{p.month:%b %Y}") for i, p in enumerate(points) if i % step == 0
        ],
        y_ticks=[(round(y(v), 1), v) for v in sorted({0, y_max // 2, y_max})],
        actual_dots=actual,
    )
