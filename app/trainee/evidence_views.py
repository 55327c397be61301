"""The trainee's evidence: list, add, read, edit, submit and delete (files: attachment_views).

Views parse the form, call the evidence service, commit once and redirect. A refusal
(DomainError) rolls back and lands on the field it names; a patient-data warning shows
the form again asking the trainee to confirm. Items are loaded with
`own_evidence_or_404`, so another trainee's item answers 404 whatever the action.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app.auth.current import me
from app.extensions import db
from app.models.enrolments import Enrolment
from app.models.frameworks import EvidenceType
from app.permissions import roles
from app.services.errors import DomainError
from app.services.frameworks import catalogue as frameworks
from app.services.portfolio import attachments, drafts
from app.services.portfolio import evidence as evidence_service
from app.services.portfolio import lists as evidence_lists
from app.services.portfolio.content import evidence_type_for
from app.templating import pagination
from app.trainee.blueprint import bp
from app.trainee.evidence_editor import EvidenceEditor, attach_upload, starting_values
from app.trainee.evidence_pages import detail_page, version_context, version_of
from app.trainee.forms import ChooseTypeForm, ConfirmForm, EvidenceFilterForm
from app.trainee.loading import own_evidence_or_404, with_enrolment

# --- The list ----------------------------------------------------------------------


def _framework_types(framework_id: int) -> list[EvidenceType]:
    return list(
        db.session.scalars(
            select(EvidenceType)
            .where(EvidenceType.framework_id == framework_id)
            .order_by(EvidenceType.position)
        )
    )


def _chosen(field) -> str | None:
    """A select's value, or None when it is blank or was refused."""
    return (field.data or None) if not field.errors else None


@bp.route("/evidence")
@roles("trainee")
@with_enrolment
def evidence_list(enrolment: Enrolment):
    form = EvidenceFilterForm(formdata=request.args)
    form.set_choices(*frameworks.filter_choices(enrolment.framework_id))
    form.validate()
    filters = evidence_lists.EvidenceFilters(
        type_code=_chosen(form.type),
        status=_chosen(form.status),
        competency_code=_chosen(form.competency),
        occurred_from=form.occurred_from.data if not form.occurred_from.errors else None,
        occurred_to=form.occurred_to.data if not form.occurred_to.errors else None,
    )
    result = evidence_lists.evidence_page(
        me(),
        enrolment,
        filters,
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PAGE_SIZE"],
    )
    kept = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template(
        "trainee/evidence_list.jinja",
        title="My evidence" if not filters.active else "My evidence (filtered)",
        form=form,
        filters=filters,
        result=result,
        pagination=pagination(
            result.page,
            result.pages,
            lambda number: url_for(".evidence_list", page=number, **kept),
        ),
    )


# --- Adding and changing -----------------------------------------------------------


@bp.route("/evidence/new")
@roles("trainee")
@with_enrolment(adding=True)
def evidence_choose_type(enrolment: Enrolment):
    types = _framework_types(enrolment.framework_id)
    chosen = "type" in request.args or "chosen" in request.args
    form = ChooseTypeForm(formdata=request.args if chosen else None)
    form.type.choices = [SelectChoice(t.code, t.label) for t in types]
    competency = request.args.get("competency") or None
    if chosen:
        try:
            if not form.type.data:
                raise DomainError("Choose the type of evidence you are adding", "type")
            evidence_type = evidence_type_for(enrolment, form.type.data)
        except DomainError as error:
            form.type.errors = [error.message]
        else:
            return redirect(
                url_for(".evidence_new", type_code=evidence_type.code, competency=competency)
            )
    return render_template(
        "trainee/evidence_choose_type.jinja",
        title="Add evidence",
        form=form,
        types=types,
        competency=competency,
        # The forms the device keeps for writing notes offline (app/static/js/offline/).
        offline_pages=[
            url_for(".evidence_new", type_code=t.code) for t in drafts.text_only_types(types)
        ],
    )


