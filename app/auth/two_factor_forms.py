"""Forms of two-factor sign-in: a code, and the buttons that act on the person's own account."""

from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app.auth.forms import ConfirmPasswordForm
from app.form_base import PortfolioForm

CODE_HINT = "The 6-digit code your authenticator app shows for PCPT Portfolio."
# Where a recovery code is taken as well as the app's code: signing in and confirming.
OR_RECOVERY_CODE = CODE_HINT + " If you do not have your phone, enter one of your recovery codes."


def code_field(label: str, hint: str) -> StringField:
    return StringField(
        label,
        description=hint,
        validators=[
            DataRequired("Enter the code from your authenticator app"),
            Length(max=40, message="The code is too long"),
        ],
    )


class SignInCodeForm(PortfolioForm):
    code = code_field("Security code", OR_RECOVERY_CODE)


class SetupCodeForm(PortfolioForm):
    code = code_field("Code from your app", CODE_HINT)


class ConfirmWithCodeForm(ConfirmPasswordForm):
    """Re-entering the password, for a person with two-factor sign-in on."""

    code = code_field("Security code", OR_RECOVERY_CODE)


class ActionForm(PortfolioForm):
    """Only the CSRF token: a button that acts on the signed-in (or signing-in) person."""
