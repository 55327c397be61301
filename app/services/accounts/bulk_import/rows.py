"""One row of a people import, and the checks that need nothing but the row itself
and the records it names (the checks across rows are in `plan`).

Each check reuses the rule the single-person pages use (`users.normalise_email` and
`_check_roles`, `gphc.normalise_gphc_number`, the control-character rule, the date
range rule) so an import refuses exactly what a form would, in the same words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from app.models.frameworks import Framework
from app.models.organisations import Cohort, Organisation
from app.models.users import User
from app.services.accounts.bulk_import.csv_file import ENROLMENT_COLUMNS, Problem
from app.services.accounts.bulk_import.directory import Directory
from app.services.accounts.users import _check_roles, normalise_email
from app.services.calendar_months import add_months
from app.services.control_characters import control_character_problem
from app.services.date_ranges import date_range_problem
from app.services.errors import DomainError
from app.services.registration.gphc import normalise_gphc_number
from app.services.registration.rules import MONTHS_AHEAD_FOR_A_START, latest_start

OUTCOME_LABELS = {
    "create": "Create account",
    "create_and_enrol": "Create account and enrol",
    "enrol": "Enrol existing account",
    "skip": "Skip: already present",
    "error": "Error",
}
# Trainees already part-way through may be imported; a start further back is a typing slip.
MONTHS_BACK_FOR_A_START = 36
# An education lead brings in the people they look after; only an administrator
# (or the command line, run by the service's operators) makes administrators.
ROLES_ONLY_ADMINS_GIVE = ("admin",)
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass
class PlannedRow:
    """A row as read, what it resolves to, and what the import will do with it."""

    line: int
    values: dict[str, str]
    email: str = ""
    name: str = ""
    roles: list[str] = field(default_factory=list)
    organisation: Organisation | None = None
    gphc_number: str | None = None
    framework: Framework | None = None
    clinical_supervisor: str | None = None  # normalised e-mail
    education_supervisor: str | None = None
    cohort: Cohort | None = None
    start_date: date | None = None
    existing: User | None = None
    # Existing supervisors by e-mail: held here so the write finds them without a query.
    supervisors: dict[str, User] = field(default_factory=dict)
    already_enrolled: bool = False
    note: str = ""
    problems: list[Problem] = field(default_factory=list)

    def refuse(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.line, column, message))

    @property
    def enrols(self) -> bool:
        return self.framework is not None

    @property
    def outcome(self) -> str:
        if self.problems:
            return "error"
        if self.existing is not None:
            return "enrol" if self.enrols and not self.already_enrolled else "skip"
        return "create_and_enrol" if self.enrols else "create"

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS[self.outcome]


def check_text(row: PlannedRow) -> bool:
    """Every value free of control characters; False (with the problems) when not."""
    for column, value in row.values.items():
        problem = control_character_problem(value, "This value")
        if problem:
            row.refuse(column, problem)
    return not row.problems


def read_emails(row: PlannedRow) -> None:
    """The person's e-mail and their supervisors', normalised as an account's would be."""
    if not row.values["email"]:
        row.refuse("email", "Enter the person's email address")
    else:
        row.email = _email(row, "email") or ""
    row.clinical_supervisor = _email(row, "clinical_supervisor")
    row.education_supervisor = _email(row, "education_supervisor")


def _email(row: PlannedRow, column: str) -> str | None:
    value = row.values[column]
    if not value:
        return None
    try:
        return normalise_email(value)
    except DomainError as error:
        row.refuse(column, error.message)
        return None


def check_person(row: PlannedRow, directory: Directory, *, lead_only: bool) -> None:
    """Name, roles, organisation and GPhC number; `lead_only`: the importer is a lead."""
    row.name = re.sub(r"\s+", " ", row.values["name"]).strip()
    if not row.name:
        row.refuse("name", "Enter the person's full name")
    elif len(row.name) > 200:
        row.refuse("name", "Name must be 200 characters or fewer")
    given = [part.strip().lower() for part in row.values["role"].split(";") if part.strip()]
    try:
        row.roles = _check_roles(given)
    except DomainError as error:
        row.refuse("role", error.message)
    if lead_only and set(row.roles) & set(ROLES_ONLY_ADMINS_GIVE):
        row.refuse("role", "Only an administrator can give the administrator role")
    _check_organisation(row, directory)
    if row.values["gphc_number"]:
        try:
            row.gphc_number = normalise_gphc_number(row.values["gphc_number"])
        except DomainError as error:
            row.refuse("gphc_number", error.message)


