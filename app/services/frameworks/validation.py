"""Validation of competency framework files (format ``competency-framework/v1``).

Pure: no Flask, no database. ``validate_framework_bytes`` reads a file's bytes,
collects every problem it can find in one run (each with the 1-based line of the
node at fault) and, only when there are none, returns the parsed framework as
frozen dataclasses for the importer. It never raises on any input.

The rules are documented in docs/framework-format.md; keep the two in step.
Nothing here assumes the shape of any particular framework.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from os import PathLike
from typing import BinaryIO, TypeVar
from urllib.parse import urlsplit

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from app.services.frameworks.yaml_nodes import (
    Problem,
    decode_utf8,
    describe,
    kind_of,
    line_of,
    load_node,
)

__all__ = [
    "FORMAT",
    "MAX_FRAMEWORK_BYTES",
    "CompetencySpec",
    "DomainSpec",
    "EvidenceType",
    "FrameworkSpec",
    "Problem",
    "ScaleValue",
    "SignOffRule",
    "Standard",
    "ValidationResult",
    "format_problems",
    "validate_framework_bytes",
    "validate_framework_file",
]

FORMAT = "competency-framework/v1"
MAX_FRAMEWORK_BYTES = 1_048_576
# A badly broken file can yield thousands of problems; the first ones are enough.
MAX_PROBLEMS = 100
MAX_RULE_NUMBER = 1000
STATUSES = ("provisional", "published")

# Length caps match the database columns the importer writes to.
MAX_ID, MAX_VERSION, MAX_LABEL, MAX_TITLE = 50, 50, 200, 300
MAX_URL, MAX_INDICATOR, MAX_DESCRIPTION = 500, 1000, 10_000

SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
RULE_NUMBER_RE = re.compile(r"[1-9][0-9]{0,5}")
SLUG_HINT = "use lowercase letters, digits and single hyphens, e.g. 'reflective-account'"
FRAMEWORK_ID_HINT = "use lowercase letters, digits and single hyphens, e.g. 'ncf-pcpt'"
CODE_HINT = "use letters, digits, '.', '-' and '_', starting with a letter or digit"


# --- the parsed framework ----------------------------------------------------------


@dataclass(frozen=True)
class ScaleValue:
    id: str
    label: str
    proficient: bool


@dataclass(frozen=True)
class EvidenceType:
    id: str
    label: str
    observed: bool
    description: str | None = None


@dataclass(frozen=True)
class Standard:
    id: str
    title: str


@dataclass(frozen=True)
class SignOffRule:
    min_evidence: int
    min_types: int
    require_observed: bool


@dataclass(frozen=True)
class CompetencySpec:
    id: str
    title: str
    description: str
    indicators: tuple[str, ...]
    standards: tuple[str, ...]
    sign_off: SignOffRule  # the effective rule: the default with any override applied
    sign_off_override: bool
    replaces: str | None
    position: int  # 0-based order within its domain


@dataclass(frozen=True)
class DomainSpec:
    id: str
    title: str
    description: str | None
    competencies: tuple[CompetencySpec, ...]
    position: int  # 0-based order within the framework


@dataclass(frozen=True)
class FrameworkSpec:
    id: str
    version: str
    title: str
    publisher: str | None
    source_url: str | None
    status: str
    description: str | None
    scale: tuple[ScaleValue, ...]
    evidence_types: tuple[EvidenceType, ...]
    sign_off: SignOffRule
    standards: tuple[Standard, ...]
    domains: tuple[DomainSpec, ...]

    @property
    def competencies(self) -> tuple[CompetencySpec, ...]:
        return tuple(c for d in self.domains for c in d.competencies)


@dataclass
class ValidationResult:
    problems: list[Problem]
    spec: FrameworkSpec | None  # set only when there are no problems
    sha256: str  # of the raw bytes, so re-imports can be recognised

    @property
    def ok(self) -> bool:
        return not self.problems


# --- entry points ------------------------------------------------------------------


def validate_framework_bytes(raw: bytes) -> ValidationResult:
    digest = hashlib.sha256(raw).hexdigest()
    problems, spec = _validate(raw)
    return ValidationResult(problems=_ordered(problems), spec=spec, sha256=digest)


def validate_framework_file(path: str | PathLike[str]) -> ValidationResult:
    try:
        with open(path, "rb") as fh:
            # Read one byte past the cap: enough to know it is too big, never more.
            raw = fh.read(MAX_FRAMEWORK_BYTES + 1)
            if len(raw) > MAX_FRAMEWORK_BYTES:
                return _oversize_file(fh, raw)
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        return ValidationResult([Problem(None, f"cannot read file: {reason}")], None, "")
    return validate_framework_bytes(raw)


def format_problems(path_label: str, problems: Iterable[Problem]) -> list[str]:
    """``PATH:LINE: message``, or ``PATH: message`` when no line applies."""
    return [
        f"{path_label}: {p.message}" if p.line is None else f"{path_label}:{p.line}: {p.message}"
        for p in problems
    ]


def _oversize_file(fh: BinaryIO, head: bytes) -> ValidationResult:
    # Hash the whole file so the digest still describes what is on disk.
    digest = hashlib.sha256(head)
    size = len(head)
    while chunk := fh.read(1 << 20):
        digest.update(chunk)
        size += len(chunk)
    return ValidationResult([_oversize(size)], None, digest.hexdigest())


def _oversize(size: int) -> Problem:
    limit = f"{MAX_FRAMEWORK_BYTES} bytes (1 MiB)"
    return Problem(None, f"the file is too large: {size} bytes, the limit is {limit}")


def _ordered(problems: list[Problem]) -> list[Problem]:
    # Problems without a line concern the whole file, so they come first.
    ordered = sorted(dict.fromkeys(problems), key=lambda p: (p.line is not None, p.line or 0))
    if len(ordered) > MAX_PROBLEMS:
        hidden = len(ordered) - MAX_PROBLEMS
        ordered = [*ordered[:MAX_PROBLEMS], Problem(None, f"{hidden} more problems not shown")]
    return ordered


def _validate(raw: bytes) -> tuple[list[Problem], FrameworkSpec | None]:
    if len(raw) > MAX_FRAMEWORK_BYTES:
        return [_oversize(len(raw))], None
    text, problem = decode_utf8(raw)
    if problem is not None or text is None:
        return [problem or Problem(None, "the file is not UTF-8 text")], None
    if not text.lstrip("\ufeff").strip():
        return [Problem(None, "the file is empty")], None
    root, problems = load_node(text)
    if problems:
        return problems, None
    if root is None:
        return [Problem(None, "the file holds only comments: there is no framework in it")], None
    checker = _Checker()
    spec = checker.framework(root)
    return checker.problems, (spec if not checker.problems else None)


# --- reading mappings and values ---------------------------------------------------


@dataclass
class _Map:
    """A mapping's allowed keys, each with its key node (for its line) and value node."""

    node: MappingNode
    where: str
    required: tuple[str, ...]
    entries: dict[str, tuple[ScalarNode, Node]] = field(default_factory=dict)

    def value(self, key: str) -> Node | None:
        entry = self.entries.get(key)
        return entry[1] if entry else None

    def line(self, key: str) -> int:
        return line_of(self.entries[key][0])


