"""The plan of a people import: every row checked, and what would happen to each.

Nothing is written while planning. A row is checked on its own (`rows`), then against
the rest of the file and the accounts that already exist:

- an e-mail appears once in a file (a second row for it is an error naming the first);
- an account that already exists with the same name, roles and organisation is
  skipped, so running the same file again changes nothing; one that exists with other
  details is an error (an import never changes an existing account: correct the row,
  or change the account on its own page first; a GPhC number is recorded only for a
  new account, so it is not compared);
- an existing trainee with those details and no enrolment on the framework version is
  enrolled; one already enrolled on it, whatever that enrolment's status, is skipped
  (its supervisors not checked again); one with a current enrolment on another
  framework is an error;
- supervisors are existing accounts, or people on another row of the same file, and
  must be able to supervise as `enrolments.enrol` demands: the supervisor role, an
  active account, and for the clinical supervisor a pharmacist GPhC number;
- an education lead imports only inside their organisation subtree.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from app.models.enrolments import CURRENT_ENROLMENT_STATUSES
from app.models.users import User
from app.services.accounts.bulk_import import rows as checks
from app.services.accounts.bulk_import.csv_file import MAX_FILE_BYTES, Problem, read_people_csv
from app.services.accounts.bulk_import.directory import Directory, load_directory
from app.services.accounts.bulk_import.rows import PlannedRow
from app.services.clock import uk_today
from app.services.registration.gphc import REGISTER_BY_FIRST_DIGIT
from app.services.supervision.access import SELF_SUPERVISION

SUPERVISOR_COLUMNS = (("clinical_supervisor", "clinical"), ("education_supervisor", "education"))


@dataclass
class ImportPlan:
    text: str  # the file's text, carried from the preview to the confirmation
    rows: list[PlannedRow]
    problems: list[Problem]  # the file's and the rows', by line

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, *outcomes: str) -> int:
        return sum(1 for row in self.rows if row.outcome in outcomes)

    def rows_to(self, *outcomes: str) -> Iterator[PlannedRow]:
        return (row for row in self.rows if row.outcome in outcomes)


def plan_people_import(
    data: bytes | str, *, actor: User | None, max_bytes: int = MAX_FILE_BYTES
) -> ImportPlan:
    """Read and check the whole file; `actor` None is the command line (anywhere)."""
    csv_file = read_people_csv(data, max_bytes=max_bytes)
    rows = [PlannedRow(row.line, row.values) for row in csv_file.rows]
    readable = [row for row in rows if checks.check_text(row)]
    for row in readable:
        checks.read_emails(row)
    directory = load_directory(
        actor=actor,
        emails=_named_emails(readable),
        organisation_names={row.values["organisation"] for row in readable},
        cohort_names={row.values["cohort"] for row in readable if row.values["cohort"]},
    )
    lead_only = actor is not None and not actor.has_role("admin")
    today = uk_today()
    for row in readable:
        checks.check_person(row, directory, lead_only=lead_only)
        checks.check_enrolment(row, directory, today=today)
    _check_across(readable, directory)
    problems = csv_file.problems + [problem for row in rows for problem in row.problems]
    problems.sort(key=lambda problem: problem.line or 0)
    return ImportPlan(csv_file.text, rows, problems)


def _named_emails(rows: list[PlannedRow]) -> set[str]:
    named = set()
    for row in rows:
        named.update(e for e in (row.email, row.clinical_supervisor, row.education_supervisor) if e)
    return named


def _check_across(rows: list[PlannedRow], directory: Directory) -> None:
    people: dict[str, PlannedRow] = {}
    numbers: dict[str, PlannedRow] = {}
    for row in rows:
        if row.email in people:
            first = people[row.email].line
            row.refuse("email", f"{row.email} is already on line {first}: one row for each person")
            continue
        if row.email:
            people[row.email] = row
        if row.gphc_number:
            if row.gphc_number in numbers:
                first = numbers[row.gphc_number].line
                row.refuse("gphc_number", f"The same GPhC number is on line {first}")
            numbers.setdefault(row.gphc_number, row)
        _compare_with_account(row, directory)
    for row in rows:
        _check_supervisors(row, people, directory)


def _compare_with_account(row: PlannedRow, directory: Directory) -> None:
    account = directory.users.get(row.email)
    if account is None:
        return
    if not directory.in_scope(account.organisation_id):
        row.refuse(
            "email",
            f"An account for {row.email} already exists outside your organisations: "
            "ask an administrator",
        )
        return
    differences = _differences(row, account)
    if differences:
        row.refuse(
            "email",
            f"An account for {row.email} already exists with a different "
            f"{' and '.join(differences)}: correct the row, or change the account first",
        )
        return
    row.existing = account
    row.note = "An account with these details already exists"
    if row.framework is not None:
        _compare_with_enrolments(row, directory)


def _differences(row: PlannedRow, account: User) -> list[str]:
    differences = []
    if row.name and row.name != account.name:
        differences.append(f"name ({account.name!r} on record)")
    if row.roles and set(row.roles) != set(account.roles):
        differences.append(f"role ({';'.join(sorted(account.roles))} on record)")
    # An organisation the row names but that does not exist is the row's own error.
    if row.organisation is not None or not row.values["organisation"]:
        organisation_id = row.organisation.id if row.organisation else None
        if organisation_id != account.organisation_id:
            named = account.organisation.name if account.organisation else "none"
            differences.append(f"organisation ({named} on record)")
    return differences


def _compare_with_enrolments(row: PlannedRow, directory: Directory) -> None:
    assert row.existing is not None
    assert row.framework is not None
    enrolments = directory.enrolments.get(row.existing.id, [])
    same = [e for e in enrolments if e.framework_id == row.framework.id]
    if same:
        row.already_enrolled = True
        row.note = f"Already enrolled on {row.framework.label} ({same[-1].status})"
        return
    current = [e for e in enrolments if e.status in CURRENT_ENROLMENT_STATUSES]
    if current:
        row.refuse(
            "framework",
            f"{row.existing.name} already has a current enrolment on "
            f"{current[-1].framework.label}: change it on their page",
        )
    else:
        row.note = "An account with these details already exists: they will be enrolled"


def _check_supervisors(
    row: PlannedRow, people: dict[str, PlannedRow], directory: Directory
) -> None:
    if row.framework is None or row.already_enrolled:
        return  # nothing to enrol: a row skipped is not refused for who supervises now
    for column, kind in SUPERVISOR_COLUMNS:
        email = getattr(row, column)
        if email is None:
            continue
        if email == row.email:
            row.refuse(column, SELF_SUPERVISION)
        elif email in directory.users:
            _check_existing_supervisor(row, column, kind, directory.users[email], directory)
        elif email in people:
            _check_new_supervisor(row, column, kind, people[email])
        else:
            row.refuse(column, f"No account for {email}, and no row for them in this file")


def _check_existing_supervisor(
    row: PlannedRow, column: str, kind: str, person: User, directory: Directory
) -> None:
    if not directory.in_scope(person.organisation_id):
        row.refuse(column, f"{person.email} is not in your organisations")
        return
    problem = directory.supervision_problem(person, kind)
    if problem:
        row.refuse(column, problem)
    row.supervisors[person.email] = person


def _check_new_supervisor(row: PlannedRow, column: str, kind: str, person: PlannedRow) -> None:
    """Someone on another row, who will exist once the file is imported."""
    if "supervisor" not in person.roles:
        row.refuse(column, f"{person.email} (line {person.line}) does not have the supervisor role")
    elif kind == "clinical" and (
        person.gphc_number is None or REGISTER_BY_FIRST_DIGIT[person.gphc_number[0]] != "pharmacist"
    ):
        row.refuse(
            column,
            f"{person.email} (line {person.line}) needs a pharmacist GPhC number "
            "(7 digits starting with 2) in gphc_number to be a clinical supervisor",
        )
