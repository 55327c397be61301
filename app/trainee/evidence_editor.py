"""The evidence form for one type and enrolment: building it, reading it, showing refusals.

The form is built from the type's definition (see `app.trainee.forms`); the services
validate the answers, and whatever they refuse is put back on the field at fault.
The services stop at their first failing step, so after a refusal the remaining checks
(answers, then links) run again here, read-only, to show every problem at once.
"""

from __future__ import annotations

from datetime import date

from flask import current_app, render_template, url_for
from flask_wtf import FlaskForm

from app.auth.current import me
from app.extensions import db
from app.form_fields import error_anchor
from app.models.enrolments import Enrolment
from app.models.evidence import Attachment, Evidence
from app.models.frameworks import EvidenceType
from app.services.clock import uk_today
from app.services.errors import DomainError
from app.services.frameworks import catalogue as frameworks
from app.services.portfolio import drafts
from app.services.portfolio import evidence as evidence_service
from app.services.portfolio.assessment_forms import FormDefinition
from app.services.portfolio.assessment_forms import validate as validate_answers
from app.services.portfolio.assessors import with_current_names
from app.services.portfolio.content import PatientDataWarning, form_of, resolve_links
from app.services.portfolio.form_answers import FormInvalid
from app.services.storage import quota as storage_quota
from app.trainee.forms import evidence_form_class, note_field_name


