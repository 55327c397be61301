"""Programme status on an enrolment: pathway status (with an exemption document), WTE,
protected learning days planned and used, funding and Agenda for Change band. Leads'
exports read these; admins and leads (for their organisation) change them.

Protected learning time: the pathway asks employers for 28 days (`PROTECTED_LEARNING_DAYS`).
A warning shows when fewer are planned, or when fewer are used than a straight line from
none at the start to all of them at the expected end stands at today (rounded down to the
tenth of a day the days are recorded in), and when more than the allowance are used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models.base import utcnow
from app.models.enrolments import Enrolment
from app.models.users import User
from app.services.audit import chain as audit
from app.services.audit.digests import record_digest
from app.services.clock import uk_today
from app.services.errors import DomainError
from app.services.registration.access import leads_organisation_of
from app.services.registration.settings import minimum_wte, protected_learning_days
from app.services.rule_results import format_number, long_date
from app.services.storage.documents import Upload, discard, store_document

PATHWAY_STATUS_LABELS = {
    "enrolled": "Enrolled",
    "in-progress": "In progress",
    "completed": "Completed",
    "exempt": "Exempt",
}
FUNDING_LABELS = {
    "arrs": "Additional Roles Reimbursement Scheme (ARRS)",
    "other": "Other funding",
}
AFC_BANDS = ("2", "3", "4", "5", "6", "7", "8a", "8b", "8c", "8d", "9")
MAX_DAYS = Decimal(366)


@dataclass(frozen=True)
class ProgrammeStatusChange:
    pathway_status: str
    wte: Decimal | None
    protected_learning_days_used: Decimal
    funding: str | None
    afc_band: str | None
    protected_learning_days_planned: Decimal | str | None = None


def enrolment_for_manager(actor: User, enrolment_id: int) -> Enrolment | None:
    """The enrolment when `actor` may manage it (admins: any; leads: their subtree)."""
    enrolment = db.session.scalar(
        select(Enrolment)
        .where(Enrolment.id == enrolment_id)
        .options(joinedload(Enrolment.trainee), joinedload(Enrolment.framework))
    )
    if enrolment is None or not may_manage(actor, enrolment):
        return None
    return enrolment


def may_manage(actor: User, enrolment: Enrolment) -> bool:
    """Admins manage any enrolment's programme status; a lead, those of the trainees in
    their organisation's subtree."""
    return actor.has_role("admin") or leads_organisation_of(actor, enrolment.trainee)


