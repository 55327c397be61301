"""What moving one enrolment to the next framework version would do: the gap analysis.

Read from the new version's crosswalk (`frameworks.crosswalk`) and the trainee's record:
- carried over: a competency that `replaces` an old one the trainee was signed off in
  keeps that sign-off (a new record pointing at the original, which stays as signed);
- needs a new sign-off: a competency that `merges` old ones or `splits_from` one, when
  any of those was signed off; its evidence follows, the sign-off does not;
- continued: a competency whose old one(s) were not signed off; the evidence follows;
- new: a competency that claims nothing in the old version;
- ended: an old competency nothing in the new version points to (its evidence and any
  sign-off stay on the record, against the old version).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from app.extensions import db
from app.models.crosswalk import CompetencyCrosswalk
from app.models.enrolments import Enrolment
from app.models.evidence import Evidence, EvidenceLink, EvidenceVersion
from app.models.frameworks import Competency, Domain
from app.models.signoffs import SignOff, SignOffRevocation

CATEGORIES = ("carried_over", "re_sign_off", "continued", "new", "ended")
CATEGORY_LABELS = {
    "carried_over": "Sign-off carried over",
    "re_sign_off": "Needs a new sign-off",
    "continued": "Continues, not signed off yet",
    "new": "New competency",
    "ended": "Ended",
}


@dataclass(frozen=True)
class Crosswalk:
    """The new version's claims: new competency id -> [(kind, old competency id)]."""

    claims: dict[int, list[tuple[str, int]]]
    new: list[Competency]  # the new version's competencies, in order
    old: list[Competency]  # the old version's competencies, in order

    def successors(self) -> dict[int, list[int]]:
        """Old competency id -> the new competency ids its evidence follows to."""
        following: dict[int, list[int]] = defaultdict(list)
        for new_id, claims in self.claims.items():
            for _, old_id in claims:
                following[old_id].append(new_id)
        return following


@dataclass
class MovePlan:
    enrolment: Enrolment
    changes: dict[str, list[dict]] = field(default_factory=dict)
    links: list[tuple[int, int]] = field(default_factory=list)  # (version id, competency id)
    carry: list[tuple[SignOff, Competency]] = field(default_factory=list)

    def codes(self, category: str) -> list[str]:
        return [entry["code"] for entry in self.changes.get(category, [])]


def _ordered(framework_id: int) -> list[Competency]:
    return list(
        db.session.scalars(
            select(Competency)
            .join(Domain, Competency.domain_id == Domain.id)
            .where(Competency.framework_id == framework_id)
            .order_by(Domain.position, Competency.position)
        )
    )


def load_crosswalk(old_framework_id: int, new_framework_id: int) -> Crosswalk:
    new = _ordered(new_framework_id)
    rows = db.session.execute(
        select(
            CompetencyCrosswalk.competency_id,
            CompetencyCrosswalk.kind,
            CompetencyCrosswalk.old_competency_id,
        )
        .join(Competency, Competency.id == CompetencyCrosswalk.competency_id)
        .where(Competency.framework_id == new_framework_id)
        .order_by(CompetencyCrosswalk.id)
    )
    claims: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for new_id, kind, old_id in rows:
        claims[new_id].append((kind, old_id))
    return Crosswalk(dict(claims), new, _ordered(old_framework_id))


def standing_sign_offs(enrolment_id: int, competency_ids: list[int]) -> dict[int, SignOff]:
    """The sign-off that still stands for each competency (not revoked), by competency id."""
    rows = db.session.scalars(
        select(SignOff)
        .outerjoin(SignOffRevocation, SignOffRevocation.sign_off_id == SignOff.id)
        .where(
            SignOff.enrolment_id == enrolment_id,
            SignOff.competency_id.in_(competency_ids),
            SignOffRevocation.id.is_(None),
        )
    )
    return {s.competency_id: s for s in rows}


def _existing_links(enrolment_id: int, framework_ids: tuple[int, int]) -> list[tuple[int, int]]:
    return [
        (version_id, competency_id)
        for version_id, competency_id in db.session.execute(
            select(EvidenceLink.evidence_version_id, EvidenceLink.competency_id)
            .join(EvidenceVersion, EvidenceVersion.id == EvidenceLink.evidence_version_id)
            .join(Evidence, Evidence.id == EvidenceVersion.evidence_id)
            .join(Competency, Competency.id == EvidenceLink.competency_id)
            .where(
                Evidence.enrolment_id == enrolment_id, Competency.framework_id.in_(framework_ids)
            )
        )
    ]


def _entry(competency: Competency, **more) -> dict:
    return {"id": competency.id, "code": competency.code, "title": competency.title, **more}


def plan_move(enrolment: Enrolment, crosswalk: Crosswalk) -> MovePlan:
    """What moving `enrolment` along `crosswalk` carries over, needs again, adds and ends."""
    old_by_id = {c.id: c for c in crosswalk.old}
    signed = standing_sign_offs(enrolment.id, list(old_by_id))
    plan = MovePlan(enrolment, {category: [] for category in CATEGORIES})
    for competency in crosswalk.new:
        claims = crosswalk.claims.get(competency.id, [])
        if not claims:
            plan.changes["new"].append(_entry(competency))
            continue
        kind = claims[0][0]
        sources = [old_by_id[old_id] for _, old_id in claims]
        from_codes = [s.code for s in sources]
        original = signed.get(sources[0].id) if kind == "replaces" else None
        if original is not None:
            plan.carry.append((original, competency))
            plan.changes["carried_over"].append(
                _entry(
                    competency,
                    kind=kind,
                    **{"from": from_codes},
                    sign_off_id=original.id,
                    signed_on=original.signed_at.date().isoformat(),
                    signer_name=original.signer_name,
                    outcome=original.outcome_label,
                )
            )
        elif kind != "replaces" and any(signed.get(s.id) for s in sources):
            plan.changes["re_sign_off"].append(
                _entry(competency, kind=kind, **{"from": from_codes})
            )
        else:
            plan.changes["continued"].append(_entry(competency, kind=kind, **{"from": from_codes}))
    following = crosswalk.successors()
    plan.changes["ended"] = [_entry(c) for c in crosswalk.old if c.id not in following]
    existing = set(
        _existing_links(enrolment.id, (enrolment.framework_id, crosswalk.new[0].framework_id))
    )
    wanted: list[tuple[int, int]] = []
    for version_id, old_id in sorted(existing):
        for new_id in following.get(old_id, []):
            pair = (version_id, new_id)
            if pair not in existing and pair not in wanted:
                wanted.append(pair)
    plan.links = wanted
    return plan
