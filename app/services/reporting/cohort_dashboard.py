"""What the cohort dashboard shows beside the report table: the filter choices a viewer
may pick from, the trainee x domain heat map, and each cohort's progress over time
against the expected straight line, laid out for a server-rendered SVG chart.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, select, union
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models.enrolments import Enrolment
from app.models.organisations import Cohort, Organisation
from app.models.signoffs import SignOff, SignOffRevocation
from app.models.users import User
from app.services.calendar_months import add_months
from app.services.reporting.progress_rows import (
    DomainColumn,
    DomainCount,
    Report,
    TraineeProgress,
)
from app.services.reporting.scope import ReportFilters, enrolment_ids, scope_for
from app.services.supervision.pauses import PauseSpan, expected_days, paused_days

NO_COHORT = "No cohort"
MAX_CHART_MONTHS = 36


# --- Filter choices -------------------------------------------------------------------


@dataclass(frozen=True)
class FilterChoices:
    organisations: list[tuple[int, str]]  # (id, name indented by depth)
    cohorts: list[tuple[int, str]]
    supervisors: list[tuple[int, str]]


NO_CHOICES = FilterChoices([], [], [])


def filter_choices(viewer: User) -> FilterChoices:
    """What the viewer may filter by: their organisations, and the cohorts and supervisors
    of the trainees in their scope (3 queries)."""
    scope = scope_for(viewer)
    in_scope = enrolment_ids(scope)
    trainee = aliased(User)
    trainee_orgs = select(trainee.organisation_id).where(
        trainee.id.in_(select(Enrolment.trainee_id).where(Enrolment.id.in_(in_scope)))
    )
    everyone = db.session.execute(
        select(Organisation.id, Organisation.name, Organisation.parent_id).order_by(
            Organisation.name, Organisation.id
        )
    ).all()
    visible = set(db.session.scalars(trainee_orgs))
    if scope.organisation_root_id is not None:
        visible |= _descendants(scope.organisation_root_id, everyone)
    organisations = [
        (org_id, f"{'- ' * depth}{name}")
        for org_id, name, depth in _tree(everyone)
        if org_id in visible
    ]

    cohorts = db.session.execute(
        select(Cohort.id, Cohort.name, Organisation.name)
        .join(Organisation, Organisation.id == Cohort.organisation_id)
        .where(Cohort.id.in_(select(Enrolment.cohort_id).where(Enrolment.id.in_(in_scope))))
        .order_by(Cohort.name, Organisation.name)
    ).all()
    supervisor_ids = union(
        select(Enrolment.clinical_supervisor_id.label("id")).where(Enrolment.id.in_(in_scope)),
        select(Enrolment.education_supervisor_id.label("id")).where(Enrolment.id.in_(in_scope)),
    ).subquery()
    supervisors = db.session.execute(
        select(User.id, User.name)
        .where(User.id.in_(select(supervisor_ids.c.id)))
        .order_by(User.name, User.id)
    ).all()
    return FilterChoices(
        organisations=organisations,
        cohorts=[(cid, f"{name} ({org})") for cid, name, org in cohorts],
        supervisors=[(sid, name) for sid, name in supervisors],
    )


def _descendants(root_id: int, everyone: Iterable) -> set[int]:
    children: dict[int | None, list[int]] = defaultdict(list)
    for org_id, _name, parent_id in everyone:
        children[parent_id].append(org_id)
    found, stack = set(), [root_id]
    while stack:
        org_id = stack.pop()
        found.add(org_id)
        stack.extend(children[org_id])
    return found


def _tree(everyone: list) -> list[tuple[int, str, int]]:
    """(id, name, depth), parents before children, siblings by name."""
    known = {org_id for org_id, _n, _p in everyone}
    children: dict[int | None, list[tuple[int, str]]] = defaultdict(list)
    for org_id, name, parent_id in everyone:
        children[parent_id if parent_id in known else None].append((org_id, name))
    ordered = []
    stack = [(org_id, name, 0) for org_id, name in reversed(children[None])]
    while stack:
        org_id, name, depth = stack.pop()
        ordered.append((org_id, name, depth))
        stack.extend((c, n, depth + 1) for c, n in reversed(children[org_id]))
    return ordered


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


def _signed_by_month(
    viewer: User, filters: ReportFilters, *, by_cohort: bool
) -> dict[int, dict[str, int]]:
    """Standing proficient sign-offs per month "YYYY-MM", per enrolment, or per cohort id
    (0 for none) with `by_cohort`, which leaves the adding up to the database (one query)."""
    month = _month_key(SignOff.signed_at)
    group = func.coalesce(Enrolment.cohort_id, 0) if by_cohort else SignOff.enrolment_id
    query = select(group, month, func.count(SignOff.id))
    if by_cohort:
        query = query.join(Enrolment, Enrolment.id == SignOff.enrolment_id)
    rows = db.session.execute(
        query.outerjoin(SignOffRevocation, SignOffRevocation.sign_off_id == SignOff.id)
        .where(
            SignOff.enrolment_id.in_(enrolment_ids(scope_for(viewer), filters)),
            and_(SignOff.proficient.is_(True), SignOffRevocation.id.is_(None)),
        )
        .group_by(group, month)
    )
    found: dict[int, dict[str, int]] = defaultdict(dict)
    for key, month_key, count in rows:
        found[key][month_key] = count
    return found


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


def cohort_charts(viewer: User, filters: ReportFilters, report: Report) -> list[CohortChart]:
    """One chart per cohort of the report's rows (those without a cohort together)."""
    # Unfiltered by flag, the rows are every enrolment in scope, so each cohort's months
    # can be added up in SQL; a flag filter keeps some rows only, so count theirs.
    by_cohort = not filters.flag
    by_month = _signed_by_month(viewer, filters, by_cohort=by_cohort)
    groups: dict[tuple[str, int], list[TraineeProgress]] = defaultdict(list)
    for row in report.rows:
        groups[(row.cohort or "", row.cohort_id or 0)].append(row)
    charts = []
    for (name, cohort_id), rows in sorted(groups.items(), key=lambda g: (g[0][0] == "", g[0])):
        if by_cohort:
            counts = by_month.get(cohort_id, {})
        else:
            counts = defaultdict(int)
            for row in rows:
                for month_key, n in by_month.get(row.enrolment_id, {}).items():
                    counts[month_key] += n
        charts.append(_chart(f"cohort-{cohort_id}", name or NO_COHORT, rows, counts, report.today))
    return charts


def _chart(
    key: str,
    title: str,
    rows: list[TraineeProgress],
    counts: dict[str, int],
    today: date,
) -> CohortChart:
    first = min(row.started_on for row in rows).replace(day=1)
    this_month = today.replace(day=1)
    months = [first]
    while months[-1] < this_month:
        months.append(add_months(months[-1], 1))
    earlier = months[:-MAX_CHART_MONTHS] if len(months) > MAX_CHART_MONTHS else []
    months = months[-MAX_CHART_MONTHS:]
    # Trainees of a cohort mostly share their dates: add each line up once, times its count.
    lines = Counter((row.started_on, row.expected_end_on, row.total, row.pauses) for row in rows)
    running = sum(counts.get(f"{m:%Y-%m}", 0) for m in earlier)
    points = []
    for month in months:
        running += counts.get(f"{month:%Y-%m}", 0)
        end = _month_end(month, today)
        expected = sum(n * _expected(*line, end) for line, n in lines.items())
        points.append(ChartPoint(month, running, expected))
    return _layout(key, title, rows, points)


def _layout(
    key: str, title: str, rows: list[TraineeProgress], points: list[ChartPoint]
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
        trainees=len(rows),
        total=sum(r.total for r in rows),
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