def _decimal(value: Decimal | str | None, places: str, field: str, message: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise DomainError(message, field) from None
    if not number.is_finite() or number != number.quantize(Decimal(places)):
        raise DomainError(message, field)
    return number.quantize(Decimal(places))


def _clean(change: ProgrammeStatusChange) -> ProgrammeStatusChange:
    if change.pathway_status not in PATHWAY_STATUS_LABELS:
        raise DomainError("Choose the pathway status", "pathway_status")
    wte = _decimal(
        change.wte, "0.01", "wte", "Enter the WTE as a number like 1 or 0.6, to two decimal places"
    )
    if wte is not None and not Decimal(0) < wte <= Decimal(1):
        raise DomainError("WTE is more than 0 and at most 1 (full time)", "wte")
    days = _decimal(
        change.protected_learning_days_used,
        "0.1",
        "protected_learning_days_used",
        "Enter the days as a number like 3 or 2.5",
    )
    days = Decimal(0) if days is None else days
    if not Decimal(0) <= days <= MAX_DAYS:
        raise DomainError(
            "Protected learning days used must be between 0 and 366", "protected_learning_days_used"
        )
    planned = _decimal(
        change.protected_learning_days_planned,
        "0.1",
        "protected_learning_days_planned",
        "Enter the days planned as a number like 28 or 27.5",
    )
    if planned is not None and not Decimal(0) <= planned <= MAX_DAYS:
        raise DomainError(
            "Protected learning days planned must be between 0 and 366",
            "protected_learning_days_planned",
        )
    funding = change.funding or None
    if funding is not None and funding not in FUNDING_LABELS:
        raise DomainError("Choose how the post is funded", "funding")
    band = change.afc_band or None
    if band is not None and band not in AFC_BANDS:
        raise DomainError("Choose an Agenda for Change band from the list", "afc_band")
    return ProgrammeStatusChange(change.pathway_status, wte, days, funding, band, planned)


def _values(row: Enrolment | ProgrammeStatusChange) -> dict:
    wte = row.wte
    days = row.protected_learning_days_used
    planned = row.protected_learning_days_planned
    return {
        "pathway_status": row.pathway_status,
        "wte": None if wte is None else Decimal(wte).quantize(Decimal("0.01")),
        "protected_learning_days_used": Decimal(days or 0).quantize(Decimal("0.1")),
        "protected_learning_days_planned": None
        if planned is None
        else Decimal(planned).quantize(Decimal("0.1")),
        "funding": row.funding,
        "afc_band": row.afc_band,
    }


def update_programme_status(
    enrolment: Enrolment,
    change: ProgrammeStatusChange,
    *,
    actor: User,
    exemption_document: Upload | None = None,
    upload_dir: str | Path = "",
    max_bytes: int = 0,
) -> str | None:
    """Change the programme status; returns a replaced document's key to delete after commit."""
    if enrolment_for_manager(actor, enrolment.id) is None:
        raise DomainError("You cannot change this enrolment's programme status")
    cleaned = _clean(change)
    if (
        cleaned.pathway_status == "exempt"
        and exemption_document is None
        and not enrolment.exemption_storage_key
    ):
        raise DomainError("Upload the document that grants the exemption", "exemption_document")
    if _values(enrolment) == _values(cleaned) and exemption_document is None:
        raise DomainError("These are the details already recorded, so nothing has changed")
    document = None
    if exemption_document is not None:
        document = store_document(
            exemption_document,
            upload_dir=upload_dir,
            max_bytes=max_bytes,
            field="exemption_document",
        )
    try:
        replaced = None
        for name, value in _values(cleaned).items():
            setattr(enrolment, name, value)
        if document is not None:
            replaced = enrolment.exemption_storage_key
            enrolment.exemption_storage_key = document.storage_key
            enrolment.exemption_sha256 = document.sha256
            enrolment.exemption_size_bytes = document.size_bytes
            enrolment.exemption_media_type = document.media_type
            enrolment.exemption_filename = document.filename
        enrolment.programme_updated_at = utcnow()
        db.session.flush()
        audit.record(
            "enrolment.programme_status_changed",
            "enrolment",
            enrolment.id,
            actor=actor,
            data={
                "pathway_status": cleaned.pathway_status,
                "digest": record_digest(_values(cleaned)),
                "exemption_sha256": document.sha256 if document else None,
            },
        )
    except BaseException:
        if document is not None:
            discard(upload_dir, document.storage_key)
        raise
    return replaced


def expected_protected_days(
    started_on: date, expected_end_on: date, today: date, allowance: int
) -> Decimal:
    """The protected learning days a straight line from none at the start to `allowance`
    at the expected end stands at today, rounded down to a tenth of a day."""
    duration = (expected_end_on - started_on).days
    elapsed = (today - started_on).days
    if duration <= 0 or elapsed >= duration:
        return Decimal(allowance)
    if elapsed <= 0:
        return Decimal(0)
    return (Decimal(allowance) * elapsed / duration).quantize(Decimal("0.1"), ROUND_FLOOR)


def protected_time_warnings(enrolment: Enrolment, today: date) -> list[str]:
    """Protected learning time planned or used below the allowance, or used above it."""
    allowance = protected_learning_days()
    used = Decimal(enrolment.protected_learning_days_used or 0)
    planned = enrolment.protected_learning_days_planned
    warnings = []
    if enrolment.pathway_status != "exempt":
        if planned is not None and Decimal(planned) < allowance:
            warnings.append(
                f"{format_number(Decimal(planned))} protected learning days planned: fewer than "
                f"the {allowance} days the pathway asks for"
            )
        end = enrolment.expected_end_on
        expected = expected_protected_days(enrolment.started_on, end, today, allowance)
        if used < expected and expected == allowance:
            warnings.append(
                f"{format_number(used)} protected learning days used: fewer than the "
                f"{allowance} days by the expected end on {long_date(end)}"
            )
        elif used < expected:
            warnings.append(
                f"{format_number(used)} protected learning days used: fewer than the "
                f"{format_number(expected)} expected by now, on the way to {allowance} by "
                f"the expected end on {long_date(end)}"
            )
    if used > allowance:
        warnings.append(
            f"{format_number(used)} protected learning days used: more than the "
            f"{allowance} days allowed"
        )
    return warnings


def programme_warnings(enrolment: Enrolment, today: date | None = None) -> list[str]:
    """Things a lead should look at; none of them stops a change being saved."""
    warnings = []
    floor = minimum_wte()
    if enrolment.wte is None:
        warnings.append("The whole-time equivalent (WTE) is not recorded")
    elif Decimal(enrolment.wte) < floor:
        warnings.append(
            f"{format_number(Decimal(enrolment.wte))} WTE is below the "
            f"{format_number(floor)} WTE the pathway asks for in a patient-facing role"
        )
    warnings += protected_time_warnings(enrolment, today or uk_today())
    if enrolment.pathway_status == "exempt" and not enrolment.exemption_storage_key:
        warnings.append("Exempt, but no exemption document is stored")
    return warnings