_T = TypeVar("_T")

TOP_KEYS = (
    "format", "id", "version", "title", "publisher", "source_url", "status", "description",
    "scale", "evidence_types", "sign_off", "standards", "domains",
)  # fmt: skip
TOP_REQUIRED = (
    "format", "id", "version", "title", "status", "scale", "evidence_types", "sign_off", "domains",
)  # fmt: skip
RULE_KEYS = ("min_evidence", "min_types", "require_observed")
DOMAIN_KEYS = ("id", "title", "description", "competencies")
COMPETENCY_KEYS = (
    "id", "title", "description", "indicators", "standards", "sign_off", "replaces",
)  # fmt: skip


class _Checker:
    """Walks the node tree once, recording problems and building the spec as it goes."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(line, message))

    # -- generic readers --

    def mapping(
        self,
        node: Node,
        where: str,
        allowed: tuple[str, ...],
        required: tuple[str, ...],
        *,
        top: bool = False,
    ) -> _Map | None:
        if not isinstance(node, MappingNode):
            self.add(line_of(node), f"{where} must be a mapping, not {describe(node)}")
            return None
        result = _Map(node, where, required)
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.add(line_of(key_node), f"a key must be plain text, not {describe(key_node)}")
                continue
            key, line = key_node.value, line_of(key_node)
            if key in first_seen:
                self.add(line, f"duplicate key '{key}' (first on line {first_seen[key]})")
                continue
            first_seen[key] = line
            if key in allowed:
                result.entries[key] = (key_node, value_node)
            else:
                self.add(line, _unknown_key(key, where, allowed))
        for key in required:
            if key not in first_seen:
                # A missing top-level key has no line of its own.
                self.add(None if top else line_of(node), f"{where} is missing required key '{key}'")
        return result

    def text(
        self,
        m: _Map,
        key: str,
        max_len: int,
        *,
        one_line: bool = True,
        pattern: re.Pattern[str] | None = None,
        hint: str = "",
    ) -> str | None:
        node = m.value(key)
        if node is None or kind_of(node) == "empty":
            if node is not None and key in m.required:
                self.add(m.line(key), f"'{key}' must not be empty")
            return None
        line = m.line(key)
        if kind_of(node) != "text":
            self.add(line, _not_text(key, node))
            return None
        value = node.value.strip()
        if not value:
            self.add(line, f"'{key}' must not be blank")
        elif len(value) > max_len:
            self.add(line, f"'{key}' is {len(value)} characters long; the limit is {max_len}")
        elif one_line and "\n" in value:
            self.add(line, f"'{key}' must fit on one line")
        elif pattern is not None and not pattern.fullmatch(value):
            self.add(line, f"'{key}: {value}' is not valid: {hint}")
        else:
            return value
        return None

    def boolean(self, m: _Map, key: str) -> bool | None:
        node = m.value(key)
        if node is None:
            return None
        # Only true/false: YAML 1.1 also reads yes/no/on/off, which surprises people.
        if kind_of(node) == "true/false" and node.value in ("true", "false"):
            return node.value == "true"
        shown = (
            describe(node) if kind_of(node) in ("list", "mapping", "empty") else f"'{node.value}'"
        )
        self.add(m.line(key), f"'{key}' must be true or false, not {shown}")
        return None

    def rule_number(self, m: _Map, key: str) -> int | None:
        node = m.value(key)
        if node is None:
            return None
        if kind_of(node) == "whole number" and RULE_NUMBER_RE.fullmatch(node.value):
            number = int(node.value)
            if number <= MAX_RULE_NUMBER:
                return number
        shown = f"'{node.value}'" if kind_of(node) == "whole number" else describe(node)
        self.add(
            m.line(key),
            f"'{key}' must be a whole number from 1 to {MAX_RULE_NUMBER} written in digits, "
            f"not {shown}",
        )
        return None

    def sequence(self, m: _Map, key: str, noun: str, *, non_empty: bool) -> list[Node] | None:
        """The items of a list value; ``None`` when absent or not a list."""
        node = m.value(key)
        if node is None:
            return None
        if kind_of(node) == "empty" or (isinstance(node, SequenceNode) and not node.value):
            if non_empty:
                self.add(m.line(key), f"{m.where} must list at least one {noun} in '{key}'")
                return None
            return []
        if not isinstance(node, SequenceNode):
            self.add(m.line(key), f"'{key}' must be a list of {noun}s, not {describe(node)}")
            return None
        return list(node.value)

    def identified_items(
        self,
        m: _Map,
        key: str,
        noun: str,
        *,
        allowed: tuple[str, ...],
        required: tuple[str, ...],
        id_pattern: re.Pattern[str],
        id_hint: str,
        build: Callable[[_Map, str, int], _T | None],
        seen: dict[str, int] | None = None,
        non_empty: bool = True,
        label: Callable[[int], str] | None = None,
    ) -> list[_T] | None:
        """Read a list of mappings that each carry a unique ``id``.

        ``seen`` maps ids to the line that first used them; pass a shared dict to
        make ids unique across several lists (competencies across domains).
        """
        items = self.sequence(m, key, noun, non_empty=non_empty)
        if items is None:
            return None
        seen = {} if seen is None else seen
        built: list[_T] = []
        for position, node in enumerate(items):
            where = _item_label(node, noun, position, label)
            item = self.mapping(node, where, allowed, required)
            if item is None:
                continue
            item_id = self.text(item, "id", MAX_ID, pattern=id_pattern, hint=id_hint)
            if item_id is not None:
                line = item.line("id")
                if item_id in seen:
                    self.add(
                        line,
                        f"duplicate {noun} id '{item_id}' (first used on line {seen[item_id]})",
                    )
                    item_id = None
                else:
                    seen[item_id] = line
            value = build(item, item_id or "", position)
            if value is not None and item_id is not None:
                built.append(value)
        return built

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
        if self.problems or None in (scale, evidence_types, default_rule, domains):
            return None
        return FrameworkSpec(
            **fields,  # type: ignore[arg-type]  # all set when there are no problems
            scale=tuple(scale),
            evidence_types=tuple(evidence_types),
            sign_off=default_rule,
            standards=tuple(standards or ()),
            domains=tuple(domains),
        )

    def url(self, m: _Map, key: str) -> str | None:
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

    def status(self, m: _Map) -> str | None:
        value = self.text(m, "status", 50)
        if value is not None and value not in STATUSES:
            allowed = " or ".join(f"'{s}'" for s in STATUSES)
            self.add(m.line("status"), f"'status' must be {allowed}, not '{value}'")
            return None
        return value

    def scale(self, m: _Map) -> list[ScaleValue] | None:
        def build(item: _Map, item_id: str, _position: int) -> ScaleValue | None:
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

    def evidence_types(self, m: _Map) -> list[EvidenceType] | None:
        def build(item: _Map, item_id: str, _position: int) -> EvidenceType | None:
            label = self.text(item, "label", MAX_LABEL)
            observed = self.boolean(item, "observed")
            description = self.text(item, "description", MAX_DESCRIPTION, one_line=False)
            if label is None or observed is None:
                return None
            return EvidenceType(item_id, label, observed, description)

        return self.identified_items(
            m, "evidence_types", "evidence type",
            allowed=("id", "label", "observed", "description"),
            required=("id", "label", "observed"),
            id_pattern=SLUG_RE, id_hint=SLUG_HINT, build=build,
        )  # fmt: skip

    def standards(self, m: _Map) -> list[Standard] | None:
        def build(item: _Map, item_id: str, _position: int) -> Standard | None:
            title = self.text(item, "title", MAX_TITLE)
            return Standard(item_id, title) if title is not None else None

        return self.identified_items(
            m, "standards", "standard",
            allowed=("id", "title"), required=("id", "title"),
            id_pattern=CODE_RE, id_hint=CODE_HINT, build=build, non_empty=False,
        )  # fmt: skip

    # -- sign-off rules --

    def default_rule(self, m: _Map, types: list[EvidenceType] | None) -> SignOffRule | None:
        node = m.value("sign_off")
        if node is None:
            return None
        rule_map = self.mapping(node, "the default 'sign_off' rule", RULE_KEYS, RULE_KEYS)
        if rule_map is None:
            return None
        numbers = [self.rule_number(rule_map, k) for k in RULE_KEYS[:2]]
        observed = self.boolean(rule_map, "require_observed")
        if None in numbers or observed is None:
            return None
        rule = SignOffRule(numbers[0], numbers[1], observed)  # type: ignore[arg-type]
        self.satisfiable(rule, types, m.line("sign_off"), "the default sign-off rule")
        return rule

    def override_rule(
        self,
        m: _Map,
        where: str,
        default: SignOffRule | None,
        types: list[EvidenceType] | None,
    ) -> tuple[SignOffRule | None, bool]:
        """The competency's effective rule and whether it overrides the default."""
        node = m.value("sign_off")
        if node is None or kind_of(node) == "empty":
            return default, False
        rule_map = self.mapping(node, f"the 'sign_off' override of {where}", RULE_KEYS, ())
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

    # -- domains and competencies --

    def domains(
        self,
        m: _Map,
        default: SignOffRule | None,
        types: list[EvidenceType] | None,
        known: set[str] | None,
    ) -> list[DomainSpec] | None:
        competency_ids: dict[str, int] = {}

        def build(item: _Map, item_id: str, position: int) -> DomainSpec | None:
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
        domain: _Map,
        domain_where: str,
        seen: dict[str, int],
        default: SignOffRule | None,
        types: list[EvidenceType] | None,
        known_standards: set[str] | None,
    ) -> list[CompetencySpec] | None:
        def build(item: _Map, item_id: str, position: int) -> CompetencySpec | None:
            where = f"competency '{item_id}'" if item_id else item.where
            title = self.text(item, "title", MAX_TITLE)
            description = self.text(item, "description", MAX_DESCRIPTION, one_line=False)
            indicators = self.indicators(item)
            refs = self.standard_refs(item, where, known_standards)
            rule, overridden = self.override_rule(item, where, default, types)
            replaces = self.text(item, "replaces", MAX_ID, pattern=CODE_RE, hint=CODE_HINT)
            if None in (title, description, indicators, refs, rule):
                return None
            return CompetencySpec(
                item_id, title, description, tuple(indicators), tuple(refs),  # type: ignore[arg-type]
                rule, overridden, replaces, position,  # type: ignore[arg-type]
            )  # fmt: skip

        return self.identified_items(
            domain, "competencies", "competency",
            allowed=COMPETENCY_KEYS, required=("id", "title", "description"),
            id_pattern=CODE_RE, id_hint=CODE_HINT, build=build, seen=seen,
            label=lambda i: f"competency #{i + 1} of {domain_where}",
        )  # fmt: skip

    def indicators(self, m: _Map) -> list[str] | None:
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

    def standard_refs(self, m: _Map, where: str, known: set[str] | None) -> list[str] | None:
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


