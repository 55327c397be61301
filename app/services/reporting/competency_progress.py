"""Each enrolment's competencies and their statuses, kept (`CompetencyProgress`): written
with the enrolment's progress summary (`progress_summary`), in the same transaction, and
checked with it by `reports verify-summary`.

The statuses are `competency_statuses`' own. A change that moves only some competencies
(a change to an item of evidence moves only those it links) recounts those alone
(`recount`), and the summary's counts of ready and in-progress competencies are read back
from the kept rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from sqlalchemy import delete, func, insert, select

from app.database import upsert_rows
from app.extensions import db
from app.models.progress import CompetencyProgress
from app.services.reporting.competency_statuses import (
    CompetencyRules,
    Enrolled,
    competency_statuses,
)
from app.services.reporting.progress_facts import id_list

# Per enrolment: each competency's id and status.
Statuses = dict[int, dict[int, str]]


def statuses(
    enrolments: Sequence[Enrolled],
    competencies: dict[int, list[CompetencyRules]] | None = None,
    only: set[int] | None = None,
) -> Statuses:
    """These enrolments' competencies' statuses, from the records (`only`: those
    competencies alone). `competencies` keeps the framework versions read so far."""
    found: Statuses = {e.enrolment_id: {} for e in enrolments}
    for enrolment, competency, status, _sign_off in competency_statuses(
        enrolments, {} if competencies is None else competencies, only=only
    ):
        found[enrolment.enrolment_id][competency.id] = status
    return found


def counted(found: Statuses) -> dict[int, Counter[str]]:
    """How many of each enrolment's competencies stand at each status."""
    return {enrolment_id: Counter(by.values()) for enrolment_id, by in found.items()}


def _rows(found: Statuses) -> list[dict]:
    return [
        {"enrolment_id": enrolment_id, "competency_id": competency_id, "status": status}
        for enrolment_id, by in found.items()
        for competency_id, status in by.items()
    ]


def replace(found: Statuses) -> None:
    """Keep these enrolments' rows: one for each competency of their version, no others."""
    if not found:
        return
    db.session.execute(
        delete(CompetencyProgress).where(CompetencyProgress.enrolment_id.in_(id_list(found)))
    )
    rows = _rows(found)
    if rows:
        db.session.execute(insert(CompetencyProgress), rows)


def recount(enrolments: Sequence[Enrolled], changed: Mapping[int, set[int]]) -> dict[int, Counter]:
    """Keep the statuses of these enrolments' competencies and count them by status. For an
    enrolment in `changed` only the competencies named there are recounted (the others'
    evidence is as it was); the rest are recounted whole."""
    narrowed = [e for e in enrolments if e.enrolment_id in changed]
    whole = [e for e in enrolments if e.enrolment_id not in changed]
    found = statuses(whole)
    replace(found)
    only = set().union(*(changed[e.enrolment_id] for e in narrowed))
    if not only:
        return {**{e.enrolment_id: Counter() for e in narrowed}, **counted(found)}
    upsert_rows(
        CompetencyProgress, ["enrolment_id", "competency_id"], _rows(statuses(narrowed, only=only))
    )
    return {**kept_counts([e.enrolment_id for e in narrowed]), **counted(found)}


def kept_counts(enrolment_ids: list[int]) -> dict[int, Counter[str]]:
    """The kept rows of these enrolments, counted by status (one query)."""
    found: dict[int, Counter[str]] = {enrolment_id: Counter() for enrolment_id in enrolment_ids}
    rows = db.session.execute(
        select(CompetencyProgress.enrolment_id, CompetencyProgress.status, func.count())
        .where(CompetencyProgress.enrolment_id.in_(id_list(enrolment_ids)))
        .group_by(CompetencyProgress.enrolment_id, CompetencyProgress.status)
    )
    for enrolment_id, status, count in rows:
        found[enrolment_id][status] = count
    return found


def kept(enrolment_ids: Sequence[int]) -> Statuses:
    """The kept statuses of these enrolments (one query)."""
    found: Statuses = {enrolment_id: {} for enrolment_id in enrolment_ids}
    rows = db.session.execute(
        select(
            CompetencyProgress.enrolment_id,
            CompetencyProgress.competency_id,
            CompetencyProgress.status,
        ).where(CompetencyProgress.enrolment_id.in_(id_list(list(enrolment_ids))))
    )
    for enrolment_id, competency_id, status in rows:
        found[enrolment_id][competency_id] = status
    return found


def first_difference(computed: Statuses) -> str | None:
    """The first kept status that differs from `computed`, in words; None when all agree."""
    stored = kept(list(computed))
    for enrolment_id, by in computed.items():
        held = stored[enrolment_id]
        for competency_id in sorted(by.keys() | held.keys()):
            kept_status, status = held.get(competency_id), by.get(competency_id)
            if kept_status != status:
                return (
                    f"enrolment {enrolment_id}: competency {competency_id} is "
                    f"{kept_status or 'missing'} in the kept statuses but "
                    f"{status or 'not of its framework'} from the records"
                )
    return None
