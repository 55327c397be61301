"""The completed training's own documents from the supervision record: the Open Badges
credential as a .json file, and the completion statement as a PDF with a QR code.

The same people who may open the record may download them (the trainee first of all).
"""

from __future__ import annotations

from flask import abort, flash, redirect, url_for

from app.auth.current import me
from app.downloads import download
from app.permissions import roles
from app.services.credentials import issuing, statement_pdf
from app.services.supervision import access as supervision_access
from app.services.supervision import completion
from app.supervisor.blueprint import bp


@bp.route("/enrolments/<int:enrolment_id>/open-badge-credential.json")
@roles("trainee", "supervisor", "lead")
def credential_download(enrolment_id: int):
    enrolment = supervision_access.enrolment_for_viewer(me(), enrolment_id) or abort(404)
    credential = issuing.credential_for_enrolment(enrolment.id)
    if credential is None or not credential.document:
        flash("There is no credential yet: the training is not signed off as complete.")
        return redirect(url_for(".record", enrolment_id=enrolment.id))
    return download(
        credential.document.encode("utf-8"), "application/json", issuing.download_name(credential)
    )


@bp.route("/enrolments/<int:enrolment_id>/completion-statement.pdf")
@roles("trainee", "supervisor", "lead")
def completion_statement_pdf(enrolment_id: int):
    enrolment = supervision_access.enrolment_for_viewer(me(), enrolment_id) or abort(404)
    record = completion.completion_for(enrolment.id)
    if record is None:
        flash("There is no completion statement yet: the training is not signed off as complete.")
        return redirect(url_for(".record", enrolment_id=enrolment.id))
    credential = issuing.credential_for_enrolment(enrolment.id)
    return download(
        statement_pdf.statement_pdf(record, credential),
        "application/pdf",
        statement_pdf.statement_pdf_filename(record),
    )
