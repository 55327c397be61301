"""Registration and qualification pages.

A trainee or registered technician keeps their own records here (`/registration/...`);
their supervisor and the education leads for their organisation see the same pages under
`/registration/people/<id>/...`, verify what was recorded and, for the clinical
supervisor, declare the training period. Admins and leads change programme status.

Every view parses its form, calls one service, commits once and redirects. A refusal
(DomainError) rolls back and lands on the field it names. Anyone not allowed to see a
person gets 404, so the existence of a record is never revealed.
"""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)

from app.auth.current import me
from app.extensions import db
from app.form_base import show_error
from app.permissions import roles
from app.registration.blueprint import bp
from app.registration.common import (
    certificate_of,
    overview_context,
    training_context,
    upload_from,
    upload_settings,
)
from app.registration.forms import (
    ConfirmForm,
    QualificationForm,
    RegistrationForm,
    TrainingStartForm,
    WeekForm,
)
from app.services.clock import uk_today
from app.services.errors import DomainError, NotFound
from app.services.pathway import training_log
from app.services.registration import qualifications
from app.services.registration import records as registration
from app.services.storage.documents import discard

# --- The person's own pages ----------------------------------------------------------------


@bp.route("/")
@roles("trainee")
def overview():
    return render_template("registration/overview.jinja", **overview_context(me(), own=True))


@bp.route("/details", methods=["GET", "POST"])
@roles("trainee")
def details():
    person = me()
    current = registration.registration_history(person.id)[:1]
    form = RegistrationForm(obj=current[0] if current else None)
    if form.validate_on_submit():
        change = form.details()
        try:
            registration.record_registration(person, change, actor=person)
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(
                "Registration details saved. Your supervisor or lead will check them on the "
                "GPhC register.",
                "success",
            )
            return redirect(url_for(".overview"))
    return render_template(
        "registration/details.jinja", title="Record your GPhC registration", form=form
    )


@bp.route("/qualification", methods=["GET", "POST"])
@roles("trainee")
def qualification():
    person = me()
    existing = qualifications.qualification_for(person.id)
    form = QualificationForm(obj=existing)
    if form.validate_on_submit():
        details = qualifications.QualificationDetails(
            kind=form.kind.data,
            status=form.status.data,
            awarding_body=form.awarding_body.data or "",
            title=form.title.data,
            started_on=form.started_on.data,
            achieved_on=form.achieved_on.data,
            first_part_achieved_on=form.first_part_achieved_on.data,
            second_part_achieved_on=form.second_part_achieved_on.data,
            justification=form.justification.data,
        )
        try:
            saved = qualifications.save_qualification(
                person,
                details,
                actor=person,
                today=uk_today(),
                certificate=upload_from(form.certificate.data),
                **upload_settings(),
            )
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            discard(current_app.config["UPLOAD_DIR"], saved.replaced_storage_key)
            flash("Level 3 qualification saved.", "success")
            return redirect(url_for(".overview"))
    return render_template(
        "registration/qualification.jinja",
        title="Your Level 3 qualification",
        form=form,
        qualification=existing,
    )


@bp.route("/qualification/certificate")
@roles("trainee")
def certificate():
    return certificate_of(me(), url_for(".overview"))


@bp.route("/training")
@roles("trainee")
def training():
    return render_template("registration/training_log.jinja", **training_context(me()))


@bp.route("/training/start", methods=["POST"])
@roles("trainee")
def training_start():
    person = me()
    form = TrainingStartForm()
    if form.validate_on_submit():
        try:
            training_log.set_training_start(
                person, form.started_on.data, actor=person, today=uk_today()
            )
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash("Training start saved.", "success")
            return redirect(url_for(".training"))
    return render_template(
        "registration/training_log.jinja", **training_context(person, start_form=form, form=form)
    )


@bp.route("/training/weeks", methods=["POST"])
@roles("trainee")
def log_week():
    person = me()
    form = WeekForm()
    if form.validate_on_submit():
        entry = training_log.WeekEntry(
            week_starting=form.week_starting.data,
            hours=form.hours.data,
            supervised_hours=form.supervised_hours.data,
            supervisor_name=form.supervisor_name.data or "",
        )
        try:
            training_log.log_week(person, entry, actor=person, today=uk_today())
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash("Week saved.", "success")
            return redirect(url_for(".training") + "#weeks")
    return render_template(
        "registration/training_log.jinja", **training_context(person, week_form=form, form=form)
    )


@bp.route("/training/weeks/<int:week_id>/delete", methods=["POST"])
@roles("trainee")
def delete_week(week_id: int):
    person = me()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        training_log.delete_week(person, week_id, actor=person)
    except NotFound:
        abort(404)  # another person's week answers as one that does not exist
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash("Week removed.", "success")
    return redirect(url_for(".training") + "#weeks")
