"""The portable record's old addresses, under /lead before it moved to the trainee's area
(`app.trainee.record_views`): kept so bookmarks and saved links still arrive."""

from __future__ import annotations

from flask import redirect, url_for

from app.lead.blueprint import bp
from app.permissions import roles


@bp.route("/my-record")
@roles("trainee")
def my_record():
    return redirect(url_for("trainee.my_record"), 308)


@bp.route("/my-record.zip")
@roles("trainee")
def my_record_zip():
    return redirect(url_for("trainee.my_record_zip"), 308)
