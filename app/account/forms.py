from wtforms import StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from app.form_base import PortfolioForm
from app.form_fields import WholeNumberField


class NewTokenForm(PortfolioForm):
    """The lifetime's upper bound is the service's rule (`api_tokens.lifetime_limits`)."""

    label = StringField(
        "What the token is for",
        description="For example, 'Hub reporting spreadsheet'. Only you and administrators see it.",
        validators=[
            DataRequired("Say what the token is for"),
            Length(max=100, message="Keep it to 100 characters or fewer"),
        ],
    )
    days = WholeNumberField(
        "How many days it should last",
        not_a_number="Enter how many days the token should last, as a whole number",
        validators=[
            InputRequired("Enter how many days the token should last, as a whole number"),
            NumberRange(min=1, message="A token must last at least 1 day"),
        ],
    )


class RevokeTokenForm(PortfolioForm):
    """Only the CSRF token: the token to revoke is in the URL."""


class SignOutEverywhereForm(PortfolioForm):
    """Only the CSRF token: it acts on the signed-in person."""
