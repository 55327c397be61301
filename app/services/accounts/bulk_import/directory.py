"""What an import's rows refer to, loaded in a few queries however many rows there are.

A thousand rows name perhaps a thousand e-mails, a handful of organisations, one or two
frameworks, a few cohorts and a few dozen supervisors: each kind is fetched once, as a
whole, and the rows are checked against these dictionaries.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.models.enrolments import Enrolment
from app.models.frameworks import Framework
from app.models.organisations import Cohort, Organisation
from app.models.users import User
from app.services.accounts.organisations import organisation_scope
from app.services.errors import DomainError
from app.services.supervision.enrolments import check_can_supervise

# Keeps each IN (...) list well inside every database's limit on bound parameters.
_CHUNK = 500


@dataclass
class Directory:
    """Existing records the file names, keyed the way the file names them."""

    # None: the importer may act anywhere (an administrator, the command line).
    scope: set[int] | None
    users: dict[str, User]  # by (normalised) e-mail
    organisations: dict[str, Organisation]  # by name
    frameworks: dict[str, list[Framework]]  # by code, the latest imported first
    cohorts: dict[str, list[Cohort]]  # by name (unique only within an organisation)
    enrolments: dict[int, list[Enrolment]]  # by trainee id, every status
    _supervision: dict[tuple[int, str], str | None] = field(default_factory=dict)
    _organisation_names: list[str] | None = None

    def in_scope(self, organisation_id: int | None) -> bool:
        return self.scope is None or organisation_id in self.scope

    def organisation_like(self, name: str) -> str | None:
        """The name of an organisation the importer may use that `name` was probably
        meant to be (other case, a slip of a letter or two); fetched once, when needed."""
        if self._organisation_names is None:
            query = select(Organisation.name)
            if self.scope is not None:
                query = query.where(Organisation.id.in_(self.scope))
            self._organisation_names = list(db.session.scalars(query))
        by_lower = {known.lower(): known for known in self._organisation_names}
        if name.lower() in by_lower:
            return by_lower[name.lower()]
        close = difflib.get_close_matches(name, self._organisation_names, n=1, cutoff=0.8)
        return close[0] if close else None

    def supervision_problem(self, person: User, kind: str) -> str | None:
        """Why `person` cannot be a `kind` supervisor (None: they can); asked once each."""
        key = (person.id, kind)
        if key not in self._supervision:
            try:
                check_can_supervise(person, kind)
            except DomainError as error:
                self._supervision[key] = error.message
            else:
                self._supervision[key] = None
        return self._supervision[key]


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    ordered = sorted(set(values))
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start : start + _CHUNK]


def load_directory(
    *,
    actor: User | None,
    emails: Iterable[str],
    organisation_names: Iterable[str],
    cohort_names: Iterable[str],
) -> Directory:
    users: dict[str, User] = {}
    for chunk in _chunks(emails):
        found = db.session.scalars(
            select(User).where(User.email.in_(chunk)).options(selectinload(User.role_rows))
        )
        users.update((user.email, user) for user in found)
    organisations: dict[str, Organisation] = {}
    for chunk in _chunks(organisation_names):
        found = db.session.scalars(select(Organisation).where(Organisation.name.in_(chunk)))
        organisations.update((org.name, org) for org in found)
    cohorts: dict[str, list[Cohort]] = defaultdict(list)
    for chunk in _chunks(cohort_names):
        found = db.session.scalars(
            select(Cohort)
            .where(Cohort.name.in_(chunk))
            .options(joinedload(Cohort.organisation))
            .order_by(Cohort.id)
        )
        for cohort in found:
            cohorts[cohort.name].append(cohort)
    return Directory(
        scope=organisation_scope(actor) if actor is not None else None,
        users=users,
        organisations=organisations,
        frameworks=_frameworks(),
        cohorts=dict(cohorts),
        enrolments=_enrolments([user.id for user in users.values()]),
    )


def _frameworks() -> dict[str, list[Framework]]:
    """Every framework version by code, newest first (as `catalogue.find_framework` orders)."""
    versions: dict[str, list[Framework]] = defaultdict(list)
    found = db.session.scalars(
        select(Framework).order_by(Framework.imported_at.desc(), Framework.id.desc())
    )
    for framework in found:
        versions[framework.code].append(framework)
    return dict(versions)


def _enrolments(user_ids: list[int]) -> dict[int, list[Enrolment]]:
    enrolments: dict[int, list[Enrolment]] = defaultdict(list)
    for start in range(0, len(user_ids), _CHUNK):
        found = db.session.scalars(
            select(Enrolment)
            .where(Enrolment.trainee_id.in_(user_ids[start : start + _CHUNK]))
            .options(joinedload(Enrolment.framework))
            .order_by(Enrolment.id)
        )
        for enrolment in found:
            enrolments[enrolment.trainee_id].append(enrolment)
    return dict(enrolments)
