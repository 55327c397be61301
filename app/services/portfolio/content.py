"""What an evidence version holds: checked answers, competency links, and its digest.

Everything here validates or describes content; nothing changes an item's state.
The lifecycle in `app.services.portfolio.evidence` calls these before it changes anything.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import date

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models.enrolments import Enrolment
from app.models.evidence import Evidence, EvidenceLink, EvidenceVersion
from app.models.frameworks import Competency, EvidenceType
from app.services.assessments.parts import trainee_part
from app.services.clock import uk_today
from app.services.errors import DomainError
from app.services.portfolio.assessment_forms import FormDefinition, clean_answers, form_for
from app.services.portfolio.assessment_scales import COMPLETED_BY_FIELD, assessment_of
from app.services.portfolio.patient_data import Finding, scan_text

DEFAULT_MAX_LINKS = 5
NOTE_MAX = 500

# A link request: a competency (or its code in the enrolment's framework) and the note
# saying how the evidence shows it.
LinkRequest = tuple[Competency | str, str | None]


class PatientDataWarning(DomainError):
    """Text looks like it may identify a patient; save again with `confirmed=True` if not."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__(findings[0].message, findings[0].field)
        self.findings = findings


def form_of(evidence_type: EvidenceType) -> FormDefinition:
    """The form an evidence type's items are recorded on."""
    return form_for(evidence_type.code, observed=evidence_type.observed)


def evidence_type_for(enrolment: Enrolment, code: str) -> EvidenceType:
    """The enrolment's framework's evidence type with this code."""
    found = db.session.scalar(
        select(EvidenceType).where(
            EvidenceType.framework_id == enrolment.framework_id, EvidenceType.code == code
        )
    )
    if found is None:
        raise DomainError("Choose a type of evidence your framework lists", "type")
    return found


def _max_links(max_links: int | None) -> int:
    if max_links is not None:
        return max_links
    return int(current_app.config.get("MAX_COMPETENCY_LINKS", DEFAULT_MAX_LINKS))


def resolve_links(
    enrolment: Enrolment, links: Sequence[LinkRequest], max_links: int
) -> list[tuple[Competency, str]]:
    """The competencies to link, with trimmed notes: 1 to `max_links`, all in the framework."""
    if not links:
        raise DomainError("Link this evidence to at least one competency", "competencies")
    if len(links) > max_links:
        raise DomainError(
            f"Link at most {max_links} competencies: choose the ones this evidence shows best",
            "competencies",
        )
    codes = [c for c, _ in links if isinstance(c, str)]
    by_code = {}
    if codes:
        by_code = {
            c.code: c
            for c in db.session.scalars(
                select(Competency).where(
                    Competency.framework_id == enrolment.framework_id, Competency.code.in_(codes)
                )
            )
        }
    resolved: list[tuple[Competency, str]] = []
    for wanted, note in links:
        competency = by_code.get(wanted) if isinstance(wanted, str) else wanted
        if competency is None:
            raise DomainError(f"{wanted} is not a competency in your framework", "competencies")
        if competency.framework_id != enrolment.framework_id:
            raise DomainError(
                f"{competency.code} belongs to a different framework version from yours",
                "competencies",
            )
        if any(c.id == competency.id for c, _ in resolved):
            raise DomainError(f"{competency.code} is linked twice", "competencies")
        note = (note or "").strip()
        if len(note) > NOTE_MAX:
            raise DomainError(
                f"Keep the note for {competency.code} to {NOTE_MAX} characters or fewer",
                f"note:{competency.code}",
            )
        resolved.append((competency, note))
    return resolved


def _texts_to_guard(
    form: FormDefinition, values: Mapping[str, object], links: list[tuple[Competency, str]]
) -> list[tuple[str, object]]:
    texts = [
        (spec.name, values[spec.name])
        for spec in form.fields
        if spec.kind in ("text", "long_text") and spec.name in values
    ]
    texts += [(f"note:{competency.code}", note) for competency, note in links if note]
    return texts


