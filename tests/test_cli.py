"""The command-line CONTRACT: outputs, exit codes and what changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app.extensions import db
from app.models import AuditEvent, Enrolment, Framework, Organisation, User
from tests.conftest import ON_POSTGRES, ROOT

FRAMEWORKS = ROOT / "frameworks"
BAD = ROOT / "tests" / "framework_files" / "bad"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_validate_reports_ok_with_counts(runner):
    path = str(FRAMEWORKS / "ncf-pcpt-3.yaml")
    result = runner.invoke(args=["frameworks", "validate", path])
    assert result.exit_code == 0
    assert result.output == f"{path}: ok (4 domains, 20 competencies)\n"


def test_validate_reports_every_problem_with_its_line_and_exits_1(runner):
    path = str(BAD / "duplicate-domain-id.yaml")
    expected = (BAD / "duplicate-domain-id.expected").read_text().splitlines()
    result = runner.invoke(args=["frameworks", "validate", path])
    assert result.exit_code == 1
    assert result.output.splitlines() == [f"{path}:{line}" for line in expected]


def test_validate_of_a_missing_file_is_one_line_not_a_traceback(runner, tmp_path):
    path = str(tmp_path / "nope.yaml")
    result = runner.invoke(args=["frameworks", "validate", path])
    assert result.exit_code == 1
    assert len(result.output.splitlines()) == 1
    assert result.output.startswith(f"{path}: ")
    assert "Traceback" not in result.output


def test_import_then_reimport_is_a_no_op(runner):
    path = str(FRAMEWORKS / "ncf-pcpt-3.yaml")
    first = runner.invoke(args=["frameworks", "import", path])
    assert first.exit_code == 0
    assert "imported ncf-pcpt version 3" in first.output
    events = count(AuditEvent)
    again = runner.invoke(args=["frameworks", "import", path])
    assert again.exit_code == 0
    assert "already imported with identical content" in again.output
    assert count(Framework) == 1
    assert count(AuditEvent) == events


def test_same_id_and_version_with_other_content_is_refused(runner, tmp_path):
    runner.invoke(args=["frameworks", "import", str(FRAMEWORKS / "ncf-pcpt-3.yaml")])
    changed = tmp_path / "ncf.yaml"
    content = (FRAMEWORKS / "ncf-pcpt-3.yaml").read_text()
    changed.write_text(content.replace("Multidisciplinary Team Working", "Team Working", 1))
    result = runner.invoke(args=["frameworks", "import", str(changed)])
    assert result.exit_code == 1
    assert "already imported with different content" in result.output
    assert count(Framework) == 1
    title = db.session.scalar(text("SELECT title FROM domains WHERE code = 'D1'"))
    assert title == "Multidisciplinary Team Working"


def test_new_version_is_imported_beside_the_old(runner, tmp_path):
    runner.invoke(args=["frameworks", "import", str(FRAMEWORKS / "ncf-pcpt-3.yaml")])
    newer = tmp_path / "ncf-4.yaml"
    newer.write_text(
        (FRAMEWORKS / "ncf-pcpt-3.yaml").read_text().replace('version: "3"', 'version: "4"', 1)
    )
    result = runner.invoke(args=["frameworks", "import", str(newer)])
    assert result.exit_code == 0, result.output
    listing = runner.invoke(args=["frameworks", "list"]).output.splitlines()
    assert [line.split("\t")[:2] for line in listing] == [["ncf-pcpt", "3"], ["ncf-pcpt", "4"]]


def test_import_of_several_files_is_all_or_nothing(runner, tmp_path):
    bad = tmp_path / "bad.yaml"
    shutil.copy(BAD / "dangling-standard.yaml", bad)
    result = runner.invoke(
        args=["frameworks", "import", str(FRAMEWORKS / "ncf-pcpt-3.yaml"), str(bad)]
    )
    assert result.exit_code == 1
    assert count(Framework) == 0


def test_list_shows_id_version_title_and_competency_count(runner):
    runner.invoke(args=["frameworks", "import", *map(str, sorted(FRAMEWORKS.glob("*.yaml")))])
    lines = runner.invoke(args=["frameworks", "list"]).output.splitlines()
    assert (
        "ncf-pcpt\t3\tNational Competency Framework for Primary Care Pharmacy Technicians"
        in (lines[1].rsplit("\t", 1)[0])
    )
    assert lines[1].endswith("\t20 competencies")
    # 3.1 follows 3, so it is imported after it whatever the order of the files given.
    assert lines[2].startswith("ncf-pcpt\t3.1\t")
    assert len(lines) == 3


def test_orgs_create_builds_a_tree(runner):
    assert (
        runner.invoke(args=["orgs", "create", "--name", "Hub", "--kind", "training-hub"]).exit_code
        == 0
    )
    result = runner.invoke(
        args=["orgs", "create", "--name", "Bay PCN", "--kind", "pcn", "--parent", "Hub"]
    )
    assert result.exit_code == 0, result.output
    pcn = db.session.scalar(select(Organisation).where(Organisation.name == "Bay PCN"))
    assert pcn.parent.name == "Hub"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", "X", "--kind", "castle"], "Kind must be one of"),
        (["--name", "X", "--kind", "pcn", "--parent", "Nowhere"], "No organisation is called"),
    ],
)
def test_orgs_create_refuses_bad_input_in_one_line(runner, args, message):
    result = runner.invoke(args=["orgs", "create", *args])
    assert result.exit_code == 1
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert count(Organisation) == 0


def test_users_create_with_password_from_stdin(runner, login, client):
    runner.invoke(args=["orgs", "create", "--name", "Hub", "--kind", "training-hub"])
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Sam@Example.org",
            "--name",
            "Sam Okafor",
            "--role",
            "supervisor",
            "--role",
            "lead",
            "--org",
            "Hub",
            "--gphc",
            "20 12 345",
            "--password-stdin",
        ],
        input="a long enough passphrase\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "sam@example.org"))
    assert user.roles == {"supervisor", "lead"}
    from app.services.registration.gphc import current_registration

    assert current_registration(user.id).number == "2012345"
    login(client, user, "a long enough passphrase")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--gphc", "1234567"], "start with 2"),
        (["--gphc", "20123"], "7 digits"),
        (["--role", "wizard"], "Unknown role"),
    ],
)
def test_users_create_refuses_bad_input(runner, extra, message):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "a@example.org",
            "--name",
            "A Person",
            "--role",
            "trainee",
            *extra,
            "--password-stdin",
        ],
        input="a long enough passphrase\n",
    )
    assert result.exit_code == 1
    assert message in result.output
    assert count(User) == 0


def test_users_create_refuses_a_short_password(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "a@example.org",
            "--name",
            "A",
            "--role",
            "trainee",
            "--password-stdin",
        ],
        input="short\n",
    )
    assert result.exit_code == 1
    assert "at least 12 characters" in result.output


def test_enrol_uses_the_latest_version_and_the_supervisor(runner, make_user, framework):
    trainee = make_user(roles=("trainee",))
    supervisor = make_user(roles=("supervisor",), gphc="2000010")
    result = runner.invoke(
        args=[
            "enrol",
            "--trainee",
            trainee.email,
            "--framework",
            "ncf-pcpt",
            "--supervisor",
            supervisor.email,
            "--start",
            "2026-01-15",
        ]
    )
    assert result.exit_code == 0, result.output
    enrolment = db.session.scalar(select(Enrolment))
    assert enrolment.framework_id == framework.id
    assert enrolment.clinical_supervisor_id == supervisor.id
    assert enrolment.started_on.isoformat() == "2026-01-15"


def test_enrol_refuses_a_supervisor_without_a_pharmacist_number(runner, make_user, framework):
    trainee = make_user(roles=("trainee",))
    technician = make_user(roles=("supervisor",), gphc="5000001")
    result = runner.invoke(
        args=[
            "enrol",
            "--trainee",
            trainee.email,
            "--framework",
            "ncf-pcpt",
            "--supervisor",
            technician.email,
        ]
    )
    assert result.exit_code == 1
    assert "no pharmacist GPhC number" in result.output
    assert count(Enrolment) == 0


def test_enrol_refuses_a_bad_date(runner, make_user, framework):
    trainee = make_user(roles=("trainee",))
    supervisor = make_user(roles=("supervisor",), gphc="2000011")
    result = runner.invoke(
        args=[
            "enrol",
            "--trainee",
            trainee.email,
            "--framework",
            "ncf-pcpt",
            "--supervisor",
            supervisor.email,
            "--start",
            "15/01/2026",
        ]
    )
    assert result.exit_code == 1
    assert "YYYY-MM-DD" in result.output


def test_demo_seed_creates_every_role_and_is_safe_to_run_twice(runner):
    from app.demo.generate import EMAIL_DOMAIN
    from app.demo.seed import DEMO_PEOPLE, PROGRESS_DEMO_TRAINEES
    from app.demo.seed_observations import DEMO_OBSERVATION_PEOPLE
    from app.demo.seed_registration import DEMO_REGISTRATION_PEOPLE
    from app.demo.seed_signers import signer_demo_logins
    from app.models import Evidence

    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    for role in ("trainee", "supervisor", "lead", "admin"):
        assert role in first.output
    users = count(User)
    second = runner.invoke(args=["demo", "seed"])
    assert second.exit_code == 0
    assert "nothing changed" in second.output
    assert count(User) == users

    # The generated cohort at varied progress (its own region) apart, the hand-made demo:
    # one account per role, plus the registration demo's trainees and technician and the
    # observation demo's two trainees.
    generated = User.email.endswith(f"@{EMAIL_DOMAIN}")
    made = db.session.scalar(select(func.count()).select_from(User).where(~generated))
    demo_trainees = len(DEMO_REGISTRATION_PEOPLE) + len(DEMO_OBSERVATION_PEOPLE)
    # And the supervisor whose registration lapsed, with their trainee (one enrolment).
    signer_people = len(signer_demo_logins(""))
    assert made == len(DEMO_PEOPLE) + demo_trainees + signer_people
    trainee_emails = select(Enrolment.id).join(User, User.id == Enrolment.trainee_id)
    made_enrolments = trainee_emails.where(~generated)
    assert len(db.session.scalars(made_enrolments).all()) == 1 + demo_trainees + 1
    assert len(db.session.scalars(trainee_emails.where(generated)).all()) == (
        PROGRESS_DEMO_TRAINEES
    )
    statuses = db.session.execute(
        select(Evidence.status, func.count())
        .where(Evidence.enrolment_id.in_(made_enrolments))
        .group_by(Evidence.status)
    ).all()
    # The demo trainee's five items, then the observation demo's five accepted ones.
    assert dict(statuses) == {"accepted": 7, "changes_requested": 1, "submitted": 1, "draft": 1}
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_demo_seed_refuses_the_production_configuration(app, runner):
    app.config["ENV_NAME"] = "production"
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 1
    assert "production" in result.output
    assert count(User) == 0


def test_audit_verify_passes_then_names_the_tampered_event(runner, make_user):
    make_user()
    make_user()
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0
    assert "intact" in ok.output
    _tamper_with_audit_event(2)
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1
    assert "event 2" in broken.output


def test_the_database_refuses_to_change_audit_events(app, make_user):
    from sqlalchemy.exc import DatabaseError

    make_user()
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text("UPDATE audit_events SET action = 'x' WHERE id = 1"))
    db.session.rollback()
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text("DELETE FROM audit_events"))
    db.session.rollback()


def _tamper_with_audit_event(event_id: int) -> None:
    """Edit a row the way an attacker with database access would: around the triggers."""
    db.session.rollback()  # end the test's own transaction, which holds SQLite's write lock
    if ON_POSTGRES:
        with db.engine.begin() as conn:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(
                text("UPDATE audit_events SET subject_id = '999' WHERE id = :id"), {"id": event_id}
            )
    else:
        with db.engine.begin() as conn:
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
            conn.execute(
                text("UPDATE audit_events SET subject_id = '999' WHERE id = :id"), {"id": event_id}
            )
    db.session.expire_all()


def test_commands_fail_cleanly_before_migrations(tmp_path):
    from app import create_app

    fresh = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{Path(tmp_path) / 'x.db'}")
    result = fresh.test_cli_runner().invoke(args=["frameworks", "list"])
    assert result.exit_code == 1
    assert "db upgrade" in result.output
    assert "Traceback" not in result.output