def _check_organisation(row: PlannedRow, directory: Directory) -> None:
    name = row.values["organisation"]
    if not name:
        if directory.scope is not None:
            row.refuse("organisation", "Enter the organisation: one inside your own")
        return
    found = directory.organisations.get(name)
    if found is None:
        meant = directory.organisation_like(name)
        hint = f' (did you mean "{meant}"?)' if meant else ""
        row.refuse("organisation", f"No organisation is called {name!r}{hint}")
    elif not directory.in_scope(found.id):
        row.refuse("organisation", f"{name} is not inside your organisation")
    else:
        row.organisation = found


def check_enrolment(row: PlannedRow, directory: Directory, *, today: date) -> None:
    """The enrolment columns: empty unless a trainee is enrolled, and then complete."""
    if not row.roles:
        return  # the role column's own problem says why; whether to enrol waits on it
    given = [column for column in ENROLMENT_COLUMNS if row.values[column]]
    if "trainee" not in row.roles:
        for column in given:
            row.refuse(column, "Leave this empty: only a trainee is enrolled")
        return
    if not row.values["framework"]:
        for column in given:
            row.refuse(column, "Fill in the framework too, or leave this empty")
        return
    cohort = _cohort(row, directory) if row.values["cohort"] else None
    row.framework = _framework(row, directory, cohort)
    if not row.values["clinical_supervisor"]:
        row.refuse(
            "clinical_supervisor",
            "Enter the clinical supervisor's email address: a trainee is enrolled with one",
        )
    if cohort is not None and row.framework is not None:
        if cohort.framework_id in (None, row.framework.id):
            row.cohort = cohort
        else:  # the words `enrolments.enrol` uses
            row.refuse("cohort", f"Cohort {cohort.name!r} follows a different framework")
    if row.values["start_date"]:
        row.start_date = _start_date(row, today)


def _framework(row: PlannedRow, directory: Directory, cohort: Cohort | None) -> Framework | None:
    """The version named; else the cohort's version of that framework; else the latest."""
    code, version = row.values["framework"], row.values["framework_version"]
    versions = directory.frameworks.get(code)
    if not versions:
        known = ", ".join(sorted(directory.frameworks)) or "none yet"
        row.refuse("framework", f"No framework {code!r} is imported (imported: {known})")
        return None
    if not version:
        followed = [f for f in versions if cohort is not None and f.id == cohort.framework_id]
        return (followed or versions)[0]
    for framework in versions:
        if framework.version == version:
            return framework
    known = ", ".join(framework.version for framework in versions)
    row.refuse("framework_version", f"{code} has no version {version!r} (imported: {known})")
    return None


def _cohort(row: PlannedRow, directory: Directory) -> Cohort | None:
    name = row.values["cohort"]
    found = [c for c in directory.cohorts.get(name, []) if directory.in_scope(c.organisation_id)]
    if len(found) > 1 and row.organisation is not None:
        # Cohorts are named within an organisation: the one above the person's is meant.
        above = _organisation_and_ancestors(row.organisation)
        found = [c for c in found if c.organisation_id in above] or found
    if not found:
        where = " in your organisations" if directory.scope is not None else ""
        row.refuse("cohort", f"No cohort is called {name!r}{where}: create it first")
        return None
    if len(found) > 1:
        places = ", ".join(sorted(c.organisation.name for c in found))
        row.refuse("cohort", f"Several cohorts are called {name!r} ({places}): rename one")
        return None
    return found[0]


def _organisation_and_ancestors(org: Organisation) -> set[int]:
    found: set[int] = set()
    current: Organisation | None = org
    while current is not None and current.id not in found:
        found.add(current.id)
        current = current.parent
    return found


def _start_date(row: PlannedRow, today: date) -> date | None:
    value = row.values["start_date"]
    try:
        if not ISO_DAY.fullmatch(value):
            raise ValueError(value)
        day = date.fromisoformat(value)
    except ValueError:
        row.refuse(
            "start_date", f"Enter the start date as YYYY-MM-DD, like 2026-09-01, not {value!r}"
        )
        return None
    problem = date_range_problem(
        day,
        "The start date",
        earliest=add_months(today, -MONTHS_BACK_FOR_A_START),
        latest=latest_start(today),
        why=f" (a start is planned at most {MONTHS_AHEAD_FOR_A_START} months ahead)",
    )
    if problem:
        row.refuse("start_date", problem)
        return None
    return day
