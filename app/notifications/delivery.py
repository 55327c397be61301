"""Sending queued e-mail once the transaction that queued it has committed."""

from __future__ import annotations

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.base_url import absolute_url
from app.services.notifications import mail
from app.services.notifications.messages import OutgoingMail, take_queued_mail

_installed = False


def _body(message: OutgoingMail) -> str:
    """The text, then the page's full address: from BASE_URL, whether a request or a
    command (the daily digest) sent it."""
    if not message.link:
        return message.body
    return f"{message.body}\n\n{absolute_url(message.link)}\n"


def deliver(messages: list[OutgoingMail]) -> None:
    """Send each message; one failure is logged and does not stop the others."""
    if not messages or not has_app_context():
        return
    settings = mail.settings_from_config(current_app.config)
    for message in messages:
        try:
            mail.send(settings, message.to, message.subject, _body(message))
        except Exception:  # the change is committed: a mail failure must not undo the reply
            current_app.logger.exception("Could not send e-mail %r", message.subject)


def _after_commit(session: Session) -> None:
    deliver(take_queued_mail(session))


def _after_soft_rollback(session: Session, previous_transaction) -> None:
    # Only the outermost rollback undoes the change; a savepoint's leaves the rest standing.
    if previous_transaction.parent is None:
        take_queued_mail(session)


def install() -> None:
    """Hook every session once per process (apps come and go in tests; the hook stays)."""
    global _installed
    if _installed:
        return
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_soft_rollback", _after_soft_rollback)
    _installed = True
