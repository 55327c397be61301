"""When each supervisor's latest registration stands for a sign-off, kept beside them.

`signer_standings` holds a row for each person with the supervisor role: the first and
last day their latest registration (the highest id) stands for a sign-off, by
`standing_span`, or none. The lead's list of supervisors who cannot sign
(`signers.blocked_signers_for`) then asks the database for the rows whose span misses
today, an index range, instead of probing every supervisor's registrations.

Every flush notes whose registrations or supervisor role it wrote; just before the
transaction commits, those people's rows are written again, so the row and the change
land together. Bulk statements name their people with `touch`; a bulk load writes every
row with `rebuild`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Date, and_, case, delete, event, func, literal, or_, select
from sqlalchemy.orm import Session

from app.database import upsert_rows
from app.extensions import db
from app.models.registration import Registration, SignerStanding
from app.models.users import UserRole
from app.services.registration.signature_gates import NUMBER_SHAPES
from app.services.registration.signers import SIGN_OFF_REGISTERS

# The first day of a registration with no start day: it stands from always.
ALWAYS = date(1900, 1, 1)
_NOTED = "signer_standing_noted"


def standing_span(registration) -> tuple[ColumnElement, ColumnElement]:
    """The days a registration row stands for a sign-off, as SQL: (first, last), both NULL
    when it stands on none. It stands where `registration_gaps(facts_of(registration), day,
    SIGN_OFF_REGISTERS)` is empty: registered, a number of a sign-off register's shape,
    verified by someone else, and the day from its start (if any) to its expiry. The list of
    blocked signers judges each person it reads by that rule itself, so a span may be
    narrower than the rule's days but never wider."""
    number = registration.number
    shapes = [
        and_(registration.register == register, number.regexp_match(f"^({shape.pattern})$"))
        for register, shape in NUMBER_SHAPES.items()
        if register in SIGN_OFF_REGISTERS
    ]
    stands = and_(
        registration.status == "registered",
        number.is_not(None),
        # 7 characters as well as the shape: SQLite's REGEXP lets `$` match before a
        # final newline, where the rule's fullmatch does not.
        func.length(number) == 7,
        or_(*shapes),
        registration.expires_on.is_not(None),
        registration.verified_by_id.is_not(None),
        registration.verified_by_id != registration.user_id,
    )
    first = func.coalesce(registration.registered_on, literal(ALWAYS, Date))
    return case((stands, first), else_=None), case((stands, registration.expires_on), else_=None)


@dataclass(frozen=True)
class Span:
    stands_from: date | None
    stands_until: date | None


def compute(user_ids: Iterable[int]) -> dict[int, Span]:
    """The rows these people should have: supervisors only, by their latest registration
    (2 queries)."""
    supervisors = set(
        db.session.scalars(
            select(UserRole.user_id).where(
                UserRole.user_id.in_(set(user_ids)), UserRole.role == "supervisor"
            )
        )
    )
    found = dict.fromkeys(supervisors, Span(None, None))
    if not supervisors:
        return found
    latest = (
        select(func.max(Registration.id))
        .where(Registration.user_id.in_(supervisors))
        .group_by(Registration.user_id)
    )
    for user_id, first, last in db.session.execute(
        select(Registration.user_id, *standing_span(Registration)).where(
            Registration.id.in_(latest)
        )
    ):
        found[user_id] = Span(first, last)
    return found


def refresh(user_ids: Iterable[int]) -> None:
    """Write these people's rows again, replacing any there (two writers at once each
    leave a true row), and drop those of anyone no longer a supervisor."""
    ids = sorted(set(user_ids))
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        spans = compute(batch)
        gone = [user_id for user_id in batch if user_id not in spans]
        if gone:
            db.session.execute(delete(SignerStanding).where(SignerStanding.user_id.in_(gone)))
        upsert_rows(
            SignerStanding,
            ["user_id"],
            [
                {"user_id": key, "stands_from": s.stands_from, "stands_until": s.stands_until}
                for key, s in spans.items()
            ],
        )


def rebuild() -> None:
    """Every supervisor's row written again (after a bulk load)."""
    db.session.execute(delete(SignerStanding))
    refresh(db.session.scalars(select(UserRole.user_id).where(UserRole.role == "supervisor")))


def first_difference() -> str | None:
    """The first person whose stored row differs from `compute`, in words; None if none."""
    people = set(db.session.scalars(select(UserRole.user_id).where(UserRole.role == "supervisor")))
    stored = {
        row.user_id: Span(row.stands_from, row.stands_until)
        for row in db.session.scalars(select(SignerStanding))
    }
    expected = compute(people | set(stored))
    for user_id in sorted(set(stored) | set(expected)):
        if stored.get(user_id) != expected.get(user_id):
            return f"user {user_id}: {stored.get(user_id)} stored, {expected.get(user_id)} expected"
    return None


def touch(user_ids: Iterable[int]) -> None:
    """Write these people's rows again when the transaction commits (after bulk statements,
    which no flush sees)."""
    db.session().info.setdefault(_NOTED, set()).update(user_ids)


def _note(session: Session, _context) -> None:
    noted = session.info.setdefault(_NOTED, set())
    for record in (*session.new, *session.dirty, *session.deleted):
        if isinstance(record, Registration) or (
            isinstance(record, UserRole) and record.role == "supervisor"
        ):
            noted.add(record.user_id)


def _write(session: Session) -> None:
    session.flush()
    noted = session.info.pop(_NOTED, set())
    if noted:
        refresh(noted)


def install() -> None:
    """Listen to every session of the app's scoped session (once per process)."""
    if not event.contains(db.session, "after_flush", _note):
        event.listen(db.session, "after_flush", _note)
        # Kept through a rollback: writing a row again from the database is never wrong,
        # and a savepoint rolled back must not drop what was noted before it.
        event.listen(db.session, "before_commit", _write)
