"""Publishing a framework version from the pages: upload a file (problems shown by line,
nothing kept), preview it with the diff against the version before, then publish it in a
separate confirmed step. Leads and administrators publish; only administrators mark a
provisional version as published. The rules are the service's
(`frameworks.publishing`)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from app.auth.current import me
from app.extensions import db
from app.form_base import show_error
from app.lead.blueprint import bp
from app.lead.framework_publish_forms import (
    FrameworkPublishForm,
    FrameworkUploadForm,
    MarkPublishedForm,
)
from app.permissions import roles
from app.services.errors import DomainError, NotFound
from app.services.frameworks import catalogue, publishing
from app.services.frameworks.validation import MAX_FRAMEWORK_BYTES
from app.services.frameworks.version_diff import rule_words


@bp.route("/frameworks/publish", methods=["GET", "POST"])
@roles("lead", "admin")
def framework_publish():
    """GET: the upload form and the versions imported; POST: check the file."""
    form = FrameworkUploadForm()
    check = None
    if form.validate_on_submit():
        upload = form.file.data
        check = publishing.receive_upload(
            upload.filename, upload.read(MAX_FRAMEWORK_BYTES + 1), actor=me()
        )
        if check.upload is not None:
            db.session.commit()
            return redirect(url_for(".framework_upload", upload_id=check.upload.id))
        db.session.rollback()
        if check.problems:
            form.file.errors = [
                f"{check.file_name} was not imported: correct the problems listed above "
                "and upload it again"
            ]
    person = me()
    return render_template(
        "lead/framework_publish.jinja",
        title="Publish a framework version",
        form=form,
        check=check,
        versions=[
            (s, publishing.may_mark_published(s.status, person))
            for s in catalogue.framework_summaries()
        ],
        waiting=publishing.waiting_uploads(),
        back_url=url_for("lead.home" if person.has_role("lead") else "admin.home"),
        back_text="Cohorts" if person.has_role("lead") else "Administration",
    )


def _preview(upload_id: int) -> publishing.UploadPreview:
    try:
        return publishing.preview_upload(upload_id)
    except NotFound:
        abort(404)


@bp.route("/frameworks/uploads/<int:upload_id>")
@roles("lead", "admin")
def framework_upload(upload_id: int):
    """The preview: the version's tree and what it changes; nothing is imported yet."""
    preview = _preview(upload_id)
    spec = preview.spec
    return render_template(
        "lead/framework_upload.jinja",
        title=f"Check {preview.upload.framework_code} version {preview.upload.framework_version}",
        preview=preview,
        spec=spec,
        rule_words=rule_words,
        crosswalk={c.competency: c for c in spec.crosswalk} if spec else {},
        may_mark=bool(
            preview.upload.framework
            and publishing.may_mark_published(preview.upload.framework.status, me())
        ),
    )


@bp.route("/frameworks/uploads/<int:upload_id>/publish", methods=["GET", "POST"])
@roles("lead", "admin")
def framework_upload_publish(upload_id: int):
    """The confirmation, then publishing: the file is imported only after it."""
    form = FrameworkPublishForm()
    if form.validate_on_submit():
        try:
            framework = publishing.publish_upload(upload_id, actor=me())
        except NotFound:
            abort(404)
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(f"Published {framework.title}, version {framework.version}.", "success")
            return redirect(url_for(".framework_upload", upload_id=upload_id))
    preview = _preview(upload_id)
    if not form.is_submitted() and not preview.publishable:
        return redirect(url_for(".framework_upload", upload_id=upload_id))
    # A kept file that no longer passes the checks says why above the form.
    form.form_errors.extend(p for p in preview.problems if p not in form.form_errors)
    upload = preview.upload
    return render_template(
        "lead/framework_publish_confirm.jinja",
        title=f"Publish {upload.framework_code} version {upload.framework_version}",
        preview=preview,
        form=form,
    )


@bp.route("/frameworks/<code>/versions/<version>/mark-published", methods=["GET", "POST"])
@roles("admin", refusal=publishing.ONLY_ADMINS)
def framework_mark_published(code: str, version: str):
    """An administrator marks a provisional version as published, after confirming."""
    try:
        framework = publishing.find_version(code, version)
    except NotFound:
        abort(404)
    form = MarkPublishedForm()
    if form.validate_on_submit():
        try:
            publishing.mark_published(code, version, actor=me())
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            flash(f"{framework.title}, version {version}, is now marked as published.", "success")
            return redirect(url_for(".framework_publish"))
    return render_template(
        "lead/framework_mark_published.jinja",
        title=f"Mark {code} version {version} as published",
        framework=framework,
        form=form,
        markable=publishing.may_mark_published(framework.status, me()),
    )
