"""The long form of the progress report: one row per trainee x competency, for exports.

Statuses follow app.services.portfolio.sufficiency exactly, as a lead sees them: drafts are
private, so only shared evidence makes a competency "in progress". The rows stream:
trainees are read in batches (the progress report's), and each batch's evidence links
(added up per trainee and competency in SQL) and sign-offs are fetched with a fixed
number of queries and dropped once written.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models.evidence import Evidence, EvidenceLink
from app.models.frameworks import Competency, Domain, Framework
from app.models.signoffs import SignOff, SignOffRevocation
from app.models.users import User
from app.services.frameworks.labels import FrameworkName, framework_label
from app.services.portfolio.sufficiency import (
    RULE_COLUMNS,
    Rule,
    counts_from_row,
    link_counts,
    rule_from_columns,
    status_from_counts,
)
from app.services.reporting.progress_report import (
    TraineeIdentity,
    TraineeProgress,
    iter_identity_batches,
    iter_progress,
)
from app.services.reporting.scope import ReportFilters

NO_LINKS: tuple[int, dict[str, int]] = (0, counts_from_row(None))
STATUS_LABELS = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "ready": "Ready for sign-off",
    "signed_off": "Signed off",
}


class CompetencyRow(NamedTuple):
    """One trainee x competency. A named tuple, not a frozen dataclass: a region's export
    makes a hundred thousand of them."""

    enrolment_id: int
    trainee_id: int
    trainee: str
    gphc_number: str | None
    organisation: str | None
    cohort: str | None
    framework: str  # as `framework_label` names it
    domain_code: str
    domain_title: str
    competency_code: str
    competency_title: str
    status: str  # not_started | in_progress | ready | signed_off
    outcome: str | None  # the standing sign-off's outcome, if any
    signed_by: str | None
    signed_by_gphc: str | None
    signed_on: date | None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True, slots=True)
class _Competency:
    id: int
    framework: str
    domain_code: str
    domain_title: str
    code: str
    title: str
    rule: Rule


@dataclass(frozen=True, slots=True)
class _Standing:
    outcome: str
    proficient: bool
    signer: str
    signer_gphc: str
    signed_at: datetime


def _competencies(framework_ids: set[int]) -> dict[int, list[_Competency]]:
    rows = db.session.execute(
        select(
            Competency.id,
            Competency.framework_id,
            Framework.title,
            Framework.version,
            Framework.status,
            Domain.code,
            Domain.title,
            Competency.code,
            Competency.title,
            *RULE_COLUMNS,
        )
        .join(Domain, Domain.id == Competency.domain_id)
        .join(Framework, Framework.id == Competency.framework_id)
        .where(Competency.framework_id.in_(framework_ids))
        .order_by(Competency.framework_id, Domain.position, Competency.position)
    )
    found: dict[int, list[_Competency]] = {framework_id: [] for framework_id in framework_ids}
    for row in rows:
        cid, fid, ftitle, fversion, fstatus, dcode, dtitle, code, title = row[:9]
        label = framework_label(FrameworkName(ftitle, fversion, fstatus))
        found[fid].append(
            _Competency(cid, label, dcode, dtitle, code, title, rule_from_columns(row))
        )
    return found


def _link_counts(enrolment_ids: list[int]) -> dict[tuple[int, int], tuple[int, dict[str, int]]]:
    """Per (enrolment, competency), counted as `sufficiency.link_counts` counts: the shared
    items linking it, and the counts of the accepted versions `shortfall` takes. One
    aggregate query: the database adds up the links, Python sees a row per pair."""
    query = (
        link_counts(Evidence.enrolment_id)
        .where(Evidence.enrolment_id.in_(enrolment_ids))
        .group_by(Evidence.enrolment_id, EvidenceLink.competency_id)
    )
    return {
        (row.enrolment_id, row.competency_id): (int(row.shared), counts_from_row(row))
        for row in db.session.execute(query)
    }


def _standing(enrolment_ids: list[int]) -> dict[tuple[int, int], _Standing]:
    rows = db.session.execute(
        select(
            SignOff.enrolment_id,
            SignOff.competency_id,
            SignOff.outcome_label,
            SignOff.proficient,
            SignOff.signer_name,
            SignOff.signer_gphc_number,
            SignOff.signed_at,
        )
        .outerjoin(SignOffRevocation, SignOffRevocation.sign_off_id == SignOff.id)
        .where(SignOff.enrolment_id.in_(enrolment_ids), SignOffRevocation.id.is_(None))
    )
    return {(e, c): _Standing(*rest) for e, c, *rest in rows}


def _rows_for(
    trainees: Sequence[TraineeProgress | TraineeIdentity],
    competencies: dict[int, list[_Competency]],
) -> Iterator[CompetencyRow]:
    unseen = {t.framework_id for t in trainees} - competencies.keys()
    if unseen:
        competencies.update(_competencies(unseen))
    ids = [t.enrolment_id for t in trainees]
    counts = _link_counts(ids)
    standing = _standing(ids)
    for trainee in trainees:
        for c in competencies[trainee.framework_id]:
            key = (trainee.enrolment_id, c.id)
            sign_off = standing.get(key)
            linked, accepted = counts.get(key, NO_LINKS)
            status = status_from_counts(
                c.rule,
                linked=linked,
                signed_off=sign_off is not None and sign_off.proficient,
                **accepted,
            )
            yield CompetencyRow(
                enrolment_id=trainee.enrolment_id,
                trainee_id=trainee.trainee_id,
                trainee=trainee.name,
                gphc_number=trainee.gphc_number,
                organisation=trainee.organisation,
                cohort=trainee.cohort,
                framework=c.framework,
                domain_code=c.domain_code,
                domain_title=c.domain_title,
                competency_code=c.code,
                competency_title=c.title,
                status=status,
                outcome=sign_off.outcome if sign_off else None,
                signed_by=sign_off.signer if sign_off else None,
                signed_by_gphc=sign_off.signer_gphc if sign_off else None,
                signed_on=sign_off.signed_at.date() if sign_off else None,
            )


def iter_competency_rows(
    viewer: User,
    filters: ReportFilters | None = None,
    *,
    today: date | None = None,
    now: datetime | None = None,
    batch_size: int | None = None,
) -> Iterator[CompetencyRow]:
    """Every trainee x competency in scope: trainees by name, competencies in framework order."""
    batch_size = batch_size or int(current_app.config.get("EXPORT_BATCH_SIZE", 1000))
    filters = filters or ReportFilters()
    competencies: dict[int, list[_Competency]] = {}
    if not filters.flag:
        # Who each row is about is all the long form repeats: skip the report's aggregates.
        for trainees in iter_identity_batches(viewer, filters, batch_size=batch_size):
            yield from _rows_for(trainees, competencies)
        return
    batch: list[TraineeProgress] = []
    for trainee in iter_progress(viewer, filters, today=today, now=now, batch_size=batch_size):
        batch.append(trainee)
        if len(batch) >= batch_size:
            yield from _rows_for(batch, competencies)
            batch = []
    if batch:
        yield from _rows_for(batch, competencies)
