"""Each enrolment's progress summary (`ProgressSummary`): computed from the records by the
report's own rules, written in the transaction that changed them, and checked against a
fresh computation by `reports verify-summary`.

`compute` is the one place a summary's values come from; `refresh` writes them for some
enrolments, `rebuild` for all, and `first_difference` compares what is stored with what
`compute` says now. The changes that call `refresh` are found by `summary_upkeep`.

Flags that switch on as days pass are stored as the first day they hold, found by a
search over the report's own rule (`flags.is_behind`, `registration.records.status_of`),
which can only switch on as time passes; a change to the records recomputes the day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime

from sqlalchemy import bindparam, select, update

from app.database import upsert_rows
from app.extensions import db
from app.models.enrolments import Enrolment
from app.models.progress import ProgressSummary
from app.models.users import User
from app.services.clock import uk_today
from app.services.registration.records import ShownRegistration, status_of
from app.services.reporting import competency_progress
from app.services.reporting.competency_statuses import CompetencyRules
from app.services.reporting.flags import (
    REGISTRATION_FLAGS,
    ReportThresholds,
    expected_percent,
    is_behind,
    percent,
    report_thresholds,
)
from app.services.reporting.progress_assembly import last_activity_on
from app.services.reporting.progress_facts import (
    ActivityFacts,
    ProgressFacts,
    activity_facts,
    read_facts,
)
from app.services.supervision.pauses import PauseSpan, paused_days

# The days a flag's first day is searched between: "always" for a flag that holds on
# the first, "never" (None) for one that does not hold on the last.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(9000, 1, 1)
BATCH_SIZE = 500


@dataclass(frozen=True, slots=True)
class SummaryValues:
    """A summary row's values, named as `ProgressSummary`'s columns."""

    competencies: int
    signed_off: int
    ready: int
    in_progress: int
    percent: int
    awaiting_review: int
    oldest_waiting_since: datetime | None
    last_activity_on: date
    last_supervision_on: date | None
    registration_expires_on: date | None
    behind_from: date | None
    registration_flag_from: date | None
    level3_to_verify: bool
    # The enrolment's placing (`ProgressSummary`): copied, not computed.
    organisation_id: int | None
    cohort_id: int | None
    status: str
    clinical_supervisor_id: int | None
    education_supervisor_id: int | None
    started_on: date
    expected_end_on: date


COLUMNS = tuple(field.name for field in fields(SummaryValues))


@dataclass(frozen=True, slots=True)
class _Enrolment:
    enrolment_id: int
    trainee_id: int
    framework_id: int
    started_on: date
    expected_end_on: date
    organisation_id: int | None
    cohort_id: int | None
    status: str
    clinical_supervisor_id: int | None
    education_supervisor_id: int | None


def first_day(holds: Callable[[date], bool], start: date = FIRST_DAY) -> date | None:
    """The first day from `start` on which `holds`, a test that stays true once true;
    None when it never holds (by LAST_DAY)."""
    if not holds(LAST_DAY):
        return None
    low, high = start.toordinal(), LAST_DAY.toordinal()
    while low < high:
        middle = (low + high) // 2
        if holds(date.fromordinal(middle)):
            high = middle
        else:
            low = middle + 1
    return date.fromordinal(low)


def _behind_from(
    enrolment: _Enrolment,
    done: int,  # the percentage signed off
    total: int,
    pauses: tuple[PauseSpan, ...],
    thresholds: ReportThresholds,
) -> date | None:
    def holds(day: date) -> bool:
        expected = expected_percent(
            enrolment.started_on, enrolment.expected_end_on, day, paused_days(pauses, day)
        )
        return is_behind(done, expected, total, thresholds)

    return first_day(holds, enrolment.started_on)


def _registration_flag_from(trainee_id: int, current: ShownRegistration | None) -> date | None:
    if current is None:
        return None
    return first_day(lambda day: status_of(trainee_id, current, day).flag in REGISTRATION_FLAGS)


@dataclass(frozen=True, slots=True)
class EvidenceValues:
    """The summary's values that a change to evidence alone can move (its versions, links,
    reviews, assessors' forms): named as `ProgressSummary`'s columns."""

    ready: int
    in_progress: int
    awaiting_review: int
    oldest_waiting_since: datetime | None
    last_activity_on: date


EVIDENCE_COLUMNS = tuple(field.name for field in fields(EvidenceValues))


def _enrolments(enrolment_ids: Sequence[int]) -> list[_Enrolment]:
    return [
        _Enrolment(*row)
        for row in db.session.execute(
            select(
                Enrolment.id,
                Enrolment.trainee_id,
                Enrolment.framework_id,
                Enrolment.started_on,
                Enrolment.expected_end_on,
                User.organisation_id,
                Enrolment.cohort_id,
                Enrolment.status,
                Enrolment.clinical_supervisor_id,
                Enrolment.education_supervisor_id,
            )
            .join(User, User.id == Enrolment.trainee_id)
            .where(Enrolment.id.in_(enrolment_ids))
        )
    ]


def _evidence_values(
    e: _Enrolment, counted: Counter[str], facts: ProgressFacts | ActivityFacts
) -> EvidenceValues:
    awaiting, oldest, _changed = facts.evidence.get(e.enrolment_id, (0, None, None))
    return EvidenceValues(
        ready=counted["ready"],
        in_progress=counted["in_progress"],
        awaiting_review=awaiting,
        oldest_waiting_since=oldest,
        last_activity_on=last_activity_on(e.enrolment_id, e.started_on, facts),
    )


@dataclass(frozen=True, slots=True)
class Computed:
    summaries: dict[int, SummaryValues]
    statuses: competency_progress.Statuses  # each competency's, kept beside the summary


def compute(
    enrolment_ids: Sequence[int],
    competencies: dict[int, list[CompetencyRules]] | None = None,
) -> Computed:
    """The summaries of these enrolments and their competencies' statuses, from the records,
    in a fixed number of queries. `competencies` keeps the framework versions read so far
    across batches."""
    enrolments = _enrolments(enrolment_ids)
    if not enrolments:
        return Computed({}, {})
    thresholds = report_thresholds()
    ids = [e.enrolment_id for e in enrolments]
    facts = read_facts(ids, today=uk_today(), thresholds=thresholds, development=False)
    statuses = competency_progress.statuses(enrolments, competencies)
    by_status = competency_progress.counted(statuses)
    found = {}
    for e in enrolments:
        counted = by_status[e.enrolment_id]
        total = counted.total()
        done = counted["signed_off"]
        registration = facts.registrations.get(e.trainee_id)
        found[e.enrolment_id] = SummaryValues(
            competencies=total,
            signed_off=done,
            percent=percent(done, total),
            **asdict(_evidence_values(e, counted, facts)),
            last_supervision_on=facts.supervision.get(e.enrolment_id, (0, None))[1],
            registration_expires_on=registration.expires_on if registration else None,
            behind_from=_behind_from(
                e, percent(done, total), total, facts.pauses.get(e.enrolment_id, ()), thresholds
            ),
            registration_flag_from=_registration_flag_from(e.trainee_id, registration),
            level3_to_verify=facts.qualifications.get(e.trainee_id, (None, False, False))[2],
            organisation_id=e.organisation_id,
            cohort_id=e.cohort_id,
            status=e.status,
            clinical_supervisor_id=e.clinical_supervisor_id,
            education_supervisor_id=e.education_supervisor_id,
            started_on=e.started_on,
            expected_end_on=e.expected_end_on,
        )
    return Computed(found, statuses)


def _write(computed: Computed) -> None:
    """Write these summaries, replacing any there (one statement), and their competencies'
    statuses."""
    upsert_rows(
        ProgressSummary,
        ["enrolment_id"],
        [{"enrolment_id": key, **asdict(values)} for key, values in computed.summaries.items()],
    )
    competency_progress.keep(computed.statuses)


def refresh(enrolment_ids: Iterator[int] | Sequence[int] | set[int]) -> None:
    """Recompute these enrolments' summaries in the current transaction. The caller holds
    their locks (`lock`), so two changes to one enrolment at once are summed up one after
    the other, the second seeing the first (each statement of PostgreSQL's READ
    COMMITTED sees what committed before it began)."""
    for batch in _batches(enrolment_ids):
        _write(compute(batch))


def refresh_evidence(enrolment_ids: Iterator[int] | Sequence[int] | set[int]) -> None:
    """`refresh` for enrolments whose evidence alone changed: their rows' evidence columns
    (`EvidenceValues`) and their competencies' statuses are rewritten, the rest stand."""
    for batch in _batches(enrolment_ids):
        enrolments = _enrolments(batch)
        if not enrolments:
            continue
        statuses = competency_progress.statuses(enrolments)
        competency_progress.keep(statuses)
        counted = competency_progress.counted(statuses)
        facts = activity_facts([e.enrolment_id for e in enrolments])
        values = {
            e.enrolment_id: _evidence_values(e, counted[e.enrolment_id], facts) for e in enrolments
        }
        db.session.execute(
            update(ProgressSummary.__table__)
            .where(ProgressSummary.enrolment_id == bindparam("key"))
            .values({column: bindparam(column) for column in EVIDENCE_COLUMNS}),
            [{"key": key, **asdict(evidence)} for key, evidence in values.items()],
        )


