"""Every competency's status for a batch of enrolments, as a lead sees it, read in a fixed
number of queries: the framework's competencies and their rules, the evidence links added
up per enrolment and competency in SQL, and the standing sign-offs. The long export and
the progress summary both count from here.

Statuses follow `app.services.portfolio.sufficiency` exactly: drafts are private, so only
shared evidence makes a competency "in progress".
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from sqlalchemy import select

from app.database import id_list
from app.extensions import db
from app.models.evidence import Evidence, EvidenceLink
from app.models.frameworks import Competency, Domain, Framework
from app.models.signoffs import SignOff, SignOffRevocation
from app.services.frameworks.labels import FrameworkName, framework_label
from app.services.portfolio.sufficiency import (
    RULE_COLUMNS,
    Rule,
    counts_from_row,
    link_counts,
    rule_from_columns,
    status_from_counts,
)

NOTHING_LINKED = counts_from_row(None)


class Enrolled(Protocol):
    """Whatever names an enrolment and its framework version: a report row, an identity."""

    @property
    def enrolment_id(self) -> int: ...

    @property
    def framework_id(self) -> int: ...


_E = TypeVar("_E", bound=Enrolled)


@dataclass(frozen=True, slots=True)
class CompetencyRules:
    """A competency of a framework version, named as exports name it, with its rule."""

    id: int
    framework: str
    domain_code: str
    domain_title: str
    code: str
    title: str
    rule: Rule


@dataclass(frozen=True, slots=True)
class Standing:
    """A competency's standing (unrevoked) sign-off."""

    outcome: str
    proficient: bool
    signer: str
    signer_gphc: str
    signed_at: datetime


def framework_competencies(framework_ids: set[int]) -> dict[int, list[CompetencyRules]]:
    """Each framework version's competencies in framework order (one query)."""
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
    found: dict[int, list[CompetencyRules]] = {framework_id: [] for framework_id in framework_ids}
    for row in rows:
        cid, fid, ftitle, fversion, fstatus, dcode, dtitle, code, title = row[:9]
        label = framework_label(FrameworkName(ftitle, fversion, fstatus))
        found[fid].append(
            CompetencyRules(cid, label, dcode, dtitle, code, title, rule_from_columns(row))
        )
    return found


def _statuses_unsigned(
    enrolment_ids: list[int], rules: dict[int, Rule], signed: dict[tuple[int, int], Standing]
) -> dict[tuple[int, int], str]:
    """Per (enrolment, competency) with evidence linked and no standing proficient
    sign-off in `signed`, its status (in_progress or ready), from counts as
    `sufficiency.link_counts` counts them: one aggregate query, each row decided as it is
    read (`rules` by competency id)."""
    query = (
        link_counts(Evidence.enrolment_id)
        .where(Evidence.enrolment_id.in_(id_list(enrolment_ids)))
        .group_by(Evidence.enrolment_id, EvidenceLink.competency_id)
    )
    found = {}
    for row in db.session.execute(query):
        key = (row.enrolment_id, row.competency_id)
        rule = rules.get(row.competency_id)
        # Not for a competency outside the enrolment's version (not shown), nor one signed off.
        standing = signed.get(key)
        if rule is not None and (standing is None or not standing.proficient):
            found[key] = status_from_counts(
                rule, linked=int(row.shared), signed_off=False, **counts_from_row(row)
            )
    return found


def _standing(enrolment_ids: list[int]) -> dict[tuple[int, int], Standing]:
    query = (
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
        .where(SignOff.enrolment_id.in_(id_list(enrolment_ids)), SignOffRevocation.id.is_(None))
    )
    return {(e, c): Standing(*rest) for e, c, *rest in db.session.execute(query)}


def competency_statuses(
    enrolments: Sequence[_E],
    competencies: dict[int, list[CompetencyRules]],
    known: dict[tuple[int, int], str] | None = None,
) -> Iterator[tuple[_E, CompetencyRules, str, Standing | None]]:
    """Each enrolment x competency of its framework version, in framework order, with its
    status (not_started, in_progress, ready, signed_off) and its standing sign-off.
    `competencies` holds the frameworks read so far and gains any new ones (3 queries a
    batch at most). `known`: statuses read already (the kept ones, `competency_progress`);
    without them the linked pairs' statuses are worked out from the evidence."""
    unseen = {e.framework_id for e in enrolments} - competencies.keys()
    if unseen:
        competencies.update(framework_competencies(unseen))
    ids = [e.enrolment_id for e in enrolments]
    rules = {c.id: c.rule for f in {e.framework_id for e in enrolments} for c in competencies[f]}
    # With nothing shared linked: not started, unless a rule asks for nothing at all.
    unlinked = {
        cid: status_from_counts(rule, linked=0, signed_off=False, **NOTHING_LINKED)
        for cid, rule in rules.items()
    }
    standing = _standing(ids)
    if known is None:
        known = _statuses_unsigned(ids, rules, standing)
    for enrolment in enrolments:
        enrolment_id = enrolment.enrolment_id
        for c in competencies[enrolment.framework_id]:
            key = (enrolment_id, c.id)
            sign_off = standing.get(key)
            if sign_off is not None and sign_off.proficient:
                status = "signed_off"
            else:
                status = known.get(key) or unlinked[c.id]
            yield enrolment, c, status, sign_off
