"""The forms of publishing a framework version: the upload, the confirmed publishing and
an administrator's marking a provisional version as published."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField
from wtforms.validators import DataRequired

from app.form_base import PortfolioForm


class FrameworkUploadForm(PortfolioForm):
    file = FileField(
        "Upload a framework file",
        description="A YAML file in the competency-framework/v1 format, up to 1 MB",
        validators=[FileRequired("Choose the framework file to check")],
    )


class FrameworkPublishForm(PortfolioForm):
    confirm = BooleanField(
        "I have checked the competencies, rules and changes shown on this page",
        validators=[DataRequired("Confirm that you have checked the version before publishing")],
    )


class MarkPublishedForm(PortfolioForm):
    confirm = BooleanField(
        "I confirm this is the final published wording of this version",
        validators=[DataRequired("Confirm that this is the final published wording")],
    )