class EvidenceEditor:
    """One evidence type's form for one enrolment: building it, reading it, showing refusals."""

    def __init__(self, enrolment: Enrolment, evidence_type: EvidenceType, *, new: bool) -> None:
        self.enrolment = enrolment
        self.evidence_type = evidence_type
        self.definition: FormDefinition = form_of(evidence_type)
        self.domains = frameworks.chooser_domains(enrolment.framework_id)
        self.by_code = {c.code: c for d in self.domains for c in d.competencies}
        self.max_links = current_app.config["MAX_COMPETENCY_LINKS"]
        self.form_class = evidence_form_class(
            self.definition,
            self.by_code.values(),
            max_links=self.max_links,
            with_attachment=new,
            with_client_key=new,
        )
        self.warnings: list[dict] = []

    def form(self, data: dict | None = None) -> FlaskForm:
        return self.form_class(data=data)

    def answers(self, form: FlaskForm) -> dict[str, object]:
        return {spec.name: form[spec.name].data for spec in self.definition.fields}

    def links(self, form: FlaskForm) -> list[tuple[str, str | None]]:
        links = []
        for code in form.competencies.data or []:
            competency = self.by_code.get(code)
            note = form[note_field_name(competency)].data if competency else None
            links.append((code, note))
        return links

    def save_new(self, form: FlaskForm) -> Evidence:
        """The new draft the form describes, saved once under its client key (the form's
        post and the saves made as the trainee typed come to the same draft)."""
        return drafts.save_new(
            self.enrolment,
            self.evidence_type,
            self.answers(form),
            self.links(form),
            actor=me(),
            client_key=form.client_key.data,
            confirmed=form.confirm_no_patient.data,
        )

    def checked(self, form: FlaskForm) -> bool:
        """True when the form parsed cleanly; otherwise marks every answer's problem at once."""
        if form.validate():
            return True
        csrf = getattr(form, "csrf_token", None)
        if csrf is None or not csrf.errors:
            _, errors = validate_answers(self.definition, self.answers(form), today=uk_today())
            for name, message in errors.items():
                self._add_error(form, name, message)
            self._check_links(form)
        return False

    def _check_links(self, form: FlaskForm) -> None:
        """The services stop at the first failing step; a person wants every problem at once."""
        try:
            resolve_links(self.enrolment, self.links(form), self.max_links)
        except DomainError as error:
            self._add_error(form, error.field, error.message)

    def _field_name(self, name: str | None) -> str | None:
        if name and name.startswith("note:"):
            competency = self.by_code.get(name.removeprefix("note:"))
            return note_field_name(competency) if competency else "competencies"
        return {"file": "attachment"}.get(name or "", name)

    def _add_error(self, form: FlaskForm, name: str | None, message: str) -> None:
        field = form._fields.get(self._field_name(name) or "")
        if field is None:
            form.form_errors.append(message)
        elif not field.errors:
            # A date the trainee typed half of already says so; one message per field.
            field.errors = [*field.errors, message]

    def refused(self, form: FlaskForm, error: DomainError) -> None:
        """Undo whatever the service began and show why, on the fields at fault."""
        db.session.rollback()
        if isinstance(error, PatientDataWarning):
            self.warnings = [self._warning(form, f.field, f.message) for f in error.findings]
        elif isinstance(error, FormInvalid):
            for name, message in error.errors.items():
                self._add_error(form, name, message)
            self._check_links(form)
        else:
            self._add_error(form, error.field, error.message)

    def _warning(self, form: FlaskForm, name: str, message: str) -> dict:
        field = form._fields.get(self._field_name(name) or "")
        if field is None:
            return {"text": message}
        return {"text": f"{field.label.text}: {message}", "href": f"#{error_anchor(field)}"}

    def typing_context(self, form: FlaskForm, evidence: Evidence | None) -> dict:
        """What the page's script needs to keep what is typed (app/static/js/offline/)."""
        if evidence is None:
            code = self.evidence_type.code
            autosave_url = url_for(".evidence_autosave_new", type_code=code)
            draft_key = f"new:{code}"
        else:
            autosave_url = url_for(".evidence_autosave", evidence_id=evidence.id)
            draft_key = f"evidence:{evidence.id}"
        return {
            "autosave_url": autosave_url if drafts.saves_as_typed(evidence) else None,
            "draft_key": draft_key,
            # Notes of these types can be written offline and sent later.
            "offline_capable": evidence is None and drafts.is_text_only(self.definition),
            # A form shown again after a POST holds what was sent: nothing to put back.
            "fresh_form": not form.is_submitted(),
        }

    def render(self, form: FlaskForm, **context):
        file_field = form._fields.get("attachment")
        return render_template(
            "trainee/evidence_form.jinja",
            form=form,
            editor=self,
            definition=self.definition,
            evidence_type=self.evidence_type,
            note_field_name=note_field_name,
            warnings=self.warnings,
            # Browsers never send a chosen file back: say so when the form comes back.
            file_dropped=bool(file_field is not None and file_field.data),
            storage=(
                storage_quota.usage_for(self.enrolment.trainee_id)
                if file_field is not None
                else None
            ),
            typing=self.typing_context(form, context.get("evidence")),
            **context,
        )


def starting_values(evidence: Evidence, editor: EvidenceEditor) -> dict:
    """The current version's answers as the form's starting values."""
    version = evidence.current_version
    data: dict = {"title": version.title, "occurred_on": version.occurred_on}
    fields = with_current_names(version.fields)
    for spec in editor.definition.fields:
        value = fields.get(spec.name)
        if value is not None and spec.name not in data:
            data[spec.name] = date.fromisoformat(value) if spec.kind == "date" else value
    # Links to an earlier framework version (kept when the trainee moved to a new one) are
    # on the record but not offered: the form chooses from the trainee's current version.
    framework_id = evidence.enrolment.framework_id
    current = [link for link in version.links if link.competency.framework_id == framework_id]
    data["competencies"] = [link.competency.code for link in current]
    for link in current:
        data[note_field_name(link.competency)] = link.note
    return data


def attach_upload(evidence: Evidence, upload) -> Attachment:
    """Store an uploaded file on the evidence (a new version when it was submitted)."""
    return evidence_service.add_attachment(
        evidence,
        upload.stream,
        upload.filename or "",
        actor=me(),
        upload_dir=current_app.config["UPLOAD_DIR"],
        max_bytes=current_app.config["MAX_UPLOAD_BYTES"],
    )