@bp.route("/evidence/new/<type_code>", methods=["GET", "POST"])
@roles("trainee")
@with_enrolment(adding=True)
def evidence_new(enrolment: Enrolment, type_code: str):
    try:
        evidence_type = evidence_type_for(enrolment, type_code)
    except DomainError:
        abort(404)
    editor = EvidenceEditor(enrolment, evidence_type, new=True)
    preselected = request.args.get("competency")
    form = editor.form({"competencies": [preselected]} if preselected in editor.by_code else None)
    if form.is_submitted() and editor.checked(form):
        try:
            # With the script's key, the draft it saved as the trainee typed is the one saved.
            evidence = editor.save_new(form)
            upload = form.attachment.data
            if upload:
                attach_upload(evidence, upload)
        except DomainError as error:
            editor.refused(form, error)
        else:
            evidence_id = evidence.id  # read before the commit expires it
            db.session.commit()
            flash(
                "Your evidence is saved as a draft. Only you can see it until you submit it.",
                "success",
            )
            return redirect(url_for(".evidence_detail", evidence_id=evidence_id))
    return editor.render(form, title=f"Add evidence: {evidence_type.label}", evidence=None)


@bp.route("/evidence/<int:evidence_id>/edit", methods=["GET", "POST"])
@roles("trainee")
def evidence_edit(evidence_id: int):
    evidence = own_evidence_or_404(evidence_id)
    editor = EvidenceEditor(evidence.enrolment, evidence.evidence_type, new=False)
    form = editor.form(starting_values(evidence, editor))
    if form.is_submitted() and editor.checked(form):
        before = evidence.current_version_number
        try:
            version = evidence_service.edit(
                evidence,
                editor.answers(form),
                editor.links(form),
                actor=me(),
                confirmed=form.confirm_no_patient.data,
            )
        except DomainError as error:
            editor.refused(form, error)
        else:
            db.session.commit()
            if version.number != before:
                flash(
                    f"Your changes are saved as version {version.number}, a draft. "
                    "Submit it when you are ready for your supervisor to see it.",
                    "success",
                )
            else:
                flash("Your changes are saved.", "success")
            return redirect(url_for(".evidence_detail", evidence_id=evidence.id))
    return editor.render(form, title=f"Change {evidence.title}", evidence=evidence)


# --- Reading -------------------------------------------------------------------------


@bp.route("/evidence/<int:evidence_id>")
@roles("trainee")
def evidence_detail(evidence_id: int):
    return detail_page(own_evidence_or_404(evidence_id, full=True))


@bp.route("/evidence/<int:evidence_id>/versions/<int:version_number>")
@roles("trainee")
def evidence_version(evidence_id: int, version_number: int):
    evidence = own_evidence_or_404(evidence_id, full=True)
    version = version_of(evidence, version_number) or abort(404)
    return render_template(
        "trainee/evidence_version.jinja",
        title=f"{version.title}: version {version.number} of {len(evidence.versions)}",
        evidence=evidence,
        **version_context(evidence, version),
    )


# --- Lifecycle actions ---------------------------------------------------------------


@bp.route("/evidence/<int:evidence_id>/submit", methods=["POST"])
@roles("trainee")
def evidence_submit(evidence_id: int):
    evidence = own_evidence_or_404(evidence_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        version = evidence_service.submit(evidence, actor=me())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        number = version.number  # read before the commit expires it
        db.session.commit()
        flash(
            f"Version {number} is submitted. Your supervisor can now review it.",
            "success",
        )
    return redirect(url_for(".evidence_detail", evidence_id=evidence_id))


@bp.route("/evidence/<int:evidence_id>/delete", methods=["GET", "POST"])
@roles("trainee")
def evidence_delete(evidence_id: int):
    evidence = own_evidence_or_404(evidence_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        title = evidence.title
        try:
            keys = evidence_service.delete_draft(evidence, actor=me())
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for(".evidence_detail", evidence_id=evidence_id))
        db.session.commit()
        # Files go only once the rows are gone for good.
        for key in keys:
            attachments.remove_stored(current_app.config["UPLOAD_DIR"], key)
        flash(f"The draft “{title}” is deleted.", "success")
        return redirect(url_for(".evidence_list"))
    can_delete = evidence_service.deletable(evidence)
    return render_template(
        "trainee/evidence_delete.jinja",
        title=f"Delete {evidence.title}?" if can_delete else f"{evidence.title} cannot be deleted",
        evidence=evidence,
        form=form,
        can_delete=can_delete,
    )
