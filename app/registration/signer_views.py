"""A supervisor's own GPhC registration, the one every signature of theirs relies on:
recorded and verified by an education lead over their organisation or an administrator,
never by the supervisor themselves (`registration.access.may_keep_signer_registration`).

Every view parses its form, calls one service, commits once and redirects. A refusal
(DomainError) rolls back and lands on the field it names. Anyone not allowed to keep the
person's registration gets 404, so the existence of an account is never revealed.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from app.auth.current import me
from app.extensions import db
from app.form_base import show_error
from app.models.users import User
from app.permissions import roles
from app.registration.blueprint import bp
from app.registration.forms import ConfirmForm, RegistrationForm
from app.services.clock import uk_today
from app.services.errors import DomainError
from app.services.registration import access as registration_access
from app.services.registration import records as registration
from app.services.registration import signers


def _signer_or_404(signer_id: int) -> User:
    person = db.session.get(User, signer_id)
    if person is None or not registration_access.may_keep_signer_registration(me(), person):
        abort(404)
    return person


@bp.route("/signers/<int:signer_id>", methods=["GET", "POST"])
@roles("lead", "admin")
def signer_registration(signer_id: int):
    person = _signer_or_404(signer_id)
    history = registration.registration_history(person.id)
    current = history[0] if history else None
    form = RegistrationForm(obj=current, data=None if current else {"register": "pharmacist"})
    if form.validate_on_submit():
        change = form.details()
        try:
            registration.record_registration(person, change, actor=me())
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(
                f"{person.name}'s registration is saved. Check it on the GPhC register, "
                "then verify it.",
                "success",
            )
            return redirect(url_for(".signer_registration", signer_id=person.id))
    today = uk_today()
    return render_template(
        "registration/signer.jinja",
        title=f"{person.name}: GPhC registration",
        person=person,
        status=registration.status_of(person.id, current, today),
        history=history,
        refusal=signers.signer_refusal(person.id, today, whose="Their"),
        form=form,
        verify_form=ConfirmForm(formdata=None, record_id=current.id if current else ""),
    )


@bp.route("/signers/<int:signer_id>/verify", methods=["POST"])
@roles("lead", "admin")
def verify_signer_registration(signer_id: int):
    person = _signer_or_404(signer_id)
    form = ConfirmForm()
    if not form.validate_on_submit() or not (form.record_id.data or "").isdigit():
        abort(400)
    try:
        registration.verify_registration(
            person, int(form.record_id.data), actor=me(), today=uk_today()
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(
            f"{person.name}'s registration is recorded as checked on the GPhC register today.",
            "success",
        )
    return redirect(url_for(".signer_registration", signer_id=person.id))
