"""Carrying out a checked import: accounts, enrolments and invitations in one transaction.

Only a plan with no problem is carried out. Accounts are made first, then enrolments,
so a supervisor may be on any row of the file. Each account and enrolment goes through
the same service as a single one (`users.create_user`, `enrolments.enrol`), audited
the same way, and the import itself is one more audit event with the counts and the
file's SHA-256. Like every service this flushes and never commits: the caller commits,
then delivers the invitations, so nobody is invited to an account that was rolled back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from app.models.users import User
from app.services.accounts import invitations
from app.services.accounts import users as accounts
from app.services.accounts.bulk_import.plan import ImportPlan
from app.services.accounts.bulk_import.rows import PlannedRow
from app.services.audit import chain as audit
from app.services.errors import DomainError
from app.services.supervision import enrolments


@dataclass(frozen=True)
class ImportResult:
    created: int
    enrolled: int
    skipped: int
    invitations: list[invitations.PendingInvitation]


def carry_out(plan: ImportPlan, *, actor: User | None) -> ImportResult:
    """Write what `plan` says; a DomainError (someone changed the records since the
    plan was made) names the line, and the caller rolls back."""
    if not plan.ok:
        raise DomainError("The file has problems: correct them and check it again")
    people: dict[str, User] = {}
    pending = []
    for row in plan.rows_to("create", "create_and_enrol"):
        with _at(row, "email"):
            person = accounts.create_user(
                email=row.email,
                name=row.name,
                roles=row.roles,
                password=None,
                organisation=row.organisation,
                gphc_number=row.gphc_number,
                actor=actor,
            )
            pending.append(invitations.invite(person, actor=actor))
        people[row.email] = person
    enrolled = 0
    for row in plan.rows_to("create_and_enrol", "enrol"):
        with _at(row, "framework"):
            _enrol(row, people, actor)
        enrolled += 1
    created = len(people)
    skipped = plan.count("skip")
    audit.record(
        "users.imported",
        "import",
        None,
        actor=actor,
        data={
            "created": created,
            "enrolled": enrolled,
            "skipped": skipped,
            "sha256": hashlib.sha256(plan.text.encode()).hexdigest(),
        },
    )
    return ImportResult(created, enrolled, skipped, pending)


def _enrol(row: PlannedRow, people: dict[str, User], actor: User | None) -> None:
    assert row.framework is not None
    assert row.clinical_supervisor is not None
    trainee = people.get(row.email) or row.existing
    assert trainee is not None
    enrolments.enrol(
        trainee,
        row.framework,
        supervisor=_person(row.clinical_supervisor, row, people),
        education_supervisor=(
            _person(row.education_supervisor, row, people) if row.education_supervisor else None
        ),
        cohort=row.cohort,
        started_on=row.start_date,
        actor=actor,
    )


def _person(email: str, row: PlannedRow, people: dict[str, User]) -> User:
    person = people.get(email) or row.supervisors.get(email) or accounts.find_user_by_email(email)
    if person is None:
        raise DomainError(f"No account for {email}")
    return person


@contextmanager
def _at(row: PlannedRow, column: str) -> Iterator[None]:
    """A refusal met while writing, with the row's line and column in front of it."""
    try:
        yield
    except DomainError as error:
        raise DomainError(f"line {row.line}: {column}: {error.message}", error.field) from None
