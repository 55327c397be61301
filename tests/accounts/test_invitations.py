"""Invitations: a new person chooses their own password through a single-use link."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.one_time_links import OneTimeLink
from app.models.users import User
from app.services.accounts import invitations, one_time_links
from app.services.accounts import users as accounts
from app.services.errors import DomainError
from tests.accounts.conftest import link_in, mail_to, text_of

NEW_PASSWORD = "kettle orchard lantern"


def _admin_creates(client, login, admin, email="new.trainee@example.org", **extra):
    login(client, admin)
    data = {"email": email, "name": "New Trainee", "roles": ["trainee"], **extra}
    return client.post("/admin/users/new", data=data)


def _user(email: str) -> User:
    user = accounts.find_user_by_email(email)
    assert user is not None
    return user


def _choose(client, path: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    return client.post(
        path, data={"new_password": password, "confirm_password": confirm or password}
    )


def test_the_create_user_form_has_no_password_field(client, login, make_user):
    login(client, make_user(("admin",)))
    page = BeautifulSoup(client.get("/admin/users/new").data, "html.parser")
    assert page.select("input[type=password]") == []
    assert "invitation to choose their own password" in page.get_text(" ")


def test_creating_a_user_emails_an_invitation_and_sets_no_password(app, client, login, make_user):
    admin = make_user(("admin",), name="Ada Admin")
    response = _admin_creates(client, login, admin)
    assert response.status_code == 302
    person = _user("new.trainee@example.org")
    assert person.password_hash is None
    [message] = mail_to(app, "new.trainee@example.org")
    assert message["Subject"] == "You have been invited to PCPT Portfolio"
    body = text_of(message)
    assert "Hello New Trainee" in body
    assert "Ada Admin has set up an account for you" in body
    assert "works once, until" in body
    assert link_in(message).startswith("/auth/invitation/")
    shown = client.get(response.headers["Location"]).data.decode()
    assert "invitation to choose a password" in shown
    assert "Not chosen yet" in shown
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "user.created" in actions
    assert "user.invited" in actions


def test_only_the_tokens_digest_is_stored(app, client, login, make_user):
    _admin_creates(client, login, make_user(("admin",)))
    token = link_in(mail_to(app, "new.trainee@example.org")[0]).rsplit("/", 1)[1]
    assert len(token) >= 43  # 32 random bytes, base64url
    row = db.session.scalar(select(OneTimeLink))
    assert row.purpose == "invitation"
    assert row.token_hash == one_time_links.digest(token)
    assert token not in row.token_hash


def test_the_invited_person_chooses_a_password_and_then_signs_in(app, client, login, make_user):
    _admin_creates(client, login, make_user(("admin",)))
    path = link_in(mail_to(app, "new.trainee@example.org")[0])
    client.post("/auth/logout")
    form = client.get(path)
    assert form.status_code == 200
    assert form.headers["Referrer-Policy"] == "strict-origin"
    assert "Choose your password" in form.data.decode()
    done = _choose(client, path)
    assert done.status_code == 302
    assert done.headers["Location"] == "/auth/login"
    assert "Your password is set" in client.get("/auth/login").data.decode()
    signed_in = client.post(
        "/auth/login", data={"email": "new.trainee@example.org", "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302
    assert "user.invitation_accepted" in db.session.scalars(select(AuditEvent.action)).all()


def test_a_second_use_of_the_link_is_refused_with_a_clear_page(app, client, login, make_user):
    _admin_creates(client, login, make_user(("admin",)))
    path = link_in(mail_to(app, "new.trainee@example.org")[0])
    _choose(client, path)
    again = client.get(path)
    assert again.status_code == 410
    text = again.data.decode()
    assert "This link has already been used" in text
    assert "Sign in" in text
    assert "reset your password" in text
    stolen = _choose(client, path, "another long password here")
    assert stolen.status_code == 410
    assert (
        client.post(
            "/auth/login", data={"email": "new.trainee@example.org", "password": NEW_PASSWORD}
        ).status_code
        == 302
    )


def test_two_tabs_cannot_both_use_the_link(app, client, login, make_user):
    """Both tabs show the form; the first to submit wins, the second is told why."""
    _admin_creates(client, login, make_user(("admin",)))
    path = link_in(mail_to(app, "new.trainee@example.org")[0])
    other_tab = app.test_client()
    assert client.get(path).status_code == 200
    assert other_tab.get(path).status_code == 200
    assert _choose(client, path).status_code == 302
    late = _choose(other_tab, path, "a different long password")
    assert late.status_code == 410
    assert "already been used" in late.data.decode()
    person = _user("new.trainee@example.org")
    assert accounts.authenticate(person.email, NEW_PASSWORD) is not None


def test_an_expired_invitation_says_to_ask_for_a_new_one(app, client, login, make_user, clock):
    _admin_creates(client, login, make_user(("admin",)))
    path = link_in(mail_to(app, "new.trainee@example.org")[0])
    clock(days=13, hours=23)
    assert client.get(path).status_code == 200
    clock(days=14, seconds=1)
    expired = client.get(path)
    assert expired.status_code == 410
    assert "This link has expired" in expired.data.decode()
    assert "send you a new invitation" in expired.data.decode()
    assert _choose(client, path).status_code == 410
    assert _user("new.trainee@example.org").password_hash is None


def test_an_unknown_link_is_not_valid(client):
    response = client.get("/auth/invitation/made-up-token")
    assert response.status_code == 404
    assert "This link is not valid" in response.data.decode()
    assert "Traceback" not in response.data.decode()


def test_a_weak_password_is_refused_and_the_link_still_works(app, client, login, make_user):
    _admin_creates(client, login, make_user(("admin",)))
    path = link_in(mail_to(app, "new.trainee@example.org")[0])
    short = _choose(client, path, "short")
    assert short.status_code == 200
    assert "Password must be at least 12 characters" in short.data.decode()
    common = _choose(client, path, "password1234")
    assert "too common" in common.data.decode()
    mismatch = _choose(client, path, NEW_PASSWORD, "something else entirely")
    assert "The two passwords do not match" in mismatch.data.decode()
    assert _choose(client, path).status_code == 302


def test_resending_withdraws_the_old_link(app, client, login, make_user):
    admin = make_user(("admin",))
    _admin_creates(client, login, admin)
    person = _user("new.trainee@example.org")
    first = link_in(mail_to(app, person.email)[0])
    resent = client.post(f"/admin/users/{person.id}/invitation/resend")
    assert resent.status_code == 302
    assert "A new invitation has been sent" in client.get(resent.headers["Location"]).data.decode()
    messages = mail_to(app, person.email)
    assert len(messages) == 2
    second = link_in(messages[1])
    assert second != first
    old = client.get(first)
    assert old.status_code == 410
    assert "no longer works" in old.data.decode()
    assert client.get(second).status_code == 200


def test_cancelling_an_invitation_stops_its_link(app, client, login, make_user):
    _admin_creates(client, login, make_user(("admin",)))
    person = _user("new.trainee@example.org")
    path = link_in(mail_to(app, person.email)[0])
    page = client.get(f"/admin/users/{person.id}").data.decode()
    assert "Cancel invitation" in page
    assert "Resend invitation" in page
    cancelled = client.post(f"/admin/users/{person.id}/invitation/cancel")
    assert cancelled.status_code == 302
    after = client.get(cancelled.headers["Location"]).data.decode()
    assert "invitation is cancelled" in after
    assert "No invitation is waiting to be used" in after
    assert "Cancel invitation" not in after
    assert client.get(path).status_code == 410
    again = client.post(f"/admin/users/{person.id}/invitation/cancel")
    assert "has no invitation waiting" in client.get(again.headers["Location"]).data.decode()


def test_someone_with_a_password_is_not_invited_again(client, login, make_user):
    admin, person = make_user(("admin",)), make_user()
    login(client, admin)
    page = client.get(f"/admin/users/{person.id}").data.decode()
    assert "Resend invitation" not in page
    assert "Send a password reset link" in page
    response = client.post(f"/admin/users/{person.id}/invitation/resend")
    assert "already chosen a password" in client.get(response.headers["Location"]).data.decode()


def test_invite_sends_nothing_until_deliver(app, make_user):
    """Bulk import's contract: invite in the transaction, deliver after the commit."""
    person = accounts.create_user(
        email="later@example.org", name="Later Person", roles=["trainee"], password=None
    )
    pending = invitations.invite(person, actor=None)
    assert mail_to(app, "later@example.org") == []
    db.session.rollback()
    assert accounts.find_user_by_email("later@example.org") is None
    assert db.session.scalar(select(OneTimeLink)) is None
    person = accounts.create_user(
        email="later@example.org", name="Later Person", roles=["trainee"], password=None
    )
    pending = invitations.invite(person, actor=None)
    db.session.commit()
    invitations.deliver([pending])
    assert len(mail_to(app, "later@example.org")) == 1


