"""GET /api/v1/trainees, /trainees/{id} and /trainees/{id}/evidence: the CONTRACT's
shapes, the pages' scope, and a fixed number of queries."""

from __future__ import annotations

import pytest

from tests.api.conftest import error_of


def test_a_lead_lists_every_trainee_in_their_hub_with_progress(seeded, lead, api_as):
    response = api_as(lead).get("/trainees")
    assert response.status_code == 200
    body = response.get_json()
    assert {k: body[k] for k in ("page", "per_page", "total")} == {
        "page": 1,
        "per_page": 25,
        "total": 3,
    }
    by_email = {item["email"]: item for item in body["items"]}
    assert set(by_email) == {"ada@example.org", "ben@example.org", "cal@example.org"}
    ada = by_email["ada@example.org"]
    assert ada["id"] == seeded["ada"][0].id
    assert ada["name"] == "Ada Harbour"
    assert ada["progress"]["signed_off"] == 1
    assert ada["progress"]["total"] == 20
    assert ada["awaiting_review"] == 1
    assert ada["registration"] == "current"
    assert ada["level3"] == "achieved"
    assert by_email["ben@example.org"]["registration"] == "expired"


def test_a_pcn_lead_sees_only_their_pcns_trainees(seeded, harbour_lead, api_as):
    api = api_as(harbour_lead)
    names = {item["name"] for item in api.get("/trainees").get_json()["items"]}
    assert names == {"Ada Harbour", "Ben Harbour"}
    cal = seeded["cal"][0]
    for path in (f"/trainees/{cal.id}", f"/trainees/{cal.id}/evidence"):
        response = api.get(path)
        assert response.status_code == 404, path
        assert error_of(response)["code"] == "not_found"
        assert "Cal" not in response.get_data(as_text=True)


def test_a_supervisor_lists_only_the_trainees_they_supervise(seeded, other_supervisor, api_as):
    items = api_as(other_supervisor).get("/trainees").get_json()["items"]
    assert [item["name"] for item in items] == ["=Cal Cliff"]


def test_filters_and_pages_narrow_the_list(seeded, lead, harbour, api_as):
    api = api_as(lead)
    harbour_only = api.get(f"/trainees?organisation_id={harbour.id}").get_json()
    assert {i["name"] for i in harbour_only["items"]} == {"Ada Harbour", "Ben Harbour"}
    second = api.get("/trainees?per_page=2&page=2").get_json()
    assert (second["page"], second["per_page"], second["total"]) == (2, 2, 3)
    # By name: "=Cal Cliff" sorts first, so the second page of two holds Ben.
    assert [i["name"] for i in second["items"]] == ["Ben Harbour"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("page=abc", "page"),
        ("flag=sleepy", "flag"),
        ("organisation_id=-4", "organisation_id"),
        ("colour=blue", "colour"),
    ],
)
def test_bad_query_strings_are_400_naming_the_parameter(seeded, lead, api_as, query, field):
    response = api_as(lead).get(f"/trainees?{query}")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "bad_request"
    assert set(error["fields"]) == {field}


def test_trainees_and_admins_may_not_list_trainees(seeded, make_user, api_as):
    ada = seeded["ada"][0]
    for user in (ada, make_user(roles=("admin",))):
        response = api_as(user).get("/trainees")
        assert response.status_code == 403
        assert error_of(response)["code"] == "forbidden"


def test_one_trainee_has_registration_level3_enrolment_and_competencies(
    seeded, supervisor, framework, api_as
):
    ada, enrolment = seeded["ada"]
    body = api_as(supervisor).get(f"/trainees/{ada.id}").get_json()
    assert (body["id"], body["name"], body["email"]) == (ada.id, "Ada Harbour", ada.email)
    assert body["registration"]["number"] == "5012345"
    assert body["registration"]["flag"] == "current"
    assert body["registration"]["verified"] is True
    assert body["qualification"]["status"] == "achieved"
    assert body["qualification"]["verified"] is True
    assert body["enrolment"]["id"] == enrolment.id
    assert body["enrolment"]["framework"] == "ncf-pcpt"
    assert body["enrolment"]["version"] == "3"
    assert body["enrolment"]["supervisor"] == {"id": supervisor.id, "name": "Sam Okafor"}
    competencies = {c["id"]: c for c in body["competencies"]}
    assert len(competencies) == 20
    first, second = framework.domains[0].competencies[:2]
    assert competencies[first.code]["status"] == "signed_off"
    assert competencies[first.code]["missing"] == []
    assert competencies[first.code]["signed_off_on"] is not None
    assert competencies[first.code]["signed_off_by"] == "Sam Okafor"
    assert competencies[first.code]["outcome"] == framework.scale[-1].label
    # Two accepted items of two types, one observed: the NCF asks for three.
    assert competencies[second.code]["status"] == "in_progress"
    assert competencies[second.code]["missing"] == ["needs 1 more accepted item"]
    assert competencies[second.code]["accepted_evidence"] == 2
    untouched = competencies[framework.domains[3].competencies[0].code]
    assert untouched["status"] == "not_started"
    assert untouched["missing"][0].startswith("needs ")
    assert {c["status"] for c in body["competencies"]} <= {
        "not_started",
        "in_progress",
        "ready",
        "signed_off",
    }
    assert body["progress"] == {"signed_off": 1, "total": 20, "percent": 5}


def test_a_trainee_reads_their_own_record_but_not_anothers(seeded, api_as):
    ada, ben = seeded["ada"][0], seeded["ben"][0]
    api = api_as(ada)
    assert api.get(f"/trainees/{ada.id}").get_json()["id"] == ada.id
    assert api.get(f"/trainees/{ben.id}").status_code == 404
    assert api.get(f"/trainees/{ben.id}/evidence").status_code == 404
    assert api.get("/trainees/999999").status_code == 404
    assert api.get("/trainees/99999999999999999999").status_code == 404


def test_evidence_lists_hide_drafts_from_everyone_but_the_trainee(seeded, supervisor, api_as):
    ada = seeded["ada"][0]
    own = api_as(ada).get(f"/trainees/{ada.id}/evidence").get_json()
    seen = api_as(supervisor).get(f"/trainees/{ada.id}/evidence").get_json()
    assert own["total"] == 4
    assert seen["total"] == 3
    assert "Private draft thoughts" in {i["title"] for i in own["items"]}
    assert "Private draft thoughts" not in {i["title"] for i in seen["items"]}
    item = next(i for i in seen["items"] if i["title"] == "Audit of repeats")
    assert item["type"] == "reflective-account"
    assert item["status"] == "accepted"
    assert item["competencies"] == ["D1.1", "D1.2"]
    assert set(item) >= {"id", "type", "title", "occurred_on", "status", "competencies"}


def test_the_list_costs_the_same_queries_for_10_and_300_trainees(
    app, lead, supervisor, harbour_practice, cohort, bulk_trainees, token_for, client, count_queries
):
    headers = token_for(lead)

    def queries() -> int:
        with count_queries() as q:
            response = client.get("/api/v1/trainees?per_page=100", headers=headers)
        assert response.status_code == 200
        return q.count

    bulk_trainees(10, orgs=[harbour_practice], supervisor=supervisor, cohort=cohort)
    at_10 = queries()
    bulk_trainees(290, orgs=[harbour_practice], supervisor=supervisor, cohort=cohort)
    at_300 = queries()
    total = client.get("/api/v1/trainees", headers=headers).get_json()["total"]
    assert total == 300
    assert at_10 == at_300
    print(f"GET /api/v1/trainees: {at_10} queries at 10 trainees, {at_300} at 300")
