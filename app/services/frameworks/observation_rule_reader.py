"""Reading a competency's `observations` rule: so many accepted observations of given
types, perhaps on separate days, every rated area at a minimum rating. The rule is
documented in docs/framework-format.md ("Observation rule").
"""

from __future__ import annotations

from app.services.frameworks.field_reader import FieldMap, FieldReader
from app.services.frameworks.framework_spec import (
    MAX_ID,
    MIN_RATINGS,
    EvidenceType,
    ObservationRule,
)
from app.services.frameworks.yaml_nodes import describe, kind_of, line_of

OBSERVATION_KEYS = ("types", "min_items", "distinct_days", "min_rating")


class ObservationRuleReader(FieldReader):
    """The readers of an observation rule, recording problems by line as every reader does."""

    def observation_rule(
        self, m: FieldMap, where: str, types: list[EvidenceType] | None
    ) -> tuple[ObservationRule | None, bool]:
        """The competency's `observations` rule, if it has one, and whether it reads cleanly."""
        node = m.value("observations")
        if node is None or kind_of(node) == "empty":
            return None, True
        rule_map = self.mapping(
            node, f"the 'observations' rule of {where}", OBSERVATION_KEYS, OBSERVATION_KEYS
        )
        if rule_map is None:
            return None, False
        before = len(self.problems)
        type_ids = self.observation_types(rule_map, where, types)
        min_items = self.rule_number(rule_map, "min_items")
        distinct_days = self.boolean(rule_map, "distinct_days")
        min_rating = self.text(rule_map, "min_rating", MAX_ID)
        if min_rating is not None and min_rating not in MIN_RATINGS:
            allowed = " or ".join(f"'{r}'" for r in MIN_RATINGS)
            self.add(
                rule_map.line("min_rating"),
                f"'min_rating' must be {allowed} (the least every rated area of an "
                f"observation must reach), not '{min_rating}'",
            )
            min_rating = None
        if len(self.problems) != before or None in (type_ids, min_items, distinct_days, min_rating):
            return None, False
        rule = ObservationRule(tuple(type_ids), min_items, distinct_days, min_rating)  # type: ignore[arg-type]
        return rule, True

    def observation_types(
        self, m: FieldMap, where: str, types: list[EvidenceType] | None
    ) -> list[str] | None:
        items = self.sequence(m, "types", "evidence type id", non_empty=True)
        if items is None:
            return None
        observed = {t.id: t.observed for t in types} if types else None
        found: list[str] = []
        for node in items:
            line = line_of(node)
            if kind_of(node) != "text":
                self.add(
                    line, f"an observation type must be an evidence type id, not {describe(node)}"
                )
            elif node.value in found:
                self.add(line, f"evidence type '{node.value}' is listed twice")
            elif observed is not None and node.value not in observed:
                self.add(
                    line,
                    f"the 'observations' rule of {where} refers to unknown evidence type "
                    f"'{node.value}'",
                )
            elif observed is not None and not observed[node.value]:
                self.add(
                    line,
                    f"the 'observations' rule of {where} counts observations, but evidence "
                    f"type '{node.value}' is not 'observed: true'",
                )
            else:
                found.append(node.value)
        return found if len(found) == len(items) else None