def test_a_user_without_a_password_cannot_sign_in(client, make_user):
    accounts.create_user(email="nopw@example.org", name="No Pass", roles=["trainee"], password=None)
    db.session.commit()
    for attempt in ("", "correct horse battery"):
        response = client.post(
            "/auth/login", data={"email": "nopw@example.org", "password": attempt}
        )
        assert response.status_code == 200


# --- The command line ------------------------------------------------------------------


def test_users_create_without_a_password_sends_an_invitation(app, runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "cli@example.org",
            "--name",
            "Cli Person",
            "--role",
            "trainee",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "invitation sent to cli@example.org" in result.output
    assert "password" not in result.output.lower().replace("choose a password", "")
    [message] = mail_to(app, "cli@example.org")
    token = link_in(message).rsplit("/", 1)[1]
    assert token not in result.output
    assert _user("cli@example.org").password_hash is None


def test_users_create_with_password_stdin_still_works_for_scripts(app, runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "script@example.org",
            "--name",
            "Script Person",
            "--role",
            "trainee",
            "--password-stdin",
        ],
        input=NEW_PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "invitation" not in result.output
    assert mail_to(app, "script@example.org") == []
    assert accounts.authenticate("script@example.org", NEW_PASSWORD) is not None


# --- A lead adds people in their own organisations -------------------------------------


def test_a_lead_adds_a_trainee_in_their_organisation(app, client, login, make_user, make_org):
    hub = make_org("Hub", "training-hub")
    practice = make_org("Practice", "practice", hub)
    make_org("Elsewhere", "practice")
    lead = make_user(("lead",), org=hub, name="Lee Lead")
    login(client, lead)
    form = BeautifulSoup(client.get("/lead/people/new").data, "html.parser")
    offered = [o.get_text() for o in form.select("select[name=organisation] option")]
    assert "Practice" in offered
    assert "Hub" in offered
    assert "Elsewhere" not in offered
    roles = [i["value"] for i in form.select("input[name=roles]")]
    assert sorted(roles) == ["supervisor", "trainee"]
    response = client.post(
        "/lead/people/new",
        data={
            "email": "t@example.org",
            "name": "Tia Trainee",
            "roles": ["trainee"],
            "organisation": practice.id,
        },
    )
    assert response.status_code == 302
    person = _user("t@example.org")
    assert person.organisation_id == practice.id
    assert person.roles == {"trainee"}
    [message] = mail_to(app, "t@example.org")
    assert "Lee Lead has set up an account" in text_of(message)


def test_a_lead_cannot_add_outside_their_organisation_or_give_admin(
    client, login, make_user, make_org
):
    hub = make_org("Hub", "training-hub")
    elsewhere = make_org("Elsewhere", "practice")
    login(client, make_user(("lead",), org=hub))
    outside = client.post(
        "/lead/people/new",
        data={
            "email": "x@example.org",
            "name": "X",
            "roles": ["trainee"],
            "organisation": elsewhere.id,
        },
    )
    assert outside.status_code == 200
    assert "Choose an organisation from the list" in outside.data.decode()
    admin_role = client.post(
        "/lead/people/new",
        data={"email": "y@example.org", "name": "Y", "roles": ["admin"], "organisation": hub.id},
    )
    assert "Choose roles from the list" in admin_role.data.decode()
    assert accounts.find_user_by_email("x@example.org") is None
    assert accounts.find_user_by_email("y@example.org") is None


def test_the_service_refuses_a_lead_outside_their_scope(make_user, make_org):
    hub = make_org("Hub", "training-hub")
    elsewhere = make_org("Elsewhere", "practice")
    lead = make_user(("lead",), org=hub)
    with pytest.raises(DomainError, match="organisations you lead"):
        invitations.create_and_invite(
            email="z@example.org",
            name="Z",
            roles=["trainee"],
            organisation=elsewhere,
            actor=lead,
        )
    with pytest.raises(DomainError, match="Ask an administrator"):
        invitations.create_and_invite(
            email="z@example.org", name="Z", roles=["lead"], organisation=hub, actor=lead
        )