# --- message helpers ---------------------------------------------------------------


def _unknown_key(key: str, where: str, allowed: tuple[str, ...]) -> str:
    message = f"unknown key '{key}' in {where}"
    close = difflib.get_close_matches(key, allowed, n=1)
    if not close:
        close = difflib.get_close_matches(key.lower(), allowed, n=1)
    return f"{message}; did you mean '{close[0]}'?" if close else message


def _not_text(key: str, node: Node) -> str:
    message = f"'{key}' must be text, not {describe(node)}"
    if isinstance(node, ScalarNode):
        # A bare 3 or 1.0 or yes is read as a number/boolean; quoting keeps it text.
        return f'{message}; put it in quotes: {key}: "{node.value}"'
    return message


def _item_label(node: Node, noun: str, position: int, label: Callable[[int], str] | None) -> str:
    """Name a list item by its id when it has a usable one, else by its position."""
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if (
                isinstance(key_node, ScalarNode)
                and key_node.value == "id"
                and kind_of(value_node) == "text"
                and value_node.value.strip()
            ):
                return f"{noun} '{value_node.value.strip()[:MAX_ID]}'"
    return label(position) if label else f"{noun} #{position + 1}"


def _count(n: int, one: str, many: str) -> str:
    return (one if n == 1 else many).format(n)
