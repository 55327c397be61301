"""The gap analysis after a trainee moved to a new framework version, and its signature.

Anyone who may see the trainee's record reads it; the clinical supervisor signs it, as a
professional declaration (password re-entered, their own registration standing). The
rules are the service's (`framework_moves.gap_analysis`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, flash, redirect, render_template, request, session, url_for

from app.auth.current import me
from app.auth.sessions import FRESH_AT, is_fresh
from app.extensions import db
from app.form_base import show_error
from app.permissions import roles
from app.services.clock import uk_today
from app.services.errors import DomainError
from app.services.framework_moves import gap_analysis
from app.services.registration import signers
from app.services.supervision import access as supervision_access
from app.services.supervision import permissions, signing
from app.supervisor.blueprint import bp
from app.supervisor.forms import GapAnalysisForm


def _authenticated_at() -> datetime | None:
    fresh_at = session.get(FRESH_AT)
    return datetime.fromtimestamp(fresh_at, UTC) if fresh_at else None


def _confirm_first():
    flash("Signing is a professional declaration: confirm your password to continue.")
    return redirect(url_for("auth.confirm_password", next=request.path))


@bp.route("/enrolments/<int:enrolment_id>/gap-analysis")
@roles("trainee", "supervisor", "lead")
def gap_analysis_page(enrolment_id: int):
    person = me()
    enrolment = supervision_access.enrolment_for_viewer(person, enrolment_id) or abort(404)
    move = gap_analysis.latest_move(enrolment.id)
    signature = move.signature if move is not None else None
    return render_template(
        "supervisor/gap_analysis.jinja",
        title="What changed with the new framework version",
        enrolment=enrolment,
        move=move,
        sections=gap_analysis.sections(move) if move is not None else [],
        can_sign=move is not None
        and signature is None
        and permissions.may_sign_off(person, enrolment),
        signed_with=signers.snapshot_words(signature.signer_registration) if signature else None,
    )


@bp.route("/enrolments/<int:enrolment_id>/gap-analysis/sign", methods=["GET", "POST"])
@roles("supervisor")
def sign_gap_analysis(enrolment_id: int):
    person = me()
    enrolment = supervision_access.enrolment_for_supervisor(person, enrolment_id, clinical=True)
    enrolment = enrolment or abort(404)
    move = gap_analysis.latest_move(enrolment.id)
    back = url_for(".gap_analysis_page", enrolment_id=enrolment.id)
    if move is None:
        flash("This training has not moved to a new framework version: there is nothing to sign.")
        return redirect(back)
    if move.signature is not None:
        flash("This gap analysis is already signed.")
        return redirect(back)
    refusal = signers.signer_refusal(person.id, uk_today(), signers.SIGN_OFF_REGISTERS)
    if refusal is None and not is_fresh(int(signing.FRESH_AUTHENTICATION.total_seconds())):
        return _confirm_first()
    form = GapAnalysisForm()
    if refusal is None and form.validate_on_submit():
        try:
            gap_analysis.sign_gap_analysis(
                move, signer=person, comment=form.comment.data, authenticated_at=_authenticated_at()
            )
        except signing.ReauthenticationRequired:
            db.session.rollback()
            return _confirm_first()
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash("The gap analysis is signed.", "success")
            return redirect(back)
    return render_template(
        "supervisor/gap_analysis_sign.jinja",
        title="Sign the gap analysis",
        enrolment=enrolment,
        move=move,
        statement=gap_analysis.statement(enrolment.trainee.name, move),
        form=form,
        refusal=refusal,
    )
