"""What a new framework version changes against an imported one: the diff a lead reads
before publishing it.

The baseline is the version the file `follows`, or else the latest imported version of
the same framework id. Competencies are paired through the crosswalk when the file
follows the baseline (`replaces` pairs one old with one new; `merges` and `splits_from`
combine and divide; a competency that claims nothing is added even if an old one had its
id, and an old one nothing claims has ended), exactly as moving a trainee reads it.
Without `follows`, competencies are paired by id. A pair whose title, description or
indicators differ is reworded. Rule changes cover the default sign-off rule, each
competency's own rule (an override) where either side has one, the evidence types and the
scale.

Pure: it compares two `VersionView`s, made from a parsed file or from an imported
version's loaded rows, so it is tested without a database.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.services.frameworks.framework_spec import (
    EvidenceType,
    FrameworkSpec,
    ScaleValue,
    SignOffRule,
)

if TYPE_CHECKING:
    from app.models.frameworks import Framework

WORDED_FIELDS = ("title", "description", "indicators")


@dataclass(frozen=True)
class CompetencyView:
    code: str
    domain: str
    title: str
    description: str
    indicators: tuple[str, ...]
    rule: SignOffRule
    overridden: bool


@dataclass(frozen=True)
class VersionView:
    code: str
    version: str
    title: str
    default_rule: SignOffRule
    evidence_types: tuple[EvidenceType, ...]
    scale: tuple[ScaleValue, ...]
    competencies: tuple[CompetencyView, ...]


@dataclass(frozen=True)
class Reworded:
    old: CompetencyView
    new: CompetencyView
    changed: tuple[str, ...]  # among WORDED_FIELDS


@dataclass(frozen=True)
class Merged:
    new: CompetencyView
    old: tuple[CompetencyView, ...]


@dataclass(frozen=True)
class Split:
    old: CompetencyView
    new: tuple[CompetencyView, ...]


@dataclass(frozen=True)
class RuleChange:
    subject: str
    before: str | None  # None: not in the baseline
    after: str | None  # None: not in the new version


@dataclass(frozen=True)
class VersionDiff:
    baseline_version: str
    follows: bool  # True: the file follows the baseline; False: the latest imported
    added: tuple[CompetencyView, ...]
    ended: tuple[CompetencyView, ...]
    reworded: tuple[Reworded, ...]
    unchanged: tuple[str, ...]  # codes of competencies that continue as they were
    merged: tuple[Merged, ...]
    split: tuple[Split, ...]
    rule_changes: tuple[RuleChange, ...]

    @property
    def has_changes(self) -> bool:
        return bool(
            self.added
            or self.ended
            or self.reworded
            or self.merged
            or self.split
            or self.rule_changes
        )


# --- The two sides ---------------------------------------------------------------------


def view_of_spec(spec: FrameworkSpec) -> VersionView:
    return VersionView(
        code=spec.id,
        version=spec.version,
        title=spec.title,
        default_rule=spec.sign_off,
        evidence_types=spec.evidence_types,
        scale=spec.scale,
        competencies=tuple(
            CompetencyView(
                c.id, d.id, c.title, c.description, c.indicators, c.sign_off, c.sign_off_override
            )
            for d in spec.domains
            for c in d.competencies
        ),
    )


def _rule(row) -> SignOffRule:
    return SignOffRule(
        row.min_evidence, row.min_types, row.require_observed, row.require_assessor_completion
    )


def view_of_framework(framework: Framework) -> VersionView:
    """The imported version as the diff compares it (its tree loaded beforehand, e.g. by
    `catalogue.load_framework_tree`)."""
    return VersionView(
        code=framework.code,
        version=framework.version,
        title=framework.title,
        default_rule=_rule(framework),
        evidence_types=tuple(
            EvidenceType(t.code, t.label, t.observed, t.description)
            for t in framework.evidence_types
        ),
        scale=tuple(ScaleValue(s.code, s.label, s.proficient) for s in framework.scale),
        competencies=tuple(
            CompetencyView(
                c.code,
                d.code,
                c.title,
                c.description,
                tuple(c.indicators or ()),
                _rule(c),
                c.rule_overridden,
            )
            for d in framework.domains
            for c in d.competencies
        ),
    )


# --- Words for rules -------------------------------------------------------------------


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def rule_words(rule: SignOffRule) -> str:
    """A sign-off rule as a lead reads it."""
    parts = [
        f"{_plural(rule.min_evidence, 'accepted item', 'accepted items')} of evidence",
        f"of at least {_plural(rule.min_types, 'type', 'different types')}",
    ]
    if rule.require_observed:
        parts.append("at least one observed")
    if rule.require_assessor_completion:
        parts.append("observations completed by the assessor")
    return ", ".join(parts)


def _own_rule_words(c: CompetencyView) -> str:
    return f"its own rule: {rule_words(c.rule)}" if c.overridden else "the default rule"


def _type_words(t: EvidenceType) -> str:
    return f"{t.label} ({'observed' if t.observed else 'not observed'})"


def _scale_words(s: ScaleValue) -> str:
    return f"{s.label} ({'counts as competent' if s.proficient else 'not yet competent'})"


# --- The diff --------------------------------------------------------------------------


def diff_versions(
    old: VersionView, new: VersionView, spec: FrameworkSpec | None = None
) -> VersionDiff:
    """What `new` changes against `old`; `spec` (the new file) gives the crosswalk, read
    when the file follows `old`."""
    follows = spec is not None and spec.follows == old.version
    old_by_code = {c.code: c for c in old.competencies}
    pairs: list[tuple[CompetencyView, CompetencyView]] = []
    merged: list[Merged] = []
    split_parts: dict[str, list[CompetencyView]] = defaultdict(list)
    added: list[CompetencyView] = []
    claimed: set[str] = set()
    if follows:
        claims = {entry.competency: entry for entry in spec.crosswalk}
        for competency in new.competencies:
            entry = claims.get(competency.code)
            if entry is None:
                added.append(competency)
                continue
            claimed.update(entry.old_ids)
            sources = [old_by_code[code] for code in entry.old_ids if code in old_by_code]
            if entry.kind == "replaces" and sources:
                pairs.append((sources[0], competency))
            elif entry.kind == "merges":
                merged.append(Merged(competency, tuple(sources)))
            elif entry.kind == "splits_from":
                split_parts[entry.old_ids[0]].append(competency)
    else:
        for competency in new.competencies:
            if competency.code in old_by_code:
                pairs.append((old_by_code[competency.code], competency))
                claimed.add(competency.code)
            else:
                added.append(competency)
    reworded, unchanged = [], []
    for before, after in pairs:
        changed = tuple(f for f in WORDED_FIELDS if getattr(before, f) != getattr(after, f))
        if changed or before.code != after.code:
            reworded.append(Reworded(before, after, changed))
        else:
            unchanged.append(after.code)
    return VersionDiff(
        baseline_version=old.version,
        follows=follows,
        added=tuple(added),
        ended=tuple(c for c in old.competencies if c.code not in claimed),
        reworded=tuple(reworded),
        unchanged=tuple(unchanged),
        merged=tuple(merged),
        split=tuple(
            Split(old_by_code[code], tuple(parts))
            for code, parts in split_parts.items()
            if code in old_by_code
        ),
        rule_changes=tuple(_rule_changes(old, new, pairs)),
    )


def _rule_changes(
    old: VersionView, new: VersionView, pairs: list[tuple[CompetencyView, CompetencyView]]
) -> list[RuleChange]:
    changes = []
    if old.default_rule != new.default_rule:
        changes.append(
            RuleChange(
                "Default sign-off rule",
                rule_words(old.default_rule),
                rule_words(new.default_rule),
            )
        )
    for before, after in pairs:
        if (before.overridden or after.overridden) and (before.rule, before.overridden) != (
            after.rule,
            after.overridden,
        ):
            changes.append(
                RuleChange(
                    f"Sign-off rule of {after.code}",
                    _own_rule_words(before),
                    _own_rule_words(after),
                )
            )
    changes += _listed_changes("Evidence type", old.evidence_types, new.evidence_types, _type_words)
    changes += _listed_changes("Scale value", old.scale, new.scale, _scale_words)
    return changes


def _listed_changes(kind: str, old, new, words) -> list[RuleChange]:
    before = {item.id: item for item in old}
    after = {item.id: item for item in new}
    changes = []
    for item_id in [*before, *(i for i in after if i not in before)]:
        was, now = before.get(item_id), after.get(item_id)
        if was is None or now is None or words(was) != words(now):
            changes.append(
                RuleChange(
                    f"{kind} '{item_id}'",
                    words(was) if was is not None else None,
                    words(now) if now is not None else None,
                )
            )
    return changes
