"""Importing many people from a CSV file: upload, preview every row, confirm, result.

Administrators import anywhere, education leads inside their organisation subtree (the
service applies the scope). The preview carries the file's text to the confirmation in
the form itself, and the confirmation checks it again from the start before writing:
the app servers keep nothing between the two requests.
"""

from __future__ import annotations

from flask import current_app, render_template, url_for

from app.admin.blueprint import bp
from app.admin.import_forms import PeopleImportConfirmForm, PeopleImportForm
from app.auth.current import me
from app.extensions import db
from app.permissions import roles
from app.services.accounts import bulk_import, invitations
from app.services.accounts.bulk_import.csv_file import COLUMNS, MAX_FILE_BYTES
from app.services.errors import DomainError

# Each outcome is named in words; the colour only repeats it.
TAG_COLOURS = {
    "create": "blue",
    "create_and_enrol": "blue",
    "enrol": "blue",
    "skip": "grey",
    "error": "red",
}
CHANGED = (
    "The file or the records it names changed since the preview, so nothing was imported. "
    "Correct these rows and upload the file again."
)


@bp.route("/people/import", methods=["GET", "POST"])
@roles("admin", "lead")
def people_import():
    form = PeopleImportForm()
    if form.validate_on_submit():
        # One byte over the limit is enough for the service to say the file is too large.
        plan = bulk_import.plan_people_import(form.file.data.read(MAX_FILE_BYTES + 1), actor=me())
        db.session.rollback()
        if plan.rows:
            return _preview(plan)
        form.file.errors = [_where(problem) for problem in plan.problems]
    return _upload_page(form)


@bp.route("/people/import/confirm", methods=["POST"])
@roles("admin", "lead")
def people_import_confirm():
    form = PeopleImportConfirmForm()
    if not form.validate_on_submit():
        return _start_again("The import was not confirmed: upload the file again")
    plan = bulk_import.plan_people_import(form.csv_text.data, actor=me())
    if not plan.rows:
        db.session.rollback()
        return _start_again(f"Nothing was imported: {_where(plan.problems[0])}")
    if not plan.ok or not _to_import(plan):
        db.session.rollback()
        return _preview(plan, changed=True)
    try:
        result = bulk_import.carry_out(plan, actor=me())
    except DomainError as error:
        db.session.rollback()
        return _start_again(f"Nothing was imported: {error.message}")
    db.session.commit()
    invitations.deliver(result.invitations)
    return render_template(
        "admin/people_import_result.jinja",
        title="People imported",
        result=result,
        invite_days=current_app.config.get("INVITE_DAYS", 14),
    )


def _upload_page(form: PeopleImportForm):
    admin = me().has_role("admin")
    return render_template(
        "admin/people_import.jinja",
        title="Import people from a CSV file",
        form=form,
        columns=COLUMNS,
        max_kilobytes=MAX_FILE_BYTES // 1000,
        scope_limited=not admin,
        back_url=url_for("admin.users" if admin else "lead.home"),
        back_text="Users" if admin else "Cohorts",
    )


def _start_again(message: str):
    form = PeopleImportForm(formdata=None)
    form.form_errors.append(message)
    return _upload_page(form)


def _to_import(plan: bulk_import.ImportPlan) -> int:
    return plan.count("create", "create_and_enrol", "enrol")


def _preview(plan: bulk_import.ImportPlan, *, changed: bool = False):
    confirm = PeopleImportConfirmForm(formdata=None, data={"csv_text": plan.text})
    counts = [
        ("Accounts to create", plan.count("create", "create_and_enrol")),
        ("Trainees to enrol", plan.count("create_and_enrol", "enrol")),
        ("Rows to skip (already present)", plan.count("skip")),
        ("Rows with errors", plan.count("error")),
    ]
    return render_template(
        "admin/people_import_preview.jinja",
        title=("" if plan.ok else "Error: ") + "Check the people to import",
        plan=plan,
        confirm=confirm,
        counts=counts,
        # Nothing on this page corrects a row (the spreadsheet does), so the summary lists
        # the problems without links to fields; each row's line is in the table below.
        errors=[{"text": _where(problem)} for problem in plan.problems],
        changed_text=CHANGED if changed else None,
        tag_colours=TAG_COLOURS,
        to_import=_to_import(plan),
    )


def _where(problem: bulk_import.Problem) -> str:
    if problem.line is None:
        return problem.message
    return f"Line {problem.line}, {problem.column}: {problem.message}"