def _batches(enrolment_ids: Iterator[int] | Sequence[int] | set[int]) -> Iterator[list[int]]:
    ids = sorted(set(enrolment_ids))
    for start in range(0, len(ids), BATCH_SIZE):
        yield ids[start : start + BATCH_SIZE]


def lock(enrolment_ids: Sequence[int] | set[int]) -> None:
    """Lock these enrolments for their summaries' upkeep, in id order (one statement on
    PostgreSQL; SQLite's write transactions are serial already)."""
    if not enrolment_ids or db.session.get_bind().dialect.name == "sqlite":
        return
    db.session.execute(
        select(Enrolment.id)
        .where(Enrolment.id.in_(sorted(enrolment_ids)))
        .order_by(Enrolment.id)
        # NO KEY UPDATE on PostgreSQL: it waits for another summary of the same
        # enrolment, but not for the key-share locks that inserting its evidence takes
        # (a plain FOR UPDATE would deadlock two trainees' tabs saving at once).
        .with_for_update(key_share=True)
    ).all()


def _all_ids() -> list[int]:
    return list(db.session.scalars(select(Enrolment.id).order_by(Enrolment.id)))


def rebuild(batch_size: int = BATCH_SIZE) -> int:
    """Recompute every enrolment's summary; the number of enrolments. A bulk load passes a
    larger `batch_size`: fewer, larger queries, the same summaries."""
    ids = _all_ids()
    competencies: dict[int, list[CompetencyRules]] = {}
    for start in range(0, len(ids), batch_size):
        _write(compute(ids[start : start + batch_size], competencies))
    return len(ids)


