"""Assessment requests through the API: create (201), list with status, withdraw (204),
and bad bodies in the standard error shape."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.services.accounts import api_tokens
from tests.assessments.conftest import ASSESSOR, link_in, mail_to

BODY = {
    "assessor_name": "Ana Assessor",
    "assessor_email": ASSESSOR,
    "assessor_role": "doctor",
    "assessor_register": "GMC",
    "assessor_number": "1234567",
}


@pytest.fixture
def api(app, trainee):
    token = api_tokens.create_token(trainee, "tests")
    db.session.commit()
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def test_a_trainee_asks_lists_and_withdraws_through_the_api(app, api, draft):
    url = f"/api/v1/evidence/{draft.id}/assessment-requests"
    created = api.post(url, json=BODY)
    assert created.status_code == 201
    item = created.get_json()
    assert item["status"] == "sent"
    assert item["assessor_register"] == "GMC"
    assert item["assessor_number"] == "1234567"
    assert link_in(mail_to(app, ASSESSOR)[0]).startswith("/assess/")
    assert "token" not in str(item).lower()

    listed = api.get(url).get_json()["items"]
    assert [(i["id"], i["status"]) for i in listed] == [(item["id"], "sent")]

    gone = api.delete(f"{url}/{item['id']}")
    assert gone.status_code == 204
    assert api.get(url).get_json()["items"][0]["status"] == "withdrawn"
    again = api.delete(f"{url}/{item['id']}")
    assert again.status_code == 409
    assert "only a request still waiting can be withdrawn" in again.get_json()["error"]["message"]


def test_an_expired_request_lists_as_expired(api, draft, clock):
    url = f"/api/v1/evidence/{draft.id}/assessment-requests"
    api.post(url, json=BODY)
    clock(days=31)
    assert api.get(url).get_json()["items"][0]["status"] == "expired"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"assessor_email": "not-an-address"}, "assessor_email"),
        ({"assessor_role": "wizard"}, "assessor_role"),
        ({"assessor_number": "12"}, "assessor_number"),
        ({"assessor_register": "NMC"}, "assessor_register"),
        ({"surprise": "x"}, "surprise"),
    ],
)
def test_bad_bodies_get_the_standard_error_shape(api, draft, change, field):
    response = api.post(f"/api/v1/evidence/{draft.id}/assessment-requests", json={**BODY, **change})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert field in error["fields"]


def test_another_trainees_item_is_not_found(app, api, make_trainee, framework, log_evidence):
    from app.services.supervision import enrolments

    other = make_trainee(framework)
    item = log_evidence(enrolments.current_enrolment(other.id), "work-based-observation", ["D1.1"])
    assert api.get(f"/api/v1/evidence/{item.id}/assessment-requests").status_code == 404
    assert api.post(f"/api/v1/evidence/{item.id}/assessment-requests", json=BODY).status_code == 404


def test_the_evidence_shape_says_who_completed_the_assessors_part(app, api, trainee, draft):
    from app.services.assessments import completion, identity, requests
    from tests.assessments.conftest import code_in

    item_url = f"/api/v1/evidence/{draft.id}"
    assert api.get(item_url).get_json()["completed_by"] == "trainee"
    details = requests.AssessorDetails("Ana Assessor", ASSESSOR, "pharmacist", "2000009")
    req = requests.ask(draft, details, actor=trainee).request
    db.session.commit()
    identity.send_code(req, "Ana Assessor", "pharmacist", "2000009")
    db.session.commit()
    identity.check_code(req, code_in(mail_to(app, ASSESSOR)[-1]))
    answers = {"went_well": "Good", "development": "More", "overall_judgement": "at"}
    completion.complete(req, answers, declared=True)
    db.session.commit()
    assert api.get(item_url).get_json()["completed_by"] == "assessor"
    listed = api.get(f"/api/v1/evidence/{draft.id}/assessment-requests").get_json()["items"]
    assert listed[0]["status"] == "completed"
    assert listed[0]["assessed_version"] == 1
