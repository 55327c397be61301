"""Ids in query strings, which the access matrix (URL paths) does not reach: filters narrow
what a viewer sees and never widen it; a record named to copy from must be one's own."""

from __future__ import annotations

import pytest

from tests.security.world import OWNER_NAME, SHARED_TITLE, signed_in_client


def _filter_urls(world) -> list[str]:
    args = world.args
    org, cohort = args["organisation_id"], args["cohort_id"]
    supervisor = world.users["assigned_supervisor"].id
    page = f"organisation={org}&cohort={cohort}&supervisor={supervisor}"
    api = f"organisation_id={org}&cohort_id={cohort}&supervisor_id={supervisor}"
    return [
        f"/lead/dashboard?{page}",
        f"/lead/exports/progress.csv?{page}",
        f"/lead/exports/competencies.csv?{page}",
        f"/api/v1/trainees?{api}",
        f"/api/v1/reports/progress?format=json&{api}",
        f"/api/v1/reports/progress?format=csv&{api}",
    ]


@pytest.mark.parametrize("actor", ["unassigned_supervisor", "lead_outside"])
def test_report_filters_naming_her_organisation_or_supervisor_show_nothing_of_hers(
    app, world, login, actor
):
    client = signed_in_client(app, login, world.users[actor])
    for url in _filter_urls(world):
        response = client.get(url)
        # An out-of-scope choice is refused (the page says so; an export goes back to it).
        assert response.status_code in (200, 302, 400), (url, response.status_code)
        assert OWNER_NAME not in response.get_data(as_text=True), url


def test_report_filters_find_her_for_her_lead(app, world, login):
    client = signed_in_client(app, login, world.users["lead_inside"])
    for url in _filter_urls(world):
        if "competencies" in url:
            continue  # one row per competency, not per trainee
        response = client.get(url)
        assert response.status_code == 200, url
        assert OWNER_NAME in response.get_data(as_text=True), url


def test_a_revalidation_record_can_be_drafted_from_her_own_evidence_only(app, world, login):
    url = "/registration/revalidation/records/new?kind=cpd-unplanned&evidence_id={}".format(
        world.args["evidence_id"]
    )
    mine = signed_in_client(app, login, world.users["owner"]).get(url)
    assert mine.status_code == 200
    assert SHARED_TITLE in mine.get_data(as_text=True)
    theirs = signed_in_client(app, login, world.users["other_trainee"]).get(url)
    assert theirs.status_code == 404
    assert SHARED_TITLE not in theirs.get_data(as_text=True)
