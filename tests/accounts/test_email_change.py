"""An administrator changes a person's e-mail address: confirmed from the new address,
announced to the old one, applied only when the link is followed."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditEvent
from app.services.accounts import users as accounts
from tests.accounts.conftest import link_in, mail_to, text_of
from tests.conftest import DEFAULT_PASSWORD


def _change(client, login, admin, person, new_email: str):
    login(client, admin)
    return client.post(f"/admin/users/{person.id}/email", data={"email": new_email})


def test_the_change_waits_for_the_new_address_to_confirm(app, client, login, make_user):
    admin = make_user(("admin",))
    person = make_user(email="old@example.org", name="Olu Owner")
    response = _change(client, login, admin, person, "New@Example.org")
    assert response.status_code == 302
    shown = client.get(response.headers["Location"]).data.decode()
    assert "We have sent a confirmation link to new@example.org" in shown
    assert "Waiting for Olu Owner to confirm new@example.org" in shown
    db.session.refresh(person)
    assert person.email == "old@example.org"
    [confirmation] = mail_to(app, "new@example.org")
    assert confirmation["Subject"] == "Confirm your new PCPT Portfolio email address"
    assert "Until you confirm, you keep signing in with your old email address" in text_of(
        confirmation
    )
    [notice] = mail_to(app, "old@example.org")
    assert notice["Subject"] == "Your PCPT Portfolio email address is being changed"
    assert "Nothing changes until that link is used" in text_of(notice)
    assert "/auth/" not in text_of(notice)  # the old address gets no link to follow


def test_following_the_link_changes_the_address_once(app, client, login, make_user):
    admin = make_user(("admin",))
    person = make_user(email="old@example.org")
    _change(client, login, admin, person, "new@example.org")
    path = link_in(mail_to(app, "new@example.org")[0])
    page = client.get(path)
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "strict-origin"
    assert "new@example.org" in page.data.decode()
    db.session.refresh(person)
    assert person.email == "old@example.org"  # a GET changes nothing
    confirmed = client.post(path)
    assert confirmed.status_code == 302
    assert "Your email address is now new@example.org" in client.get("/auth/login").data.decode()
    db.session.refresh(person)
    assert person.email == "new@example.org"
    assert accounts.authenticate("new@example.org", DEFAULT_PASSWORD) is not None
    assert accounts.authenticate("old@example.org", DEFAULT_PASSWORD) is None
    again = client.post(path)
    assert again.status_code == 410
    assert "already been confirmed" in again.data.decode()
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject_id == str(person.id))
    ).all()
    assert "user.email_change_requested" in actions
    assert "user.email_changed" in actions


def test_an_address_in_use_is_refused_with_a_message(app, client, login, make_user):
    admin = make_user(("admin",))
    person = make_user(email="old@example.org")
    make_user(email="taken@example.org")
    refused = _change(client, login, admin, person, "taken@example.org")
    assert refused.status_code == 200
    assert "Another account already uses taken@example.org" in refused.data.decode()
    same = client.post(f"/admin/users/{person.id}/email", data={"email": "old@example.org"})
    assert "is already" in same.data.decode()
    bad = client.post(f"/admin/users/{person.id}/email", data={"email": "not an address"})
    assert "Enter a valid email address" in bad.data.decode()
    assert mail_to(app, "taken@example.org") == []
    assert mail_to(app, "old@example.org") == []


def test_an_address_taken_before_confirmation_is_refused_then(app, client, login, make_user):
    admin = make_user(("admin",))
    person = make_user(email="old@example.org")
    _change(client, login, admin, person, "new@example.org")
    path = link_in(mail_to(app, "new@example.org")[0])
    make_user(email="new@example.org")
    refused = client.post(path)
    assert refused.status_code == 200
    assert "Another account already uses new@example.org" in refused.data.decode()
    db.session.refresh(person)
    assert person.email == "old@example.org"


def test_the_confirmation_link_expires(app, client, login, make_user, clock):
    admin = make_user(("admin",))
    person = make_user(email="old@example.org")
    _change(client, login, admin, person, "new@example.org")
    path = link_in(mail_to(app, "new@example.org")[0])
    clock(hours=24, seconds=1)
    expired = client.post(path)
    assert expired.status_code == 410
    assert "Your email address has not been changed" in expired.data.decode()
    db.session.refresh(person)
    assert person.email == "old@example.org"
