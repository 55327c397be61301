"""People imported from a CSV file on the command line (`users import`) and by the service:
every row checked before anything is written, rows already present skipped."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Enrolment, User
from app.models.enrolments import SupervisorAssignment
from tests.people_import.conftest import csv_text, outbox_messages, person, staff


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def user(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


@pytest.fixture
def write(tmp_path):
    def write_file(rows, name="people.csv", **kwargs) -> str:
        path = tmp_path / name
        path.write_text(csv_text(rows, **kwargs), encoding="utf-8")
        return str(path)

    return write_file


def test_a_valid_file_creates_accounts_enrolments_and_invitations(runner, app, world, write):
    path = write(
        [
            staff(email="Pat@Example.org", name="Pat Patel", gphc_number="2012345"),
            person(education_supervisor="pat@example.org", start_date="2026-09-01"),
            person(email="jo@example.org", name="Jo Bloggs", clinical_supervisor="pat@example.org"),
        ]
    )
    result = runner.invoke(args=["users", "import", path])
    assert result.exit_code == 0, result.output
    assert result.stdout == "created 3, enrolled 2, skipped 0, invitations sent 3\n"
    taylor, pat, jo = user("taylor@example.org"), user("pat@example.org"), user("jo@example.org")
    assert taylor.organisation == world.practice
    assert taylor.roles == {"trainee"}
    assert taylor.password_hash is None
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.trainee_id == taylor.id))
    assert enrolment.framework == world.framework
    assert enrolment.cohort == world.cohort
    assert enrolment.clinical_supervisor == world.supervisor
    assert enrolment.education_supervisor == pat
    assert enrolment.started_on.isoformat() == "2026-09-01"
    jo_enrolment = db.session.scalar(select(Enrolment).where(Enrolment.trainee_id == jo.id))
    assert jo_enrolment.clinical_supervisor == pat  # a supervisor from the same file
    kinds = db.session.scalars(
        select(SupervisorAssignment.kind).where(SupervisorAssignment.enrolment_id == enrolment.id)
    ).all()
    assert sorted(kinds) == ["clinical", "education"]
    mails = outbox_messages(app)
    assert sorted(m["To"] for m in mails) == [
        "jo@example.org",
        "pat@example.org",
        "taylor@example.org",
    ]
    for mail in mails:
        assert mail["Subject"] == "You have been invited to PCPT Portfolio"
        assert "http://127.0.0.1:5000/auth/invitation/" in mail.get_content()
    assert (
        "Hello Taylor Reed"
        in next(m for m in mails if m["To"] == "taylor@example.org").get_content()
    )
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("user.created") == 3 + 3  # three from the world, three imported
    assert actions.count("users.imported") == 1


def test_invitations_go_out_only_after_the_commit(runner, app, world, write, monkeypatch):
    from app.services.accounts import invitations

    seen = []
    deliver = invitations.deliver

    def deliver_and_look(pending):
        pending = list(pending)
        # A connection of its own sees only what is committed.
        with db.engine.connect() as other:
            seen.append(
                other.scalar(
                    select(func.count()).select_from(User).where(User.email == "taylor@example.org")
                )
            )
        deliver(pending)

    monkeypatch.setattr(invitations, "deliver", deliver_and_look)
    result = runner.invoke(args=["users", "import", write([person()])])
    assert result.exit_code == 0, result.output
    assert seen == [1]
    assert [m["To"] for m in outbox_messages(app)] == ["taylor@example.org"]


def test_a_failure_while_writing_writes_and_sends_nothing(runner, app, world, write, monkeypatch):
    from app.services.errors import DomainError
    from app.services.supervision import enrolments

    def refuse(*args, **kwargs):
        raise DomainError("Someone enrolled them meanwhile")

    monkeypatch.setattr(enrolments, "enrol", refuse)
    users_before, events_before = count(User), count(AuditEvent)
    result = runner.invoke(
        args=["users", "import", write([staff(email="a@example.org"), person()])]
    )
    assert result.exit_code == 1
    assert "line 3: framework: Someone enrolled them meanwhile" in result.output
    assert "Traceback" not in result.output
    assert (count(User), count(AuditEvent)) == (users_before, events_before)
    assert outbox_messages(app) == []


def test_two_bad_lines_are_named_with_their_columns_and_nothing_is_written(
    runner, app, world, write
):
    path = write(
        [
            staff(email="pat@example.org"),
            person(email="not-an-email"),
            person(email="jo@example.org", start_date="01/09/2026"),
        ]
    )
    users_before, events_before = count(User), count(AuditEvent)
    result = runner.invoke(args=["users", "import", path])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path}:3: email: Enter a valid email address (An email address must have an @-sign.)",
        f"{path}:4: start_date: Enter the start date as YYYY-MM-DD, like 2026-09-01, "
        "not '01/09/2026'",
    ]
    assert "nothing imported" in result.stderr
    assert (count(User), count(AuditEvent)) == (users_before, events_before)
    assert outbox_messages(app) == []


def test_dry_run_prints_the_plan_and_writes_nothing(runner, app, world, write):
    path = write([staff(email="pat@example.org"), person()])
    users_before, events_before = count(User), count(AuditEvent)
    result = runner.invoke(args=["users", "import", path, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{path}:2: pat@example.org: Create account",
        f"{path}:3: taylor@example.org: Create account and enrol",
        "would create 2, enrol 1, skip 0: nothing written (dry run)",
    ]
    assert (count(User), count(AuditEvent)) == (users_before, events_before)
    assert outbox_messages(app) == []


def test_running_the_same_file_again_skips_every_row(runner, app, world, write):
    path = write([staff(email="pat@example.org", gphc_number="2012345"), person()])
    assert runner.invoke(args=["users", "import", path]).exit_code == 0
    users, enrolments, mails = count(User), count(Enrolment), len(outbox_messages(app))
    again = runner.invoke(args=["users", "import", path])
    assert again.exit_code == 0, again.output
    assert again.stdout == "created 0, enrolled 0, skipped 2, invitations sent 0\n"
    assert (count(User), count(Enrolment), len(outbox_messages(app))) == (users, enrolments, mails)
    dry = runner.invoke(args=["users", "import", path, "--dry-run"])
    assert f"{path}:3: taylor@example.org: Skip: already present (Already enrolled on" in dry.stdout


def test_a_row_already_imported_is_skipped_even_if_its_supervisor_changed_since(
    runner, world, write
):
    path = write([person()])
    assert runner.invoke(args=["users", "import", path]).exit_code == 0
    world.supervisor.active = False
    db.session.commit()
    again = runner.invoke(args=["users", "import", path])
    assert again.exit_code == 0, again.output
    assert again.stdout == "created 0, enrolled 0, skipped 1, invitations sent 0\n"


def test_an_existing_account_with_other_details_is_an_error(runner, world, write, make_user):
    make_user(("trainee",), email="taylor@example.org", name="Taylor Smith", org=world.practice)
    path = write([person()])
    result = runner.invoke(args=["users", "import", path])
    assert result.exit_code == 1
    assert result.stdout == (
        f"{path}:2: email: An account for taylor@example.org already exists with a different "
        "name ('Taylor Smith' on record): correct the row, or change the account first\n"
    )


def test_an_existing_trainee_with_the_same_details_is_enrolled(runner, world, write, make_user):
    taylor = make_user(
        ("trainee",), email="taylor@example.org", name="Taylor Reed", org=world.practice
    )
    result = runner.invoke(args=["users", "import", write([person()])])
    assert result.exit_code == 0, result.output
    assert result.stdout == "created 0, enrolled 1, skipped 0, invitations sent 0\n"
    assert db.session.scalar(select(Enrolment.trainee_id)) == taylor.id


def test_header_problems_name_missing_and_unknown_columns(runner, world, write):
    columns = ["email", "name", "role", "organization", "gphc_number", "framework"]
    path = write([], columns=columns)
    result = runner.invoke(args=["users", "import", path])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f'{path}:1: header: unknown column "organization" (did you mean "organisation"?)',
        f"{path}:1: header: missing columns: organisation, framework_version, "
        "clinical_supervisor, education_supervisor, cohort, start_date",
        f"{path}:1: header: the header must be: email,name,role,organisation,gphc_number,"
        "framework,framework_version,clinical_supervisor,education_supervisor,cohort,start_date",
    ]


def test_a_control_character_is_refused_with_its_line_and_column(runner, world, write):
    path = write([staff(email="pat@example.org"), person(name="Taylor\x07Reed")])
    result = runner.invoke(args=["users", "import", path])
    assert result.exit_code == 1
    assert result.stdout == (
        f"{path}:3: name: This value contains a hidden control character (U+0007) that cannot "
        "be saved: delete it, or type the text again instead of pasting it\n"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"PK\x03\x04binary workbook",
            "This is a spreadsheet workbook (such as .xlsx), not a CSV file",
        ),
        (b"email,name\n\xff\xfe", "The file is not a CSV file saved as UTF-8 text (line 2 is not)"),
        (b"", "The file is empty"),
    ],
)
def test_a_file_that_is_not_csv_text_gets_one_clear_line(runner, world, tmp_path, content, message):
    path = tmp_path / "people.csv"
    path.write_bytes(content)
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{path}: {message}")
    assert len(result.stdout.splitlines()) == 1


def test_a_byte_order_mark_and_windows_line_endings_are_fine(runner, world, tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(b"\xef\xbb\xbf" + csv_text([person()]).replace("\n", "\r\n").encode())
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code == 0, result.output


def test_a_missing_file_is_one_line(runner, tmp_path):
    result = runner.invoke(args=["users", "import", str(tmp_path / "nope.csv")])
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path / 'nope.csv'}: No such file or directory\n"
