"""Revalidation for registered pharmacy technicians: the year's records, the readiness
panel built on the pure rules in `revalidation_rules`, and the year's printable export.
The questions each kind of record asks, and drafting a record from an evidence item, are
in `revalidation_questions`; exceptional circumstances in `exceptional_circumstances`.

A record belongs to the registration year its date falls in. The current year comes
from the current registration's expiry; records are only added to that year.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models.registration import (
    ExceptionalCircumstances,
    Registration,
    RevalidationRecord,
)
from app.models.users import User
from app.services.audit import chain as audit
from app.services.audit.digests import record_digest
from app.services.errors import DomainError, NotFound
from app.services.registration.exceptional_circumstances import (
    exceptional_circumstances_for,
    gphc_agreed,
)
from app.services.registration.exceptional_circumstances import (
    record_exceptional_circumstances as record_exceptional_circumstances,
)
from app.services.registration.exceptional_circumstances import (
    record_gphc_agreement as record_gphc_agreement,
)
from app.services.registration.exceptional_circumstances import (
    withdraw_exceptional_circumstances as withdraw_exceptional_circumstances,
)
from app.services.registration.revalidation_questions import (
    RECORD_KINDS,
)
from app.services.registration.revalidation_rules import (
    GPHC_STANDARDS,
    CpdEntry,
    PeerDeclaration,
    PeerDiscussionEntry,
    ReflectiveAccountEntry,
    RevalidationReadiness,
    RevalidationRecords,
    RevalidationYear,
    format_days_left,
    peer_declaration_problems,
    revalidation_readiness,
)
from app.services.registration.revalidation_years import current_year as current_year
from app.services.registration.revalidation_years import year_or_refuse
from app.services.registration.settings import (
    STANDARDS_SETTING,
    renewal_rules,
    required_standards,
    revalidation_rules,
)
from app.services.rule_results import long_date

MAX_ANSWER = 10_000


@dataclass(frozen=True)
class RecordInput:
    kind: str
    title: str
    occurred_on: date | None
    answers: Mapping[str, str]
    standards: tuple[int, ...] = ()
    peer: PeerDeclaration | None = None
    copied_from_evidence_id: int | None = None


def records_between(user_id: int, starts_on: date, ends_on: date) -> list[RevalidationRecord]:
    return list(
        db.session.scalars(
            select(RevalidationRecord)
            .where(
                RevalidationRecord.user_id == user_id,
                RevalidationRecord.occurred_on >= starts_on,
                RevalidationRecord.occurred_on <= ends_on,
            )
            .order_by(RevalidationRecord.occurred_on, RevalidationRecord.id)
        )
    )


def _clean_record(data: RecordInput, year: RevalidationYear, today: date) -> dict:
    kind = RECORD_KINDS.get(data.kind)
    if kind is None:
        raise DomainError("Choose the kind of record", "kind")
    title = " ".join((data.title or "").split())
    if not title:
        raise DomainError("Give the record a title", "title")
    if len(title) > 200:
        raise DomainError("The title must be 200 characters or fewer", "title")
    if data.occurred_on is None:
        raise DomainError("Enter the date of the activity", "occurred_on")
    if data.occurred_on > today:
        raise DomainError("The date cannot be in the future", "occurred_on")
    if not year.contains(data.occurred_on):
        raise DomainError(
            f"The date must fall within this registration year, {long_date(year.starts_on)} "
            f"to {long_date(year.ends_on)}",
            "occurred_on",
        )
    answers: dict[str, str] = {}
    for prompt in kind.prompts:
        answer = (data.answers.get(prompt.name) or "").strip()
        if not answer:
            raise DomainError("Answer this question", prompt.name)
        if len(answer) > MAX_ANSWER:
            raise DomainError(f"Keep the answer to {MAX_ANSWER:,} characters or fewer", prompt.name)
        answers[prompt.name] = answer
    standards: list[int] = []
    if kind.key == "reflective-account":
        standards = sorted(set(data.standards))
        if not standards:
            raise DomainError("Choose the standards the account addresses", "standards")
        if not set(standards) <= set(GPHC_STANDARDS):
            raise DomainError("Choose standards from the list", "standards")
    peer = None
    if kind.key == "peer-discussion":
        given = data.peer or PeerDeclaration("", "", False, False, False)
        peer = {
            "peer_name": " ".join(given.peer_name.split())[:200],
            "peer_role": " ".join(given.peer_role.split())[:200],
            "not_a_relative": bool(given.not_a_relative),
            "not_a_partner": bool(given.not_a_partner),
            "no_conflict_of_interest": bool(given.no_conflict_of_interest),
        }
        if not peer["peer_name"]:
            raise DomainError("Give the peer's name", "peer_name")
        if not peer["peer_role"]:
            raise DomainError("Give the peer's role", "peer_role")
    return {
        "kind": kind.key,
        "title": title,
        "occurred_on": data.occurred_on,
        "fields": answers,
        "standards": standards,
        "peer_declaration": peer,
    }


def add_record(person: User, data: RecordInput, *, actor: User, today: date) -> RevalidationRecord:
    """Add a record to the person's current registration year (their own records only)."""
    if actor.id != person.id:
        raise DomainError("Only the registrant can add their revalidation records")
    _, year = year_or_refuse(person.id)
    values = _clean_record(data, year, today)
    record = RevalidationRecord(
        user_id=person.id,
        year_ends_on=year.ends_on,
        copied_from_evidence_id=data.copied_from_evidence_id,
        **values,
    )
    db.session.add(record)
    db.session.flush()
    audit.record(
        "revalidation.record_added",
        "revalidation_record",
        record.id,
        actor=actor,
        data={
            "user_id": person.id,
            "kind": record.kind,
            "year_ends_on": year.ends_on.isoformat(),
            "copied_from_evidence_id": data.copied_from_evidence_id,
            "digest": record_digest(values),
        },
    )
    return record


