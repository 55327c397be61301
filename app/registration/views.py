"""Registration and qualification pages.

A trainee or registered technician keeps their own records here (`/registration/...`);
their supervisor and the education leads for their organisation see the same pages under
`/registration/people/<id>/...`, verify what was recorded and, for the clinical
supervisor, declare the training period. Admins and leads change programme status.

Every view parses its form, calls one service, commits once and redirects. A refusal
(DomainError) rolls back and lands on the field it names. Anyone not allowed to see a
person gets 404, so the existence of a record is never revealed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm

from app.downloads import stored_download
from app.extensions import db
from app.models.base import utcnow
from app.models.users import User
from app.permissions import roles
from app.registration.forms import (
    ConfirmForm,
    QualificationForm,
    RegistrationForm,
    TrainingStartForm,
    WeekForm,
)
from app.services.errors import DomainError, NotFound
from app.services.pathway import training_log
from app.services.pathway.programme_status import FUNDING_LABELS, PATHWAY_STATUS_LABELS
from app.services.portfolio.attachments import describe_size
from app.services.registration import access as registration_access
from app.services.registration import qualifications, revalidation
from app.services.registration import records as registration
from app.services.registration.rules import (
    QUALIFICATION_KIND_BY_KEY,
    QUALIFICATION_STATUS_LABELS,
    REGISTRATION_STATUS_LABELS,
)
from app.services.registration.settings import minimum_wte, protected_learning_days
from app.services.rule_results import format_number
from app.services.storage.documents import Upload, discard
from app.services.supervision.enrolments import enrolments_for

bp = Blueprint("registration", __name__, url_prefix="/registration")


@bp.context_processor
def _labels() -> dict:
    from app.services.registration.gphc import REGISTER_LABELS

    return {
        "register_labels": REGISTER_LABELS,
        "registration_status_labels": REGISTRATION_STATUS_LABELS,
        "qualification_kinds": QUALIFICATION_KIND_BY_KEY,
        "qualification_status_labels": QUALIFICATION_STATUS_LABELS,
        "pathway_status_labels": PATHWAY_STATUS_LABELS,
        "funding_labels": FUNDING_LABELS,
        "protected_learning_days": protected_learning_days(),
        "describe_size": describe_size,
        "number": format_number,
        "minimum_wte": minimum_wte(),
    }


# --- Helpers shared by the views --------------------------------------------------------


def me() -> User:
    return current_user._get_current_object()


def today() -> date:
    return utcnow().date()


def show_error(form: FlaskForm, error: DomainError) -> None:
    """Undo whatever the service began, and put its message where the person will look."""
    db.session.rollback()
    field = form._fields.get(error.field) if error.field else None
    if field is None:
        form.form_errors.append(error.message)
    else:
        field.errors = [*field.errors, error.message]


def person_or_404(user_id: int) -> User:
    """The person whose records the signed-in supervisor or lead oversees, else 404."""
    person = registration_access.person_for_viewer(me(), user_id)
    if person is None:
        abort(404)
    return person


def upload_from(storage) -> Upload | None:
    if storage is None or not getattr(storage, "filename", ""):
        return None
    return Upload(storage.stream, storage.filename)


def upload_settings() -> dict:
    config = current_app.config
    max_bytes = config.get("MAX_UPLOAD_BYTES") or config["MAX_CONTENT_LENGTH"] - 64 * 1024
    return {"upload_dir": config["UPLOAD_DIR"], "max_bytes": max_bytes}


@dataclass(frozen=True)
class Links:
    """Where each part of a person's records lives: their own pages, or the overseer's."""

    own: bool
    person_id: int

    def __call__(self, page: str) -> str:
        if self.own:
            return url_for(f"registration.{page}")
        return url_for(f"registration.person_{page}", user_id=self.person_id)


def links_for(person: User) -> Links:
    return Links(person.id == current_user.id, person.id)


def overview_context(person: User, *, own: bool) -> dict:
    day = today()
    history = registration.registration_history(person.id)
    status = registration.status_of(person.id, history[0] if history else None, day)
    weeks = training_log.weeks_for(person.id)
    eligibility = training_log.eligibility_for(person.id, day, weeks)
    current = history[0] if history else None
    qualification = qualifications.qualification_for(person.id)
    return {
        "title": "Registration and qualification" if own else f"{person.name}: registration",
        "person": person,
        "own": own,
        "links": Links(own, person.id),
        "status": status,
        "history": history,
        "qualification": qualification,
        "eligibility": eligibility,
        "show_training": eligibility.training_start is not None
        or status.flag in ("none", "trainee"),
        "panel": revalidation.revalidation_for(person.id, day),
        "enrolments": enrolments_for(person.id),
        "verify_registration_form": ConfirmForm(record_id=current.id if current else ""),
        "verify_qualification_form": ConfirmForm(
            record_id=qualification.id if qualification else ""
        ),
    }


# --- The person's own pages ----------------------------------------------------------------


@bp.route("/")
@roles("trainee")
def overview():
    return render_template("registration/overview.jinja", **overview_context(me(), own=True))


@bp.route("/details", methods=["GET", "POST"])
@roles("trainee")
def details():
    person = me()
    current = registration.registration_history(person.id)[:1]
    form = RegistrationForm(obj=current[0] if current else None)
    if form.validate_on_submit():
        change = registration.RegistrationDetails(
            register=form.register.data,
            status=form.status.data,
            number=form.number.data,
            registered_on=form.registered_on.data,
            expires_on=form.expires_on.data,
        )
        try:
            registration.record_registration(person, change, actor=person)
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(
                "Registration details saved. Your supervisor or lead will check them on the "
                "GPhC register.",
                "success",
            )
            return redirect(url_for(".overview"))
    return render_template(
        "registration/details.jinja", title="Record your GPhC registration", form=form
    )


@bp.route("/qualification", methods=["GET", "POST"])
@roles("trainee")
def qualification():
    person = me()
    existing = qualifications.qualification_for(person.id)
    form = QualificationForm(obj=existing)
    if form.validate_on_submit():
        details = qualifications.QualificationDetails(
            kind=form.kind.data,
            status=form.status.data,
            awarding_body=form.awarding_body.data or "",
            title=form.title.data,
            started_on=form.started_on.data,
            achieved_on=form.achieved_on.data,
        )
        try:
            saved = qualifications.save_qualification(
                person,
                details,
                actor=person,
                today=today(),
                certificate=upload_from(form.certificate.data),
                **upload_settings(),
            )
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            discard(current_app.config["UPLOAD_DIR"], saved.replaced_storage_key)
            flash("Level 3 qualification saved.", "success")
            return redirect(url_for(".overview"))
    return render_template(
        "registration/qualification.jinja",
        title="Your Level 3 qualification",
        form=form,
        qualification=existing,
    )


@bp.route("/qualification/certificate")
@roles("trainee")
def certificate():
    return certificate_of(me(), url_for(".overview"))


def certificate_of(person: User, back: str):
    found = qualifications.qualification_for(person.id)
    if found is None or not found.certificate_storage_key:
        flash("No certificate has been uploaded.", "error")
        return redirect(back)
    return stored_download(
        found.certificate_storage_key,
        found.certificate_media_type or "application/octet-stream",
        found.certificate_filename or "certificate",
    )


def training_context(person: User, **forms) -> dict:
    day = today()
    weeks = training_log.weeks_for(person.id)
    period = training_log.training_period_for(person.id)
    declarations = training_log.declarations_for(person.id)
    declared = [(d.period_start, d.period_end) for d in declarations]
    eligibility = training_log.eligibility_for(person.id, day, weeks)
    own = person.id == current_user.id
    context = {
        "title": "Pre-registration training" if own else f"{person.name}: training",
        "person": person,
        "own": own,
        "links": Links(own, person.id),
        "weeks": weeks,
        "locked": {w.id for w in weeks if any(s <= w.week_starting <= e for s, e in declared)},
        "eligibility": eligibility,
        "uncounted": {
            week.week_starting: week.reason
            for week in (eligibility.result.not_counted if eligibility.result else ())
        },
        "declarations": declarations,
        "start_form": TrainingStartForm(
            formdata=None, data={"started_on": period.started_on if period else None}
        ),
        "week_form": WeekForm(formdata=None),
        "delete_form": ConfirmForm(formdata=None),
        "can_declare": not own
        and registration_access.supervises(current_user.id, person.id, clinical_only=True),
    }
    context.update(forms)
    return context


@bp.route("/training")
@roles("trainee")
def training():
    return render_template("registration/training_log.jinja", **training_context(me()))


@bp.route("/training/start", methods=["POST"])
@roles("trainee")
def training_start():
    person = me()
    form = TrainingStartForm()
    if form.validate_on_submit():
        try:
            training_log.set_training_start(
                person, form.started_on.data, actor=person, today=today()
            )
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash("Training start saved.", "success")
            return redirect(url_for(".training"))
    return render_template(
        "registration/training_log.jinja", **training_context(person, start_form=form, form=form)
    )


@bp.route("/training/weeks", methods=["POST"])
@roles("trainee")
def log_week():
    person = me()
    form = WeekForm()
    if form.validate_on_submit():
        entry = training_log.WeekEntry(
            week_starting=form.week_starting.data,
            hours=form.hours.data,
            supervised_hours=form.supervised_hours.data,
            supervisor_name=form.supervisor_name.data or "",
        )
        try:
            training_log.log_week(person, entry, actor=person, today=today())
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash("Week saved.", "success")
            return redirect(url_for(".training") + "#weeks")
    return render_template(
        "registration/training_log.jinja", **training_context(person, week_form=form, form=form)
    )


@bp.route("/training/weeks/<int:week_id>/delete", methods=["POST"])
@roles("trainee")
def delete_week(week_id: int):
    person = me()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        training_log.delete_week(person, week_id, actor=person)
    except NotFound:
        abort(404)  # another person's week answers as one that does not exist
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash("Week removed.", "success")
    return redirect(url_for(".training") + "#weeks")


from app.registration import oversight, revalidation_views  # noqa: E402, F401  (routes on bp)
