"""Migrations go down and up again without losing a row.

A fresh database is migrated to head and seeded with the demo data (plus an API token,
so every kind of record is there). Then, for each revision from the newest down, the
database is downgraded to that revision's parent and upgraded to head again: every
table that exists at the parent must come back with the same rows, compared on the
columns that exist at the parent. A table the downgrade drops comes back empty, which
is what downgrading past its creation means. Finally a downgrade to base and an upgrade
to head rebuild the schema the models describe.

Runs on SQLite, and on PostgreSQL in a schema of its own when TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, create_engine, select, text
from sqlalchemy.engine import make_url

from app.extensions import db
from app.models.base import utcnow
from app.models.crosswalk import FrameworkMove, GapAnalysisSignature
from app.models.enrolments import EnrolmentPause
from app.models.feedback import FeedbackResponse
from app.models.identities import UserIdentity
from app.models.signoffs import Completion
from app.models.two_factor import RecoveryCode, TwoFactor
from app.services.accounts import api_tokens, organisations
from app.services.accounts import users as accounts
from app.services.clock import uk_today
from app.services.development import objectives
from app.services.feedback import rounds as feedback_rounds
from app.services.framework_moves.moving import move_trainees
from app.services.frameworks import catalogue as framework_service
from app.services.notifications import messages as notifications
from app.services.pathway import training_declaration
from app.services.registration import revalidation
from app.services.supervision import sessions as supervision_sessions
from app.services.supervision import signoffs
from app.services.supervision.enrolments import active_enrolment
from tests.conftest import ON_POSTGRES, ROOT, TEST_DATABASE_URL, _app_for, give_current_registration
from tests.security.world import build_world

Snapshot = dict[str, dict[str, list[tuple]]]  # table -> column -> values, row by row


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    """A database of its own: a new SQLite file, or a new PostgreSQL schema."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'round-trip.sqlite3'}"
        return
    schema = f"round_trip_{secrets.token_hex(4)}"
    admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(TEST_DATABASE_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def migration_app(empty_database: str, tmp_path: Path) -> Iterator[Flask]:
    app = _app_for(empty_database, tmp_path)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _snapshot() -> Snapshot:
    """Every row of every table as the database has it now (alembic's own table aside)."""
    db.session.remove()
    found = MetaData()
    found.reflect(bind=db.engine)
    snapshot: Snapshot = {}
    with db.engine.connect() as conn:
        for table in found.sorted_tables:
            if table.name == "alembic_version":
                continue
            key = list(table.primary_key.columns) or list(table.columns)
            rows = conn.execute(select(table).order_by(*key)).mappings().all()
            snapshot[table.name] = {c.name: [row[c.name] for row in rows] for c in table.columns}
    return snapshot


def _rows(snapshot: Snapshot, table: str) -> int:
    columns = snapshot[table]
    return len(next(iter(columns.values()))) if columns else 0


def _lost(before: Snapshot, at_parent: Snapshot, after: Snapshot) -> list[str]:
    """What changed in the tables the parent revision has, on the columns it has."""
    problems = []
    for table, columns in at_parent.items():
        for column in columns:
            if before[table][column] != after[table][column]:
                problems.append(
                    f"{table}.{column}: {_rows(before, table)} rows before, "
                    f"{_rows(after, table)} after, or values changed"
                )
    return problems


def _seed(app: Flask) -> None:
    """The demo, then the records it has none of, made through the services where they
    allow it: files, sign-offs and their revocation, sessions (one reviewing objectives),
    declarations, digests."""
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    framework = framework_service.find_framework("ncf-pcpt", "3")
    counter = iter(range(1, 100))

    def make_org(name, kind="practice", parent=None):
        return organisations.create_organisation(f"Round trip {name}", kind, parent)

    # Supervisors sign with a current registration, verified by the demo's administrator.
    register_checker = accounts.find_user_by_email("admin@example.org")

    def make_user(roles=("trainee",), org=None, gphc=None, name=None, email=None):
        n = next(counter)
        user = accounts.create_user(
            email=email or f"round-trip-{n}@example.org",
            name=name or f"Round Trip {n}",
            roles=roles,
            password=None,
            password_hash="$argon2id$not-a-usable-hash",
            organisation=org,
            gphc_number=gphc,
        )
        if gphc and "supervisor" in roles:
            give_current_registration(user, register_checker)
        return user

    world = build_world(app, make_user, make_org, framework)
    owner = world.users["owner"]
    supervisor = world.users["assigned_supervisor"]
    enrolment = active_enrolment(owner.id)
    today = uk_today()
    now = utcnow()
    signoffs.revoke(
        signoffs.sign_offs_for(enrolment.id)[0],
        actor=supervisor,
        reason="Signed against the wrong competency.",
        authenticated_at=now,
    )
    supervision_sessions.record_session(
        enrolment,
        supervisor=supervisor,
        held_on=today,
        duration_minutes=45,
        topics="Progress against the plan.",
        today=today,
        objectives_reviewed=[o.id for o in objectives.open_objectives(enrolment.id)],
    )
    start, end = training_declaration.default_declaration_period(owner.id, today)
    training_declaration.declare_training(
        owner, actor=supervisor, period_start=start, period_end=end, confirmed=True, today=today
    )
    revalidation.record_exceptional_circumstances(owner, "Long illness.", actor=owner)
    notifications.send_submission_digests(today)
    # The final sign-off needs a whole portfolio; the row alone is what this test needs.
    other = world.users["other_trainee"]
    db.session.add(
        Completion(
            enrolment_id=active_enrolment(other.id).id,
            signer_id=world.users["unassigned_supervisor"].id,
            signer_name="Round Trip Supervisor",
            signer_gphc_number="2000002",
            trainee_name=other.name,
            framework_label=framework.title,
            statement="Training complete.",
            prerequisites={},
            completed_at=now,
            record_sha256="0" * 64,
        )
    )
    # The credential issued with it (the row alone; issuing is tested in tests/credentials).
    from app.models.credentials import IssuedCredential

    db.session.flush()
    completed = db.session.scalar(
        select(Completion).where(Completion.enrolment_id == active_enrolment(other.id).id)
    )
    db.session.add(
        IssuedCredential(
            public_id="00000000-0000-4000-8000-000000000000",
            trainee_id=other.id,
            enrolment_id=completed.enrolment_id,
            completion_id=completed.id,
            status_sequence=0,
            status_list=1,
            status_list_index=0,
            verification_method="did:web:127.0.0.1%3A5000#z6Mk",
            document="{}",
            document_sha256="0" * 64,
            issued_at=now,
        )
    )
    # A pause, over and done with: the enrolment stays active for the records above.
    db.session.add(
        EnrolmentPause(
            enrolment_id=enrolment.id,
            reason="Annual leave",
            paused_from=enrolment.started_on,
            ended_on=enrolment.started_on + timedelta(days=7),
            paused_by_id=supervisor.id,
        )
    )
    api_tokens.create_token(accounts.find_user_by_email("lead@example.org"), "round trip")
    # An export prepared in the background, finished (the row alone; tests/jobs runs them).
    from app.models.export_jobs import ExportJob

    db.session.add(
        ExportJob(
            requester_id=accounts.find_user_by_email("lead@example.org").id,
            kind="progress-csv",
            filters={"cohort_id": None},
            report_on=today,
            status="done",
            rows_done=3,
            rows_total=3,
            attempts=1,
            storage_key="exports/" + "a" * 40,
            started_at=now,
            finished_at=now,
            expires_at=now + timedelta(hours=24),
        )
    )
    # A single sign-on link, as a first sign-on through the provider makes it.
    db.session.add(UserIdentity(user=owner, issuer="https://login.example.nhs.uk", subject="rt"))
    # Two-factor sign-in set up, with a recovery code.
    db.session.add_all(
        [
            TwoFactor(user_id=owner.id, secret="JBSWY3DPEHPK3PXP", enabled_at=now, last_step=1),
            RecoveryCode(user_id=owner.id, code_sha256="1" * 64),
        ]
    )
    # A framework imported from a CASE 1.1 package, which keeps the package's identifiers.
    from app.services.frameworks import case_import

    foreign = ROOT / "tests" / "frameworks_lifecycle" / "files" / "case-foreign.json"
    case_import.import_case(case_import.read_case_bytes(foreign.read_bytes()))
    # A trainee with sign-offs moved to the worked example 3.1 (a carried sign-off, the
    # crosswalk's rows), and the gap analysis signed.
    moved = move_trainees(
        framework,
        framework_service.find_framework("ncf-pcpt", "3.1"),
        actor=None,
        trainee_email="trainee00001@generated.example.org",
    )
    db.session.flush()
    db.session.add(
        GapAnalysisSignature(
            move_id=db.session.scalar(select(FrameworkMove.id)),
            signer_id=supervisor.id,
            signer_name=supervisor.name,
            signer_gphc_number="2000002",
            trainee_name=moved.trainees[0].name,
            comment="Sign off the merged and split competencies again.",
            statement="I have reviewed the gap analysis.",
            move_sha256="0" * 64,
            signed_at=now,
            record_sha256="1" * 64,
        )
    )
    # A framework file a lead uploaded in the pages and published (a variant of 3.1).
    from app.services.frameworks import publishing

    ncf_3_1 = (ROOT / "frameworks" / "ncf-pcpt-3.1.yaml").read_text()
    variant = ncf_3_1.replace('version: "3.1"', 'version: "3.1.1"')
    lead = accounts.find_user_by_email("lead@example.org")
    check = publishing.receive_upload("ncf-pcpt-3.1.1.yaml", variant.encode(), actor=lead)
    assert check.upload is not None, check.problems
    publishing.publish_upload(check.upload.id, actor=lead)
    # The world's feedback round (a rater asked, by a one-time link) gets one answer.
    feedback_round = feedback_rounds.open_round_of(enrolment.id)
    db.session.add(
        FeedbackResponse(id="0" * 32, round_id=feedback_round.id, rater_group="", answers={})
    )
    # An assessment request an assessor completed (its link a one-time link, used).
    from app.models.assessments import AssessmentRequest
    from app.models.evidence import EvidenceVersion
    from app.services.accounts import one_time_links

    ticket = one_time_links.issue("assessment", lifetime=timedelta(days=30), actor=owner)
    ticket.link.used_at = now
    db.session.add(
        AssessmentRequest(
            evidence_id=db.session.scalar(select(EvidenceVersion.evidence_id).limit(1)),
            link=ticket.link,
            requested_by_id=owner.id,
            assessor_name="Round Trip Assessor",
            assessor_email="assessor@example.net",
            assessor_role="nurse",
            assessor_number="12A3456E",
            completed_at=now,
            version_number=1,
            answers={"assessor_name": "Round Trip Assessor"},
        )
    )
    db.session.commit()


def test_every_downgrade_and_upgrade_keeps_every_row(migration_app, capsys):
    upgrade()
    _seed(migration_app)
    before = _snapshot()
    seeded = {table: _rows(before, table) for table in before}
    empty = sorted(table for table, rows in seeded.items() if rows == 0)

    script = ScriptDirectory.from_config(migration_app.extensions["migrate"].migrate.get_config())
    steps = [r for r in script.walk_revisions() if r.down_revision is not None]
    problems = []
    for revision in steps:  # newest first
        downgrade(revision=revision.down_revision)
        at_parent = _snapshot()
        upgrade()
        after = _snapshot()
        problems += [
            f"{revision.revision} down and up: {p}" for p in _lost(before, at_parent, after)
        ]
    with capsys.disabled():
        print(
            f"\nmigration round trip on {db.engine.dialect.name}: {len(steps)} steps, "
            f"{sum(seeded.values())} rows in {len(seeded)} tables kept"
            + (f" (empty after seeding: {', '.join(empty)})" if empty else "")
        )
    assert not problems, "\n".join(problems)
    assert not empty, f"the seed leaves tables empty, so their rows go untested: {empty}"

    downgrade(revision="base")
    assert set(_snapshot()) == set(), "a downgrade to base leaves tables behind"
    upgrade()
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_the_migrations_form_one_line(migration_app):
    script = ScriptDirectory.from_config(migration_app.extensions["migrate"].migrate.get_config())
    assert len(script.get_heads()) == 1, "more than one head: merge the migrations"
    assert len(script.get_bases()) == 1
    assert (ROOT / "migrations" / "versions").is_dir()
