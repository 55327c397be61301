"""The whole ticket, through the pages: the trainee asks, the assessor opens the e-mailed
link, confirms who they are with the e-mailed code, completes and declares, gets a
receipt; the trainee sees the locked part and the supervisor sees who completed it."""

from __future__ import annotations

from bs4 import BeautifulSoup

from app.extensions import db
from app.services.portfolio import evidence as evidence_service
from tests.assessments.conftest import (
    ANSWERS_BODY,
    ASSESSOR,
    IDENTITY_BODY,
    REQUEST_BODY,
    code_in,
    link_in,
    mail_to,
    text_of,
)


def ask(client, login, trainee, draft, **changes):
    login(client, trainee)
    return client.post(
        f"/portfolio/evidence/{draft.id}/assessment-requests", data={**REQUEST_BODY, **changes}
    )


def confirm(app, client, path):
    assert client.post(path, data=IDENTITY_BODY).headers["Location"].endswith("/code")
    code = code_in(mail_to(app, ASSESSOR)[-1])
    return client.post(f"{path}/code", data={"code": code})


def test_the_whole_ticket_from_request_to_the_supervisor_review(
    app, client, login, trainee, supervisor, draft
):
    assert ask(client, login, trainee, draft).status_code == 302
    listing = client.get(f"/portfolio/evidence/{draft.id}/assessment-requests").data.decode()
    assert "Ana Assessor" in listing
    assert "Waiting for the assessor" in listing
    request_mail = mail_to(app, ASSESSOR)[0]
    assert "has asked you to complete an assessment" in request_mail["Subject"]
    assert "You do not need an account" in text_of(request_mail)
    path = link_in(request_mail)

    assessor = app.test_client()
    start = assessor.get(path)
    page = start.data.decode()
    assert start.status_code == 200
    assert start.headers["Referrer-Policy"] == "no-referrer"
    assert trainee.name in page
    assert draft.title in page
    assert "D1.1" in page
    assert "Written answer for what the assessor watched you do" in page

    entered = confirm(app, assessor, path)
    assert entered.headers["Location"].endswith("/form")
    form = assessor.get(f"{path}/form").data.decode()
    assert "What went well" in form
    assert "Declaration" in form

    done = assessor.post(f"{path}/form", data=ANSWERS_BODY)
    assert done.headers["Location"].endswith("/assess/complete")
    assert "Thank you" in assessor.get("/assess/complete").data.decode()
    receipt = mail_to(app, ASSESSOR)[-1]
    assert receipt["Subject"] == "An assessment was completed in your name"
    assert "through the link we sent you" in text_of(receipt)

    again = assessor.get(path)
    assert again.status_code == 410
    assert "already been submitted" in again.data.decode()
    assert "What went well" not in again.data.decode()

    detail = client.get(f"/portfolio/evidence/{draft.id}").data.decode()
    assert "Completed by the assessor, identity confirmed by email code" in detail
    assert "Clear explanation of the inhaler technique" in detail
    listing = client.get("/portfolio/evidence").data.decode()
    assert "Completed by the assessor" in listing

    db.session.refresh(draft)
    evidence_service.submit(draft, actor=trainee)
    db.session.commit()
    client.get("/auth/logout")
    reviewer = app.test_client()
    login(reviewer, supervisor)
    review = reviewer.get(f"/supervision/evidence/{draft.id}/review").data.decode()
    assert "Completed by the assessor, identity confirmed by email code" in review


def test_a_trainee_cannot_submit_while_the_assessor_has_not_completed(trainee, draft):
    import pytest

    from app.services.errors import DomainError

    with pytest.raises(DomainError, match="assessor has not completed"):
        evidence_service.submit(draft, actor=trainee)


def test_each_requests_buttons_name_the_assessor_for_screen_readers(
    app, client, login, trainee, draft
):
    ask(client, login, trainee, draft)
    page = BeautifulSoup(
        client.get(f"/portfolio/evidence/{draft.id}/assessment-requests").data, "html.parser"
    )
    found = page.select("form.app-inline-form button")
    buttons = [" ".join(b.get_text(" ").split()) for b in found]
    assert buttons == [
        "Complete it with them now : Ana Assessor",
        "Withdraw the request to Ana Assessor",
    ]
    hidden = [b.select_one(".nhsuk-u-visually-hidden").get_text() for b in found]
    assert hidden == [": Ana Assessor", " to Ana Assessor"]
