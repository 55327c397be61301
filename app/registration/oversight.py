"""What supervisors and leads do with the people they oversee (view, verify, declare the
training period), and what admins and leads do with programme status."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from app.auth.current import me
from app.downloads import stored_download
from app.extensions import db
from app.form_base import show_error
from app.permissions import roles
from app.registration.blueprint import bp
from app.registration.common import (
    certificate_of,
    overview_context,
    person_or_404,
    print_year_for,
    revalidation_context,
    training_context,
    upload_from,
    upload_settings,
)
from app.registration.forms import ConfirmForm, DeclarationForm, ProgrammeStatusForm
from app.services.clock import uk_today
from app.services.errors import DomainError
from app.services.pathway import programme_status, training_declaration
from app.services.registration import access as registration_access
from app.services.registration import overview as registration_overview
from app.services.registration import qualifications
from app.services.registration import records as registration
from app.services.storage.documents import discard

# --- The people a supervisor or lead oversees ------------------------------------------------


@bp.route("/people")
@roles("supervisor", "lead")
def people():
    result = registration_overview.people_overview(
        me(),
        today=uk_today(),
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "registration/people.jinja", title="Registration and qualifications", result=result
    )


@bp.route("/people/<int:user_id>")
@roles("supervisor", "lead")
def person_overview(user_id: int):
    person = person_or_404(user_id)
    return render_template("registration/overview.jinja", **overview_context(person, own=False))


@bp.route("/people/<int:user_id>/training")
@roles("supervisor", "lead")
def person_training(user_id: int):
    person = person_or_404(user_id)
    start, end = training_declaration.default_declaration_period(person.id, uk_today())
    form = DeclarationForm(formdata=None, data={"period_start": start, "period_end": end})
    return render_template(
        "registration/training_log.jinja", **training_context(person, declaration_form=form)
    )


@bp.route("/people/<int:user_id>/training/declaration", methods=["POST"])
@roles("supervisor")
def declare_training(user_id: int):
    person = person_or_404(user_id)
    form = DeclarationForm()
    refused = training_declaration.declarant_refusal(me(), uk_today()) is not None
    if not refused and form.validate_on_submit():
        try:
            training_declaration.declare_training(
                person,
                actor=me(),
                period_start=form.period_start.data,
                period_end=form.period_end.data,
                confirmed=bool(form.confirm.data),
                today=uk_today(),
            )
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(f"Declaration of {person.name}'s training period signed.", "success")
            return redirect(url_for(".person_training", user_id=person.id))
    return render_template(
        "registration/training_log.jinja",
        **training_context(person, declaration_form=form, form=form),
    )


@bp.route("/people/<int:user_id>/revalidation")
@roles("supervisor", "lead")
def person_revalidation(user_id: int):
    person = person_or_404(user_id)
    return render_template("registration/revalidation.jinja", **revalidation_context(person))


@bp.route("/people/<int:user_id>/revalidation/print")
@roles("supervisor", "lead")
def person_print_year(user_id: int):
    person = person_or_404(user_id)
    return print_year_for(person, url_for(".person_revalidation", user_id=person.id))


@bp.route("/people/<int:user_id>/qualification/certificate")
@roles("supervisor", "lead")
def person_certificate(user_id: int):
    person = person_or_404(user_id)
    return certificate_of(person, url_for(".person_overview", user_id=person.id))


def _verify(user_id: int, verify, done: str):
    person = person_or_404(user_id)
    form = ConfirmForm()
    if not form.validate_on_submit() or not (form.record_id.data or "").isdigit():
        abort(400)
    try:
        verify(person, int(form.record_id.data), actor=me(), today=uk_today())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(done.format(name=person.name), "success")
    return redirect(url_for(".person_overview", user_id=person.id))


@bp.route("/people/<int:user_id>/registration/verify", methods=["POST"])
@roles("supervisor", "lead")
def verify_registration(user_id: int):
    return _verify(
        user_id,
        registration.verify_registration,
        "{name}'s registration is recorded as checked on the GPhC register today.",
    )


@bp.route("/people/<int:user_id>/qualification/verify", methods=["POST"])
@roles("supervisor", "lead")
def verify_qualification(user_id: int):
    return _verify(
        user_id,
        qualifications.verify_qualification,
        "{name}'s Level 3 qualification is recorded as verified.",
    )


# --- Programme status (admins, and leads for their organisation) ------------------------------


def _enrolment_or_404(enrolment_id: int):
    enrolment = programme_status.enrolment_for_manager(me(), enrolment_id)
    if enrolment is None:
        abort(404)
    return enrolment


@bp.route("/enrolments/<int:enrolment_id>/programme", methods=["GET", "POST"])
@roles("admin", "lead")
def programme(enrolment_id: int):
    enrolment = _enrolment_or_404(enrolment_id)
    form = ProgrammeStatusForm(
        data={
            "pathway_status": enrolment.pathway_status,
            "wte": "" if enrolment.wte is None else str(enrolment.wte),
            "protected_learning_days_used": str(enrolment.protected_learning_days_used or 0),
            "protected_learning_days_planned": ""
            if enrolment.protected_learning_days_planned is None
            else str(enrolment.protected_learning_days_planned),
            "funding": enrolment.funding or "",
            "afc_band": enrolment.afc_band or "",
        }
    )
    if form.validate_on_submit():
        change = programme_status.ProgrammeStatusChange(
            pathway_status=form.pathway_status.data,
            wte=form.wte.data,
            protected_learning_days_used=form.protected_learning_days_used.data,
            protected_learning_days_planned=form.protected_learning_days_planned.data,
            funding=form.funding.data or None,
            afc_band=form.afc_band.data or None,
        )
        try:
            replaced = programme_status.update_programme_status(
                enrolment,
                change,
                actor=me(),
                exemption_document=upload_from(form.exemption_document.data),
                **upload_settings(),
            )
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            discard(current_app.config["UPLOAD_DIR"], replaced)
            flash(f"Programme status saved for {enrolment.trainee.name}.", "success")
            return redirect(url_for(".programme", enrolment_id=enrolment.id))
    return render_template(
        "registration/programme.jinja",
        title=f"Programme status for {enrolment.trainee.name}",
        form=form,
        enrolment=enrolment,
        warnings=programme_status.programme_warnings(enrolment, uk_today()),
        can_see_person=registration_access.can_oversee(me(), enrolment.trainee),
    )


@bp.route("/enrolments/<int:enrolment_id>/exemption-document")
@roles("admin", "lead")
def exemption_document(enrolment_id: int):
    enrolment = _enrolment_or_404(enrolment_id)
    if not enrolment.exemption_storage_key:
        flash("No exemption document has been uploaded.", "error")
        return redirect(url_for(".programme", enrolment_id=enrolment.id))
    return stored_download(
        enrolment.exemption_storage_key,
        enrolment.exemption_media_type or "application/octet-stream",
        enrolment.exemption_filename or "exemption",
    )
