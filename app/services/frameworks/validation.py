"""Validation of competency framework files (format ``competency-framework/v1``).

Pure: no Flask, no database. ``validate_framework_bytes`` reads a file's bytes,
collects every problem it can find in one run (each with the 1-based line of the
node at fault) and, only when there are none, returns the parsed framework as
frozen dataclasses for the importer. It never raises on any input.

The rules are documented in docs/framework-format.md; keep the two in step.
Nothing here assumes the shape of any particular framework.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from os import PathLike
from typing import BinaryIO

from app.services.frameworks.framework_checker import FrameworkChecker
from app.services.frameworks.framework_spec import (
    FORMAT,
    CompetencySpec,
    DomainSpec,
    EvidenceType,
    FrameworkSpec,
    ScaleValue,
    SignOffRule,
    Standard,
)
from app.services.frameworks.yaml_nodes import Problem, decode_utf8, load_node

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

MAX_FRAMEWORK_BYTES = 1_048_576
# A badly broken file can yield thousands of problems; the first ones are enough.
MAX_PROBLEMS = 100


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
    checker = FrameworkChecker()
    spec = checker.framework(root)
    return checker.problems, (spec if not checker.problems else None)


# --- reading mappings and values ---------------------------------------------------
