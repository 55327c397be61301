"""PostgreSQL's own tools: `pg_dump` for the copy, `pg_restore` to read it back or load it.

The password never goes on a command line (other users of the machine could read it
there): it travels in `PGPASSWORD`. Times in a dump are written in UTC (`PGTZ`).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import URL

from app.services.errors import DomainError


def libpq_target(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, and the environment carrying it."""
    env = {**os.environ, "PGTZ": "UTC"}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(tool: str, arguments: list[str], env: dict[str, str]) -> None:
    try:
        # A fixed tool name and arguments built here, never through a shell.
        done = subprocess.run(  # noqa: S603
            [tool, *arguments], env=env, capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise DomainError(f"{tool} is not installed (PostgreSQL's client tools)") from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise DomainError(f"{tool} failed: {lines[0] if lines else 'no reason given'}")


def dump(url: URL, target: Path, snapshot: str) -> None:
    """`pg_dump --format=custom` of the database as the exported `snapshot` sees it."""
    dbname, env = libpq_target(url)
    _run(
        "pg_dump",
        ["--format=custom", f"--snapshot={snapshot}", f"--file={target}", f"--dbname={dbname}"],
        env,
    )


def restore(url: URL, source: Path) -> None:
    """Load a custom-format dump into an empty database, all or nothing."""
    dbname, env = libpq_target(url)
    _run(
        "pg_restore",
        [
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={dbname}",
            str(source),
        ],
        env,
    )


_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def copy_field(raw: str) -> str | None:
    """One value of COPY's text format: `\\N` is NULL, backslash escapes as PostgreSQL writes."""
    if raw == "\\N":
        return None
    if "\\" not in raw:
        return raw
    out: list[str] = []
    i = 0
    while i < len(raw):
        char = raw[i]
        if char != "\\" or i + 1 == len(raw):
            out.append(char)
            i += 1
            continue
        following = raw[i + 1]
        if following in _ESCAPES:
            out.append(_ESCAPES[following])
            i += 2
        elif following in "01234567":
            digits = raw[i + 1 : i + 4]
            digits = digits[: len(digits) - len(digits.lstrip("01234567"))] or digits[:1]
            out.append(chr(int(digits, 8)))
            i += 1 + len(digits)
        else:
            out.append(following)
            i += 2
    return "".join(out)


def dump_tables(
    source: Path, table: str | None = None
) -> Iterator[tuple[str, list[str], str | None]]:
    """(table, columns, raw line) for every data row in the dump, or one table's.

    Reads `pg_restore --data-only --file=-` as it streams: no server is needed, and
    memory stays flat however large the dump. A table with no rows yields (t, cols, None)
    once, so every table in the dump is seen.
    """
    arguments = ["pg_restore", "--data-only", "--file=-"]
    if table:
        arguments.append(f"--table={table}")
    try:
        process = subprocess.Popen(  # noqa: S603 (fixed tool and arguments, no shell)
            [*arguments, str(source)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env={**os.environ, "PGTZ": "UTC"},
        )
    except FileNotFoundError:
        raise DomainError("pg_restore is not installed (PostgreSQL's client tools)") from None
    assert process.stdout is not None
    assert process.stderr is not None
    with process:
        yield from _copy_blocks(process.stdout)
        errors = process.stderr.read()
    if process.returncode != 0:
        first = next((line for line in errors.splitlines() if line.strip()), "no reason given")
        raise DomainError(f"the database dump cannot be read: {first}")


def _copy_blocks(lines) -> Iterator[tuple[str, list[str], str | None]]:
    current: tuple[str, list[str]] | None = None
    empty = True
    for line in lines:
        line = line.rstrip("\n")
        if current is None:
            if line.startswith("COPY ") and line.endswith(" FROM stdin;"):
                name, _, columns = line[5 : -len(" FROM stdin;")].partition(" (")
                table = name.split(".", 1)[-1].strip('"')
                cols = [c.strip().strip('"') for c in columns.rstrip(")").split(",") if c]
                current, empty = (table, cols), True
            continue
        if line == "\\.":
            if empty:
                yield current[0], current[1], None
            current = None
            continue
        empty = False
        yield current[0], current[1], line
