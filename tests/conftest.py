"""Fixtures shared by the suite.

Each test gets a freshly migrated database: on SQLite a copy of a template file
migrated once per run; on PostgreSQL (TEST_DATABASE_URL) the schema is migrated once
and every table emptied, with its ids restarted, after each test. The database is left
empty at the end.
"""

from __future__ import annotations

import contextvars
import functools
import os
import re
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher, profiles
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, select, text
from werkzeug.routing import Rule

from app import create_app
from app.database import reset_begin_mode, set_read_only
from app.extensions import db
from app.models import Base
from app.models.organisations import Organisation
from app.models.users import User, UserRole
from app.services.accounts import organisations, passwords
from app.services.accounts import users as accounts
from app.services.clock import uk_today
from app.services.credentials import keys as credential_keys
from app.services.frameworks import catalogue as framework_service
from app.services.frameworks.validation import ValidationResult, validate_framework_bytes
from app.services.registration.gphc import current_registration
from app.services.reporting import progress_summary

# argon2's cheapest parameters keep hundreds of sign-ins fast; production keeps the defaults.
passwords._hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)

ROOT = Path(__file__).resolve().parent.parent
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
DEFAULT_PASSWORD = "correct horse battery"
# Production refuses to start without a credential signing key: tests that start it give one.
PRODUCTION_SIGNING_KEY = credential_keys.new_secret()


def pytest_collection_modifyitems(config, items) -> None:
    """With PCPT_BROWSER_TESTS_LAST=1 the browser journeys run after every other test.
    CI runs the suite on both databases at once on two cores: one run starts with the
    journeys (Chromium and gunicorn's processes) while the other ends with them, so the
    two sets never load the machine together."""
    if os.environ.get("PCPT_BROWSER_TESTS_LAST") == "1":
        items.sort(key=lambda item: "browser" in item.path.parts)  # stable: else unchanged


def _reuse_route_builders() -> None:
    """Every test creates an app, and werkzeug compiles two URL-building functions for
    each of its routes: half the time `create_app` takes. A builder depends only on the
    rule (its path, host and defaults), and reaches the rule's converters through the
    rule it is bound to, so the suite compiles each once and binds it to every app's copy.
    A server creates its app once, so this changes nothing a test checks."""
    compile_builder = Rule._compile_builder
    compiled: dict[tuple, Any] = {}

    def reused(rule: Rule, append_unknown: bool = True):
        key = (
            rule.rule,
            rule.subdomain,
            rule.host,
            rule.map.host_matching,
            rule.merge_slashes,
            tuple(sorted((rule.defaults or {}).items(), key=repr)),
            append_unknown,
        )
        if key not in compiled:
            compiled[key] = compile_builder(rule, append_unknown)
        return compiled[key]

    Rule._compile_builder = reused  # type: ignore[method-assign]


_reuse_route_builders()


def _app_for(url: str, tmp: Path) -> Flask:
    return create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=url,
        UPLOAD_DIR=str(tmp / "uploads"),
        MAIL_OUTBOX=str(tmp / "outbox"),
    )


def _reset_postgres_schema(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory) -> Iterator[str]:
    """A database at the migrations' head: a template file on SQLite, or PostgreSQL."""
    if ON_POSTGRES:
        _reset_postgres_schema(TEST_DATABASE_URL)
        app = _app_for(TEST_DATABASE_URL, tmp_path_factory.mktemp("pg"))
        with app.app_context():
            upgrade()
            db.engine.dispose()
        yield TEST_DATABASE_URL
        _reset_postgres_schema(TEST_DATABASE_URL)
        return
    template = tmp_path_factory.mktemp("template") / "template.sqlite3"
    app = _app_for(f"sqlite:///{template}", template.parent)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    # Fold the WAL into the main file so one file copy is the whole database.
    with closing(sqlite3.connect(template)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    yield str(template)


# Every sequence of the schema, back to 1: ids in each test start where a new database's do.
_RESTART_SEQUENCES = text(
    "SELECT setval(c.oid, 1, false) FROM pg_class c"
    " WHERE c.relkind = 'S' AND c.relnamespace = 'public'::regnamespace"
)


def _empty_postgres_tables(app: Flask) -> None:
    """Delete every row and restart the ids. A test leaves a few rows, which DELETE
    removes in about 2 ms; TRUNCATE of the 60 tables took over 100 ms a test."""
    tables = reversed(Base.metadata.sorted_tables)  # the models' names, not input
    deletes = "; ".join(f'DELETE FROM "{t.name}"' for t in tables)  # noqa: S608
    with app.app_context(), db.engine.begin() as conn:
        # Replica mode skips the foreign keys' and the append-only tables' triggers.
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(deletes))
        conn.execute(_RESTART_SEQUENCES)


@pytest.fixture
def database_url(migrated_database: str, tmp_path: Path) -> str:
    if ON_POSTGRES:
        return migrated_database
    copy = tmp_path / "test.sqlite3"
    shutil.copyfile(migrated_database, copy)
    return f"sqlite:///{copy}"


class RequestIsolatingClient(FlaskClient):
    """Each request gets its own app context, session and `g`, as in production.

    The test's own session is committed around every request, so the request sees what
    the test set up and the test then reads what the request wrote.
    """

    def open(self, *args, **kwargs):
        # Read and close every response as a server would: a file download otherwise
        # keeps its file open until garbage collection (a ResourceWarning under -W error).
        kwargs.setdefault("buffered", True)
        if _SERVING.get():  # a redirect being followed, already served as below
            return super().open(*args, **kwargs)
        db.session.commit()
        # Run without the test's contexts, as on a server: the request pushes its own app
        # context and Flask ends it (closing its database session) before the body is
        # read, so a streamed body that needs the request's session fails here too.
        served = contextvars.Context()
        response = served.run(self._serve, *args, **kwargs)
        if not kwargs["buffered"]:
            response.response = _ReadIn(served, response.response)
        db.session.commit()
        return response

    def _serve(self, *args, **kwargs):
        _SERVING.set(True)
        return super().open(*args, **kwargs)


