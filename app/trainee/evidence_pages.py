"""What an evidence item's pages show (one version, its history, its files), shared by the
evidence and the attachment views."""

from __future__ import annotations

from flask import render_template

from app.models.evidence import Evidence, EvidenceVersion
from app.services.assessments.parts import can_be_requested
from app.services.portfolio import evidence as evidence_service
from app.services.portfolio.access import audience
from app.services.portfolio.content import changed_fields, form_of
from app.services.storage import quota as storage_quota
from app.trainee import display
from app.trainee.forms import AttachmentForm, ConfirmForm


def version_of(evidence: Evidence, number: int) -> EvidenceVersion | None:
    return next((v for v in evidence.versions if v.number == number), None)


def version_context(evidence: Evidence, version: EvidenceVersion) -> dict:
    """What shows one version: its answers, links, files and what changed from the one before."""
    definition = form_of(evidence.evidence_type)
    return {
        "version": version,
        "sections": display.answer_sections(
            definition, version.title, version.occurred_on, version.fields
        ),
        "assessment": display.assessment_summary(definition, version),
        "version_attachments": [
            a for a in evidence.attachments if a.version_number <= version.number
        ],
        "history": [
            {
                "version": v,
                "changes": display.change_labels(definition, changes_in(evidence, v)),
            }
            for v in reversed(evidence.versions)
        ],
    }


def changes_in(evidence: Evidence, version: EvidenceVersion) -> list[str]:
    previous = version_of(evidence, version.number - 1)
    return changed_fields(previous, version) if previous else []


def detail_page(evidence: Evidence, attach_form: AttachmentForm | None = None):
    current = version_of(evidence, evidence.current_version_number)
    return render_template(
        "trainee/evidence_detail.jinja",
        title=f"{evidence.title} ({evidence.evidence_type.label})",
        evidence=evidence,
        form=attach_form or AttachmentForm(),
        confirm_form=ConfirmForm(),
        can_delete=evidence_service.deletable(evidence),
        can_ask_assessor=can_be_requested(evidence.evidence_type),
        storage=storage_quota.usage_for(evidence.enrolment.trainee_id),
        audience=audience(evidence),
        # What others see of it, and what counts: see `Evidence.shared_version_number`.
        shared_version=evidence.shared_version_number,
        counted_version=evidence.accepted_version_number,
        **version_context(evidence, current),
    )
