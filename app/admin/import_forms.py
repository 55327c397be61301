"""The forms of a people import: the upload, and the confirmation carrying the file."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import DataRequired

from app.form_base import PortfolioForm


class PeopleImportForm(PortfolioForm):
    file = FileField(
        "Upload a CSV file",
        description="Saved from a spreadsheet as CSV UTF-8, with the columns listed above",
        validators=[FileRequired("Choose the CSV file to check")],
    )


class PeopleImportConfirmForm(PortfolioForm):
    # The file's text goes back with the confirmation and is checked again there: the
    # app servers keep nothing between the preview and the import.
    csv_text = HiddenField("The file", validators=[DataRequired("Upload the file again")])
