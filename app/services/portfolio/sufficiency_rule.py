"""The sufficiency rule itself: what a competency's rule asks, how far counts of accepted
evidence fall short of it (`shortfall`, the one place the rule is decided), the words for
what is missing, the sentence for the rule, and the status ladder.

An item its assessor judged below the level expected counts for nothing; when a competency's
only observations were judged so, the words say an observation judged at the expected level
is missing. `app.services.portfolio.sufficiency` counts accepted evidence in SQL and asks here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from app.services.frameworks.framework_spec import RATING_LEVELS

if TYPE_CHECKING:
    from app.models.frameworks import Competency

ORDINALS = {2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth", 7: "seventh"}


@dataclass(frozen=True)
class ObservationRule:
    """At least `min_items` accepted observations of the types `type_ids` (on as many
    different days when `distinct_days`), each judged at least at the expected level and
    with every rated area at `min_level` (an index of RATING_LEVELS) or above."""

    min_items: int
    distinct_days: bool
    min_level: int
    type_ids: frozenset[int] = frozenset()
    type_labels: tuple[str, ...] = ()

    @classmethod
    def of(cls, competency: Competency) -> ObservationRule | None:
        if competency.observation_min_items is None or competency.observation_min_level is None:
            return None
        types = competency.observation_types
        return cls(
            competency.observation_min_items,
            competency.observation_distinct_days,
            competency.observation_min_level,
            frozenset(t.id for t in types),
            tuple(t.label for t in types),
        )


@dataclass(frozen=True)
class Rule:
    min_evidence: int
    min_types: int
    require_observed: bool
    observations: ObservationRule | None = None
    # Observed evidence counts only when its assessor completed it (an assessment request);
    # what the trainee entered for them does not.
    assessor_completion: bool = False

    @classmethod
    def of(cls, competency: Competency) -> Rule:
        return cls(
            competency.min_evidence,
            competency.min_types,
            competency.require_observed,
            ObservationRule.of(competency),
            competency.require_assessor_completion,
        )


@dataclass(frozen=True)
class AcceptedItem:
    evidence_id: int
    evidence_type_id: int
    observed: bool
    judgement: str | None = None
    occurred_on: date | None = None
    rating_level: int | None = None
    # The assessor completed it themselves (only read when a rule requires it).
    assessor_completed: bool = True


class Shortfall(NamedTuple):
    """How far accepted evidence falls short of a rule: more items, more distinct types,
    an observed assessment (`observed`: none at all; `judged`: only ones judged below the
    expected level), more observations for the observation rule. Nothing short means the
    rule is met."""

    items: int
    types: int
    observed: bool
    judged: bool = False
    observations: int = 0

    @property
    def met(self) -> bool:
        return not (self.items or self.types or self.observed or self.judged or self.observations)


def shortfall(
    rule: Rule,
    *,
    accepted: int,
    types: int,
    observed: int,
    below: int = 0,
    rule_items: int = 0,
    rule_days: int = 0,
) -> Shortfall:
    """The sufficiency rule, from counts (what an aggregate query returns): the accepted
    items that count (none judged below the expected level), their distinct types and the
    observed ones among them; `below`, the observed items judged below the expected level;
    and the observations the observation rule counts, as items and as distinct days.
    Everything else here (the words, `meets`, the statuses) is derived from it."""
    needs_observed = rule.require_observed and not observed
    more_observations = 0
    if rule.observations is not None:
        have = rule_days if rule.observations.distinct_days else rule_items
        more_observations = max(rule.observations.min_items - have, 0)
    return Shortfall(
        items=max(rule.min_evidence - accepted, 0),
        types=max(rule.min_types - types, 0),
        observed=needs_observed and not below,
        judged=needs_observed and bool(below),
        observations=more_observations,
    )


def _items(count: int) -> str:
    return "1 more accepted item" if count == 1 else f"{count} more accepted items"


def counts_of(rule: Rule, accepted: Iterable[AcceptedItem]) -> dict[str, int]:
    """The counts `shortfall` takes, from accepted items one by one (as the query counts)."""
    items = list(accepted)
    counted = [i for i in items if i.judgement != "below"]
    if rule.assessor_completion:  # observations the trainee entered count as unobserved
        items = [i if i.assessor_completed else replace(i, observed=False) for i in items]
        counted = [i if i.assessor_completed else replace(i, observed=False) for i in counted]
    obs = rule.observations
    qualifying = [
        i
        for i in counted
        if obs is not None
        and i.observed
        and i.evidence_type_id in obs.type_ids
        and i.rating_level is not None
        and i.rating_level >= obs.min_level
    ]
    return {
        "accepted": len(counted),
        "types": len({i.evidence_type_id for i in counted}),
        "observed": sum(1 for i in counted if i.observed),
        "below": sum(1 for i in items if i.observed and i.judgement == "below"),
        "rule_items": len(qualifying),
        "rule_days": len({i.occurred_on for i in qualifying}),
    }


def missing_for(rule: Rule, accepted: Iterable[AcceptedItem]) -> list[str]:
    """Plain-English gaps between the accepted items and the rule; empty when it is met."""
    counts = counts_of(rule, accepted)
    return words_for(rule, shortfall(rule, **counts), counts["types"])


def missing_for_counts(
    rule: Rule, *, accepted: int, types: int, observed: int, **more: int
) -> list[str]:
    """`shortfall` in words, from the same counts."""
    short = shortfall(rule, accepted=accepted, types=types, observed=observed, **more)
    return words_for(rule, short, types)


def words_for(rule: Rule, short: Shortfall, types: int) -> list[str]:
    """What is missing, in words, from a shortfall and the distinct types already counted."""
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
    if short.observed and rule.assessor_completion:
        missing.append(
            "needs an observation completed by the assessor (observations entered by the "
            "trainee do not count)"
        )
    elif short.observed:
        missing.append("needs an observed assessment")
    if short.judged:
        missing.append("needs an observation judged at the expected level")
    if short.observations and rule.observations is not None:
        needed = _observations_needed(rule.observations, short.observations)
        by_assessor = ", completed by the assessor" if rule.assessor_completion else ""
        missing.append(needed + by_assessor)
    return missing


def _kinds(rule: ObservationRule) -> str:
    return " or ".join(rule.type_labels) if rule.type_labels else "of the types the rule names"


def _rated(rule: ObservationRule) -> str:
    level = RATING_LEVELS[rule.min_level]
    return (
        f"rated {level} in every area"
        if rule.min_level == len(RATING_LEVELS) - 1
        else (f"rated {level} or better in every area")
    )


def _observations_needed(rule: ObservationRule, count: int) -> str:
    noun = "observation" if count == 1 else "observations"
    text = f"needs {count} more {noun} ({_kinds(rule)}) judged at the expected level"
    text += f" and {_rated(rule)}"
    if rule.distinct_days and rule.min_items > 1:
        text += ", on separate days" if count > 1 else ", on a day not yet counted"
    return text


def describe_rule(rule: Rule) -> str:
    """The rule as a sentence a trainee can act on."""
    items = "1 accepted item" if rule.min_evidence == 1 else f"{rule.min_evidence} accepted items"
    sentence = f"Sign-off needs at least {items}"
    if rule.min_types > 1:
        sentence += f" of at least {rule.min_types} different evidence types"
    if rule.require_observed:
        sentence += ", including at least 1 observed assessment"
        if rule.assessor_completion:
            sentence += " completed by the assessor themselves"
    obs = rule.observations
    if obs is not None:
        noun = "observation" if obs.min_items == 1 else "observations"
        days = " on separate days" if obs.distinct_days and obs.min_items > 1 else ""
        sentence += (
            f", and at least {obs.min_items} {noun} ({_kinds(obs)}){days}, each judged at "
            f"the expected level and {_rated(obs)}"
        )
    return sentence + "."


def meets(rule: Rule, *, accepted: int, types: int, observed: int, **more: int) -> bool:
    """Whether counts satisfy the rule (`shortfall` is nothing), without words."""
    return shortfall(rule, accepted=accepted, types=types, observed=observed, **more).met


def status_from_counts(
    rule: Rule,
    *,
    linked: int,
    accepted: int,
    types: int,
    observed: int,
    signed_off: bool,
    **more: int,
) -> str:
    """A competency's status straight from counts: for exports of every trainee x
    competency, which show the status but never what is missing."""
    met = meets(rule, accepted=accepted, types=types, observed=observed, **more)
    return status_for(met=met, linked=linked > 0, signed_off=signed_off)


def status_for(*, met: bool, linked: bool, signed_off: bool) -> str:
    """The status ladder: signed off, else ready once the rule is met, else in progress
    once anything is linked."""
    if signed_off:
        return "signed_off"
    if met:
        return "ready"
    return "in_progress" if linked else "not_started"
