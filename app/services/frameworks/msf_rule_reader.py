"""Reading a framework's `msf` block: when a multi-source feedback round is valid (how
many responses, from which mix of rater roles), how long raters have to answer, how far
apart rounds must be, and from how many responses a report may be shown. Documented in
docs/framework-format.md ("Multi-source feedback rule").
"""

from __future__ import annotations

from app.services.frameworks.field_reader import FieldMap, FieldReader
from app.services.frameworks.framework_spec import (
    MAX_ID,
    MAX_LABEL,
    RATER_ROLES,
    SLUG_HINT,
    SLUG_RE,
    EvidenceType,
    MsfRule,
    RaterGroup,
)
from app.services.frameworks.yaml_nodes import describe, kind_of, line_of

MSF_KEYS = (
    "evidence_type", "min_responses", "advised_responses", "window_days", "min_gap_days",
    "report_threshold", "groups",
)  # fmt: skip
MSF_REQUIRED = (
    "evidence_type", "min_responses", "window_days", "min_gap_days", "report_threshold",
)  # fmt: skip
GROUP_KEYS = ("id", "label", "roles", "min_responses")
# Fewer answers than this would let a reader work out who said what.
LEAST_REPORT_THRESHOLD = 2


class MsfRuleReader(FieldReader):
    """The reader of the `msf` block, recording problems by line as every reader does."""

    def msf_rule(
        self, m: FieldMap, types: list[EvidenceType] | None
    ) -> tuple[MsfRule | None, bool]:
        """The framework's multi-source feedback rule, if it has one, and whether it reads
        cleanly."""
        node = m.value("msf")
        if node is None or kind_of(node) == "empty":
            return None, True
        # Counted before the keys are read, so a required key missing stops the rule too.
        before = len(self.problems)
        rule_map = self.mapping(node, "the 'msf' rule", MSF_KEYS, MSF_REQUIRED)
        if rule_map is None:
            return None, False
        type_id = self.msf_evidence_type(rule_map, types)
        numbers = {
            key: self.rule_number(rule_map, key) for key in MSF_KEYS[1:6] if key in rule_map.entries
        }
        groups = self.rater_groups(rule_map)
        if len(self.problems) != before or type_id is None or None in numbers.values():
            return None, False
        rule = MsfRule(
            evidence_type=type_id,
            min_responses=numbers["min_responses"],  # type: ignore[arg-type]
            advised_responses=numbers.get("advised_responses") or numbers["min_responses"],  # type: ignore[arg-type]
            window_days=numbers["window_days"],  # type: ignore[arg-type]
            min_gap_days=numbers["min_gap_days"],  # type: ignore[arg-type]
            report_threshold=numbers["report_threshold"],  # type: ignore[arg-type]
            groups=tuple(groups or ()),
        )
        self.msf_satisfiable(rule, rule_map)
        return rule, len(self.problems) == before

    def msf_evidence_type(self, m: FieldMap, types: list[EvidenceType] | None) -> str | None:
        type_id = self.text(m, "evidence_type", MAX_ID, pattern=SLUG_RE, hint=SLUG_HINT)
        if type_id is None or types is None:
            return type_id
        found = next((t for t in types if t.id == type_id), None)
        if found is None:
            self.add(
                m.line("evidence_type"),
                f"the 'msf' rule refers to unknown evidence type '{type_id}'; a released "
                "feedback report is recorded as evidence of this type",
            )
            return None
        if found.observed:
            self.add(
                m.line("evidence_type"),
                f"the 'msf' rule's evidence type '{type_id}' is 'observed: true', but "
                "feedback from colleagues is not an observation of practice",
            )
            return None
        return type_id

    def rater_groups(self, m: FieldMap) -> list[RaterGroup] | None:
        claimed: dict[str, int] = {}

        def build(item: FieldMap, item_id: str, _position: int) -> RaterGroup | None:
            label = self.text(item, "label", MAX_LABEL)
            roles = self.group_roles(item, claimed)
            least = self.rule_number(item, "min_responses")
            if label is None or roles is None or least is None:
                return None
            return RaterGroup(item_id, label, tuple(roles), least)

        if m.value("groups") is None:
            return []
        return self.identified_items(
            m, "groups", "rater group",
            allowed=GROUP_KEYS, required=GROUP_KEYS,
            id_pattern=SLUG_RE, id_hint=SLUG_HINT, build=build,
        )  # fmt: skip

    def group_roles(self, m: FieldMap, claimed: dict[str, int]) -> list[str] | None:
        items = self.sequence(m, "roles", "rater role", non_empty=True)
        if items is None:
            return None
        found: list[str] = []
        for node in items:
            line = line_of(node)
            if kind_of(node) != "text":
                self.add(line, f"a rater role must be a role id, not {describe(node)}")
            elif node.value not in RATER_ROLES:
                known = ", ".join(RATER_ROLES)
                self.add(line, f"unknown rater role '{node.value}'; the roles are {known}")
            elif node.value in claimed:
                self.add(
                    line,
                    f"rater role '{node.value}' is already in a group (line "
                    f"{claimed[node.value]}); a role belongs to one group at most",
                )
            else:
                claimed[node.value] = line
                found.append(node.value)
        return found if len(found) == len(items) else None

    def msf_satisfiable(self, rule: MsfRule, m: FieldMap) -> None:
        """Refuse a rule no round could meet, or one whose report would expose a rater."""
        needed = sum(g.min_responses for g in rule.groups)
        if needed > rule.min_responses:
            self.add(
                m.line("groups"),
                f"the 'msf' groups need {needed} responses between them, more than "
                f"min_responses ({rule.min_responses}); raise min_responses to at least "
                f"{needed} or lower a group's min_responses",
            )
        if "advised_responses" in m.entries and rule.advised_responses < rule.min_responses:
            self.add(
                m.line("advised_responses"),
                f"advised_responses ({rule.advised_responses}) is less than min_responses "
                f"({rule.min_responses}); the advice must be at least the minimum",
            )
        if rule.report_threshold > rule.min_responses:
            self.add(
                m.line("report_threshold"),
                f"report_threshold ({rule.report_threshold}) is more than min_responses "
                f"({rule.min_responses}): a valid round's report could never be shown",
            )
        if rule.report_threshold < LEAST_REPORT_THRESHOLD:
            self.add(
                m.line("report_threshold"),
                f"report_threshold must be at least {LEAST_REPORT_THRESHOLD}, so that no "
                "single rater's answers are ever shown on their own",
            )
        if rule.min_gap_days < rule.window_days:
            self.add(
                m.line("min_gap_days"),
                f"min_gap_days ({rule.min_gap_days}) is shorter than window_days "
                f"({rule.window_days}): rounds would overlap",
            )
