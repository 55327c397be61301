"""Values that remember where they came from, written as YAML one value a line.

A CASE package is read by turning it into a `competency-framework/v1` document and
checking that with the framework validator, so each rule lives in one place. The
validator names lines; writing every key and list entry on a line of its own, and
keeping for each line the JSON pointer of the value it holds, turns those lines back
into places in the package.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

# Characters YAML does not take raw inside a double-quoted scalar (non-printable ones,
# and those it reads as line breaks): written as escapes instead.
_UNSAFE = re.compile(
    "[\x7f-\x84\x86-\x9f\x85\u2028\u2029\ufffe\uffff]|[\ud800-\udfff]",
)


@dataclass(frozen=True)
class Loc:
    """A value (a dict of Locs, a list of Locs, or a JSON scalar) and its JSON pointer."""

    value: Any
    at: str


def located(value: Any, at: str) -> Loc:
    """A JSON value wrapped, with every part inside it, in Locs."""
    if isinstance(value, dict):
        return Loc({k: located(v, f"{at}/{pointer_token(k)}") for k, v in value.items()}, at)
    if isinstance(value, list):
        return Loc([located(v, f"{at}/{i}") for i, v in enumerate(value)], at)
    return Loc(value, at)


def pointer_token(key: str) -> str:
    """A key as one token of a JSON pointer (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")


def scalar(value: Any) -> str:
    """A JSON scalar in YAML: JSON's own spelling, which YAML reads back the same."""
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return json.dumps(value)


def to_yaml(root: Loc) -> tuple[str, list[str]]:
    """The YAML text of a mapping and, for each line (index = line - 1), its pointer."""
    lines: list[str] = []
    where: list[str] = []
    _mapping(root, 0, lines, where)
    return "".join(line + "\n" for line in lines), where


def _mapping(node: Loc, indent: int, lines: list[str], where: list[str]) -> None:
    for key, child in node.value.items():
        head = " " * indent + scalar(key) + ":"
        _entry(head, child, indent, lines, where)


def _entry(head: str, child: Loc, indent: int, lines: list[str], where: list[str]) -> None:
    if isinstance(child.value, dict) and child.value:
        lines.append(head)
        where.append(child.at)
        _mapping(child, indent + 2, lines, where)
    elif isinstance(child.value, list) and child.value:
        lines.append(head)
        where.append(child.at)
        _sequence(child, indent + 2, lines, where)
    else:
        empty = {dict: "{}", list: "[]"}.get(type(child.value))
        lines.append(f"{head} {empty or scalar(child.value)}")
        where.append(child.at)


def _sequence(node: Loc, indent: int, lines: list[str], where: list[str]) -> None:
    for item in node.value:
        if isinstance(item.value, dict) and item.value:
            # The entry's first line is its mapping's line: problems with the whole
            # entry (a missing key) are reported there, so it names the entry.
            first = len(lines)
            _mapping(item, indent + 2, lines, where)
            lines[first] = " " * indent + "- " + lines[first].lstrip()
            where[first] = item.at
        else:
            _entry(" " * indent + "-", item, indent, lines, where)
