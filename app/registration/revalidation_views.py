"""A registered technician's own revalidation pages: the readiness panel, the year's
records, exceptional circumstances and the printable year."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from app.auth.current import me
from app.extensions import db
from app.form_base import show_error
from app.models.users import User
from app.permissions import roles
from app.registration.blueprint import bp
from app.registration.common import print_year_for, revalidation_context
from app.registration.forms import AgreementForm, ConfirmForm, ReasonForm, record_form_class
from app.services.clock import uk_today
from app.services.errors import DomainError, NotFound
from app.services.registration import revalidation as revalidation_service
from app.services.registration.revalidation_questions import draft_from_evidence
from app.services.registration.revalidation_rules import PeerDeclaration


@bp.route("/revalidation")
@roles("trainee")
def revalidation():
    return render_template("registration/revalidation.jinja", **revalidation_context(me()))


# --- Drafting from evidence: the only place these pages read evidence ---------------------


def own_evidence(person: User) -> list[tuple[int, str, object]]:
    """(id, title, date) of the person's own evidence, newest first, to draft from."""
    from app.models.enrolments import Enrolment
    from app.models.evidence import Evidence
    from app.services.portfolio.access import visible_evidence_for

    query = (
        visible_evidence_for(person)
        .where(Enrolment.trainee_id == person.id)
        .with_only_columns(Evidence.id, Evidence.title, Evidence.occurred_on)
        .order_by(Evidence.occurred_on.desc(), Evidence.id.desc())
        .limit(50)
    )
    return [tuple(row) for row in db.session.execute(query)]


def evidence_as_dict(person: User, evidence_id: int) -> dict | None:
    """One of the person's own evidence items as the plain dict the service copies from."""
    from app.models.enrolments import Enrolment
    from app.models.evidence import Evidence
    from app.services.portfolio.access import visible_evidence_for
    from app.services.portfolio.assessment_forms import form_for

    item = db.session.scalar(
        visible_evidence_for(person).where(
            Evidence.id == evidence_id, Enrolment.trainee_id == person.id
        )
    )
    if item is None:
        return None
    version = item.current_version
    definition = form_for(item.evidence_type.code, observed=item.evidence_type.observed)
    return {
        "id": item.id,
        "title": version.title,
        "occurred_on": version.occurred_on,
        "fields": dict(version.fields or {}),
        "labels": {field.name: field.label for field in definition.fields},
    }


def _record_input(kind: str, form, person: User) -> revalidation_service.RecordInput:
    record_kind = revalidation_service.RECORD_KINDS[kind]
    peer = None
    if kind == "peer-discussion":
        peer = PeerDeclaration(
            form.peer_name.data or "",
            form.peer_role.data or "",
            bool(form.not_a_relative.data),
            bool(form.not_a_partner.data),
            bool(form.no_conflict_of_interest.data),
        )
    standards: tuple[int, ...] = ()
    if kind == "reflective-account":
        standards = tuple(int(n) for n in form.standards.data or () if str(n).isdigit())
    copied_from = request.form.get("copied_from_evidence_id", "")
    evidence_id = int(copied_from) if copied_from.isdigit() else None
    if evidence_id is not None and evidence_as_dict(person, evidence_id) is None:
        evidence_id = None  # provenance must be the person's own evidence
    return revalidation_service.RecordInput(
        kind=kind,
        title=form.title.data or "",
        occurred_on=form.occurred_on.data,
        answers={p.name: form[p.name].data or "" for p in record_kind.prompts},
        standards=standards,
        peer=peer,
        copied_from_evidence_id=evidence_id,
    )


@bp.route("/revalidation/records/new", methods=["GET", "POST"])
@roles("trainee")
def new_record():
    person = me()
    kind = request.values.get("kind", "")
    if kind not in revalidation_service.RECORD_KINDS:
        return render_template(
            "registration/record_kind.jinja",
            title="Add a revalidation record",
            record_kinds=revalidation_service.RECORD_KINDS,
        )
    form_class = record_form_class(kind)
    if request.method == "POST":
        form = form_class()
        if form.validate_on_submit():
            try:
                revalidation_service.add_record(
                    person, _record_input(kind, form, person), actor=person, today=uk_today()
                )
            except DomainError as error:
                show_error(form, error)
            else:
                db.session.commit()
                flash(f"{revalidation_service.RECORD_KINDS[kind].label} saved.", "success")
                return redirect(url_for(".revalidation"))
    else:
        data: dict = {"kind": kind}
        evidence_id = request.args.get("evidence_id", type=int)
        if evidence_id is not None:
            evidence = evidence_as_dict(person, evidence_id) or abort(404)
            draft = draft_from_evidence(kind, evidence)
            data |= {
                "title": draft.title,
                "occurred_on": draft.occurred_on,
                "copied_from_evidence_id": draft.copied_from_evidence_id,
                **draft.answers,
            }
        form = form_class(formdata=None, data=data)
    return render_template(
        "registration/record_form.jinja",
        title=f"Add a {revalidation_service.RECORD_KINDS[kind].label.lower()}",
        form=form,
        kind=revalidation_service.RECORD_KINDS[kind],
        evidence=own_evidence(person),
        year=revalidation_service.current_year(person.id),
    )


@bp.route("/revalidation/records/<int:record_id>/delete", methods=["POST"])
@roles("trainee")
def delete_record(record_id: int):
    person = me()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        revalidation_service.delete_record(person, record_id, actor=person)
    except NotFound:
        abort(404)  # another person's record answers as one that does not exist
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash("Record removed.", "success")
    return redirect(url_for(".revalidation"))


@bp.route("/revalidation/exceptional-circumstances", methods=["GET", "POST"])
@roles("trainee")
def exceptional_circumstances():
    """Record the circumstances (with the GPhC's agreement if it has come), or, once they
    are recorded, the GPhC's agreement."""
    person = me()
    today = uk_today()
    panel = revalidation_service.revalidation_for(person.id, today)
    recorded = panel.exceptional if panel else None
    form = AgreementForm() if recorded else ReasonForm()
    if form.validate_on_submit():
        try:
            if recorded:
                revalidation_service.record_gphc_agreement(
                    person,
                    form.gphc_agreed_on.data,
                    form.gphc_reference.data,
                    actor=person,
                    today=today,
                )
            else:
                revalidation_service.record_exceptional_circumstances(
                    person,
                    form.reason.data,
                    actor=person,
                    today=today,
                    gphc_agreed_on=form.gphc_agreed_on.data,
                    gphc_reference=form.gphc_reference.data,
                )
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            after = revalidation_service.revalidation_for(person.id, today)
            flash(
                "The GPhC's agreement is recorded: this year's requirement is reduced."
                if after and after.exceptional_agreed
                else "Exceptional circumstances recorded. The full requirement applies until "
                "you record the GPhC's agreement.",
                "success",
            )
            return redirect(url_for(".revalidation"))
    return render_template(
        "registration/exceptional.jinja",
        title="Exceptional circumstances",
        form=form,
        panel=panel,
    )


@bp.route("/revalidation/exceptional-circumstances/withdraw", methods=["POST"])
@roles("trainee")
def withdraw_exceptional_circumstances():
    person = me()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        revalidation_service.withdraw_exceptional_circumstances(person, actor=person)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash("Exceptional circumstances withdrawn: the full requirement applies.", "success")
    return redirect(url_for(".revalidation"))


@bp.route("/revalidation/print")
@roles("trainee")
def print_year():
    return print_year_for(me(), url_for(".revalidation"))
