"""The rules of a competency framework file, checked over its YAML node tree.

``FrameworkChecker`` walks the tree once, recording problems and building the
``FrameworkSpec`` as it goes: the top-level fields, the scale, evidence types and
standards, the sign-off rules (and whether each can be met), the domains and their
competencies. The rules are documented in docs/framework-format.md.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

from yaml.nodes import MappingNode, Node

from app.services.frameworks.crosswalk_reader import CrosswalkReader
from app.services.frameworks.field_reader import FieldMap
from app.services.frameworks.framework_spec import (
    CODE_HINT,
    CODE_RE,
    FORMAT,
    FRAMEWORK_ID_HINT,
    MAX_DESCRIPTION,
    MAX_ID,
    MAX_INDICATOR,
    MAX_LABEL,
    MAX_TITLE,
    MAX_URL,
    MAX_VERSION,
    RETROSPECTIVE_TYPES,
    SLUG_HINT,
    SLUG_RE,
    STATUSES,
    CompetencySpec,
    DomainSpec,
    EvidenceType,
    FrameworkSpec,
    ScaleValue,
    SignOffRule,
    Standard,
)
from app.services.frameworks.msf_rule_reader import MsfRuleReader
from app.services.frameworks.observation_rule_reader import ObservationRuleReader
from app.services.frameworks.yaml_nodes import describe, kind_of, line_of

TOP_KEYS = (
    "format", "id", "version", "title", "publisher", "source_url", "status", "description",
    "scale", "evidence_types", "sign_off", "standards", "domains", "msf", "follows",
)  # fmt: skip
TOP_REQUIRED = (
    "format", "id", "version", "title", "status", "scale", "evidence_types", "sign_off", "domains",
)  # fmt: skip
RULE_KEYS = ("min_evidence", "min_types", "require_observed")
# Optional in a rule: observed evidence counts only when its assessor completed it.
COMPLETION_KEY = "require_assessor_completion"
DOMAIN_KEYS = ("id", "title", "description", "competencies")
COMPETENCY_KEYS = (
    "id", "title", "description", "indicators", "standards", "sign_off", "observations",
    "replaces", "merges", "splits_from",
)  # fmt: skip


class FrameworkChecker(CrosswalkReader, MsfRuleReader, ObservationRuleReader):
    """Checks one framework file's node tree and builds its spec when it is sound."""

    # -- the framework --

    def framework(self, root: Node) -> FrameworkSpec | None:
        if not isinstance(root, MappingNode):
            self.add(
                line_of(root),
                "the top level must be a mapping of keys (format, id, version, title, ...), "
                f"not {describe(root)}",
            )
            return None
        m = self.mapping(root, "the framework", TOP_KEYS, TOP_REQUIRED, top=True)
        if m is None:  # pragma: no cover - root is a mapping
            return None
        fmt = self.text(m, "format", 100)
        if fmt is not None and fmt != FORMAT:
            self.add(m.line("format"), f"'format' must be '{FORMAT}', not '{fmt}'")
        fields = {
            "id": self.text(m, "id", MAX_ID, pattern=SLUG_RE, hint=FRAMEWORK_ID_HINT),
            "version": self.text(m, "version", MAX_VERSION, pattern=CODE_RE, hint=CODE_HINT),
            "title": self.text(m, "title", MAX_TITLE),
            "publisher": self.text(m, "publisher", MAX_TITLE),
            "source_url": self.url(m, "source_url"),
            "status": self.status(m),
            "description": self.text(m, "description", MAX_DESCRIPTION, one_line=False),
        }
        scale = self.scale(m)
        before = len(self.problems)
        evidence_types = self.evidence_types(m)
        # Later checks lean on these lists only when they were read cleanly, so a
        # broken entry is reported once rather than echoed by every rule or reference.
        types = evidence_types if len(self.problems) == before else None
        default_rule = self.default_rule(m, types)
        before = len(self.problems)
        standards = self.standards(m)
        known: set[str] | None = {s.id for s in standards or ()}
        if len(self.problems) != before:
            known = None
        domains = self.domains(m, default_rule, types, known)
        msf, _ = self.msf_rule(m, types)
        follows, follows_line, crosswalk = self.crosswalk(m, fields["version"])
        if self.problems or None in (scale, evidence_types, default_rule, domains):
            return None
        return FrameworkSpec(
            **fields,  # type: ignore[arg-type]  # all set when there are no problems
            scale=tuple(scale),
            evidence_types=tuple(evidence_types),
            sign_off=default_rule,
            standards=tuple(standards or ()),
            domains=tuple(domains),
            msf=msf,
            follows=follows,
            follows_line=follows_line,
            crosswalk=crosswalk,
        )

    def url(self, m: FieldMap, key: str) -> str | None:
        value = self.text(m, key, MAX_URL)
        if value is None:
            return None
        try:
            parts = urlsplit(value)
        except ValueError:  # e.g. an unbalanced "[" in the host
            parts = None
        if (
            parts is None
            or parts.scheme not in ("http", "https")
            or not parts.netloc
            or " " in value
        ):
            self.add(m.line(key), f"'{key}' must be a web address starting http:// or https://")
            return None
        return value

    def status(self, m: FieldMap) -> str | None:
        value = self.text(m, "status", 50)
        if value is not None and value not in STATUSES:
            allowed = " or ".join(f"'{s}'" for s in STATUSES)
            self.add(m.line("status"), f"'status' must be {allowed}, not '{value}'")
            return None
        return value

    def scale(self, m: FieldMap) -> list[ScaleValue] | None:
        def build(item: FieldMap, item_id: str, _position: int) -> ScaleValue | None:
            label = self.text(item, "label", MAX_LABEL)
            proficient = self.boolean(item, "proficient")
            if label is None or proficient is None:
                return None
            return ScaleValue(item_id, label, proficient)

        before = len(self.problems)
        values = self.identified_items(
            m, "scale", "scale value",
            allowed=("id", "label", "proficient"), required=("id", "label", "proficient"),
            id_pattern=SLUG_RE, id_hint=SLUG_HINT, build=build,
        )  # fmt: skip
        if values and len(self.problems) == before and not any(v.proficient for v in values):
            self.add(
                m.line("scale"),
                "the scale needs at least one value with 'proficient: true' "
                "(an outcome that signs a competency off)",
            )
        return values

    def evidence_types(self, m: FieldMap) -> list[EvidenceType] | None:
        def build(item: FieldMap, item_id: str, _position: int) -> EvidenceType | None:
            label = self.text(item, "label", MAX_LABEL)
            observed = self.boolean(item, "observed")
            description = self.text(item, "description", MAX_DESCRIPTION, one_line=False)
            if label is None or observed is None:
                return None
            if observed and item_id in RETROSPECTIVE_TYPES:
                self.add(
                    item.line("observed"),
                    f"evidence type '{item_id}' cannot be 'observed: true': it is a "
                    "conversation about past work, not an observation of live practice",
                )
                return None
            return EvidenceType(item_id, label, observed, description)

        return self.identified_items(
            m, "evidence_types", "evidence type",
            allowed=("id", "label", "observed", "description"),
            required=("id", "label", "observed"),
            id_pattern=SLUG_RE, id_hint=SLUG_HINT, build=build,
        )  # fmt: skip

    def standards(self, m: FieldMap) -> list[Standard] | None:
        def build(item: FieldMap, item_id: str, _position: int) -> Standard | None:
            title = self.text(item, "title", MAX_TITLE)
            return Standard(item_id, title) if title is not None else None

        return self.identified_items(
            m, "standards", "standard",
            allowed=("id", "title"), required=("id", "title"),
            id_pattern=CODE_RE, id_hint=CODE_HINT, build=build, non_empty=False,
        )  # fmt: skip

    # -- sign-off rules --

    def default_rule(self, m: FieldMap, types: list[EvidenceType] | None) -> SignOffRule | None:
        node = m.value("sign_off")
        if node is None:
            return None
        rule_map = self.mapping(
            node, "the default 'sign_off' rule", (*RULE_KEYS, COMPLETION_KEY), RULE_KEYS
        )
        if rule_map is None:
            return None
        numbers = [self.rule_number(rule_map, k) for k in RULE_KEYS[:2]]
        observed = self.boolean(rule_map, "require_observed")
        completion = (
            self.boolean(rule_map, COMPLETION_KEY) if COMPLETION_KEY in rule_map.entries else False
        )
        if None in numbers or observed is None or completion is None:
            return None
        rule = SignOffRule(numbers[0], numbers[1], observed, completion)  # type: ignore[arg-type]
        self.satisfiable(rule, types, m.line("sign_off"), "the default sign-off rule")
        return rule

    def override_rule(
        self,
        m: FieldMap,
        where: str,
        default: SignOffRule | None,
        types: list[EvidenceType] | None,
    ) -> tuple[SignOffRule | None, bool]:
        """The competency's effective rule and whether it overrides the default."""
        node = m.value("sign_off")
        if node is None or kind_of(node) == "empty":
            return default, False
        rule_map = self.mapping(
            node, f"the 'sign_off' override of {where}", (*RULE_KEYS, COMPLETION_KEY), ()
        )
        if rule_map is None:
            return None, True
        if not rule_map.entries:
            self.add(
                m.line("sign_off"),
                f"the 'sign_off' override of {where} is empty; set {', '.join(RULE_KEYS)} "
                "or remove it",
            )
            return None, True
        changes = {
            "min_evidence": self.rule_number(rule_map, "min_evidence"),
            "min_types": self.rule_number(rule_map, "min_types"),
            "require_observed": self.boolean(rule_map, "require_observed"),
            COMPLETION_KEY: self.boolean(rule_map, COMPLETION_KEY),
        }
        given = {k: v for k, v in changes.items() if k in rule_map.entries}
        if default is None or None in given.values():
            return None, True
        rule = replace(default, **given)
        self.satisfiable(rule, types, m.line("sign_off"), f"the sign-off rule of {where}")
        return rule, True

    def satisfiable(
        self, rule: SignOffRule, types: list[EvidenceType] | None, line: int, what: str
    ) -> None:
        if rule.min_types > rule.min_evidence:
            self.add(
                line,
                f"{what} cannot be met as written: min_types ({rule.min_types}) is more than "
                f"min_evidence ({rule.min_evidence}); raise min_evidence to at least "
                f"{rule.min_types}",
            )
        if not types:  # missing or broken evidence types are reported on their own
            return
        if rule.min_types > len(types):
            self.add(
                line,
                f"{what} cannot be met: min_types is {rule.min_types} but there "
                f"{_count(len(types), 'is only {} evidence type', 'are only {} evidence types')}",
            )
        if rule.require_observed and not any(t.observed for t in types):
            self.add(
                line,
                f"{what} cannot be met: require_observed is true but no evidence type "
                "has 'observed: true'",
            )
        if rule.require_assessor_completion and not any(t.observed for t in types):
            self.add(
                line,
                f"{what} cannot be met: {COMPLETION_KEY} is true but no evidence type has "
                "'observed: true' for an assessor to complete",
            )

    # -- domains and competencies --

    def domains(
        self,
        m: FieldMap,
        default: SignOffRule | None,
        types: list[EvidenceType] | None,
        known: set[str] | None,
    ) -> list[DomainSpec] | None:
        competency_ids: dict[str, int] = {}

        def build(item: FieldMap, item_id: str, position: int) -> DomainSpec | None:
            where = f"domain '{item_id}'" if item_id else item.where
            title = self.text(item, "title", MAX_TITLE)
            description = self.text(item, "description", MAX_DESCRIPTION, one_line=False)
            competencies = self.competencies(item, where, competency_ids, default, types, known)
            if title is None or competencies is None:
                return None
            return DomainSpec(item_id, title, description, tuple(competencies), position)

        return self.identified_items(
            m, "domains", "domain",
            allowed=DOMAIN_KEYS, required=("id", "title", "competencies"),
            id_pattern=CODE_RE, id_hint=CODE_HINT, build=build,
        )  # fmt: skip

    def competencies(
        self,
        domain: FieldMap,
        domain_where: str,
        seen: dict[str, int],
        default: SignOffRule | None,
        types: list[EvidenceType] | None,
        known_standards: set[str] | None,
    ) -> list[CompetencySpec] | None:
        def build(item: FieldMap, item_id: str, position: int) -> CompetencySpec | None:
            where = f"competency '{item_id}'" if item_id else item.where
            title = self.text(item, "title", MAX_TITLE)
            description = self.text(item, "description", MAX_DESCRIPTION, one_line=False)
            indicators = self.indicators(item)
            refs = self.standard_refs(item, where, known_standards)
            rule, overridden = self.override_rule(item, where, default, types)
            observations, observations_ok = self.observation_rule(item, where, types)
            replaces = self.text(item, "replaces", MAX_ID, pattern=CODE_RE, hint=CODE_HINT)
            self.crosswalk_claim(item, where, item_id, replaces)
            if None in (title, description, indicators, refs, rule) or not observations_ok:
                return None
            return CompetencySpec(
                item_id, title, description, tuple(indicators), tuple(refs),  # type: ignore[arg-type]
                rule, overridden, replaces, position, observations,  # type: ignore[arg-type]
            )  # fmt: skip

        return self.identified_items(
            domain, "competencies", "competency",
            allowed=COMPETENCY_KEYS, required=("id", "title", "description"),
            id_pattern=CODE_RE, id_hint=CODE_HINT, build=build, seen=seen,
            label=lambda i: f"competency #{i + 1} of {domain_where}",
        )  # fmt: skip

    def indicators(self, m: FieldMap) -> list[str] | None:
        items = self.sequence(m, "indicators", "indicator", non_empty=False)
        if items is None:
            return [] if m.value("indicators") is None else None
        result: list[str] = []
        for node in items:
            if kind_of(node) != "text":
                self.add(line_of(node), f"an indicator must be text, not {describe(node)}")
            elif not node.value.strip():
                self.add(line_of(node), "an indicator must not be blank")
            elif len(node.value.strip()) > MAX_INDICATOR:
                self.add(line_of(node), f"an indicator is longer than {MAX_INDICATOR} characters")
            else:
                result.append(node.value.strip())
        return result if len(result) == len(items) else None

    def standard_refs(self, m: FieldMap, where: str, known: set[str] | None) -> list[str] | None:
        items = self.sequence(m, "standards", "standard id", non_empty=False)
        if items is None:
            return [] if m.value("standards") is None else None
        refs: list[str] = []
        ok = True
        for node in items:
            line = line_of(node)
            if kind_of(node) != "text":
                self.add(line, f"a standard reference must be a standard id, not {describe(node)}")
                ok = False
            elif node.value in refs:
                self.add(line, f"standard '{node.value}' is listed twice")
                ok = False
            elif known is not None and node.value not in known:
                declared = "" if known else "; the file declares no 'standards'"
                self.add(line, f"{where} refers to unknown standard '{node.value}'{declared}")
                ok = False
            else:
                refs.append(node.value)
        return refs if ok else None


def _count(n: int, one: str, many: str) -> str:
    return (one if n == 1 else many).format(n)
