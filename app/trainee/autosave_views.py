"""Saving the evidence form as the trainee types, and sending notes written offline.

The browser's script posts the same fields as the form (CSRF token included) and gets
JSON back: `{"saved": true, "evidence_id": ...}`, or `{"saved": false}` with the message
and the field errors the form would show. The evidence services decide everything, exactly as
for the form; nothing here is a rule of its own.
"""

from __future__ import annotations

from flask import abort, jsonify, url_for
from flask_wtf import FlaskForm

from app.auth.current import me
from app.extensions import db
from app.form_fields import error_anchor
from app.models.enrolments import Enrolment
from app.models.evidence import Evidence
from app.permissions import roles
from app.services.errors import DomainError
from app.services.portfolio import drafts
from app.services.portfolio.content import PatientDataWarning, evidence_type_for
from app.services.portfolio.form_answers import FormInvalid
from app.trainee.blueprint import bp
from app.trainee.evidence_editor import EvidenceEditor
from app.trainee.loading import own_evidence_or_404, with_enrolment


def _saved(evidence_id: int):
    return jsonify(
        {
            "saved": True,
            "evidence_id": evidence_id,
            "edit_url": url_for(".evidence_edit", evidence_id=evidence_id),
            "detail_url": url_for(".evidence_detail", evidence_id=evidence_id),
        }
    )


def _refused(form: FlaskForm, editor: EvidenceEditor, error: DomainError | None = None):
    """What the form page would say: one message, and each field's error. Answered with
    200, like the form page showing its errors: the request worked, the draft was not saved."""
    fields = {error_anchor(f): f.errors[0] for f in form if f.errors}
    if isinstance(error, PatientDataWarning):
        message = "Check this does not identify a patient: " + "; ".join(
            w["text"] for w in editor.warnings
        )
    elif error is not None and not isinstance(error, FormInvalid):
        message = error.message
    else:
        message = next(iter(fields.values()), None) or "Check the answers marked with an error"
    return jsonify(
        {
            "saved": False,
            "message": message,
            "fields": fields,
            "patient_data_warning": isinstance(error, PatientDataWarning),
        }
    )


@bp.route("/evidence/new/<type_code>/autosave", methods=["POST"])
@roles("trainee")
@with_enrolment(adding=True)
def evidence_autosave_new(enrolment: Enrolment, type_code: str):
    try:
        evidence_type = evidence_type_for(enrolment, type_code)
    except DomainError:
        abort(404)
    editor = EvidenceEditor(enrolment, evidence_type, new=True)
    form = editor.form()
    if not editor.checked(form):
        return _refused(form, editor)
    if not form.client_key.data:
        return _refused(form, editor, DomainError("Reload the page to save as you type"))
    try:
        evidence = editor.save_new(form)
    except DomainError as error:
        editor.refused(form, error)
        return _refused(form, editor, error)
    evidence_id = evidence.id  # read before the commit expires it
    db.session.commit()
    return _saved(evidence_id)


@bp.route("/evidence/<int:evidence_id>/autosave", methods=["POST"])
@roles("trainee")
def evidence_autosave(evidence_id: int):
    evidence: Evidence = own_evidence_or_404(evidence_id)
    editor = EvidenceEditor(evidence.enrolment, evidence.evidence_type, new=False)
    form = editor.form()
    if not editor.checked(form):
        return _refused(form, editor)
    try:
        drafts.save_typed(
            evidence,
            editor.answers(form),
            editor.links(form),
            actor=me(),
            confirmed=form.confirm_no_patient.data,
        )
    except DomainError as error:
        editor.refused(form, error)
        return _refused(form, editor, error)
    db.session.commit()
    return _saved(evidence_id)
