"""The clinical supervisor revokes the credential of a completed training.

A professional declaration like revoking a sign-off, so it takes the same steps
(`supervisor.declarations`): the signer's own registration must stand (else the page says
why and offers no form), and the password must have been entered in the last few
minutes. Whether it is allowed is `credentials.revocation`'s rule.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from app.auth.current import me
from app.credentials.blueprint import bp
from app.credentials.forms import RevokeCredentialForm
from app.permissions import roles
from app.services.credentials import issuing, revocation
from app.services.supervision import access as supervision_access
from app.supervisor import declarations


@bp.route("/credentials/enrolments/<int:enrolment_id>/revoke", methods=["GET", "POST"])
@roles("supervisor")
def revoke(enrolment_id: int):
    person = me()
    enrolment = supervision_access.enrolment_for_supervisor(person, enrolment_id, clinical=True)
    if enrolment is None:
        abort(404)
    record_page = url_for("supervisor.record", enrolment_id=enrolment.id)
    if not revocation.may_revoke(person, enrolment, issuing.credential_for_enrolment(enrolment.id)):
        flash("There is no credential standing for this training to revoke.")
        return redirect(record_page)
    refused, confirm = declarations.gate()
    if confirm is not None:
        return confirm
    form = RevokeCredentialForm()
    answer = declarations.declare(
        form,
        lambda authenticated_at: revocation.revoke(
            enrolment, actor=person, reason=form.reason.data, authenticated_at=authenticated_at
        ),
        refused=refused,
        done=lambda _: (
            "The credential is revoked: anyone who checks it is told so.",
            record_page,
        ),
    )
    return answer or render_template(
        "credentials/revoke.jinja",
        title="Revoke the training credential",
        enrolment=enrolment,
        form=form,
        refusal=refused,
        record_page=record_page,
    )
