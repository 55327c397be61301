"""Signing: competency sign-off, revocation, the final sign-off and its statement.

Each is a professional declaration, so it needs a password re-entered in the last few
minutes: without it the person is sent to /auth/confirm and straight back. Whether a
signature is allowed is the services' decision (`signoffs`, `completion`); these views
only load what the person may see, pass the form on and show the answer. A signer whose
own registration does not stand (`registration.signers`) sees why, and what to do,
instead of the form, and nothing is tried.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from wtforms.fields.choices import SelectChoice

from app.auth.current import me
from app.downloads import download
from app.extensions import db
from app.form_base import show_error
from app.permissions import roles
from app.services.clock import uk_today
from app.services.errors import DomainError
from app.services.framework_moves import gap_analysis
from app.services.registration import signers
from app.services.supervision import access as supervision_access
from app.services.supervision import completion, permissions, signing, signoffs
from app.supervisor import declarations
from app.supervisor.blueprint import bp
from app.supervisor.forms import ConfirmForm, RevokeForm, SignOffForm

# --- Competency sign-off ------------------------------------------------------------------


def _clinical_enrolment_or_404(enrolment_id: int):
    enrolment = supervision_access.enrolment_for_supervisor(me(), enrolment_id, clinical=True)
    return enrolment or abort(404)


@bp.route(
    "/enrolments/<int:enrolment_id>/competencies/<int:competency_id>/sign-off",
    methods=["GET", "POST"],
)
@roles("supervisor")
def sign_off(enrolment_id: int, competency_id: int):
    enrolment = _clinical_enrolment_or_404(enrolment_id)
    competency = supervision_access.competency_for_enrolment(enrolment, competency_id)
    if competency is None:
        abort(404)
    standing = signoffs.standing_by_competency(signoffs.sign_offs_for(enrolment.id))
    if competency.id in standing:
        flash(f"{competency.code} is already signed off. Revoke that sign-off to sign again.")
        return redirect(url_for(".sign_off_detail", sign_off_id=standing[competency.id].id))
    refusal, confirm = declarations.gate()
    if confirm is not None:
        return confirm
    scale = signoffs.scale_for(enrolment.framework_id)
    form = SignOffForm()
    form.outcome.choices = [SelectChoice(s.code, s.label) for s in scale]
    done = declarations.declare(
        form,
        lambda at: signoffs.sign_off(
            enrolment,
            competency,
            signer=me(),
            outcome_code=form.outcome.data,
            comment=form.comment.data or "",
            override_justification=form.override_justification.data,
            authenticated_at=at,
        ),
        refused=refusal,
        done=lambda record: (
            f"{competency.code} is signed off.",
            url_for(".sign_off_detail", sign_off_id=record.id),
        ),
    )
    if done is not None:
        return done
    progress = signoffs.competency_progress(enrolment, competency.id)
    return render_template(
        "supervisor/sign_off.jinja",
        title=f"Sign off {competency.code}",
        enrolment=enrolment,
        competency=competency,
        progress=progress,
        relied_on=signoffs.relied_on(
            signoffs.accepted_evidence_versions(enrolment.id, competency.id)
        ),
        proficient_example=next((s for s in scale if s.proficient), None),
        declaration=signoffs.declaration,
        form=form,
        refusal=refusal,
    )


@bp.route("/sign-offs/<int:sign_off_id>")
@roles("trainee", "supervisor", "lead")
def sign_off_detail(sign_off_id: int):
    person = me()
    record = supervision_access.sign_off_for_viewer(person, sign_off_id) or abort(404)
    enrolment = record.enrolment
    return render_template(
        "supervisor/sign_off_detail.jinja",
        title=f"Sign-off of {record.competency_code}",
        record=record,
        enrolment=enrolment,
        competency=record.competency,
        relied_on=signoffs.relied_on(record.evidence_versions),
        can_revoke=permissions.may_revoke(person, record),
        carried_over=gap_analysis.carried_over_words(record),
        signed_with=signers.snapshot_words(record.signer_registration),
        revoked_with=(
            signers.snapshot_words(record.revocation.revoker_registration)
            if record.revocation
            else None
        ),
    )


@bp.route("/sign-offs/<int:sign_off_id>/revoke", methods=["GET", "POST"])
@roles("supervisor")
def revoke(sign_off_id: int):
    person = me()
    record = supervision_access.sign_off_for_clinical_supervisor(person, sign_off_id) or abort(404)
    if record.revocation is not None:
        flash("This sign-off has already been revoked.")
        return redirect(url_for(".sign_off_detail", sign_off_id=record.id))
    refusal, confirm = declarations.gate()
    if confirm is not None:
        return confirm
    form = RevokeForm()
    done = declarations.declare(
        form,
        lambda at: signoffs.revoke(
            record, actor=person, reason=form.reason.data, authenticated_at=at
        ),
        refused=refusal,
        done=lambda _: (
            f"The sign-off of {record.competency_code} is revoked.",
            url_for(".sign_off_detail", sign_off_id=record.id),
        ),
    )
    if done is not None:
        return done
    return render_template(
        "supervisor/revoke.jinja",
        title=f"Revoke the sign-off of {record.competency_code}",
        record=record,
        form=form,
        refusal=refusal,
    )


# --- Final sign-off -------------------------------------------------------------------------


@bp.route("/enrolments/<int:enrolment_id>/complete", methods=["GET", "POST"])
@roles("supervisor")
def complete(enrolment_id: int):
    enrolment = _clinical_enrolment_or_404(enrolment_id)
    existing = completion.completion_for(enrolment.id)
    if existing is not None:
        flash("This training is already signed off as complete.")
        return redirect(url_for(".record", enrolment_id=enrolment.id))
    form = ConfirmForm()
    problems = completion.completion_problems(enrolment, uk_today())
    refusal = declarations.refusal()
    if refusal is None and form.validate_on_submit():
        if not declarations.is_fresh_enough():
            return declarations.confirm_first()
        try:
            completion.complete(
                enrolment,
                signer=me(),
                authenticated_at=declarations.authenticated_at(),
                today=uk_today(),
            )
        except signing.ReauthenticationRequired:
            db.session.rollback()
            return declarations.confirm_first()
        except completion.PrerequisitesUnmet as error:
            db.session.rollback()
            problems = error.problems
            form.form_errors.append(error.message)
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(f"{enrolment.trainee.name}'s training is signed off as complete.", "success")
            return redirect(url_for(".record", enrolment_id=enrolment.id))
    return render_template(
        "supervisor/complete.jinja",
        title="Final sign-off",
        enrolment=enrolment,
        problems=problems,
        form=form,
        refusal=refusal,
    )


@bp.route("/enrolments/<int:enrolment_id>/completion-statement")
@roles("trainee", "supervisor", "lead")
def completion_statement(enrolment_id: int):
    enrolment = supervision_access.enrolment_for_viewer(me(), enrolment_id) or abort(404)
    record = completion.completion_for(enrolment.id)
    if record is None:
        flash("There is no completion statement yet: the training is not signed off as complete.")
        return redirect(url_for(".record", enrolment_id=enrolment.id))
    return download(
        completion.statement_text(record).encode(),
        "text/plain",
        completion.statement_filename(record),
    )
