"""Checking the JSON values of a CASE 1.1 package, each problem named by the JSON pointer
of the value at fault (RFC 6901), as `/CFItems/3/fullStatement: message`.

Pure: no Flask, no database. What the values mean is case_reader's business.
"""

from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import urlsplit

from app.services.frameworks import case_identifiers as ids
from app.services.frameworks.yaml_nodes import Problem, decode_utf8

MAX_DEPTH = 32


class Refused(Exception):
    """The file cannot be read as JSON at all; the message says why."""


class PackageReader:
    """Collects problems while values are read; each reader returns None for a bad value."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, at: str, message: str) -> None:
        self.problems.append(Problem(None, f"{at or '/'}: {message}"))

    # --- values -----------------------------------------------------------------------

    def obj(self, parent: dict, key: str, at: str, *, required: bool = True) -> dict | None:
        value = parent.get(key)
        if value is None:
            if required:
                self.add(at, f"'{key}' is required")
            return None
        if not isinstance(value, dict):
            self.add(f"{at}/{key}", f"'{key}' must be an object, not {json_kind(value)}")
            return None
        return value

    def array(self, parent: dict, key: str, at: str) -> list:
        value = parent.get(key, [])
        if not isinstance(value, list):
            self.add(f"{at}/{key}", f"'{key}' must be an array, not {json_kind(value)}")
            return []
        return value

    def text(self, parent: dict, key: str, at: str, *, required: bool = False) -> str | None:
        value = parent.get(key)
        if value is None:
            if required:
                self.add(at, f"'{key}' is required")
            return None
        if not isinstance(value, str) or not value.strip():
            self.add(f"{at}/{key}", f"'{key}' must be non-blank text, not {json_kind(value)}")
            return None
        return value

    def identifier(self, parent: dict, at: str) -> str | None:
        value = self.text(parent, "identifier", at, required=True)
        if value is not None and not ids.IDENTIFIER_RE.fullmatch(value):
            self.add(
                f"{at}/identifier",
                "'identifier' must be a UUID in lowercase hexadecimal such as "
                f"'1789c79e-a159-5961-be4b-dc706d292fc4', not {value!r}",
            )
            return None
        return value

    def common(self, parent: dict, at: str) -> None:
        """The fields CASE 1.1 requires of every object, whether or not they are used."""
        uri = self.text(parent, "uri", at, required=True)
        if uri is not None and not urlsplit(uri).scheme:
            self.add(f"{at}/uri", f"'uri' must be an absolute URI, not {uri!r}")
        changed = self.text(parent, "lastChangeDateTime", at, required=True)
        if changed is not None and not is_date_time(changed):
            self.add(
                f"{at}/lastChangeDateTime",
                f"'lastChangeDateTime' must be a date and time such as "
                f"'2026-12-06T21:00:00+00:00', not {changed!r}",
            )

    def link(self, parent: dict, key: str, at: str) -> str | None:
        """A LinkGenURI's identifier (title, identifier and uri are required)."""
        node = self.obj(parent, key, at)
        if node is None:
            return None
        here = f"{at}/{key}"
        self.text(node, "title", here, required=True)
        self.text(node, "uri", here, required=True)
        return self.text(node, "identifier", here, required=True)


def parse_json(raw: bytes):
    """The JSON value in `raw`; Refused (or json.JSONDecodeError) when there is none."""
    text, problem = decode_utf8(raw)
    if problem is not None or text is None:
        raise Refused((problem or Problem(None, "the file is not UTF-8 text")).message)

    def no_repeats(pairs):
        keys = [k for k, _ in pairs]
        for key in keys:
            if keys.count(key) > 1:
                raise Refused(f"the key {key!r} appears twice in one object")
        return dict(pairs)

    def no_constant(name):
        raise Refused(f"{name} is not a JSON number")

    try:
        return json.loads(
            text.lstrip("\ufeff"), object_pairs_hook=no_repeats, parse_constant=no_constant
        )
    except RecursionError:
        raise Refused(f"nested more than {MAX_DEPTH} levels deep") from None


def too_deep(value, at: str, depth: int = 0) -> str | None:
    if depth > MAX_DEPTH:
        return at
    children = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, child in children:
        if found := too_deep(child, f"{at}/{key}", depth + 1):
            return found
    return None


def is_date_time(text: str) -> bool:
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in text and parsed.tzinfo is not None


def json_kind(value) -> str:
    if isinstance(value, str):
        return "blank text"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    return {dict: "an object", list: "an array", int: "a number", float: "a number"}[type(value)]
