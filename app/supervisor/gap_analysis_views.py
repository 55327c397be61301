"""The gap analysis after a trainee moved to a new framework version, and its signature.

Anyone who may see the trainee's record reads it; the clinical supervisor signs it, as a
professional declaration (password re-entered, their own registration standing). The
rules are the service's (`framework_moves.gap_analysis`).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from app.auth.current import me
from app.permissions import roles
from app.services.framework_moves import gap_analysis
from app.services.registration import signers
from app.services.supervision import access as supervision_access
from app.services.supervision import permissions
from app.supervisor import declarations
from app.supervisor.blueprint import bp
from app.supervisor.forms import GapAnalysisForm


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
    refusal, confirm = declarations.gate()
    if confirm is not None:
        return confirm
    form = GapAnalysisForm()
    done = declarations.declare(
        form,
        lambda at: gap_analysis.sign_gap_analysis(
            move, signer=person, comment=form.comment.data, authenticated_at=at
        ),
        refused=refusal,
        done=lambda _: ("The gap analysis is signed.", back),
    )
    if done is not None:
        return done
    return render_template(
        "supervisor/gap_analysis_sign.jinja",
        title="Sign the gap analysis",
        enrolment=enrolment,
        move=move,
        statement=gap_analysis.statement(enrolment.trainee.name, move),
        form=form,
        refusal=refusal,
    )