def delete_record(person: User, record_id: int, *, actor: User) -> None:
    if actor.id != person.id:
        raise DomainError("Only the registrant can remove their revalidation records")
    record = db.session.scalar(
        select(RevalidationRecord).where(
            RevalidationRecord.id == record_id, RevalidationRecord.user_id == person.id
        )
    )
    if record is None:
        raise NotFound("That record is not in your revalidation records")
    db.session.delete(record)
    db.session.flush()
    audit.record(
        "revalidation.record_deleted",
        "revalidation_record",
        record_id,
        actor=actor,
        data={"user_id": person.id},
    )


# --- Readiness ----------------------------------------------------------------------------


def peer_declaration_of(record: RevalidationRecord) -> PeerDeclaration | None:
    if record.peer_declaration is None:
        return None
    return PeerDeclaration(**record.peer_declaration)


def _rule_records(records: list[RevalidationRecord]) -> RevalidationRecords:
    cpd, peers, accounts = [], [], []
    for record in records:
        if record.kind in ("cpd-planned", "cpd-unplanned"):
            cpd.append(CpdEntry(record.occurred_on, record.kind == "cpd-planned"))
        elif record.kind == "peer-discussion":
            declaration = peer_declaration_of(record) or PeerDeclaration(
                "", "", False, False, False
            )
            peers.append(PeerDiscussionEntry(record.occurred_on, declaration))
        else:
            accounts.append(
                ReflectiveAccountEntry(record.occurred_on, frozenset(record.standards or ()))
            )
    return RevalidationRecords(cpd, peers, accounts)


@dataclass(frozen=True)
class RevalidationPanel:
    registration: Registration
    readiness: RevalidationReadiness
    records: list[RevalidationRecord]
    exceptional: ExceptionalCircumstances | None
    required_standards: frozenset[int]

    @property
    def year(self) -> RevalidationYear:
        return self.readiness.year

    @property
    def exceptional_agreed(self) -> bool:
        return gphc_agreed(self.exceptional)

    @property
    def standards_note(self) -> str | None:
        """Why readiness could not be checked, naming the setting; None once configured."""
        if self.readiness.standards_checked:
            return None
        return (
            "The standards a reflective account must address for this registration year are "
            "not configured, so whether this year is ready to submit could not be checked. "
            f"An administrator sets them in the {STANDARDS_SETTING} setting. A secondary "
            "source reports that from 2026 an account may address any of the nine standards; "
            "that applies here only once an administrator confirms it in the setting "
            f"(for example {STANDARDS_SETTING}=2026-01-01:1,2,3,4,5,6,7,8,9)."
        )

    @property
    def days_left_text(self) -> str:
        return format_days_left(self.readiness.days_left, self.readiness.deadline)


def revalidation_for(user_id: int, today: date) -> RevalidationPanel | None:
    """The readiness panel for the current year; None until the person is registered."""
    found = current_year(user_id)
    if found is None:
        return None
    registration, year = found
    records = records_between(user_id, year.starts_on, year.ends_on)
    exceptional = exceptional_circumstances_for(user_id, year.ends_on)
    standards = required_standards(year.ends_on)
    readiness = revalidation_readiness(
        _rule_records(records),
        expires_on=registration.expires_on,
        today=today,
        required_standards=standards,
        exceptional_circumstances=gphc_agreed(exceptional),
        rules=revalidation_rules(),
        renewal_rules=renewal_rules(),
    )
    return RevalidationPanel(registration, readiness, records, exceptional, standards)


def record_problems(record: RevalidationRecord, standards: frozenset[int]) -> list[str]:
    """Why a record does not count toward the rule, for the records list."""
    if record.kind == "peer-discussion":
        declaration = peer_declaration_of(record)
        return peer_declaration_problems(declaration) if declaration else ["No peer details"]
    addressed = set(record.standards or ())
    if record.kind == "reflective-account" and standards and not addressed & standards:
        return ["It does not address a standard named for this period"]
    return []


# --- The printable year -------------------------------------------------------------------


@dataclass(frozen=True)
class ExportedRecord:
    record: RevalidationRecord
    kind_label: str
    answers: list[tuple[str, str]]  # (question, answer) in the form's order
    standards: list[str]
    peer: PeerDeclaration | None


@dataclass(frozen=True)
class YearExport:
    person: User
    registration: Registration
    year: RevalidationYear
    panel: RevalidationPanel
    records: list[ExportedRecord]


def year_export(person: User, today: date) -> YearExport | None:
    """The current year's records in the order the regulator's form asks for them."""
    panel = revalidation_for(person.id, today)
    if panel is None:
        return None
    exported = []
    for kind in RECORD_KINDS.values():
        for record in panel.records:
            if record.kind != kind.key:
                continue
            exported.append(
                ExportedRecord(
                    record,
                    kind.label,
                    [(p.label, (record.fields or {}).get(p.name, "")) for p in kind.prompts],
                    [f"{n}. {GPHC_STANDARDS[n]}" for n in record.standards or ()],
                    peer_declaration_of(record),
                )
            )
    return YearExport(person, panel.registration, panel.year, panel, exported)
