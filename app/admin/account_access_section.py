"""What a person's admin page shows about signing in: their invitation, a change of
e-mail address waiting for confirmation, and the form the action buttons carry."""

from __future__ import annotations

from app.admin.forms import ConfirmForm
from app.models.users import User
from app.services.accounts import email_changes, invitations


def account_access_context(person: User) -> dict:
    return {
        "invitation": invitations.status(person),
        "email_change": email_changes.pending_change(person),
        "access_form": ConfirmForm(),
    }
