"""The final sign-off: an enrolment's training is complete.

Refused, listing every unmet prerequisite at once, unless
- every competency of the enrolment's framework version has a standing sign-off with a
  proficient outcome;
- the trainee's GPhC registration is registered, verified and unexpired, and their
  Level 3 qualification achieved and verified (`registration.final_signoff_prerequisites`,
  which the caller may replace, for example in tests).
The signer is held to the same rules as a competency sign-off (`signing.signer_registration`:
their own pharmacist registration standing on the day, a fresh authentication). The
completion keeps a snapshot of what the prerequisites were, of the signer's registration,
and the words of the statement, so the statement the trainee downloads never changes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models.base import utcnow
from app.models.enrolments import Enrolment
from app.models.frameworks import Competency, Domain
from app.models.registration import Registration
from app.models.signoffs import Completion
from app.models.users import User
from app.services.audit import chain as audit
from app.services.audit.digests import record_digest
from app.services.credentials import issuing
from app.services.errors import DomainError
from app.services.frameworks.labels import framework_label as label_of
from app.services.notifications import messages as notifications
from app.services.registration import gphc
from app.services.registration.qualifications import qualification_for
from app.services.registration.records import final_signoff_prerequisites
from app.services.registration.rules import QUALIFICATION_KIND_BY_KEY
from app.services.registration.signers import registration_snapshot
from app.services.rule_results import long_date
from app.services.supervision import signing, signoffs
from app.services.supervision.permissions import open_for_signing

RegistrationCheck = Callable[[int, date], list[str]]


class PrerequisitesUnmet(DomainError):
    """The final sign-off is refused; `problems` lists every unmet prerequisite."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("The training cannot be signed off as complete yet")
        self.problems = problems


def _competencies(framework_id: int) -> list[tuple[int, str, str]]:
    return list(
        db.session.execute(
            select(Competency.id, Competency.code, Competency.title)
            .join(Domain, Competency.domain_id == Domain.id)
            .where(Competency.framework_id == framework_id)
            .order_by(Domain.position, Competency.position)
        )
    )


def competency_problems(enrolment: Enrolment) -> list[str]:
    standing = signoffs.standing_by_competency(signoffs.sign_offs_for(enrolment.id))
    problems = []
    for competency_id, code, title in _competencies(enrolment.framework_id):
        record = standing.get(competency_id)
        if record is None:
            problems.append(f"{code} {title} is not signed off")
        elif not record.proficient:
            problems.append(
                f"{code} {title} is signed off as “{record.outcome_label}”, "
                "which is not a proficient outcome"
            )
    return problems


def completion_problems(
    enrolment: Enrolment,
    today: date,
    *,
    registration_check: RegistrationCheck = final_signoff_prerequisites,
) -> list[str]:
    """Every unmet prerequisite of the final sign-off; empty when it may go ahead."""
    problems = []
    if not open_for_signing(enrolment):
        problems.append(f"The enrolment is {enrolment.status}, not active")
    problems += competency_problems(enrolment)
    problems += registration_check(enrolment.trainee_id, today)
    return problems


def completion_for(enrolment_id: int) -> Completion | None:
    return db.session.scalar(select(Completion).where(Completion.enrolment_id == enrolment_id))


def completion_digest(c: Completion) -> str:
    return record_digest(
        {
            "enrolment_id": c.enrolment_id,
            "signer_id": c.signer_id,
            "signer_name": c.signer_name,
            "signer_gphc_number": c.signer_gphc_number,
            "trainee_name": c.trainee_name,
            "framework_label": c.framework_label,
            "statement": c.statement,
            "prerequisites": c.prerequisites,
            "completed_at": c.completed_at.isoformat(timespec="microseconds"),
            # Only when recorded: completions signed before snapshots keep their digest.
            **({"signer_registration": c.signer_registration} if c.signer_registration else {}),
        }
    )


def _prerequisite_snapshot(enrolment: Enrolment, today: date) -> dict:
    sign_offs = sorted(
        signoffs.standing_by_competency(signoffs.sign_offs_for(enrolment.id)).values(),
        key=lambda s: s.id,
    )
    titles = {cid: title for cid, _, title in _competencies(enrolment.framework_id)}
    registration = gphc.current_registration(enrolment.trainee_id)
    qualification = qualification_for(enrolment.trainee_id)
    kind = QUALIFICATION_KIND_BY_KEY.get(qualification.kind) if qualification else None
    return {
        "checked_on": today.isoformat(),
        "sign_offs": [
            {
                "id": s.id,
                "competency_code": s.competency_code,
                "competency_title": titles.get(s.competency_id, ""),
                "outcome": s.outcome_label,
                "signed_on": s.signed_at.date().isoformat(),
                "signer_name": s.signer_name,
                "override": s.override_justification is not None,
                "record_sha256": s.record_sha256,
            }
            for s in sign_offs
        ],
        "registration": {
            "id": registration.id,
            "number": registration.number,
            "expires_on": registration.expires_on.isoformat() if registration.expires_on else None,
        }
        if registration
        else None,
        "qualification": {
            "id": qualification.id,
            "title": (qualification.title if kind is None or kind.needs_title else kind.label),
            "achieved_on": qualification.achieved_on.isoformat()
            if qualification.achieved_on
            else None,
        }
        if qualification
        else None,
    }


