"""The trainee's own portable record: what it holds, and the ZIP download.

The same download answers a data subject access request: it is everything the service
holds about the person, in a documented format (docs/portable-record.md).
"""

from __future__ import annotations

from flask import current_app, render_template, stream_with_context

from app.downloads import download
from app.lead.blueprint import bp
from app.lead.dashboard import me
from app.models.base import utcnow
from app.permissions import roles
from app.services.evidence_content import uk_today
from app.services.portable_record_archive import portable_record_zip, record_filename


@bp.route("/my-record")
@roles("trainee")
def my_record():
    return render_template("lead/my_record.jinja", title="Download your record")


@bp.route("/my-record.zip")
@roles("trainee")
def my_record_zip():
    person = me()
    today = uk_today()
    chunks = portable_record_zip(
        person, upload_dir=current_app.config["UPLOAD_DIR"], now=utcnow(), today=today
    )
    return download(stream_with_context(chunks), "application/zip", record_filename(person, today))
