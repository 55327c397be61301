"""What the cohort dashboard shows beside the report table: the filter choices a viewer
may pick from, the trainee x domain heat map, and each cohort's progress over time
against the expected straight line, laid out for a server-rendered SVG chart.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from sqlalchemy import (
    CTE,
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    func,
    or_,
    select,
    union,
)
from sqlalchemy.orm import InstrumentedAttribute, aliased

from app.extensions import db
from app.models.enrolments import Enrolment, EnrolmentPause
from app.models.organisations import Cohort, Organisation
from app.models.progress import ProgressSummary
from app.models.signoffs import SignOff, SignOffRevocation
from app.models.users import User
from app.services.calendar_months import add_months
from app.services.reporting.flags import ReportThresholds
from app.services.reporting.progress_paging import chosen_flag, flag_conditions, summarised
from app.services.reporting.progress_rows import DomainColumn, DomainCount, TraineeProgress
from app.services.reporting.scope import (
    REPORTED_STATUSES,
    ReportFilters,
    ReportScope,
    enrolment_ids,
    restrict,
    scope_for,
)
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


# --- Filter choices -------------------------------------------------------------------


@dataclass(frozen=True)
class FilterChoices:
    organisations: list[tuple[int, str]]  # (id, name indented by depth)
    cohorts: list[tuple[int, str]]
    supervisors: list[tuple[int, str]]


NO_CHOICES = FilterChoices([], [], [])


def filter_choices(viewer: User) -> FilterChoices:
    """What the viewer may filter by: their organisations, and the cohorts and supervisors
    of the trainees in their scope (3 queries, 4 for a supervisor).

    A lead's organisations are their subtree (a trainee in scope through it sits inside
    it), so no trainee is read for them. For a lead over most organisations (a region's),
    each cohort and each person named as a supervisor is probed for one current enrolment
    in scope, which the index finds at once, so the cost follows the number of cohorts and
    supervisors and not of trainees; a narrower scope reads its own enrolments instead, as
    there most probes would find none after reading every enrolment of their cohort."""
    scope = scope_for(viewer)
    if scope.empty:
        return NO_CHOICES
    everyone = db.session.execute(
        select(Organisation.id, Organisation.name, Organisation.parent_id).order_by(
            Organisation.name, Organisation.id
        )
    ).all()
    subtree: set[int] = set()
    if scope.organisation_root_id is not None:
        subtree = _descendants(scope.organisation_root_id, everyone)
    visible: set[int | None] = set(subtree)
    if scope.supervisor_id is not None:
        # Trainees in scope outside the subtree are ones the viewer supervises.
        visible |= set(db.session.scalars(_supervised_organisations(scope.supervisor_id)))
    organisations = [
        (org_id, f"{'- ' * depth}{name}")
        for org_id, name, depth in _tree(everyone)
        if org_id in visible
    ]
    probed = 2 * len(subtree) > len(everyone)
    cohorts_query, supervisors_query = _choice_statements(
        probed, scope.organisation_root_id is not None, scope.supervisor_id is not None
    )
    params = {"root_id": scope.organisation_root_id, "supervisor_id": scope.supervisor_id}
    cohorts = db.session.execute(cohorts_query, params).all()
    supervisors = db.session.execute(supervisors_query, params).all()
    return FilterChoices(
        organisations=organisations,
        cohorts=[(cid, f"{name} ({org})") for cid, name, org in cohorts],
        supervisors=[(sid, name) for sid, name in supervisors],
    )


@cache
def _choice_statements(probed: bool, lead: bool, supervisor: bool) -> tuple[Select, Select]:
    """The cohort and supervisor queries for a scope of this shape, built once, with the
    lead's organisation and the supervisor as the parameters `root_id` and `supervisor_id`
    (building them anew cost more than running them)."""
    # Parameters stand where the scope holds ids: `restrict` only compares them.
    root = bindparam("root_id", type_=Integer) if lead else None
    supervisor_id = bindparam("supervisor_id", type_=Integer) if supervisor else None
    scope = ReportScope(organisation_root_id=root, supervisor_id=supervisor_id)  # type: ignore[arg-type]
    cohorts, supervisors = (_probed_choices if probed else _choices_from_enrolments)(scope)
    return (
        cohorts.order_by(Cohort.name, Organisation.name),
        supervisors.order_by(User.name, User.id),
    )


def _cohort_choices() -> Select:
    return select(Cohort.id, Cohort.name, Organisation.name).join(
        Organisation, Organisation.id == Cohort.organisation_id
    )


def _probed_choices(scope: ReportScope) -> tuple[Select, Select]:
    """Each cohort, and each person some enrolment names as a supervisor, kept when a
    current enrolment in scope names them: an EXISTS probe that stops at the first."""
    cohorts = _cohort_choices().where(_enrolment_in_scope(scope, Enrolment.cohort_id == Cohort.id))
    named = union(
        select(_distinct_values(Enrolment.clinical_supervisor_id, "clinical_ids").c.value),
        select(_distinct_values(Enrolment.education_supervisor_id, "education_ids").c.value),
    ).subquery()
    supervisors = select(User.id, User.name).where(
        User.id.in_(select(named.c.value)),
        _enrolment_in_scope(
            scope,
            or_(
                Enrolment.clinical_supervisor_id == User.id,
                Enrolment.education_supervisor_id == User.id,
            ),
        ),
    )
    return cohorts, supervisors


def _distinct_values(column: InstrumentedAttribute[int | None], name: str) -> CTE:
    """The distinct values of an indexed enrolment column (NULL left out), as a CTE with a
    `value` column: a loose index scan, one index step from each value to the next, so it
    reads one entry per value rather than one per enrolment."""
    later = aliased(Enrolment)
    later_column = getattr(later, column.key)
    values = select(func.min(column).label("value")).cte(name, recursive=True)
    step = (
        select(later_column)
        .where(later_column > values.c.value)
        .order_by(later_column)
        .limit(1)
        .scalar_subquery()
    )
    return values.union_all(select(step).where(values.c.value.is_not(None)))


def _choices_from_enrolments(scope: ReportScope) -> tuple[Select, Select]:
    """The cohorts and supervisors of the current enrolments in scope, read together."""
    in_scope = enrolment_ids(scope)
    cohorts = _cohort_choices().where(
        Cohort.id.in_(select(Enrolment.cohort_id).where(Enrolment.id.in_(in_scope)))
    )
    supervisor_ids = union(
        select(Enrolment.clinical_supervisor_id.label("id")).where(Enrolment.id.in_(in_scope)),
        select(Enrolment.education_supervisor_id.label("id")).where(Enrolment.id.in_(in_scope)),
    ).subquery()
    supervisors = select(User.id, User.name).where(User.id.in_(select(supervisor_ids.c.id)))
    return cohorts, supervisors


def _supervised_organisations(supervisor_id: int) -> Select:
    """The organisations of the trainees whose current enrolment `supervisor_id`
    supervises either way."""
    trainee = aliased(User)
    return (
        select(trainee.organisation_id)
        .join(Enrolment, Enrolment.trainee_id == trainee.id)
        .where(
            or_(
                Enrolment.clinical_supervisor_id == supervisor_id,
                Enrolment.education_supervisor_id == supervisor_id,
            ),
            Enrolment.status.in_(REPORTED_STATUSES),
        )
        .distinct()
    )


def _enrolment_in_scope(scope: ReportScope, condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """EXISTS a current enrolment in `scope` meeting `condition` (which names the outer
    query's row), correlated to the query it is used in."""
    trainee = aliased(User)
    probe = select(Enrolment.id).join(trainee, trainee.id == Enrolment.trainee_id).where(condition)
    return restrict(probe, trainee, scope).exists()


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


def _in_cohorts(cohort_ids: Collection[int]) -> ColumnElement[bool]:
    """Enrolments of these cohorts (0: of none)."""
    chosen = Enrolment.cohort_id.in_([c for c in cohort_ids if c])
    return or_(chosen, Enrolment.cohort_id.is_(None)) if 0 in cohort_ids else chosen


def _signed_by_month(
    viewer: User, filters: ReportFilters, condition: ColumnElement[bool]
) -> dict[int, dict[str, int]]:
    """Standing proficient sign-offs per cohort id (0 for none) and month "YYYY-MM", of the
    enrolments in scope that meet `condition`, added up by the database."""
    month = _month_key(SignOff.signed_at)
    cohort = func.coalesce(Enrolment.cohort_id, 0)
    query = (
        summarised(viewer, filters, cohort, month, func.count(SignOff.id))
        .join(SignOff, SignOff.enrolment_id == Enrolment.id)
        .outerjoin(SignOffRevocation, SignOffRevocation.sign_off_id == SignOff.id)
        .where(SignOff.proficient.is_(True), SignOffRevocation.id.is_(None))
        .where(condition)
        .group_by(cohort, month)
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
    cohort = func.coalesce(Enrolment.cohort_id, 0)
    name = func.coalesce(Cohort.name, "")
    columns = (name, cohort, Enrolment.started_on, Enrolment.expected_end_on)
    ever_paused = select(EnrolmentPause.enrolment_id)
    shared = (
        summarised(viewer, filters, *columns, ProgressSummary.competencies, func.count())
        .outerjoin(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Enrolment.id.not_in(ever_paused), condition)
        .group_by(*columns, ProgressSummary.competencies)
    )
    paused = (
        summarised(viewer, filters, *columns, ProgressSummary.competencies, Enrolment.id)
        .outerjoin(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Enrolment.id.in_(ever_paused), condition)
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
    now: datetime,
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
        condition = and_(condition, flag_conditions(thresholds, today, now)[flag])
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
