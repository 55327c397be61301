"""What the registration pages share: the signed-in person, error display, links between a
person's own pages and their overseer's, and the page contexts both sides render."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from app.auth.current import me
from app.downloads import stored_download
from app.models.users import User
from app.registration.forms import ConfirmForm, TrainingStartForm, WeekForm
from app.services.clock import uk_today
from app.services.pathway import (
    programme_status,
    training_declaration,
    training_log,
    training_permissions,
)
from app.services.registration import access as registration_access
from app.services.registration import qualifications, revalidation
from app.services.registration import records as registration
from app.services.registration.revalidation_rules import GPHC_STANDARDS
from app.services.storage.documents import Upload
from app.services.supervision.enrolments import enrolments_for
from app.services.supervision.permissions import is_current


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
    day = uk_today()
    history = registration.registration_history(person.id)
    status = registration.status_of(person.id, history[0] if history else None, day)
    weeks = training_log.weeks_for(person.id)
    eligibility = training_log.eligibility_for(person.id, day, weeks)
    current = history[0] if history else None
    qualification = qualifications.qualification_for(person.id)
    current_enrolments = [e for e in enrolments_for(person.id) if is_current(e)]
    return {
        "title": "Registration and qualification" if own else f"{person.name}: registration",
        "person": person,
        "own": own,
        "links": Links(own, person.id),
        "status": status,
        "history": history,
        "qualification": qualification,
        "qualification_name": qualifications.qualification_name(qualification)
        if qualification
        else None,
        "qualification_parts": qualifications.qualification_parts(qualification)
        if qualification
        else [],
        "may_verify_qualification": qualifications.awaiting_verification(qualification),
        "eligibility": eligibility,
        "show_training": training_permissions.shows_training_log(
            eligibility.training_start, status
        ),
        "panel": revalidation.revalidation_for(person.id, day),
        "current_enrolments": current_enrolments,
        # Changing programme status is an oversight action, never offered on one's own page.
        "manageable": set()
        if own
        else {e.id for e in current_enrolments if programme_status.may_manage(me(), e)},
        "verify_registration_form": ConfirmForm(record_id=current.id if current else ""),
        "verify_qualification_form": ConfirmForm(
            record_id=qualification.id if qualification else ""
        ),
    }


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
    day = uk_today()
    weeks = training_log.weeks_for(person.id)
    period = training_log.training_period_for(person.id)
    declarations = training_log.declarations_for(person.id)
    eligibility = training_log.eligibility_for(person.id, day, weeks)
    own = person.id == current_user.id
    can_declare = training_permissions.may_declare(me(), person)
    context = {
        "title": "Pre-registration training" if own else f"{person.name}: training",
        "person": person,
        "own": own,
        "links": Links(own, person.id),
        "weeks": weeks,
        "locked": training_permissions.locked_week_ids(
            weeks, declarations, period.started_on if period else None
        ),
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
        "can_declare": can_declare,
        "declaration_refusal": training_declaration.declarant_refusal(me(), day)
        if can_declare
        else None,
    }
    context.update(forms)
    return context


def revalidation_context(person: User) -> dict:
    own = person.id == me().id
    panel = revalidation.revalidation_for(person.id, uk_today())
    problems = {}
    if panel is not None:
        problems = {
            record.id: revalidation.record_problems(record, panel.required_standards)
            for record in panel.records
        }
    return {
        "title": "Revalidation" if own else f"{person.name}: revalidation",
        "person": person,
        "own": own,
        "links": Links(own, person.id),
        "panel": panel,
        "problems": problems,
        "record_kinds": revalidation.RECORD_KINDS,
        "standards": GPHC_STANDARDS,
        "delete_form": ConfirmForm(formdata=None),
    }


def print_year_for(person: User, back: str):
    export = revalidation.year_export(person, uk_today())
    if export is None:
        flash("There is no registration year to print until a registration is recorded.", "error")
        return redirect(back)
    return render_template(
        "registration/print.jinja",
        title=f"Revalidation records for {person.name}",
        export=export,
        printed_on=uk_today(),
    )
