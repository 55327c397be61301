"""Line-aware, bomb-proof loading of a YAML file into a PyYAML node tree.

The framework validator works on nodes rather than Python values so that every
problem can name the 1-based line of the node at fault. Loading happens in two
passes: first the raw event stream is screened (anchors, aliases, tags, depth,
document count) so that nothing hostile is ever composed, then the document is
composed into nodes. Nothing here knows about frameworks.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml
from yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    NodeEvent,
)
from yaml.nodes import MappingNode, Node, SequenceNode

# The core-schema tags; an explicit tag outside this set (!!binary, !!set,
# !!python/..., local !tags) is refused rather than given a meaning.
ALLOWED_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map")
)
# The framework format nests six levels deep; anything far deeper is hostile and
# would otherwise exhaust the recursion of PyYAML's composer.
MAX_DEPTH = 32

_YAML_TAG = "tag:yaml.org,2002:"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file; ``line`` is 1-based, ``None`` when no line applies."""

    line: int | None
    message: str


def line_of(node: Node) -> int:
    return node.start_mark.line + 1


def decode_utf8(raw: bytes) -> tuple[str | None, Problem | None]:
    """Decode strictly; on failure, name the line holding the first bad byte."""
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        byte = raw[exc.start]
        message = f"the file is not UTF-8 text (byte 0x{byte:02X} cannot be read); save it as UTF-8"
        return None, Problem(line, message)


def load_node(text: str) -> tuple[Node | None, list[Problem]]:
    """Compose ``text`` into a node tree, or explain why it cannot be.

    Returns ``(None, [])`` for a stream with no document (empty or comments only).
    """
    problems = _screen_events(text)
    if problems:
        return None, problems
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader), []
    except yaml.YAMLError as exc:  # screened already, so only a safety net
        return None, [_syntax_problem(exc, text)]


def _screen_events(text: str) -> list[Problem]:
    problems: list[Problem] = []
    depth = 0
    documents = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            line = event.start_mark.line + 1
            if isinstance(event, DocumentStartEvent):
                documents += 1
                if documents > 1:
                    problems.append(
                        Problem(line, "the file must hold one YAML document, not several")
                    )
                    break
            if isinstance(event, AliasEvent):
                problems.append(Problem(line, _anchor_message("alias", "*", event.anchor)))
                continue
            if isinstance(event, NodeEvent) and event.anchor is not None:
                problems.append(Problem(line, _anchor_message("anchor", "&", event.anchor)))
            tag = getattr(event, "tag", None)
            if tag is not None and tag != "!" and tag not in ALLOWED_TAGS:
                problems.append(Problem(line, f"YAML tag '{_short_tag(tag)}' is not allowed"))
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    problems.append(Problem(line, f"nesting is deeper than {MAX_DEPTH} levels"))
                    break
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as exc:
        problems.append(_syntax_problem(exc, text))
    return _dedupe(problems)


def _anchor_message(kind: str, sigil: str, name: str | None) -> str:
    # Refused outright: aliases are how expansion bombs ("billion laughs") work.
    return f"YAML {kind} '{sigil}{name}' is not allowed; write the content out in full"


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_YAML_TAG) if tag.startswith(_YAML_TAG) else tag


def _syntax_problem(exc: yaml.YAMLError, text: str) -> Problem:
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position) + 1
        char = exc.character if isinstance(exc.character, int) else ord(exc.character[:1] or "?")
        return Problem(line, f"the file contains a character YAML does not allow (#x{char:04x})")
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "unreadable"
        if exc.problem and exc.context and exc.context_mark and exc.context_mark != mark:
            # e.g. "(while parsing a flow sequence that starts on line 3)"
            what += f" ({exc.context} that starts on line {exc.context_mark.line + 1})"
        return Problem(mark.line + 1 if mark else None, f"invalid YAML: {what}")
    return Problem(None, f"invalid YAML: {exc}")


def _dedupe(problems: list[Problem]) -> list[Problem]:
    # One line such as `b: [*a, *a, *a]` should be reported once, not per alias.
    return list(dict.fromkeys(problems))


# --- describing nodes --------------------------------------------------------------


def kind_of(node: Node) -> str:
    """The resolved type of a node as a short word: the checks and messages use it."""
    if isinstance(node, MappingNode):
        return "mapping"
    if isinstance(node, SequenceNode):
        return "list"
    return {
        "str": "text",
        "int": "whole number",
        "float": "number",
        "bool": "true/false",
        "null": "empty",
        "timestamp": "date",
    }.get(node.tag.removeprefix(_YAML_TAG), "value")


def describe(node: Node) -> str:
    """The node's type as a phrase, for "must be X, not <describe>" messages."""
    kind = kind_of(node)
    if kind in ("empty", "true/false", "text"):
        return kind
    return f"a {kind}"