def guard_patient_data(
    texts: Sequence[tuple[str, object]], *, confirmed: bool, today: date
) -> None:
    """Refuse a valid NHS number; refuse other identifiers unless the trainee confirmed."""
    findings = [
        f
        for field, text in texts
        if isinstance(text, str)
        for f in scan_text(text, field, today=today)
    ]
    blocking = [f for f in findings if f.blocking]
    if blocking:
        raise DomainError(blocking[0].message, blocking[0].field)
    if findings and not confirmed:
        raise PatientDataWarning(findings)


def prepare_content(
    enrolment: Enrolment,
    evidence_type: EvidenceType,
    answers: Mapping[str, object],
    links: Sequence[LinkRequest],
    *,
    max_links: int | None,
    confirmed: bool,
    today: date | None,
) -> tuple[dict[str, object], list[tuple[Competency, str]]]:
    today = today or uk_today()
    form = form_of(evidence_type)
    if form.has_assessor and answers.get(COMPLETED_BY_FIELD) == "assessor":
        # The assessor fills in the rest through a request; the trainee may not.
        form = trainee_part(form)
    values = clean_answers(form, answers, today=today)
    resolved = resolve_links(enrolment, links, _max_links(max_links))
    guard_patient_data(_texts_to_guard(form, values, resolved), confirmed=confirmed, today=today)
    return values, resolved


# --- Content digests ---------------------------------------------------------------


def content_digest(
    type_code: str,
    title: str,
    occurred_on: date,
    fields: Mapping[str, object],
    links: Sequence[tuple[str, str]],
    attachment_hashes: Sequence[str],
) -> str:
    """sha256 of the canonical JSON of a version's content, so any later change shows."""
    content = {
        "evidence_type": type_code,
        "title": title,
        "occurred_on": occurred_on.isoformat(),
        "fields": dict(fields),
        "links": [{"competency": code, "note": note} for code, note in sorted(links)],
        "attachments": sorted(attachment_hashes),
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def version_digest(evidence: Evidence, version: EvidenceVersion) -> str:
    return content_digest(
        evidence.evidence_type.code,
        version.title,
        version.occurred_on,
        version.fields,
        [(link.competency.code, link.note) for link in version.links],
        [a.sha256 for a in evidence.attachments if a.version_number <= version.number],
    )


def set_content(
    version: EvidenceVersion,
    values: Mapping[str, object],
    links: list[tuple[Competency, str]],
    form: FormDefinition,
) -> None:
    version.title = str(values["title"])
    version.occurred_on = date.fromisoformat(str(values["occurred_on"]))
    version.fields = {k: v for k, v in values.items() if k not in ("title", "occurred_on")}
    version.judgement, version.rating_level = assessment_of(form, values)
    # Update links in place: deleting and re-adding one competency in a single flush
    # would trip the unique constraint, since the unit of work inserts before it deletes.
    wanted = {competency.id: (competency, note) for competency, note in links}
    for link in list(version.links):
        if link.competency_id in wanted:
            link.note = wanted.pop(link.competency_id)[1]
        else:
            version.links.remove(link)
    for competency, note in wanted.values():
        version.links.append(EvidenceLink(competency=competency, note=note))


def changed_fields(older: EvidenceVersion, newer: EvidenceVersion) -> list[str]:
    """Names of what differs between two versions of one item, for a "what changed" line."""
    changed = [
        name for name in ("title", "occurred_on") if getattr(older, name) != getattr(newer, name)
    ]
    keys = sorted(set(older.fields) | set(newer.fields))
    changed += [k for k in keys if older.fields.get(k) != newer.fields.get(k)]
    if {(lk.competency_id, lk.note) for lk in older.links} != {
        (lk.competency_id, lk.note) for lk in newer.links
    }:
        changed.append("competencies")
    attachments_of = {
        n: {a.id for a in older.evidence.attachments if a.version_number <= n}
        for n in (older.number, newer.number)
    }
    if attachments_of[older.number] != attachments_of[newer.number]:
        changed.append("attachments")
    return changed
