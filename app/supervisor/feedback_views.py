"""The supervisor's multi-source feedback page: progress against the rule while a round is
open, closing it (as valid only when the rule is met), and releasing the report.

Enrolments are loaded through `supervision_access.enrolment_for_supervisor(clinical=True)`:
None, and so 404, for anyone but the trainee's clinical supervisor; someone reaching their
own record is refused (403). The services decide everything else.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from app.auth.current import me
from app.extensions import db
from app.form_base import show_error
from app.permissions import roles
from app.services.errors import DomainError
from app.services.feedback import decisions, overview, rounds
from app.services.feedback.rules import ROLE_LABELS, rule_lines
from app.services.supervision import access as supervision_access
from app.supervisor.blueprint import bp
from app.supervisor.feedback_forms import CloseRoundForm, ReleaseForm


def _enrolment(enrolment_id: int):
    person = me()
    found = supervision_access.enrolment_for_supervisor(person, enrolment_id, clinical=True)
    return person, found or abort(404)


def _page(enrolment, close_form: CloseRoundForm, heading: str = "Multi-source feedback"):
    view = overview.overview_for(enrolment)
    pending = overview.awaiting_release(enrolment.id)
    page = render_template(
        "supervisor/feedback.jinja",
        title=f"{heading}: {enrolment.trainee.name}",
        enrolment=enrolment,
        view=view,
        rule_lines=rule_lines(view.rule) if view.rule else [],
        role_labels=ROLE_LABELS,
        close_form=close_form,
        form=close_form,  # the layout titles the page "Error: " when it has errors
        release_form=ReleaseForm(),
        pending=pending,
        opened_on=overview.opened_on,
        closes_on=overview.closes_on,
    )
    return page


@bp.route("/enrolments/<int:enrolment_id>/feedback")
@roles("supervisor")
def feedback(enrolment_id: int):
    _, enrolment = _enrolment(enrolment_id)
    return _page(enrolment, CloseRoundForm(formdata=None))


@bp.route("/enrolments/<int:enrolment_id>/feedback/close", methods=["POST"])
@roles("supervisor")
def feedback_close(enrolment_id: int):
    person, enrolment = _enrolment(enrolment_id)
    round_ = rounds.open_round_of(enrolment.id)
    if round_ is None:
        flash("There is no open feedback round to close.", "error")
        return redirect(url_for(".feedback", enrolment_id=enrolment.id))
    form = CloseRoundForm()
    if form.validate_on_submit():
        try:
            decisions.close(
                round_, outcome=form.outcome.data or "", reason=form.reason.data or "", actor=person
            )
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            if form.outcome.data == "valid":
                flash("The round is closed as valid. Read the report, then release it.", "success")
            else:
                flash("The round is closed as not valid. The trainee can see why.", "success")
            return redirect(url_for(".feedback", enrolment_id=enrolment.id))
    # The refusal is shown on the page at this address, titled for what was tried.
    return _page(enrolment, form, "Close the feedback round")


@bp.route("/enrolments/<int:enrolment_id>/feedback/release", methods=["POST"])
@roles("supervisor")
def feedback_release(enrolment_id: int):
    person, enrolment = _enrolment(enrolment_id)
    pending = overview.awaiting_release(enrolment.id)
    if pending is not None and ReleaseForm().validate_on_submit():
        try:
            decisions.release(pending[0], actor=person)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash("The report is released into the trainee's portfolio as evidence.", "success")
    return redirect(url_for(".feedback", enrolment_id=enrolment.id))
