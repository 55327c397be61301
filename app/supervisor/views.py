"""Supervision: the review queue, reviewing evidence, the supervision record, sessions.

Views parse the form, call one service, commit once and redirect; a refusal from a
service (DomainError) rolls back and lands on the field it names. Records are loaded
through `supervision_access` (or `reviews.evidence_for_reviewer`), which answer None, and
so 404, for anything the signed-in person may not see, and refuse (403, with the rule's
words) anyone acting as their own supervisor. Signing off lives in
`signing_views`, on the same blueprint (`blueprint.py`).
"""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from app.auth.current import me
from app.downloads import stored_download
from app.extensions import db
from app.form_base import show_error
from app.permissions import roles
from app.services.clock import uk_today
from app.services.credentials import issuing as credential_issuing
from app.services.credentials import revocation as credential_revocation
from app.services.development import objectives
from app.services.errors import DomainError
from app.services.framework_moves import gap_analysis
from app.services.portfolio import sufficiency
from app.services.portfolio.content import form_of
from app.services.registration import records as registration
from app.services.registration import signers
from app.services.supervision import access as supervision_access
from app.services.supervision import completion, enrolments, permissions, reviews, signoffs
from app.services.supervision import sessions as supervision_sessions
from app.supervisor.blueprint import bp
from app.supervisor.forms import ReviewForm, SessionForm
from app.templating import format_date, pagination
from app.trainee.display import answer_sections, assessment_summary

# --- Home: the review queue and the trainees ------------------------------------------


@bp.route("/")
@roles("supervisor")
def home():
    supervised = enrolments.supervised_enrolments(current_user.id)
    queue = reviews.review_queue(
        current_user.id,
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PAGE_SIZE"],
    )
    overview = {
        o.enrolment_id: o
        for o in supervision_sessions.overview_of(
            [(e.id, e.trainee_name, e.clinical_supervisor_name, e.started_on) for e in supervised],
            uk_today(),
        )
    }
    return render_template(
        "supervisor/home.jinja",
        title="My trainees",
        queue=queue,
        pagination=pagination(
            queue.page, queue.pages, lambda number: url_for(".home", page=number) + "#queue-heading"
        ),
        enrolments=supervised,
        waiting=queue.waiting,
        overview=overview,
        registrations=registration.registration_status_for(
            [e.trainee_id for e in supervised], uk_today()
        ),
        own_registration=registration.registration_status(current_user.id, uk_today()),
        signs_as_technician=signers.signs_as_technician(current_user.id, uk_today()),
        signing_refusal=signers.signer_refusal(current_user.id, uk_today()),
    )


# --- Reviewing evidence -------------------------------------------------------------------


@bp.route("/evidence/<int:evidence_id>/review", methods=["GET", "POST"])
@roles("supervisor")
def review(evidence_id: int):
    person = me()
    evidence = reviews.evidence_for_reviewer(person, evidence_id) or abort(404)
    form = ReviewForm(data={"version": str(evidence.current_version_number)})
    if form.validate_on_submit():
        try:
            version_number = int(form.version.data or 0)
        except ValueError:
            version_number = 0
        try:
            reviews.record_review(
                evidence,
                reviewer=person,
                decision=form.decision.data,
                comment=form.comment.data or "",
                version_number=version_number,
            )
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            done = "accepted" if form.decision.data == "accepted" else "sent back for changes"
            flash(f"“{evidence.title}” is {done}.", "success")
            return redirect(url_for(".home"))
    # The page shows the shared version (a revision in progress is the trainee's alone),
    # so a decision posted from it is about that one: refused unless it is waiting.
    version = reviews.shared_version(evidence)
    form.version.data = str(version.number)
    signed = signoffs.signed_off_competency_ids(evidence.enrolment_id)
    links = reviews.links_of(version)
    definition = form_of(evidence.evidence_type)
    return render_template(
        "supervisor/review.jinja",
        title=f"Review: {version.title}",
        evidence=evidence,
        version=version,
        counted_version=evidence.accepted_version_number,
        sections=answer_sections(definition, version.title, version.occurred_on, version.fields),
        assessment=assessment_summary(definition, version),
        links=links,
        progress=reviews.linked_progress(evidence, links, signed),
        attachments=reviews.shared_attachments(evidence),
        form=form,
        acceptance_refusal=reviews.acceptance_refusal(person, evidence, uk_today()),
    )


