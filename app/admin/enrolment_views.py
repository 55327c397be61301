"""Enrolling a trainee and assigning their supervisors: admins anywhere, leads inside
their organisation subtree.
"""

from __future__ import annotations

from flask import flash, redirect, request, url_for

from app.admin.blueprint import bp
from app.admin.enrolment_section import (
    admin_scope,
    after_enrolment_change,
    assign_form,
    chosen_supervisor,
    enrol_form,
    enrolment_page,
    trainee_or_404,
)
from app.admin.forms import SUPERVISOR_KIND_LABELS
from app.auth.current import me
from app.extensions import db
from app.form_base import show_error
from app.models.frameworks import Framework
from app.models.organisations import Cohort
from app.permissions import roles
from app.services.errors import DomainError
from app.services.supervision import enrolments


@bp.route("/trainees/<int:trainee_id>/enrolment", methods=["GET", "POST"])
@roles("admin", "lead")
def trainee_enrolment(trainee_id: int):
    trainee = trainee_or_404(trainee_id)
    if request.method == "GET":
        return enrolment_page(trainee)
    scope = admin_scope()
    form = enrol_form(scope)
    if form.validate_on_submit() and (supervisor := chosen_supervisor(form, scope)):
        try:
            enrolments.enrol(
                trainee,
                db.session.get(Framework, form.framework.data),
                supervisor=supervisor,
                cohort=db.session.get(Cohort, form.cohort.data) if form.cohort.data else None,
                started_on=form.started_on.data,
                expected_end_on=form.expected_end_on.data,
                actor=me(),
            )
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(f"{trainee.name} is enrolled, supervised by {supervisor.name}.", "success")
            return after_enrolment_change(trainee)
    return enrolment_page(trainee, form)


@bp.route("/trainees/<int:trainee_id>/supervisors", methods=["POST"])
@roles("admin", "lead")
def trainee_supervisors(trainee_id: int):
    trainee = trainee_or_404(trainee_id)
    enrolment = enrolments.current_enrolment(trainee.id)  # active or paused
    if enrolment is None:
        flash(f"{trainee.name} is not enrolled yet. Enrol them first.", "error")
        return redirect(url_for(".trainee_enrolment", trainee_id=trainee.id))
    scope = admin_scope()
    form = assign_form(scope)
    if form.validate_on_submit() and (supervisor := chosen_supervisor(form, scope)):
        try:
            enrolments.assign_supervisor(enrolment, supervisor, kind=form.kind.data, actor=me())
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            what = SUPERVISOR_KIND_LABELS[form.kind.data].lower()
            flash(f"{supervisor.name} is now {trainee.name}'s {what}.", "success")
            return after_enrolment_change(trainee)
    return enrolment_page(trainee, form)
