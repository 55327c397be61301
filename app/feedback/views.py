"""The questionnaire a rater opens from their e-mail, and the page that refuses a link.

The token is in the address, so these pages send `Referrer-Policy: no-referrer` and the
logs blank it (the route's parameter is called `token`, see `app.logs.loggable_path`).
The page shows the trainee's name and nothing else of their portfolio.
"""

from __future__ import annotations

from flask import make_response, render_template

from app.extensions import db, limiter
from app.feedback.blueprint import bp
from app.feedback.forms import QuestionnaireForm
from app.permissions import public
from app.services.accounts.one_time_links import LinkRefused
from app.services.feedback import rounds
from app.services.feedback.questionnaire import AnswersInvalid


def _token_page(body: str, status: int = 200):
    response = make_response(body, status)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _refused(refusal: LinkRefused):
    db.session.rollback()
    status = 404 if refusal.problem.value == "unknown" else 410
    page = render_template(
        "feedback/link_refused.jinja",
        title="This feedback link cannot be used",
        problem=refusal.problem.value,
    )
    return _token_page(page, status)


@bp.route("/<token>", methods=["GET", "POST"])
@public
@limiter.limit("30 per minute", methods=["POST"])
def respond(token: str):
    try:
        rater = rounds.rater_for_link(token)
    except LinkRefused as refusal:
        return _refused(refusal)
    form = QuestionnaireForm()
    if form.validate_on_submit():
        try:
            rounds.respond(token, form.data)
        except LinkRefused as refusal:  # answered in another tab a moment ago
            return _refused(refusal)
        except AnswersInvalid as invalid:
            db.session.rollback()
            for name, message in invalid.errors.items():
                form[name].errors = [*form[name].errors, message]
        else:
            db.session.commit()
            return _token_page(
                render_template("feedback/thanks.jinja", title="Thank you for your feedback")
            )
    page = render_template(
        "feedback/respond.jinja",
        title="Give feedback",
        form=form,
        trainee_name=rater.round.enrolment.trainee.name,
        threshold=rater.round.rule.get("report_threshold"),
        closes_at=rater.round.closes_at,
    )
    return _token_page(page)
