"""Each organisation's flags, tallied: how many of its current enrolments each flag is
raised on (`FlagTally`), so that a region's dashboard adds up one row per organisation
instead of counting every summary in the region.

A tally holds what it was counted with: the UK day and the thresholds. Every flag is
decided by the day alone (`summary_flags`), so a count made that day holds all day until
one of the organisation's summaries moves, and the transaction that moves it counts that
organisation again (`summary_upkeep`, through `lock_organisations` and `recount`): the
organisations are locked in id order once their enrolments are, so two writers in one
organisation count one after the other, each seeing the other's summaries. A step
(`summary_steps`: a draft written, a draft submitted) moves a tally only when its trainee
was stalled, so most writes count nothing again. The daily job,
`reports recount-tallies` (`recount_all`), counts every organisation for the new day.

A report adds the tallies up only when every organisation in its scope was counted today
with today's thresholds (`tallied`); otherwise it counts the summaries themselves, and a
page never writes.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import astuple
from datetime import date

from sqlalchemy import Select, and_, case, func, literal, select, union

from app.database import upsert_selected
from app.extensions import db
from app.models.enrolments import Enrolment
from app.models.organisations import Organisation
from app.models.progress import FlagTally, ProgressSummary
from app.models.users import User
from app.services.accounts.organisations import subtree
from app.services.reporting.flags import Flag, ReportThresholds
from app.services.reporting.scope import REPORTED_STATUSES, ReportFilters, ReportScope
from app.services.reporting.summary_flags import flag_conditions

# Each flag's column in `FlagTally`.
COLUMNS: dict[Flag, str] = {flag: flag.value.replace("-", "_") for flag in Flag}
NAMES = ("organisation_id", "counted_on", "thresholds", "enrolments", *COLUMNS.values())
BATCH_SIZE = 1_000


def thresholds_key(thresholds: ReportThresholds) -> str:
    """The thresholds a tally was counted with, as stored beside it."""
    return "/".join(str(value) for value in astuple(thresholds))


def counted(today: date, thresholds: ReportThresholds) -> Select:
    """Each organisation's tally as the summaries stand (columns named as `NAMES`, one row
    per organisation, those with no current enrolment included); the caller chooses the
    organisations."""
    summary = ProgressSummary
    conditions = flag_conditions(thresholds, today)
    values = [
        Organisation.id,
        literal(today),
        literal(thresholds_key(thresholds)),
        func.count(summary.enrolment_id),
        *(func.sum(case((conditions[flag], 1), else_=0)) for flag in COLUMNS),
    ]
    current = summary.status.in_(REPORTED_STATUSES)
    return (
        select(*(value.label(name) for value, name in zip(values, NAMES, strict=True)))
        .select_from(Organisation)
        .outerjoin(summary, and_(summary.organisation_id == Organisation.id, current))
        .group_by(Organisation.id)
    )


def lock_organisations(
    recounted: Collection[int],
    stepped: Collection[int],
    today: date,
    thresholds: ReportThresholds,
) -> set[int]:
    """Lock the organisations whose tallies these enrolments' summaries are about to move,
    and return their ids (1 query):
    - `recounted`, summaries computed again: where each stands, and where its trainee
      stands (a summary follows its trainee to another organisation);
    - `stepped`, summaries stepped on (`summary_steps`), which move no flag's input but
      the day of the last activity: only where one is stalled today can it move a tally.
    """
    summary = ProgressSummary
    chosen = []
    if recounted:
        chosen.append(select(summary.organisation_id).where(summary.enrolment_id.in_(recounted)))
        chosen.append(
            select(User.organisation_id)
            .join(Enrolment, Enrolment.trainee_id == User.id)
            .where(Enrolment.id.in_(recounted))
        )
    if stepped:
        stalled = flag_conditions(thresholds, today)[Flag.STALLED]
        chosen.append(
            select(summary.organisation_id).where(summary.enrolment_id.in_(stepped), stalled)
        )
    return _locked(union(*chosen)) if chosen else set()


def _locked(chosen: Select | list[int]) -> set[int]:
    """Lock these organisations in id order (1 query; SQLite's writers are serial
    already), and return the ids of those that exist."""
    query = select(Organisation.id).where(Organisation.id.in_(chosen)).order_by(Organisation.id)
    if db.session.get_bind().dialect.name != "sqlite":
        # NO KEY UPDATE: rows that refer to the organisation can still be written.
        query = query.with_for_update(key_share=True)
    return set(db.session.scalars(query))


def recount(organisation_ids: Collection[int], today: date, thresholds: ReportThresholds) -> None:
    """Count these organisations' tallies again, as of `today` (1 statement). The caller
    holds their locks (`lock_organisations`)."""
    if organisation_ids:
        chosen = counted(today, thresholds).where(Organisation.id.in_(sorted(organisation_ids)))
        upsert_selected(FlagTally, ["organisation_id"], NAMES, chosen)


def recount_all(today: date, thresholds: ReportThresholds) -> int:
    """Count every organisation's tally as of `today`, a batch of organisations at a time,
    each batch locked first; the number of organisations."""
    ids = list(db.session.scalars(select(Organisation.id).order_by(Organisation.id)))
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        recount(_locked(batch), today, thresholds)
    return len(ids)


def tallied(
    scope: ReportScope, filters: ReportFilters, today: date, thresholds: ReportThresholds
) -> tuple[int, dict[Flag, int]] | None:
    """The enrolments in a lead's scope and each flag's count, added up from the tallies
    of the organisations in it (1 query); None when a tally is missing or not today's,
    or when the scope or filters are not made of whole organisations (a supervisor's
    trainees, a cohort), and the summaries must be counted instead."""
    root = scope.organisation_root_id
    if root is None or scope.supervisor_id is not None:
        return None
    if filters.cohort_id is not None or filters.supervisor_id is not None:
        return None
    tree = subtree(root, "scope_tree")
    today_s = and_(
        FlagTally.organisation_id == tree.c.id,
        FlagTally.counted_on == today,
        FlagTally.thresholds == thresholds_key(thresholds),
    )
    columns = [getattr(FlagTally, name) for name in ("enrolments", *COLUMNS.values())]
    query = select(
        func.count(), func.count(FlagTally.organisation_id), *map(func.sum, columns)
    ).select_from(tree.outerjoin(FlagTally, today_s))
    if filters.organisation_id is not None:
        chosen = subtree(filters.organisation_id, "filter_tree")
        query = query.where(tree.c.id.in_(select(chosen.c.id)))
    organisations, counted_today, enrolments, *flags = db.session.execute(query).one()
    if organisations != counted_today:
        return None
    return enrolments or 0, {flag: count or 0 for flag, count in zip(COLUMNS, flags, strict=True)}


def first_difference(today: date, thresholds: ReportThresholds) -> str | None:
    """Every tally a report would use today against a fresh count of its summaries: the
    first that differs, in words, or None."""
    key = thresholds_key(thresholds)
    fresh = {row[0]: row for row in db.session.execute(counted(today, thresholds))}
    stored = db.session.execute(
        select(*(getattr(FlagTally, name) for name in NAMES))
        .where(FlagTally.counted_on == today, FlagTally.thresholds == key)
        .order_by(FlagTally.organisation_id)
    )
    for row in stored:
        recounted = fresh[row.organisation_id]  # a tally goes with its organisation
        for name in NAMES[3:]:
            kept, now = getattr(row, name), getattr(recounted, name)
            if kept != now:
                return (
                    f"organisation {row.organisation_id}: {name} is {kept} in the flag "
                    f"tally but {now} from the summaries"
                )
    return None
