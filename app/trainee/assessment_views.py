"""The trainee asks an assessor to complete an item, sees the requests, withdraws one,
or completes one with the assessor in person (the assessor's pages on this device).

Views parse, call `app.services.assessments`, commit once and redirect.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from app.auth.current import me
from app.extensions import db
from app.form_base import show_error
from app.models.enrolments import Enrolment
from app.permissions import roles
from app.services.assessments import requests
from app.services.assessments.parts import can_be_requested
from app.services.errors import DomainError, NotFound
from app.trainee.assessment_forms import AssessmentRequestForm
from app.trainee.blueprint import bp
from app.trainee.forms import ConfirmForm
from app.trainee.loading import own_evidence_or_404, with_enrolment


def _request_or_404(evidence, request_id: int):
    try:
        return requests.own_request(evidence, request_id)
    except NotFound:
        abort(404)


@bp.route("/evidence/<int:evidence_id>/assessment-requests", methods=["GET", "POST"])
@roles("trainee")
@with_enrolment
def assessment_requests(enrolment: Enrolment, evidence_id: int):
    evidence = own_evidence_or_404(evidence_id)
    form = AssessmentRequestForm()
    if form.validate_on_submit():
        details = requests.AssessorDetails(
            form.assessor_name.data or "",
            form.assessor_email.data or "",
            form.assessor_role.data or "",
            form.assessor_number.data,
        )
        try:
            issued = requests.ask(evidence, details, actor=me())
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(
                f"We have emailed {issued.request.assessor_name} a link to the assessment",
                "success",
            )
            return redirect(url_for("trainee.assessment_requests", evidence_id=evidence.id))
    listed = requests.requests_for(evidence)
    return render_template(
        "trainee/assessment_requests.jinja",
        title=f"Ask an assessor: {evidence.title}",
        evidence=evidence,
        form=form,
        confirm_form=ConfirmForm(),
        listed=[(r, requests.status_of(r)) for r in listed],
        requestable=can_be_requested(evidence.evidence_type),
        labels=requests.STATUS_LABELS,
    )


@bp.route(
    "/evidence/<int:evidence_id>/assessment-requests/<int:request_id>/withdraw", methods=["POST"]
)
@roles("trainee")
@with_enrolment(adding=True)
def assessment_request_withdraw(enrolment: Enrolment, evidence_id: int, request_id: int):
    evidence = own_evidence_or_404(evidence_id)
    req = _request_or_404(evidence, request_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            requests.withdraw(req, actor=me())
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(
                f"The request to {req.assessor_name} is withdrawn: its link no longer works",
                "success",
            )
    return redirect(url_for("trainee.assessment_requests", evidence_id=evidence.id))


@bp.route(
    "/evidence/<int:evidence_id>/assessment-requests/<int:request_id>/in-person",
    methods=["POST"],
)
@roles("trainee")
@with_enrolment(adding=True)
def assessment_in_person(enrolment: Enrolment, evidence_id: int, request_id: int):
    evidence = own_evidence_or_404(evidence_id)
    req = _request_or_404(evidence, request_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("trainee.assessment_requests", evidence_id=evidence.id))
    try:
        token = requests.complete_in_person(req, actor=me())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("trainee.assessment_requests", evidence_id=evidence.id))
    db.session.commit()
    return redirect(url_for("assess.start", token=token))