def complete(
    enrolment: Enrolment,
    *,
    signer: User,
    authenticated_at: datetime | None,
    today: date,
    now: datetime | None = None,
    registration_check: RegistrationCheck = final_signoff_prerequisites,
) -> Completion:
    """Sign the enrolment off as complete, or raise PrerequisitesUnmet listing every gap."""
    now = now or utcnow()
    signing.check_fresh(authenticated_at, now)
    enrolment = signing.lock_enrolment(enrolment.id)
    if enrolment.status == "completed":
        raise DomainError("This training has already been signed off as complete")
    signed_with = signing.signer_registration(enrolment, signer, today, require_active=False)
    problems = completion_problems(enrolment, today, registration_check=registration_check)
    if problems:
        raise PrerequisitesUnmet(problems)
    completion = _completion_record(enrolment, signer, signed_with, today, now)
    db.session.add(completion)
    enrolment.status = "completed"
    try:
        db.session.flush()
    except IntegrityError:
        raise DomainError("This training has just been signed off as complete") from None
    # The Open Badges credential is part of the same transaction: both or neither.
    credential = issuing.issue_for_completion(completion, enrolment, signer=signer, now=now)
    _announce_completion(enrolment, completion, signer, issuing.audit_data(credential))
    return completion


def _completion_record(
    enrolment: Enrolment, signer: User, signed_with: Registration, today: date, now: datetime
) -> Completion:
    """The completion as signed: the statement, the snapshots and the record's digest."""
    trainee_name = enrolment.trainee.name
    # Names a provisional version as such, so the signed statement never passes it as official.
    framework_label = label_of(enrolment.framework)
    completion = Completion(
        enrolment_id=enrolment.id,
        signer_id=signer.id,
        signer_name=signer.name,
        signer_gphc_number=signed_with.number,
        signer_registration=registration_snapshot(signed_with),
        trainee_name=trainee_name,
        framework_label=framework_label,
        statement=(
            f"I confirm that {trainee_name} has completed their training against the "
            f"{framework_label}: every competency is signed off at a proficient outcome, and "
            "their GPhC registration and Level 3 qualification have been checked and verified."
        ),
        prerequisites=_prerequisite_snapshot(enrolment, today),
        completed_at=now,
    )
    completion.record_sha256 = completion_digest(completion)
    return completion


def _announce_completion(
    enrolment: Enrolment, completion: Completion, signer: User, credential: dict
) -> None:
    """Audit the completion (with the credential issued for it) and tell the trainee their
    statement is ready."""
    audit.record(
        "enrolment.completed",
        "completion",
        completion.id,
        actor=signer,
        data={
            "enrolment_id": enrolment.id,
            "sign_off_ids": [s["id"] for s in completion.prerequisites["sign_offs"]],
            "record_sha256": completion.record_sha256,
            "credential": credential,
        },
    )
    notifications.notify(
        enrolment.trainee,
        "completed",
        f"{signer.name} signed off your training as complete. "
        "You can download your completion statement.",
        notifications.path_for("supervisor.record", enrolment_id=enrolment.id),
        email_subject="Your training is signed off as complete",
        email_body=(
            "Your clinical supervisor has signed off your training as complete. "
            "Sign in to download your completion statement."
        ),
    )


# --- The statement the trainee downloads ----------------------------------------------


def statement_filename(completion: Completion) -> str:
    return f"completion-statement-{completion.enrolment_id}.txt"


def statement_text(completion: Completion) -> str:
    """A plain-text statement built only from the completion record, so it never changes."""
    p = completion.prerequisites
    lines = [
        "PCPT Portfolio: statement of completed training",
        "",
        f"Trainee:    {completion.trainee_name}",
        f"Framework:  {completion.framework_label}",
        f"Completed:  {long_date(completion.completed_at.date())} at "
        f"{completion.completed_at:%H:%M} UTC",
        f"Signed by:  {completion.signer_name}, pharmacist, "
        f"GPhC registration number {completion.signer_gphc_number}",
        "",
        "Declaration",
        f"  {completion.statement}",
        "",
        f"Competencies signed off ({len(p['sign_offs'])})",
    ]
    for s in p["sign_offs"]:
        override = " (rule overridden with a written justification)" if s["override"] else ""
        lines.append(
            f"  - {s['competency_code']} {s['competency_title']}: {s['outcome']}, signed on "
            f"{long_date(date.fromisoformat(s['signed_on']))} by {s['signer_name']}{override}"
        )
    registration = p.get("registration")
    if registration:
        expires = registration["expires_on"]
        lines += [
            "",
            f"GPhC registration: {registration['number']}"
            + (f", registered until {long_date(date.fromisoformat(expires))}" if expires else ""),
        ]
    qualification = p.get("qualification")
    if qualification:
        achieved = qualification["achieved_on"]
        lines.append(
            f"Level 3 qualification: {qualification['title']}"
            + (f", achieved {long_date(date.fromisoformat(achieved))}" if achieved else "")
        )
    lines += [
        "",
        f"Record digest (sha256): {completion.record_sha256}",
        "This statement reproduces a record kept in PCPT Portfolio, where it cannot be changed.",
        "",
    ]
    return "\n".join(lines)
