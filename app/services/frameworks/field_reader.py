"""Reading YAML mappings and values with problems recorded by line.

``FieldReader`` holds the generic readers the framework validator builds on: a mapping's
allowed and required keys, text with length and pattern checks, true/false, rule numbers,
lists, and lists of items that each carry a unique id. It records every problem it finds
and never raises.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from app.services.frameworks.framework_spec import MAX_ID, MAX_RULE_NUMBER, RULE_NUMBER_RE
from app.services.frameworks.yaml_nodes import Problem, describe, kind_of, line_of


@dataclass
class FieldMap:
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


class FieldReader:
    """Generic readers over the node tree, recording problems as they go."""

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
    ) -> FieldMap | None:
        if not isinstance(node, MappingNode):
            self.add(line_of(node), f"{where} must be a mapping, not {describe(node)}")
            return None
        result = FieldMap(node, where, required)
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
        m: FieldMap,
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

    def boolean(self, m: FieldMap, key: str) -> bool | None:
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

    def rule_number(self, m: FieldMap, key: str) -> int | None:
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

    def sequence(self, m: FieldMap, key: str, noun: str, *, non_empty: bool) -> list[Node] | None:
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
        m: FieldMap,
        key: str,
        noun: str,
        *,
        allowed: tuple[str, ...],
        required: tuple[str, ...],
        id_pattern: re.Pattern[str],
        id_hint: str,
        build: Callable[[FieldMap, str, int], _T | None],
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
