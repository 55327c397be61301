"""The trainee's own portable record: what it holds, and the ZIP download.

The same download answers a data subject access request: it is everything the service
holds about the person, in a documented format (docs/portable-record.md).
"""

from __future__ import annotations

from flask import current_app, render_template

from app.auth.current import me
from app.downloads import download
from app.models.base import utcnow
from app.permissions import roles
from app.services.clock import uk_today
from app.services.privacy.record_archive import archive_chunks, record_archive
from app.trainee.blueprint import bp


@bp.route("/record")
@roles("trainee")
def my_record():
    return render_template("trainee/my_record.jinja", title="Download your record")


@bp.route("/record.zip")
@roles("trainee")
def my_record_zip():
    # Everything is read now, while the request's session is open: the ZIP is written
    # as it is sent, after the request has ended.
    archive = record_archive(
        me(), upload_dir=current_app.config["UPLOAD_DIR"], now=utcnow(), today=uk_today()
    )
    return download(archive_chunks(archive), "application/zip", archive.filename)
