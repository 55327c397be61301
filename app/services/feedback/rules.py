"""The multi-source feedback rule and how far a round has got against it.

A framework's `msf` block (docs/framework-format.md) is kept with the framework when it is
imported, and copied into each round when the round opens, so a round is always judged by
the rule it was run under. A round is valid when it has at least `min_responses` answers
in all and at least each group's `min_responses` from raters in that group's roles.
`standing` says so in words a supervisor can act on ("needs 1 more response from
pharmacists"); the same words refuse closing an invalid round as valid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

from app.extensions import db
from app.models.feedback import MsfRuleRecord
from app.services.frameworks.framework_spec import RATER_ROLES, MsfRule, RaterGroup

ROLE_LABELS = RATER_ROLES


def store_rule(framework_id: int, rule: MsfRule | None) -> None:
    """Keep an imported framework's rule (nothing when it has none)."""
    if rule is None:
        return
    data = rule_to_dict(rule)
    db.session.add(
        MsfRuleRecord(
            framework_id=framework_id,
            evidence_type_code=data.pop("evidence_type"),
            **data,
        )
    )


def rule_for(framework_id: int) -> MsfRule | None:
    """The framework's rule; None when it runs no multi-source feedback rounds."""
    record = db.session.get(MsfRuleRecord, framework_id)
    if record is None:
        return None
    return rule_from_dict(
        {
            "evidence_type": record.evidence_type_code,
            "min_responses": record.min_responses,
            "advised_responses": record.advised_responses,
            "window_days": record.window_days,
            "min_gap_days": record.min_gap_days,
            "report_threshold": record.report_threshold,
            "groups": record.groups,
        }
    )


def rule_to_dict(rule: MsfRule) -> dict:
    data = asdict(rule)
    data["groups"] = [{**g, "roles": list(g["roles"])} for g in data["groups"]]
    return data


def rule_from_dict(data: Mapping) -> MsfRule:
    groups = tuple(
        RaterGroup(g["id"], g["label"], tuple(g["roles"]), int(g["min_responses"]))
        for g in data.get("groups") or ()
    )
    return MsfRule(
        evidence_type=data["evidence_type"],
        min_responses=int(data["min_responses"]),
        advised_responses=int(data["advised_responses"]),
        window_days=int(data["window_days"]),
        min_gap_days=int(data["min_gap_days"]),
        report_threshold=int(data["report_threshold"]),
        groups=groups,
    )


def group_of(rule: MsfRule, role: str) -> str:
    """The id of the group a rater in `role` counts towards; "" when none."""
    return next((g.id for g in rule.groups if role in g.roles), "")


# --- Standing against the rule ---------------------------------------------------------


@dataclass(frozen=True)
class GroupCount:
    id: str
    label: str
    received: int
    required: int

    @property
    def met(self) -> bool:
        return self.received >= self.required


@dataclass(frozen=True)
class Standing:
    """A round's responses against its rule: in all, and group by group."""

    received: int
    required: int
    advised: int
    groups: tuple[GroupCount, ...]
    shortfalls: tuple[str, ...]  # "needs 1 more response from pharmacists", ...

    @property
    def valid(self) -> bool:
        return not self.shortfalls

    @property
    def refusal(self) -> str:
        """Why the round cannot be closed as valid (empty when it can)."""
        if self.valid:
            return ""
        return f"This round cannot be closed as valid: it {' and '.join(self.shortfalls)}."


def standing(rule: MsfRule, counts: Mapping[str, int]) -> Standing:
    """`counts` are responses per group id ("" for roles in no group)."""
    received = sum(counts.values())
    groups = tuple(
        GroupCount(g.id, g.label, counts.get(g.id, 0), g.min_responses) for g in rule.groups
    )
    shortfalls = []
    if received < rule.min_responses:
        shortfalls.append(
            f"needs {_more(rule.min_responses - received)} in all "
            f"({received} of at least {rule.min_responses})"
        )
    for group in groups:
        if not group.met:
            shortfalls.append(
                f"needs {_more(group.required - group.received)} from "
                f"{_in_sentence(group.label)} ({group.received} of at least {group.required})"
            )
    return Standing(received, rule.min_responses, rule.advised_responses, groups, tuple(shortfalls))


def _more(n: int) -> str:
    return f"{n} more response" if n == 1 else f"{n} more responses"


def _in_sentence(label: str) -> str:
    """'Pharmacists' -> 'pharmacists', but 'GPs' stays as written."""
    if len(label) > 1 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label


def rule_lines(rule: MsfRule) -> list[str]:
    """The rule in words, one line each, for the pages."""
    lines = [
        f"at least {rule.min_responses} colleagues must answer "
        f"(about {rule.advised_responses} is better)"
    ]
    for g in rule.groups:
        roles = ", ".join(_in_sentence(ROLE_LABELS[r].split(" (")[0]) for r in g.roles)
        lines.append(f"at least {g.min_responses} of them from {_in_sentence(g.label)} ({roles})")
    lines += [
        f"people have {rule.window_days} days to answer",
        f"rounds start at least {rule.min_gap_days} days apart",
        f"no report is shown from fewer than {rule.report_threshold} answers",
    ]
    return lines
