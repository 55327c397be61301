"""Files on the trainee's evidence: attaching one from the evidence page, removing one
that nobody else has seen yet, downloading.

A download is served to whoever `evidence_access` lets see the evidence, always as an
attachment under its cleaned name with the type sniffed from its content.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from app.auth.current import me
from app.downloads import stored_download
from app.extensions import db
from app.models.evidence import Attachment
from app.permissions import roles
from app.services.errors import DomainError
from app.services.portfolio import attachments
from app.services.portfolio import evidence as evidence_service
from app.services.portfolio.access import evidence_visible_to
from app.trainee.blueprint import bp
from app.trainee.evidence_editor import attach_upload
from app.trainee.evidence_pages import detail_page
from app.trainee.forms import AttachmentForm, ConfirmForm
from app.trainee.loading import own_evidence_or_404


@bp.route("/evidence/<int:evidence_id>/attachments", methods=["POST"])
@roles("trainee")
def attachment_add(evidence_id: int):
    evidence = own_evidence_or_404(evidence_id)
    form = AttachmentForm()
    if form.validate_on_submit():
        if not form.attachment.data:
            form.attachment.errors = ["Choose a file to attach"]
        else:
            previous_version = evidence.current_version_number
            try:
                attachment = attach_upload(evidence, form.attachment.data)
            except DomainError as error:
                db.session.rollback()
                form.attachment.errors = [error.message]
            else:
                db.session.commit()
                message = f"{attachment.original_filename} is attached."
                if evidence.current_version_number != previous_version:
                    message += (
                        f" It is part of version {evidence.current_version_number}, a draft: "
                        "submit it when you are ready for your supervisor to see it."
                    )
                flash(message, "success")
                return redirect(url_for(".evidence_detail", evidence_id=evidence_id))
    return detail_page(own_evidence_or_404(evidence_id, full=True), form)


@bp.route(
    "/evidence/<int:evidence_id>/attachments/<int:attachment_id>/remove", methods=["GET", "POST"]
)
@roles("trainee")
def attachment_remove(evidence_id: int, attachment_id: int):
    evidence = own_evidence_or_404(evidence_id)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.evidence_id != evidence.id:
        abort(404)
    form = ConfirmForm()
    back = url_for(".evidence_detail", evidence_id=evidence_id, _anchor="files")
    if form.validate_on_submit():
        name = attachment.original_filename
        try:
            key = evidence_service.remove_attachment(evidence, attachment, actor=me())
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(back)
        db.session.commit()
        # The file goes only once its row is gone for good.
        attachments.remove_stored(current_app.config["UPLOAD_DIR"], key)
        flash(f"{name} is removed.", "success")
        return redirect(back)
    can_remove = evidence_service.removable(evidence, attachment)
    return render_template(
        "trainee/attachment_remove.jinja",
        title=(
            f"Remove {attachment.original_filename}?"
            if can_remove
            else f"{attachment.original_filename} cannot be removed"
        ),
        evidence=evidence,
        attachment=attachment,
        form=form,
        can_remove=can_remove,
        back=back,
    )


@bp.route("/evidence/<int:evidence_id>/attachments/<int:attachment_id>")
@roles("trainee")
def attachment_download(evidence_id: int, attachment_id: int):
    # Whoever may see the evidence may download its files; evidence_access decides who.
    evidence = evidence_visible_to(me(), evidence_id)
    attachment = db.session.get(Attachment, attachment_id) if evidence else None
    if attachment is None or attachment.evidence_id != evidence_id:
        abort(404)
    return stored_download(
        attachment.storage_key, attachment.media_type, attachment.original_filename
    )


@bp.errorhandler(RequestEntityTooLarge)
def _upload_too_large(error: RequestEntityTooLarge):
    return render_template(
        "trainee/upload_too_large.jinja",
        title="The file is too large",
        limit=attachments.describe_size(current_app.config["MAX_UPLOAD_BYTES"]),
        back=_page_before_upload(),
    ), 413


def _page_before_upload() -> str:
    """Where the trainee chose the file: the form they were filling in, or the evidence page."""
    if request.endpoint == "trainee.attachment_add" and request.view_args:
        return url_for(".evidence_detail", evidence_id=request.view_args["evidence_id"])
    return request.path
