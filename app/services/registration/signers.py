"""The signer's own GPhC registration, checked as strictly as the trainee's.

Every signature (accepting an observed evidence item, a competency sign-off, its
revocation, the final sign-off, the pre-registration training declaration) needs the
signer's current registration to be on a register the signature calls for, `registered`,
started and unexpired on the day of signing (the expiry day itself still counts, as for
the trainee) and verified on the GPhC register by someone other than the signer. The
checks are the trainee's (`rules.registration_gaps`), worded for the signer.

A supervisor's registration is recorded and verified by an education lead over their
organisation or an administrator, never by themselves
(`access.may_keep_signer_registration`). What a signed record keeps is a snapshot of the
registration as it stood (`registration_snapshot`), so later changes do not alter it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    Date,
    Integer,
    bindparam,
    or_,
    select,
)

from app.extensions import db
from app.models.registration import Registration, SignerStanding
from app.models.users import User, UserRole
from app.services.accounts.organisations import subtree
from app.services.errors import DomainError
from app.services.registration.gphc import REGISTER_LABELS, current_registration
from app.services.registration.records import facts_of, registration_status_for
from app.services.registration.rules import REGISTRATION_STATUS_LABELS
from app.services.registration.signature_gates import (
    Gap,
    RegistrationFacts,
    registration_gaps,
)
from app.services.rule_results import long_date

# A competency sign-off, its revocation and the final sign-off are a pharmacist's (the
# clinical supervisor of a trainee technician is an experienced pharmacist).
SIGN_OFF_REGISTERS: tuple[str, ...] = ("pharmacist",)
# A trainee technician's work may be observed and assessed by a pharmacist or a pharmacy
# technician, and the pre-registration declaration is signed by the pharmacist or pharmacy
# technician they are directly accountable to (GPhC initial education standards, 2017).
OBSERVATION_REGISTERS: tuple[str, ...] = ("pharmacist", "pharmacy-technician")
DECLARATION_REGISTERS: tuple[str, ...] = ("pharmacist", "pharmacy-technician")

WHO_RECORDS = "your education lead or an administrator"


def register_names(registers: tuple[str, ...]) -> str:
    """'pharmacist', or 'pharmacist or pharmacy technician'."""
    return " or ".join(register.replace("-", " ") for register in registers)


def signer_registration_words(
    facts: RegistrationFacts | None,
    today: date,
    registers: tuple[str, ...],
    *,
    whose: str = "Your",
) -> list[str]:
    """Why a signer's own registration does not let them sign today: `whose` is "Your" on
    their own pages, "Their" on a lead's."""
    wanted = register_names(registers)
    words = {
        Gap.NOT_RECORDED: lambda f: "No GPhC registration is recorded",
        Gap.TRAINEE: lambda f: f"{whose} GPhC record says trainee, not registered",
        Gap.LAPSED: lambda f: f"{whose} GPhC registration is recorded as lapsed",
        Gap.REMOVED: lambda f: f"{whose} GPhC registration is recorded as removed",
        Gap.NOT_REGISTERED: lambda f: f"{whose} GPhC registration status is not 'registered'",
        Gap.NO_NUMBER: lambda f: "No GPhC registration number is recorded",
        Gap.WRONG_REGISTER: lambda f: (
            f"{whose} GPhC registration {f.number} is not on the {wanted} register, "
            "which this signature needs"
        ),
        Gap.NOT_STARTED: lambda f: (
            f"{whose} GPhC registration does not start until {long_date(f.registered_on)}"
        ),
        Gap.NO_EXPIRY: lambda f: (
            f"No expiry date is recorded for {whose.lower()} GPhC registration"
        ),
        Gap.EXPIRED: lambda f: f"{whose} GPhC registration expired on {long_date(f.expires_on)}",
        Gap.UNVERIFIED: lambda f: (
            f"{whose} GPhC registration has not been checked on the register by an education "
            "lead or an administrator"
        ),
    }
    return [words[gap](facts) for gap in registration_gaps(facts, today, registers)]


