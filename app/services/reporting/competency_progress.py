"""Each enrolment's competencies and their statuses, kept (`CompetencyProgress`): written
with the enrolment's progress summary (`progress_summary`), in the same transaction, and
checked with it by `reports verify-summary`.

The statuses are `competency_statuses`' own, worked out for the whole enrolment whenever
its summary is; only the rows whose status moved are written (`keep`), so a submission
writes one row or none.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sqlalchemy import delete, select, tuple_, update

from app.database import id_list, upsert_rows
from app.extensions import db
from app.models.evidence import Evidence, EvidenceLink, EvidenceVersion
from app.models.progress import CompetencyProgress
from app.services.portfolio.sufficiency_rule import status_for
from app.services.reporting.competency_statuses import (
    CompetencyRules,
    Enrolled,
    competency_statuses,
)

# Per enrolment: each competency's id and status.
Statuses = dict[int, dict[int, str]]


def statuses(
    enrolments: Sequence[Enrolled], competencies: dict[int, list[CompetencyRules]] | None = None
) -> Statuses:
    """These enrolments' competencies' statuses, from the records. `competencies` keeps the
    framework versions read so far."""
    found: Statuses = {e.enrolment_id: {} for e in enrolments}
    if not found:
        return found
    for enrolment, competency, status, _sign_off in competency_statuses(
        enrolments, {} if competencies is None else competencies
    ):
        found[enrolment.enrolment_id][competency.id] = status
    return found


def counted(found: Statuses) -> dict[int, Counter[str]]:
    """How many of each enrolment's competencies stand at each status."""
    return {enrolment_id: Counter(by.values()) for enrolment_id, by in found.items()}


def keep(found: Statuses) -> None:
    """Keep these enrolments' statuses: a row for each competency of their version, no
    others. Only the rows that differ from those kept are written (two statements at most)."""
    if not found:
        return
    held = kept(list(found))
    gone = [
        (enrolment_id, competency_id)
        for enrolment_id, by in held.items()
        for competency_id in by.keys() - found[enrolment_id].keys()
    ]
    if gone:  # the competencies of a version the enrolment was moved from
        db.session.execute(
            delete(CompetencyProgress).where(
                tuple_(CompetencyProgress.enrolment_id, CompetencyProgress.competency_id).in_(gone)
            )
        )
    moved = [
        {"enrolment_id": enrolment_id, "competency_id": competency_id, "status": status}
        for enrolment_id, by in found.items()
        for competency_id, status in by.items()
        if held[enrolment_id].get(competency_id) != status
    ]
    upsert_rows(CompetencyProgress, ["enrolment_id", "competency_id"], moved)


def share(enrolment_id: int, evidence_id: int) -> int:
    """Start the competencies the item's current version links that were not started, as
    its first sharing does (one statement); returns how many started.

    Not started means no rule met, nothing signed off and nothing shared linked; a newly
    shared version changes none of the accepted counts a rule reads, so each such
    competency is now linked and its rule still unmet."""
    linked = (
        select(EvidenceLink.competency_id)
        .join(EvidenceVersion, EvidenceVersion.id == EvidenceLink.evidence_version_id)
        .join(Evidence, Evidence.id == EvidenceVersion.evidence_id)
        .where(
            Evidence.id == evidence_id,
            EvidenceVersion.number == Evidence.current_version_number,
        )
    )
    result = db.session.execute(
        update(CompetencyProgress)
        .where(
            CompetencyProgress.enrolment_id == enrolment_id,
            CompetencyProgress.status == status_for(met=False, linked=False, signed_off=False),
            CompetencyProgress.competency_id.in_(linked),
        )
        .values(status=status_for(met=False, linked=True, signed_off=False))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


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
