"""What each competency still needs before it can be signed off.

A competency's rule (its framework's default, or its own override) asks for a number
of accepted items, a number of distinct evidence types among them, and perhaps an
observed item. Only accepted evidence counts, and only through the competencies its
accepted version (`Evidence.accepted_version_number`) links. What was accepted is what
was assessed, so while the trainee revises it, or a revision waits for review or is
sent back for changes, the accepted version goes on counting; a revision counts only
once it is accepted, and then in place of the version before.

Statuses: not_started (nothing linked) -> in_progress (something linked) -> ready
(the rule is met) -> signed_off (given by the caller until sign-offs exist).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import Select, and_, bindparam, case, distinct, func, or_, select

from app.extensions import db
from app.models.enrolments import Enrolment
from app.models.evidence import Evidence, EvidenceLink, EvidenceVersion
from app.models.frameworks import Competency, Domain, EvidenceType

ORDINALS = {2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh"}


@dataclass(frozen=True)
class Rule:
    min_evidence: int
    min_types: int
    require_observed: bool

    @classmethod
    def of(cls, competency: Competency) -> Rule:
        return cls(competency.min_evidence, competency.min_types, competency.require_observed)


@dataclass(frozen=True)
class AcceptedItem:
    evidence_id: int
    evidence_type_id: int
    observed: bool


@dataclass(frozen=True)
class CompetencyProgress:
    competency_id: int
    code: str
    title: str
    domain_id: int
    domain_code: str
    domain_title: str
    rule: Rule
    status: str
    missing: list[str]
    linked_count: int
    accepted_count: int
    accepted_type_count: int
    observed_count: int

    @property
    def still_needed(self) -> list[str]:
        """What the rule still asks for, as pages and the API show it: nothing once signed off."""
        return [] if self.status == "signed_off" else self.missing


@dataclass
class DomainProgress:
    domain_id: int
    code: str
    title: str
    competencies: list[CompetencyProgress] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.competencies)

    def count(self, status: str) -> int:
        return sum(1 for c in self.competencies if c.status == status)


class Shortfall(NamedTuple):
    """How far accepted evidence falls short of a rule: more items, more distinct types,
    an observed assessment. Nothing short means the rule is met."""

    items: int
    types: int
    observed: bool

    @property
    def met(self) -> bool:
        return not (self.items or self.types or self.observed)


def shortfall(rule: Rule, *, accepted: int, types: int, observed: int) -> Shortfall:
    """The sufficiency rule, from counts of the accepted items, their distinct types and
    the observed ones among them (what an aggregate query returns). Everything else here
    (the words, `meets`, the statuses) is derived from it."""
    return Shortfall(
        items=max(rule.min_evidence - accepted, 0),
        types=max(rule.min_types - types, 0),
        observed=rule.require_observed and not observed,
    )


def _items(count: int) -> str:
    return "1 more accepted item" if count == 1 else f"{count} more accepted items"


def missing_for(rule: Rule, accepted: Iterable[AcceptedItem]) -> list[str]:
    """Plain-English gaps between the accepted items and the rule; empty when it is met."""
    accepted = list(accepted)
    return missing_for_counts(
        rule,
        accepted=len(accepted),
        types=len({item.evidence_type_id for item in accepted}),
        observed=sum(1 for item in accepted if item.observed),
    )


def missing_for_counts(rule: Rule, *, accepted: int, types: int, observed: int) -> list[str]:
    """`shortfall` in words, from the same counts."""
    return _words(shortfall(rule, accepted=accepted, types=types, observed=observed), types)


def _words(short: Shortfall, types: int) -> list[str]:
    missing = []
    if short.items:
        missing.append(f"needs {_items(short.items)}")
    if short.types:
        if types == 0:
            # One accepted item brings one type: only say so when more than one is needed.
            if short.types > 1:
                missing.append(f"needs items of {short.types} different evidence types")
        elif short.types == 1:
            ordinal = ORDINALS.get(types + 1, f"{types + 1}th")
            missing.append(f"needs a {ordinal} evidence type")
        else:
            missing.append(f"needs {short.types} more evidence types")
    if short.observed:
        missing.append("needs an observed assessment")
    return missing


def describe_rule(rule: Rule) -> str:
    """The rule as a sentence a trainee can act on."""
    items = "1 accepted item" if rule.min_evidence == 1 else f"{rule.min_evidence} accepted items"
    sentence = f"Sign-off needs at least {items}"
    if rule.min_types > 1:
        sentence += f" of at least {rule.min_types} different evidence types"
    if rule.require_observed:
        sentence += ", including at least 1 observed assessment"
    return sentence + "."


def meets(rule: Rule, *, accepted: int, types: int, observed: int) -> bool:
    """Whether counts satisfy the rule (`shortfall` is nothing), without words."""
    return shortfall(rule, accepted=accepted, types=types, observed=observed).met


def status_from_counts(
    rule: Rule, *, linked: int, accepted: int, types: int, observed: int, signed_off: bool
) -> str:
    """A competency's status straight from counts: for exports of every trainee x
    competency, which show the status but never what is missing."""
    met = meets(rule, accepted=accepted, types=types, observed=observed)
    return status_for(met=met, linked=linked > 0, signed_off=signed_off)


def status_for(*, met: bool, linked: bool, signed_off: bool) -> str:
    """The status ladder: signed off, else ready once the rule is met, else in progress
    once anything is linked."""
    if signed_off:
        return "signed_off"
    if met:
        return "ready"
    return "in_progress" if linked else "not_started"


def progress_for(
    enrolment: Enrolment,
    signed_off: Collection[int] = frozenset(),
    *,
    count_drafts: bool = True,
    competency_id: int | None = None,
) -> list[CompetencyProgress]:
    """Every competency of the enrolment's framework version, in framework order, in 2 queries
    (or just the one `competency_id` names, for its own page): the links are counted in
    the database, so the work here does not grow with the evidence.

    `signed_off` holds competency ids already signed off. With `count_drafts=False`,
    drafts do not make a competency "in progress" (for people who may not see drafts).
    """
    competencies_sql, links_sql = _progress_statements(one=competency_id is not None)
    params = {
        "framework_id": enrolment.framework_id,
        "enrolment_id": enrolment.id,
        "competency_id": competency_id,
    }
    competencies = db.session.execute(competencies_sql, params).all()
    counted = {row.competency_id: row for row in db.session.execute(links_sql, params)}
    progress = []
    for competency in competencies:
        rule = Rule(competency.min_evidence, competency.min_types, competency.require_observed)
        counts = counted.get(competency.id)
        linked = (counts.linked if count_drafts else counts.shared) if counts else 0
        accepted, types, observed = (
            (counts.accepted, counts.types, counts.observed) if counts else (0, 0, 0)
        )
        short = shortfall(rule, accepted=accepted, types=types, observed=observed)
        missing = _words(short, types)
        progress.append(
            CompetencyProgress(
                competency_id=competency.id,
                code=competency.code,
                title=competency.title,
                domain_id=competency.domain_id,
                domain_code=competency.domain_code,
                domain_title=competency.domain_title,
                rule=rule,
                status=status_for(
                    met=short.met, linked=linked > 0, signed_off=competency.id in signed_off
                ),
                missing=missing,
                linked_count=linked,
                accepted_count=accepted,
                accepted_type_count=types,
                observed_count=observed,
            )
        )
    return progress


def _progress_statements(*, one: bool):
    """With parameters bound per call: a framework's competencies in order, with
    just what progress needs, and the enrolment's links counted (`link_counts`); `one`
    narrows both to one competency."""
    competencies = (
        select(
            Competency.id,
            Competency.code,
            Competency.title,
            Competency.domain_id,
            Competency.min_evidence,
            Competency.min_types,
            Competency.require_observed,
            Domain.code.label("domain_code"),
            Domain.title.label("domain_title"),
        )
        .join(Domain, Competency.domain_id == Domain.id)
        .where(Competency.framework_id == bindparam("framework_id"))
        .order_by(Domain.position, Competency.position)
    )
    links = (
        link_counts()
        .where(Evidence.enrolment_id == bindparam("enrolment_id"))
        .group_by(EvidenceLink.competency_id)
    )
    if one:
        competencies = competencies.where(Competency.id == bindparam("competency_id"))
        links = links.where(EvidenceLink.competency_id == bindparam("competency_id"))
    return competencies, links


def link_counts(*keys) -> Select:
    """Per competency (group by `EvidenceLink.competency_id` and any `keys` selected
    first): `linked`, the items whose current or accepted version links it; `shared`,
    those whose shared or accepted version does (what people other than the trainee can
    see); and among accepted versions `accepted`, their distinct evidence `types` and the
    `observed` ones. The one place that says which version counts: the accepted one.

    A version links a competency once at most (a unique constraint), and only an item's
    current and accepted versions are read, so counting links counts items."""
    current = EvidenceVersion.number == Evidence.current_version_number
    counted = EvidenceVersion.number == Evidence.accepted_version_number
    shared = EvidenceVersion.number == Evidence.shared_version_number
    return (
        select(
            *keys,
            EvidenceLink.competency_id.label("competency_id"),
            func.count(distinct(Evidence.id)).label("linked"),
            func.count(distinct(case((or_(shared, counted), Evidence.id)))).label("shared"),
            func.sum(case((counted, 1), else_=0)).label("accepted"),
            func.count(distinct(case((counted, Evidence.evidence_type_id)))).label("types"),
            func.sum(case((and_(counted, EvidenceType.observed), 1), else_=0)).label("observed"),
        )
        .select_from(EvidenceLink)
        .join(EvidenceVersion, EvidenceLink.evidence_version_id == EvidenceVersion.id)
        .join(Evidence, and_(Evidence.id == EvidenceVersion.evidence_id, or_(current, counted)))
        .join(EvidenceType, Evidence.evidence_type_id == EvidenceType.id)
    )


def by_domain(progress: Iterable[CompetencyProgress]) -> list[DomainProgress]:
    """Group competency progress by domain, keeping the framework's order."""
    domains: dict[int, DomainProgress] = {}
    for item in progress:
        domain = domains.setdefault(
            item.domain_id, DomainProgress(item.domain_id, item.domain_code, item.domain_title)
        )
        domain.competencies.append(item)
    return list(domains.values())
