"""Resetting a person's two-factor sign-in, from their page in administration.

For someone who lost their phone and their recovery codes: the authenticator and the
codes are removed, every session of theirs ends, the audit trail records who did it, and
the person is told by e-mail (so a reset they did not expect is noticed). If their role
requires two-factor sign-in they set it up again when they next sign in.
"""

from __future__ import annotations

from flask import abort, flash, redirect, url_for

from app.admin.blueprint import bp
from app.admin.forms import ConfirmForm
from app.auth.current import me
from app.extensions import db
from app.models.users import User
from app.permissions import roles
from app.services.accounts import two_factor
from app.services.errors import DomainError


@bp.route("/users/<int:user_id>/two-factor/reset", methods=["POST"])
@roles("admin")
def user_two_factor_reset(user_id: int):
    person = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        two_factor.reset(person, actor=me())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "warning")
    else:
        db.session.commit()  # the e-mail goes once this is committed
        flash(
            f"{person.name}'s two-factor sign-in is reset and they are signed out everywhere. "
            f"We have emailed {person.email} to say so.",
            "success",
        )
    return redirect(url_for(".user_detail", user_id=person.id))
