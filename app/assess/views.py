"""An assessor's pages, reached from the e-mailed link (or opened on the trainee's device).

Three steps: who you are (a code is e-mailed), the code, then the form and declaration.
The link stays usable through the steps and is used up by the submission. A link that
cannot be used shows a page saying why, never the form. The token is in the address:
logs blank it (`app.logs.loggable_path` blanks the `token` argument) and the pages send
no Referer (`blueprint._no_referrer`).
"""

from __future__ import annotations

from flask import current_app, redirect, render_template, session, url_for

from app.assess.blueprint import bp
from app.assess.forms import CodeForm, IdentityForm, assessor_form_class
from app.extensions import db, limiter
from app.form_base import show_error
from app.permissions import public
from app.services.accounts.one_time_links import LinkRefused
from app.services.assessments import completion, identity, requests
from app.services.assessments.parts import assessor_form, context_of
from app.services.errors import DomainError
from app.services.portfolio.assessors import NUMBER_FIELD
from app.services.portfolio.form_answers import FormInvalid

CONFIRMED = "assessment_confirmed"
DONE = "assessment_done"


def _refused(refusal: LinkRefused):
    db.session.rollback()
    status = 404 if refusal.problem.value == "unknown" else 410
    page = render_template(
        "assess/refused.jinja",
        title="This assessment link cannot be used",
        problem=refusal.problem.value,
    )
    return page, status


def _page(template: str, req, **values):
    evidence = req.evidence
    context = context_of(evidence, evidence.current_version)
    return render_template(template, req=req, context=context, **values)


def _confirmed(req) -> bool:
    return req.identity_confirmed_at is not None and req.id in session.get(CONFIRMED, [])


@bp.route("/<token>", methods=["GET", "POST"])
@public
def start(token: str):
    try:
        req = requests.for_assessor(token)
    except LinkRefused as refusal:
        return _refused(refusal)
    form = IdentityForm()
    if not form.is_submitted():
        form.assessor_name.data = req.answers.get("assessor_name") or req.assessor_name
        form.assessor_role.data = req.answers.get("assessor_role") or req.assessor_role
        form.assessor_number.data = req.answers.get(NUMBER_FIELD) or req.assessor_number
        requests.opened(req)
        db.session.commit()
    elif form.validate_on_submit():
        try:
            identity.send_code(
                req,
                form.assessor_name.data or "",
                form.assessor_role.data or "",
                form.assessor_number.data,
            )
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            return redirect(url_for("assess.code", token=token))
    return _page("assess/start.jinja", req, form=form, title="Complete an assessment")


@bp.route("/<token>/code", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["ASSESSMENT_CODE_LIMIT"], methods=["POST"])
def code(token: str):
    try:
        req = requests.for_assessor(token)
    except LinkRefused as refusal:
        return _refused(refusal)
    form = CodeForm()
    if form.validate_on_submit():
        try:
            identity.check_code(req, form.code.data or "")
        except identity.WrongCode as wrong:
            db.session.commit()  # the attempt and its audit event are kept
            form.code.errors = [wrong.message]
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            session[CONFIRMED] = [*session.get(CONFIRMED, [])[-9:], req.id]
            return redirect(url_for("assess.answer", token=token))
    return _page("assess/code.jinja", req, form=form, title="Enter the code we emailed you")


@bp.route("/<token>/form", methods=["GET", "POST"])
@public
def answer(token: str):
    try:
        req = requests.for_assessor(token)
    except LinkRefused as refusal:
        return _refused(refusal)
    if not _confirmed(req):
        return redirect(url_for("assess.start", token=token))
    definition = assessor_form(req.evidence.evidence_type)
    form = assessor_form_class(definition)()
    if form.validate_on_submit():
        answers = {spec.name: form[spec.name].data for spec in definition.fields}
        try:
            completion.complete(req, answers, declared=bool(form.declaration.data))
        except LinkRefused as refusal:
            return _refused(refusal)
        except FormInvalid as invalid:
            db.session.rollback()
            for name, message in invalid.errors.items():
                form[name].errors = [message]
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            session[DONE] = {
                "trainee": req.evidence.enrolment.trainee.name,
                "email": req.assessor_email,
            }
            return redirect(url_for("assess.done"))
    return _page(
        "assess/form.jinja", req, form=form, definition=definition, title="Your assessment"
    )


@bp.route("/complete")
@public
def done():
    finished = session.get(DONE)
    return render_template("assess/done.jinja", finished=finished, title="Assessment submitted")