@bp.route("/evidence/<int:evidence_id>/attachments/<int:attachment_id>")
@roles("supervisor")
def attachment_download(evidence_id: int, attachment_id: int):
    """A file of evidence the supervisor may review, as a download (never shown inline)."""
    evidence = reviews.evidence_for_reviewer(me(), evidence_id) or abort(404)
    shared = reviews.shared_attachments(evidence)
    attachment = next((a for a in shared if a.id == attachment_id), None)
    if attachment is None:
        abort(404)
    return stored_download(
        attachment.storage_key, attachment.media_type, attachment.original_filename
    )


# --- The supervision record of one enrolment ------------------------------------------


@bp.route("/my-record")
@roles("trainee")
def my_record():
    """The trainee's own supervision record: their current enrolment, else the latest one."""
    mine = enrolments.enrolments_for(current_user.id)
    current = next((e for e in mine if permissions.is_current(e)), None)
    chosen = current or (mine[0] if mine else None)
    if chosen is None:
        flash("You are not enrolled yet, so there is no supervision record to show.")
        return redirect(url_for("main.home"))
    return redirect(url_for(".record", enrolment_id=chosen.id))


@bp.route("/enrolments/<int:enrolment_id>")
@roles("trainee", "supervisor", "lead")
def record(enrolment_id: int):
    person = me()
    enrolment = supervision_access.enrolment_for_viewer(person, enrolment_id) or abort(404)
    records = signoffs.sign_offs_for(enrolment.id)
    standing = signoffs.standing_by_competency(records)
    signed = signoffs.signed_off_competency_ids(enrolment.id)
    is_trainee = enrolment.trainee_id == person.id
    sessions = supervision_sessions.session_log(enrolment.id)
    today = uk_today()
    credential = credential_issuing.credential_for_enrolment(enrolment.id)
    return render_template(
        "supervisor/record.jinja",
        title=f"Supervision record: {enrolment.trainee.name}",
        enrolment=enrolment,
        domains=sufficiency.by_domain(
            sufficiency.progress_for(enrolment, signed, count_drafts=is_trainee)
        ),
        standing=standing,
        revoked=[s for s in records if s.revocation is not None],
        sessions=sessions,
        missed_months=supervision_sessions.missed_months(enrolment, sessions, today)
        if permissions.is_current(enrolment)
        else [],
        completion_record=completion.completion_for(enrolment.id),
        credential_record=credential,
        can_revoke_credential=credential_revocation.may_revoke(person, enrolment, credential),
        framework_move=gap_analysis.latest_move(enrolment.id),
        is_trainee=is_trainee,
        actions=permissions.record_actions(person, enrolment),
    )


# --- Supervision sessions ----------------------------------------------------------------


@bp.route("/enrolments/<int:enrolment_id>/sessions/new", methods=["GET", "POST"])
@roles("supervisor")
def session_new(enrolment_id: int):
    person = me()
    enrolment = supervision_access.enrolment_for_supervisor(person, enrolment_id) or abort(404)
    form = SessionForm()
    form.objectives.choices = [
        (o.id, f"{o.description} (due {format_date(o.target_on)})")
        for o in objectives.open_objectives(enrolment.id)
    ]
    if form.validate_on_submit():
        try:
            supervision_sessions.record_session(
                enrolment,
                supervisor=person,
                held_on=form.held_on.data,
                duration_minutes=form.duration_minutes.data,
                topics=form.topics.data or "",
                agreed_actions=form.agreed_actions.data or "",
                today=uk_today(),
                objectives_reviewed=form.objectives.data or [],
            )
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash("The supervision session is recorded.", "success")
            return redirect(url_for(".record", enrolment_id=enrolment.id, _anchor="sessions"))
    return render_template(
        "supervisor/session_new.jinja",
        title="Record a supervision session",
        enrolment=enrolment,
        form=form,
    )


@bp.route("/sessions")
@roles("lead")
def sessions_overview():
    return render_template(
        "supervisor/sessions_overview.jinja",
        title="Supervision sessions",
        overview=supervision_sessions.overview_for_lead(me(), uk_today()),
    )
