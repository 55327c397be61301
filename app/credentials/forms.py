"""The verify page's form: a credential pasted, uploaded as a .json file, or named by its id."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired

from app.form_base import PortfolioForm


class VerifyForm(PortfolioForm):
    credential_json = TextAreaField(
        "Paste the credential",
        description="All of it, from the first { to the last }",
    )
    credential_file = FileField(
        "Or upload the credential file",
        description="The .json file the technician downloaded or sent you",
    )
    credential_id = StringField(
        "Or enter the credential's web address",
        description="It starts with the address of this service and appears in the credential",
    )


class RevokeCredentialForm(PortfolioForm):
    reason = TextAreaField(
        "Why you are revoking this credential",
        description="The trainee is told this reason.",
        validators=[DataRequired("Say why you are revoking this credential")],
    )
