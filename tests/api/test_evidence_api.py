"""POST /api/v1/evidence, /evidence/{id}/submit and /evidence/{id}/reviews: drafts,
submission and review through the same services as the pages, and bad input refused
with the right status, a field-by-field message and nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.evidence import Evidence
from app.models.reviews import Review
from tests.api.conftest import error_of
from tests.evidence.conftest import valid_answers


def _counts() -> tuple[int, int, int]:
    return (
        db.session.scalar(select(func.count(Evidence.id))),
        db.session.scalar(select(func.count(Review.id))),
        db.session.scalar(select(func.count(AuditEvent.id))),
    )


REFLECTION = {
    "what_happened": "Twelve summaries arrived after a weekend.",
    "so_what": "Two had dose changes the letter did not explain.",
    "now_what": "I will flag unexplained changes to the pharmacist the same day.",
}


def _body(today, **changes) -> dict:
    body = {
        "type": "reflective-account",
        "title": "Discharge reconciliation clinic",
        "occurred_on": (today - timedelta(days=3)).isoformat(),
        "description": "Reconciled twelve discharge summaries.",
        "competencies": ["D1.2", "D2.1"],
        "answers": REFLECTION,
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def test_a_trainee_creates_a_draft_and_submits_it(seeded, today, api_as):
    ada, enrolment = seeded["ada"]
    api = api_as(ada)
    created = api.post("/evidence", _body(today))
    assert created.status_code == 201
    item = created.get_json()
    assert item["status"] == "draft"
    assert item["type"] == "reflective-account"
    assert item["title"] == "Discharge reconciliation clinic"
    assert item["competencies"] == ["D1.2", "D2.1"]
    assert item["occurred_on"] == (today - timedelta(days=3)).isoformat()
    # From BASE_URL (the testing default), not from the request's host (localhost).
    assert created.headers["Location"] == f"http://127.0.0.1:5000/api/v1/evidence/{item['id']}"
    assert api.get(f"/evidence/{item['id']}").get_json() == item
    stored = db.session.get(Evidence, item["id"])
    assert stored.enrolment_id == enrolment.id
    assert stored.current_version.fields["what_happened"].startswith("Twelve")

    submitted = api.post(f"/evidence/{item['id']}/submit")
    assert submitted.status_code == 200
    assert submitted.get_json()["status"] == "submitted"
    again = api.post(f"/evidence/{item['id']}/submit")
    assert again.status_code == 409
    assert error_of(again)["code"] == "conflict"
    events = db.session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.subject_type == "evidence", AuditEvent.subject_id == str(item["id"])
        )
    ).all()
    assert events.count("evidence.created") == 1
    assert events.count("evidence.submitted") == 1


def test_a_structured_form_takes_its_answers(seeded, today, api_as):
    ada = seeded["ada"][0]
    answers = valid_answers("mini-cex")
    answers.pop("title")
    answers.pop("occurred_on")
    answers["assessed_on"] = (today - timedelta(days=2)).isoformat()
    body = _body(today, type="mini-cex", answers=answers, description=None)
    response = api_as(ada).post("/evidence", body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["type"] == "mini-cex"


def test_the_supervisor_asks_for_changes_then_accepts(seeded, supervisor, today, api_as):
    ada = seeded["ada"][0]
    trainee, reviewer = api_as(ada), api_as(supervisor)
    item = trainee.post("/evidence", _body(today)).get_json()
    trainee.post(f"/evidence/{item['id']}/submit")

    no_comment = reviewer.post(f"/evidence/{item['id']}/reviews", {"decision": "changes_requested"})
    assert no_comment.status_code == 422
    assert error_of(no_comment)["fields"] == {"comment": "Say what the trainee needs to change"}

    asked = reviewer.post(
        f"/evidence/{item['id']}/reviews",
        {"decision": "changes_requested", "comment": "Name the protocol you followed."},
    )
    assert asked.status_code == 201
    assert asked.get_json() == {
        "id": asked.get_json()["id"],
        "evidence_id": item["id"],
        "version": 1,
        "decision": "changes_requested",
        "comment": "Name the protocol you followed.",
        "evidence_status": "changes_requested",
    }
    twice = reviewer.post(f"/evidence/{item['id']}/reviews", {"decision": "accepted"})
    assert twice.status_code == 409
    assert trainee.get(f"/evidence/{item['id']}").get_json()["status"] == "changes_requested"


def test_a_stale_version_is_refused_with_409(seeded, supervisor, today, api_as):
    trainee, reviewer = api_as(seeded["ada"][0]), api_as(supervisor)
    item = trainee.post("/evidence", _body(today)).get_json()
    trainee.post(f"/evidence/{item['id']}/submit")
    before = _counts()
    stale = reviewer.post(f"/evidence/{item['id']}/reviews", {"decision": "accepted", "version": 2})
    assert stale.status_code == 409
    assert _counts() == before


def test_only_the_trainees_supervisor_reviews_and_only_the_trainee_submits(
    seeded, supervisor, other_supervisor, lead, today, api_as
):
    ada, ben = api_as(seeded["ada"][0]), api_as(seeded["ben"][0])
    mine, other, leader = api_as(supervisor), api_as(other_supervisor), api_as(lead)
    item = ada.post("/evidence", _body(today)).get_json()
    # Another trainee cannot see or submit it; it is a draft, so no supervisor sees it.
    assert ben.post(f"/evidence/{item['id']}/submit").status_code == 404
    assert mine.get(f"/evidence/{item['id']}").status_code == 404
    ada.post(f"/evidence/{item['id']}/submit")
    before = _counts()
    review = {"decision": "accepted"}
    assert other.post(f"/evidence/{item['id']}/reviews", review).status_code == 404
    assert ada.post(f"/evidence/{item['id']}/reviews", review).status_code == 403
    assert leader.post(f"/evidence/{item['id']}/reviews", review).status_code == 403
    assert leader.post("/evidence", _body(today)).status_code == 403
    assert mine.post(f"/evidence/{item['id']}/submit").status_code == 403
    assert _counts() == before


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"colour": "blue"}, {"colour"}),
        ({"title": 5}, {"title"}),
        ({"title": ""}, {"title"}),
        ({"occurred_on": "last Tuesday"}, {"occurred_on"}),
        ({"competencies": "D1.1"}, {"competencies"}),
        ({"competencies": []}, {"competencies"}),
        ({"competencies": [7]}, {"competencies.0"}),
        ({"competencies": ["Z9.9"]}, {"competencies"}),
        ({"type": "interpretive-dance"}, {"type"}),
        ({"type": None}, {"type"}),
        ({"answers": {**REFLECTION, "so_what": ""}}, {"so_what"}),
        ({"answers": {**REFLECTION, "so_what": ["a", "list"]}}, {"so_what"}),
        ({"description": "Patient NHS number 943 476 5919 seen"}, {"description"}),
        ({"confirm_no_patient_data": "yes please"}, {"confirm_no_patient_data"}),
    ],
)
def test_bad_bodies_are_422_by_field_and_write_nothing(seeded, today, api_as, changes, fields):
    api = api_as(seeded["ada"][0])
    before = _counts()
    response = api.post("/evidence", _body(today, **changes))
    assert response.status_code == 422, response.get_json()
    error = error_of(response)
    assert set(error["fields"]) == fields
    assert all(error["fields"].values())
    assert _counts() == before


def test_a_future_date_is_refused(seeded, today, api_as):
    response = api_as(seeded["ada"][0]).post(
        "/evidence", _body(today, occurred_on=(today + timedelta(days=30)).isoformat())
    )
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"occurred_on"}


@pytest.mark.parametrize(
    ("data", "content_type", "status", "code"),
    [
        ("{not json", "application/json", 400, "bad_request"),
        ("[1, 2]", "application/json", 422, "validation_failed"),
        ("type=reflective-account", "application/x-www-form-urlencoded", 415, None),
        ("<evidence/>", "text/xml", 415, None),
        ('{"title": "' + "x" * 70_000 + '"}', "application/json", 413, None),
    ],
)
def test_malformed_bodies_get_the_right_status_and_write_nothing(
    seeded, api_as, data, content_type, status, code
):
    api = api_as(seeded["ada"][0])
    before = _counts()
    response = api.post("/evidence", data=data, content_type=content_type)
    assert response.status_code == status
    error = error_of(response)
    assert response.mimetype == "application/json"
    if code:
        assert error["code"] == code
    assert _counts() == before


def test_a_trainee_without_an_active_enrolment_gets_409(make_user, today, api_as, framework):
    response = api_as(make_user()).post("/evidence", _body(today))
    assert response.status_code == 409
    assert error_of(response)["code"] == "not_enrolled"