_SERVING = contextvars.ContextVar("serving_a_test_request", default=False)


class _ReadIn:
    """A body the test reads later, read in the context it was started in (as a server
    reads it in the thread that answered the request)."""

    def __init__(self, context: contextvars.Context, body) -> None:
        self._context = context
        self._chunks = iter(body)
        self._close = getattr(body, "close", None)

    def __iter__(self):
        return self

    def __next__(self):
        return self._context.run(next, self._chunks)

    def close(self) -> None:
        if self._close is not None:
            self._context.run(self._close)


@pytest.fixture
def app(database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Flask]:
    app = _app_for(database_url, tmp_path)
    app.test_client_class = RequestIsolatingClient
    # The test's session only reads between steps: it must not hold SQLite's write lock
    # while a request (another connection) writes.
    mode = set_read_only(True)
    with app.app_context():
        yield app
        db.session.remove()
        if request.node.get_closest_marker("summary_may_differ") is None:
            _summaries_match_the_records()
    reset_begin_mode(mode)
    if ON_POSTGRES:
        _empty_postgres_tables(app)
    with app.app_context():
        db.engine.dispose()


def _summaries_match_the_records() -> None:
    """Whatever a test did, every enrolment's progress summary still says what its records
    say: each change kept the summary in its own transaction (`summary_upkeep`)."""
    check = progress_summary.first_difference()
    db.session.remove()
    assert check.problem is None, f"progress summary out of step: {check.problem}"


@pytest.fixture
def client(app: Flask):
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def password_hash() -> str:
    """Hashed once: argon2 is deliberately slow, and fixtures make many users."""
    return passwords.hash_password(DEFAULT_PASSWORD)


@pytest.fixture
def make_org(app: Flask):
    def make(name: str, kind: str = "practice", parent: Organisation | None = None) -> Organisation:
        org = organisations.create_organisation(name, kind, parent)
        db.session.commit()
        return org

    return make


# A supervisor signs with their own registration, verified by someone else: fixtures'
# supervisors hold a current one, checked on the register by this administrator.
REGISTER_CHECKER_EMAIL = "register-checker@example.org"
SUPERVISOR_REGISTERED_ON = date(2015, 1, 15)


def give_current_registration(user: User, verifier: User, *, expires_on: date | None = None):
    """Complete `user`'s recorded number as a registered, verified, unexpired registration."""
    registration = current_registration(user.id)
    assert registration is not None, "record a GPhC number first"
    registration.registered_on = SUPERVISOR_REGISTERED_ON
    registration.expires_on = expires_on or uk_today() + timedelta(days=300)
    registration.verified_by_id = verifier.id
    registration.verified_on = uk_today()
    return registration


@pytest.fixture
def register_checker(app: Flask) -> User:
    """The administrator who verified fixtures' supervisors' registrations (made on first use)."""
    found = db.session.scalar(select(User).where(User.email == REGISTER_CHECKER_EMAIL))
    if found is not None:
        return found
    user = User(email=REGISTER_CHECKER_EMAIL, name="Register Checker")
    user.role_rows = [UserRole(role="admin")]
    db.session.add(user)
    db.session.commit()
    return user


@pytest.fixture
def make_user(app: Flask, password_hash: str, request):
    counter = iter(range(1, 10_000))

    def make(
        roles: tuple[str, ...] | list[str] = ("trainee",),
        email: str | None = None,
        name: str | None = None,
        org: Organisation | None = None,
        gphc: str | None = None,
        password: str = DEFAULT_PASSWORD,
    ) -> User:
        n = next(counter)
        role_word = roles[0] if roles else "user"
        user = accounts.create_user(
            email=email or f"{role_word}{n}@example.org",
            name=name or f"{role_word.capitalize()} Person {n}",
            roles=roles,
            password=None if password == DEFAULT_PASSWORD else password,
            password_hash=password_hash if password == DEFAULT_PASSWORD else None,
            organisation=org,
            gphc_number=gphc,
        )
        if gphc and "supervisor" in roles:
            give_current_registration(user, request.getfixturevalue("register_checker"))
        db.session.commit()
        return user

    return make


@pytest.fixture
def login():
    def do_login(client, user: User, password: str = DEFAULT_PASSWORD):
        response = client.post("/auth/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, "login failed"
        return response

    return do_login


@functools.cache
def _validated(raw: bytes) -> ValidationResult:
    """A framework file's validation, done once per content in a run (the shipped NCF is
    imported by most tests, and validating it takes longer than importing it)."""
    return validate_framework_bytes(raw)


def import_framework_file(path: Path):
    result = _validated(path.read_bytes())
    assert not result.problems, result.problems
    _, framework = framework_service.import_framework(result.spec, result.sha256)
    db.session.commit()
    return framework


@pytest.fixture
def framework(app: Flask):
    """The NCF as shipped in frameworks/."""
    return import_framework_file(ROOT / "frameworks" / "ncf-pcpt-3.yaml")


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app: Flask):
    """`with count_queries() as q: ...` then `q.count` (SQL statements, savepoints excluded)."""

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()

        def before(conn, cursor, statement, *args):
            if not re.match(r"\s*(SAVEPOINT|RELEASE|BEGIN|PRAGMA)", statement, re.I):
                counter.statements.append(statement)

        engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting
