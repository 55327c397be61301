"""Outgoing e-mail: SMTP when MAIL_SERVER is set, otherwise .eml files in an outbox folder.

The outbox keeps development and tests honest without a mail server: every message is
a real RFC 5322 file a person (or a test) can open.
"""

from __future__ import annotations

import smtplib
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path


@dataclass(frozen=True)
class MailSettings:
    sender: str
    server: str = ""
    port: int = 25
    username: str = ""
    password: str = ""
    use_tls: bool = False
    outbox: Path | None = None


def build_message(settings: MailSettings, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain="pcpt.invalid")
    message.set_content(body)
    return message


def send(settings: MailSettings, to: str, subject: str, body: str) -> Path | None:
    """Send one plain-text message; returns the .eml path when written to the outbox."""
    message = build_message(settings, to, subject, body)
    if settings.server:
        with smtplib.SMTP(settings.server, settings.port, timeout=10) as smtp:
            if settings.use_tls:
                smtp.starttls()
            if settings.username:
                smtp.login(settings.username, settings.password)
            smtp.send_message(message)
        return None
    if settings.outbox is None:
        raise ValueError("no MAIL_SERVER and no outbox folder configured")
    settings.outbox.mkdir(parents=True, exist_ok=True)
    path = settings.outbox / f"{message['Date'][5:16].replace(' ', '-')}-{uuid.uuid4().hex}.eml"
    path.write_bytes(bytes(message))
    return path


def settings_from_config(config) -> MailSettings:
    outbox = config["MAIL_OUTBOX"]
    return MailSettings(
        sender=config["MAIL_FROM"],
        server=config["MAIL_SERVER"],
        port=config["MAIL_PORT"],
        username=config["MAIL_USERNAME"],
        password=config["MAIL_PASSWORD"],
        use_tls=config["MAIL_USE_TLS"],
        outbox=Path(outbox),
    )
