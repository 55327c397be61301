"""Moving trainees to a new framework version from the lead pages: choose, preview what
would carry over for each trainee (nothing is changed), then confirm. Leads move trainees
in their organisation's subtree; administrators anywhere. The rules are the service's
(`framework_moves.moving`)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from wtforms.fields.choices import SelectChoice

from app.auth.current import me
from app.extensions import db
from app.form_base import show_error
from app.lead.blueprint import bp
from app.lead.framework_move_forms import FrameworkMoveForm
from app.permissions import roles
from app.services.errors import DomainError, NotFound
from app.services.framework_moves import choices
from app.services.framework_moves.moving import move_trainees, versions_for_move
from app.services.framework_moves.plan import CATEGORIES, CATEGORY_LABELS


def _form() -> tuple[FrameworkMoveForm, dict[str, choices.MoveChoice], int | None]:
    person = me()
    try:
        root = choices.scope_root(person)
    except NotFound:
        abort(404)
    moves = {c.value: c for c in choices.move_choices()}
    form = FrameworkMoveForm()
    form.move.choices = [SelectChoice("", "Choose a move")] + [
        SelectChoice(c.value, c.label) for c in moves.values()
    ]
    form.cohort.choices = [SelectChoice("", "All trainees on the old version")] + [
        SelectChoice(c.id, c.name) for c in choices.cohort_choices(person)
    ]
    return form, moves, root


def _run(form: FrameworkMoveForm, moves: dict, root: int | None, *, dry_run: bool):
    chosen = moves[form.move.data]
    source, target = versions_for_move(chosen.source_ref, chosen.target_ref)
    return move_trainees(
        source,
        target,
        actor=me(),
        cohort_id=form.cohort.data,
        trainee_email=form.trainee.data or None,
        organisation_root_id=root,
        dry_run=dry_run,
    )


@bp.route("/framework-moves", methods=["GET", "POST"])
@roles("lead", "admin")
def framework_moves():
    """GET: the form; POST: the preview (a dry run, nothing changed) with a confirm button."""
    form, moves, root = _form()
    report = None
    if form.validate_on_submit():
        try:
            report = _run(form, moves, root, dry_run=True)
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.rollback()
    return render_template(
        "lead/framework_moves.jinja",
        title="Move trainees to a new framework version",
        form=form,
        report=report,
        categories=[(key, CATEGORY_LABELS[key]) for key in CATEGORIES],
    )


@bp.route("/framework-moves/confirm", methods=["POST"])
@roles("lead", "admin")
def framework_moves_confirm():
    form, moves, root = _form()
    if not form.validate_on_submit():
        flash("Choose the move again: the form had a problem.")
        return redirect(url_for(".framework_moves"))
    try:
        report = _run(form, moves, root, dry_run=False)
    except DomainError as error:
        db.session.rollback()
        flash(error.message)
        return redirect(url_for(".framework_moves"))
    db.session.commit()
    moved = report.count("moved")
    if moved:
        flash(
            f"Moved {moved} {'trainee' if moved == 1 else 'trainees'} to version "
            f"{report.target.version}.",
            "success",
        )
    else:
        flash("Nothing to move: every chosen trainee is already moved or cannot be moved.")
    return redirect(url_for(".framework_moves"))
