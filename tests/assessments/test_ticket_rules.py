"""The rules a ticket keeps: used once, expires, can be withdrawn, wants the right code
(and not too many wrong ones), one of two tabs wins, and what the assessor submitted is
locked against them and the trainee alike."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models.audit import AuditEvent
from app.services.errors import DomainError
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
from tests.evidence.conftest import TODAY


def _ask(app, client, login, trainee, draft) -> str:
    login(client, trainee)
    response = client.post(f"/portfolio/evidence/{draft.id}/assessment-requests", data=REQUEST_BODY)
    assert response.status_code == 302
    return link_in(mail_to(app, ASSESSOR)[-1])


def _confirmed(app, assessor, path):
    assessor.post(path, data=IDENTITY_BODY)
    code = code_in(mail_to(app, ASSESSOR)[-1])
    assert assessor.post(f"{path}/code", data={"code": code}).status_code == 302


@pytest.fixture
def path(app, client, login, trainee, draft):
    return _ask(app, client, login, trainee, draft)


def test_the_link_holds_a_long_random_token_and_only_its_hash_is_stored(app, path):
    from app.models.one_time_links import OneTimeLink

    token = path.rsplit("/", 1)[1]
    assert len(token) >= 43  # 256 bits in URL-safe base64
    hashes = [link.token_hash for link in db.session.scalars(db.select(OneTimeLink))]
    assert token not in hashes
    assert all(len(h) == 64 for h in hashes)


def test_an_expired_link_says_so_and_never_shows_the_form(app, path, clock):
    clock(days=29, hours=23)
    assert app.test_client().get(path).status_code == 200
    clock(days=30, seconds=1)
    expired = app.test_client().get(path)
    assert expired.status_code == 410
    assert "This assessment link has expired" in expired.data.decode()
    assert "Confirm who you are" not in expired.data.decode()


def test_a_withdrawn_request_stops_its_link(app, client, draft, path):
    listing = client.get(f"/portfolio/evidence/{draft.id}/assessment-requests").data.decode()
    assert "Withdraw the request" in listing
    from app.models.assessments import AssessmentRequest

    rid = db.session.scalar(db.select(AssessmentRequest.id))
    page = client.post(
        f"/portfolio/evidence/{draft.id}/assessment-requests/{rid}/withdraw", follow_redirects=True
    ).data.decode()
    assert "its link no longer works" in page
    assert "Withdrawn" in page
    refused = app.test_client().get(path)
    assert refused.status_code == 410
    assert "was withdrawn" in refused.data.decode()
    actions = set(db.session.scalars(db.select(AuditEvent.action)))
    assert {"assessment.requested", "assessment.withdrawn"} <= actions


def test_a_wrong_code_is_refused_and_counted(app, path):
    assessor = app.test_client()
    assessor.post(path, data=IDENTITY_BODY)
    wrong = assessor.post(f"{path}/code", data={"code": "000000"})
    assert "That code is not right. You can try 4 more times." in wrong.data.decode()
    assert assessor.get(f"{path}/form").headers["Location"].endswith(path)
    events = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "assessment.code_checked")
    ).all()
    assert [e.data["confirmed"] for e in events] == [False]


def test_too_many_wrong_codes_need_a_new_code(app, path):
    assessor = app.test_client()
    assessor.post(path, data=IDENTITY_BODY)
    right = code_in(mail_to(app, ASSESSOR)[-1])
    for _ in range(5):
        assessor.post(f"{path}/code", data={"code": "000000" if right != "000000" else "111111"})
    locked = assessor.post(f"{path}/code", data={"code": right}).data.decode()
    assert "too many wrong codes" in locked
    assessor.post(path, data=IDENTITY_BODY)  # a new code
    fresh = code_in(mail_to(app, ASSESSOR)[-1])
    assert assessor.post(f"{path}/code", data={"code": fresh}).status_code == 302


def test_a_request_gets_a_limited_number_of_codes(app, path):
    assessor = app.test_client()
    for _ in range(5):
        assessor.post(path, data=IDENTITY_BODY)
    refused = assessor.post(path, data=IDENTITY_BODY).data.decode()
    assert "the most codes allowed" in refused
    assert len([m for m in mail_to(app, ASSESSOR) if "code" in m["Subject"]]) == 5


def test_an_expired_code_is_refused(app, path, clock):
    assessor = app.test_client()
    assessor.post(path, data=IDENTITY_BODY)
    code = code_in(mail_to(app, ASSESSOR)[-1])
    clock(minutes=16)
    assert (
        "That code has expired" in assessor.post(f"{path}/code", data={"code": code}).data.decode()
    )


def test_the_registration_number_is_checked_for_its_register(app, path):
    assessor = app.test_client()
    gmc = assessor.post(
        path, data={**IDENTITY_BODY, "assessor_role": "doctor", "assessor_number": "12345"}
    )
    assert "A GMC reference number is 7 digits" in gmc.data.decode()
    nmc = assessor.post(
        path, data={**IDENTITY_BODY, "assessor_role": "nurse", "assessor_number": "1234567"}
    )
    assert "An NMC PIN is 8 characters" in nmc.data.decode()
    assert not [m for m in mail_to(app, ASSESSOR) if "code" in m["Subject"]]


def test_of_two_tabs_only_the_first_submission_counts(app, path):
    assessor = app.test_client()
    _confirmed(app, assessor, path)
    first = assessor.post(f"{path}/form", data=ANSWERS_BODY)
    second = assessor.post(f"{path}/form", data={**ANSWERS_BODY, "overall_judgement": "above"})
    assert first.headers["Location"].endswith("/assess/complete")
    assert second.status_code == 410
    assert "already been submitted" in second.data.decode()
    receipts = [m for m in mail_to(app, ASSESSOR) if "completed in your name" in m["Subject"]]
    assert len(receipts) == 1


def test_the_assessor_cannot_change_their_answers_after_submitting(app, path, draft):
    assessor = app.test_client()
    _confirmed(app, assessor, path)
    assessor.post(f"{path}/form", data=ANSWERS_BODY)
    assert assessor.get(f"{path}/form").status_code == 410
    assert assessor.post(path, data=IDENTITY_BODY).status_code == 410
    db.session.refresh(draft)
    assert draft.current_version.fields["overall_judgement"] == "at"


def test_a_submission_needs_the_declaration(app, path):
    assessor = app.test_client()
    _confirmed(app, assessor, path)
    page = assessor.post(f"{path}/form", data={**ANSWERS_BODY, "declaration": ""})
    assert "Confirm the declaration to submit your assessment" in page.data.decode()


def _completed(app, path):
    assessor = app.test_client()
    _confirmed(app, assessor, path)
    assessor.post(f"{path}/form", data=ANSWERS_BODY)


def test_the_trainee_cannot_change_the_assessors_part(app, path, draft, trainee):
    _completed(app, path)
    db.session.refresh(draft)
    answers = {**draft.current_version.fields, "title": draft.title, "occurred_on": "2025-05-20"}
    links = [(link.competency, link.note) for link in draft.current_version.links]
    with pytest.raises(DomainError, match="assessor's answers are locked"):
        evidence_service.edit(
            draft, {**answers, "went_well": "Everything"}, links, actor=trainee, today=TODAY
        )


def test_editing_their_own_part_makes_a_new_version_and_keeps_the_assessed_one(
    app, client, path, draft, trainee
):
    _completed(app, path)
    db.session.refresh(draft)
    answers = {
        **draft.current_version.fields,
        "title": "A better title",
        "occurred_on": "2025-05-20",
    }
    links = [(link.competency, link.note) for link in draft.current_version.links]
    version = evidence_service.edit(draft, answers, links, actor=trainee, today=TODAY)
    db.session.commit()
    assert version.number == 2
    assert draft.versions[0].title != "A better title"
    assert version.fields["went_well"] == ANSWERS_BODY["went_well"]
    detail = client.get(f"/portfolio/evidence/{draft.id}").data.decode()
    assert "The assessor assessed version 1" in detail


def test_the_assessor_completes_in_person_on_the_trainees_device(app, client, path, draft):
    from app.models.assessments import AssessmentRequest

    rid = db.session.scalar(db.select(AssessmentRequest.id))
    now = client.post(f"/portfolio/evidence/{draft.id}/assessment-requests/{rid}/in-person")
    assert now.headers["Location"].startswith("/assess/")
    in_person = now.headers["Location"]
    assert app.test_client().get(path).status_code == 410  # the e-mailed link stops
    page = client.get(in_person).data.decode()
    assert "Email me a code" in page
    client.post(in_person, data=IDENTITY_BODY)
    code = code_in(mail_to(app, ASSESSOR)[-1])
    assert client.post(f"{in_person}/code", data={"code": code}).status_code == 302
    assert client.post(f"{in_person}/form", data=ANSWERS_BODY).status_code == 302
    receipt = mail_to(app, ASSESSOR)[-1]
    assert "on the trainee's device" in text_of(receipt)
    detail = client.get(f"/portfolio/evidence/{draft.id}").data.decode()
    assert "completed in person on the trainee&#39;s device" in detail


def test_requests_per_day_are_capped(app, client, login, trainee, draft):
    app.config["ASSESSMENT_REQUESTS_PER_DAY"] = 2
    login(client, trainee)
    url = f"/portfolio/evidence/{draft.id}/assessment-requests"
    for _ in range(2):
        assert client.post(url, data=REQUEST_BODY).status_code == 302
    third = client.post(url, data=REQUEST_BODY).data.decode()
    assert "the most allowed. Try again tomorrow" in third
    assert len(mail_to(app, ASSESSOR)) == 2


def test_open_requests_are_capped(app, client, login, trainee, draft):
    app.config["ASSESSMENT_OPEN_REQUESTS_MAX"] = 1
    login(client, trainee)
    url = f"/portfolio/evidence/{draft.id}/assessment-requests"
    assert client.post(url, data=REQUEST_BODY).status_code == 302
    second = client.post(url, data=REQUEST_BODY).data.decode()
    assert "waiting for an answer, the most allowed" in second


def test_an_unknown_link_gets_a_clear_page(app):
    page = app.test_client().get("/assess/not-a-real-token")
    assert page.status_code == 404
    assert "This assessment link is not valid" in page.data.decode()


def test_a_file_added_after_the_assessment_goes_on_a_new_version(app, path, draft, trainee):
    import io

    _completed(app, path)
    db.session.refresh(draft)
    assessed_digest = draft.current_version.content_sha256
    attachment = evidence_service.add_attachment(
        draft,
        io.BytesIO(b"plain notes"),
        "notes.txt",
        actor=trainee,
        upload_dir=app.config["UPLOAD_DIR"],
        max_bytes=app.config["MAX_UPLOAD_BYTES"],
    )
    db.session.commit()
    assert attachment.version_number == 2
    assert draft.current_version_number == 2
    assert draft.versions[0].content_sha256 == assessed_digest
    assert evidence_service.removable(draft, attachment)  # on the new, unassessed version


def test_the_token_is_blanked_in_logged_paths(app, path):
    from app.logs import loggable_path

    with app.test_request_context(path):
        app.preprocess_request()
        from flask import request

        request.view_args = app.url_map.bind("localhost").match(path)[1]
        logged = loggable_path()
    assert logged == "/assess/[token]"
    assert path.rsplit("/", 1)[1] not in logged


def test_code_entry_is_rate_limited_per_address(app, path):
    app.config["ASSESSMENT_CODE_LIMIT"] = "2 per hour"
    assessor = app.test_client()
    assessor.post(path, data=IDENTITY_BODY)
    answers = [assessor.post(f"{path}/code", data={"code": "000000"}) for _ in range(3)]
    assert [a.status_code for a in answers][-1] == 429
    events = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "assessment.code_checked")
    ).all()
    assert len(events) == 2  # the refused third attempt checked nothing
