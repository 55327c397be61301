"""The set-up page of two-factor sign-in, shared by the sign-in (a person whose role
requires it and who has none yet) and the account pages (anyone choosing to turn it on,
or moving it to a new phone).

Step 1 explains what is needed and a button makes the secret (a POST: nothing is written
by looking at the page). Step 2 shows the QR code, drawn here as inline SVG so the secret
never leaves the service, and the same secret as text; a code from the app confirms it.
Then the recovery codes are shown, once.
"""

from __future__ import annotations

from collections.abc import Callable

import segno
from flask import redirect, render_template, request
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from app.auth.two_factor_forms import ActionForm, SetupCodeForm
from app.extensions import db
from app.models.users import User
from app.services.accounts import two_factor
from app.services.errors import DomainError

START = "start"
QR_LABEL = "QR code for your authenticator app"
SIGN_IN_SETUP_TITLE = "Set up two-factor sign-in to continue"


def qr_code_svg(uri: str) -> Markup:
    """The otpauth address as an SVG QR code, with a text alternative for screen readers."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=4,
        border=4,
        dark="#000",
        light="#fff",
        title=QR_LABEL,
        svgclass="app-qr-code",
    )
    # role=img with a label: assistive technology reads one name, not the drawing.
    labelled = svg.replace("<svg ", f'<svg role="img" aria-label="{QR_LABEL}" ', 1)
    return Markup(labelled)  # noqa: S704 - segno draws it from our own URI, escaped


def setup_step(
    user: User,
    *,
    signing_in: bool,
    confirmed: Callable[[list[str]], ResponseReturnValue],
    extra: dict | None = None,
) -> ResponseReturnValue:
    """Run one step of set-up for `user`; `confirmed(codes)` answers once it is on."""
    form = SetupCodeForm()
    if request.method == "POST" and START in request.form:
        if ActionForm().validate_on_submit():
            two_factor.start_setup(user)
            db.session.commit()
        return redirect(request.path)
    if form.validate_on_submit():
        try:
            codes = two_factor.confirm_setup(user, form.code.data or "")
        except DomainError as error:
            db.session.commit()  # keep the audit event of the failure
            form.code.errors.append(error.message)
        else:
            db.session.commit()
            return confirmed(codes)
    secret = two_factor.pending_secret(user)
    return render_template(
        "auth/two_factor_setup.jinja",
        # Two routes show this page: each title names one (the browser checks hold it).
        title=SIGN_IN_SETUP_TITLE if signing_in else "Set up two-factor sign-in",
        form=form,
        start_form=ActionForm(),
        person=user,
        secret=two_factor.grouped(secret) if secret else None,
        qr_code=qr_code_svg(two_factor.provisioning_uri(secret, user.email)) if secret else None,
        issuer=two_factor.ISSUER,
        signing_in=signing_in,
        required=two_factor.is_required(user),
        replacing=two_factor.is_enabled(user),
        **(extra or {}),
    )


def recovery_codes_page(codes: list[str], continue_url: str, *, title: str):
    """The codes, in this response only: never stored in the clear, flashed or logged."""
    return render_template(
        "auth/recovery_codes.jinja",
        title=title,
        codes=codes,
        continue_url=continue_url,
    )
