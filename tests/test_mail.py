"""E-mail without a mail server: .eml files in the outbox; with one, real SMTP."""

from __future__ import annotations

import email
import socket
import threading
from email import policy

from app.services.notifications import mail


def test_without_a_server_each_message_is_an_eml_file(tmp_path):
    settings = mail.MailSettings(sender="PCPT <no-reply@example.org>", outbox=tmp_path / "outbox")
    path = mail.send(settings, "sam@example.org", "Evidence to review", "Two items wait for you.")
    parsed = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert parsed["To"] == "sam@example.org"
    assert parsed["Subject"] == "Evidence to review"
    assert parsed.get_content().strip() == "Two items wait for you."
    assert list((tmp_path / "outbox").iterdir()) == [path]


def test_app_config_points_the_outbox_at_the_configured_folder(app, tmp_path):
    settings = mail.settings_from_config(app.config)
    assert settings.server == ""
    assert str(settings.outbox) == app.config["MAIL_OUTBOX"]


def test_with_a_server_messages_go_over_smtp():
    """A tiny SMTP sink on loopback receives the message (no outside server involved)."""
    received: list[bytes] = []
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]

    def sink() -> None:
        conn, _ = listener.accept()
        with conn, conn.makefile("rwb") as f:
            f.write(b"220 sink\r\n")
            f.flush()
            in_data = False
            for raw in f:
                line = raw.rstrip(b"\r\n")
                if in_data:
                    if line == b".":
                        in_data = False
                        f.write(b"250 ok\r\n")
                    else:
                        received.append(line)
                        continue
                elif line.upper().startswith(b"DATA"):
                    in_data = True
                    f.write(b"354 go\r\n")
                elif line.upper().startswith(b"QUIT"):
                    f.write(b"221 bye\r\n")
                    f.flush()
                    return
                else:
                    f.write(b"250 ok\r\n")
                f.flush()

    thread = threading.Thread(target=sink, daemon=True)
    thread.start()
    settings = mail.MailSettings(sender="no-reply@example.org", server="127.0.0.1", port=port)
    assert mail.send(settings, "lee@example.org", "Signed off", "D1.1 was signed off.") is None
    thread.join(timeout=5)
    listener.close()
    text = b"\n".join(received).decode()
    assert "Subject: Signed off" in text
    assert "D1.1 was signed off." in text