@dataclass(frozen=True)
class Check:
    checked: int
    problem: str | None  # the first summary that differs from its records, in words


def first_difference() -> Check:
    """Every enrolment's stored summary against a fresh computation, in batches."""
    ids = _all_ids()
    competencies: dict[int, list[CompetencyRules]] = {}
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        stored = {
            row.enrolment_id: row
            for row in db.session.execute(
                select(
                    ProgressSummary.enrolment_id, *(getattr(ProgressSummary, c) for c in COLUMNS)
                ).where(ProgressSummary.enrolment_id.in_(batch))
            )
        }
        computed = compute(batch, competencies)
        for enrolment_id in batch:
            summary = computed.summaries[enrolment_id]
            problem = _difference(enrolment_id, stored.get(enrolment_id), summary)
            if problem:
                return Check(start, problem)
        problem = competency_progress.first_difference(computed.statuses)
        if problem:
            return Check(start, problem)
    return Check(len(ids), None)


def _difference(enrolment_id: int, stored, values: SummaryValues) -> str | None:
    if stored is None:
        return f"enrolment {enrolment_id}: no summary row"
    for column in COLUMNS:
        kept, recomputed = getattr(stored, column), getattr(values, column)
        if kept != recomputed:
            return (
                f"enrolment {enrolment_id}: {column} is {kept} in the summary "
                f"but {recomputed} from the records"
            )
    return None