@dataclass(frozen=True)
class SignerRefusal:
    """Why the signer may not sign today, and what to do about it."""

    reasons: list[str]
    next_step: str

    @property
    def message(self) -> str:
        return f"You cannot sign. {'. '.join(self.reasons)}. {self.next_step}"


class SignerNotRegistered(DomainError):
    """The signer's own registration does not let them sign; nothing is written."""

    def __init__(self, refusal: SignerRefusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


def _next_step(gaps: list[Gap]) -> str:
    if any(gap in gaps for gap in (Gap.EXPIRED, Gap.LAPSED, Gap.REMOVED)):
        return (
            "Renew your registration with the GPhC, then ask "
            f"{WHO_RECORDS} to record the renewed registration and verify it on the "
            "GPhC register."
        )
    if gaps == [Gap.UNVERIFIED]:
        return f"Ask {WHO_RECORDS} to check your registration on the GPhC register and verify it."
    return (
        f"Ask {WHO_RECORDS} to record your GPhC registration (number, register, dates) "
        "and verify it on the GPhC register."
    )


def signer_refusal(
    signer_id: int,
    today: date,
    registers: tuple[str, ...] = SIGN_OFF_REGISTERS,
    *,
    whose: str = "Your",
) -> SignerRefusal | None:
    """Why `signer_id` may not sign on `today` for `registers`; None when they may.
    `whose="Their"` words it for the lead or administrator who keeps the registration."""
    facts = facts_of(current_registration(signer_id))
    gaps = registration_gaps(facts, today, registers)
    if not gaps:
        return None
    words = signer_registration_words(facts, today, registers, whose=whose)
    return SignerRefusal(words, _next_step(gaps))


def _technician_only(facts: RegistrationFacts, today: date) -> bool:
    return bool(registration_gaps(facts, today, SIGN_OFF_REGISTERS)) and not registration_gaps(
        facts, today, DECLARATION_REGISTERS
    )


def signs_as_technician(signer_id: int, today: date) -> bool:
    """True when the person's registration stands on the pharmacy technician register: they
    declare training periods, but competency and final sign-offs need a pharmacist, so
    that is their role rather than a registration problem to flag."""
    return _technician_only(facts_of(current_registration(signer_id)), today)


def signer_registration_problems(
    signer_id: int, today: date, registers: tuple[str, ...] = SIGN_OFF_REGISTERS
) -> list[str]:
    """Every reason the signer's registration blocks a signature today; empty when none."""
    refusal = signer_refusal(signer_id, today, registers)
    return refusal.reasons if refusal else []


def signing_registration(
    signer_id: int, today: date, registers: tuple[str, ...] = SIGN_OFF_REGISTERS
) -> Registration:
    """The registration the signer signs with today; SignerNotRegistered when none stands."""
    refusal = signer_refusal(signer_id, today, registers)
    if refusal is not None:
        raise SignerNotRegistered(refusal)
    registration = current_registration(signer_id)
    assert registration is not None  # no gaps means a registration is recorded
    return registration


def registration_snapshot(registration: Registration) -> dict:
    """The registration as it stood when a record was signed (ids and dates as text)."""
    return {
        "id": registration.id,
        "register": registration.register,
        "number": registration.number,
        "status": registration.status,
        "expires_on": registration.expires_on.isoformat() if registration.expires_on else None,
        "verified_by_id": registration.verified_by_id,
        "verified_on": registration.verified_on.isoformat() if registration.verified_on else None,
    }


def snapshot_words(snapshot: dict | None) -> str:
    """A signed record's registration, as it stood when signed, in words."""
    if not snapshot:
        return "Not kept: signed before registrations were recorded with signatures"
    register = REGISTER_LABELS.get(snapshot["register"], snapshot["register"])
    status = REGISTRATION_STATUS_LABELS.get(snapshot["status"], snapshot["status"]).lower()
    words = f"{register} register, number {snapshot['number']}, {status}"
    if snapshot.get("expires_on"):
        words += f", expiring on {long_date(date.fromisoformat(snapshot['expires_on']))}"
    if snapshot.get("verified_on"):
        words += f"; verified on {long_date(date.fromisoformat(snapshot['verified_on']))}"
    return words


# --- For the lead's dashboard -----------------------------------------------------------


@dataclass(frozen=True)
class BlockedSigner:
    """A supervisor whose own registration stops every signature of theirs today."""

    user_id: int
    name: str
    reasons: list[str]


@dataclass(frozen=True)
class BlockedSigners:
    """Those listed, by name, and whether more were left out (`blocked_signers_for`)."""

    listed: list[BlockedSigner]
    more: bool

    def __bool__(self) -> bool:
        return bool(self.listed)


# How many supervisors who may not sign are judged at once (most of them are blocked).
JUDGED_AT_ONCE = 25


def blocked_signers_for(
    viewer: User, today: date, *, within: int | None = None, limit: int | None = None
) -> BlockedSigners:
    """The active supervisors inside a lead's organisation (and inside `within`, an
    organisation the lead chose, when given) whose registration blocks signing (for a
    sign-off: the pharmacist register; a pharmacy technician whose registration stands
    is not blocked, only not a sign-off signer), by name: at most `limit` of them, and
    whether there are more.

    The database leaves out everyone whose latest registration stands for a sign-off
    today (`signer_standing.standing_span`, the same checks as `registration_gaps`), so
    only the few others are read, and judged here a batch at a time, by the rules every
    signature uses, until `limit` are found: 2 queries for a short list, however many
    supervisors the organisation has."""
    if not viewer.has_role("lead") or viewer.organisation_id is None:
        return BlockedSigners([], more=False)
    people = db.session.execute(
        _CANDIDATE_SIGNERS,
        {"root_id": viewer.organisation_id, "within_id": within or viewer.organisation_id,
         "today": today},
    ).all()  # fmt: skip
    wanted = len(people) if limit is None else limit
    blocked: list[BlockedSigner] = []
    for start in range(0, len(people), JUDGED_AT_ONCE):
        blocked.extend(_judged(people[start : start + JUDGED_AT_ONCE], today))
        if len(blocked) > wanted:
            break
    return BlockedSigners(blocked[:wanted], more=len(blocked) > wanted)


def _judged(people: list, today: date) -> list[BlockedSigner]:
    """Those of `people` (id, name) whose registration blocks a sign-off (1 query)."""
    statuses = registration_status_for([user_id for user_id, _ in people], today)
    blocked = []
    for user_id, name in people:
        facts = facts_of(statuses[user_id].registration)  # type: ignore[arg-type]
        if registration_gaps(facts, today, SIGN_OFF_REGISTERS) and not _technician_only(
            facts, today
        ):
            words = signer_registration_words(facts, today, SIGN_OFF_REGISTERS, whose="Their")
            blocked.append(BlockedSigner(user_id, name, words))
    return blocked


# The active supervisors inside the subtrees of `root_id` (the lead's) and `within_id` (the
# one chosen, or the lead's again) whose latest registration does not stand for a sign-off
# on `today`, by name: the rows of `signer_standings` (`signer_standing`) whose span misses
# the day, an index range. Built once: only the organisations and the day change.
_SUBTREE = subtree(bindparam("root_id", type_=Integer), "scope_tree")
_WITHIN = subtree(bindparam("within_id", type_=Integer), "within_tree")
_TODAY = bindparam("today", type_=Date)
_CANDIDATE_SIGNERS = (
    select(User.id, User.name)
    .join(SignerStanding, SignerStanding.user_id == User.id)
    .join(UserRole, UserRole.user_id == User.id)
    .where(
        or_(
            SignerStanding.stands_from.is_(None),
            SignerStanding.stands_from > _TODAY,
            SignerStanding.stands_until < _TODAY,
        ),
        UserRole.role == "supervisor",
        User.active.is_(True),
        User.organisation_id.in_(select(_SUBTREE.c.id)),
        User.organisation_id.in_(select(_WITHIN.c.id)),
    )
    .order_by(User.name, User.id)
)
