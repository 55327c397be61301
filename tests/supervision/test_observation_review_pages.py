"""An observation judged below the expected level, through the pages: the supervisor's
review and the trainee's item show the assessor and the judgement and say it does not
count; once accepted, the competency page says what is missing."""

from __future__ import annotations

import pytest

from tests.supervision.conftest import soup, text_of


@pytest.fixture
def as_supervisor(app, login, supervisor):
    client = app.test_client()
    login(client, supervisor)
    return client


@pytest.fixture
def as_trainee(app, login, trainee):
    client = app.test_client()
    login(client, trainee)
    return client


def below_expected(submitted, enrolment):
    return submitted(
        enrolment,
        "observation",
        ["B1"],
        title="Inhaler check judged below",
        overall_judgement="below",
        assessor_name="Dr Ada Jones",
        assessor_role="doctor",
        assessor_registration_number="1234567",
    )


def test_the_review_page_names_the_assessor_and_warns_of_a_judgement_below(
    as_supervisor, enrolment, submitted
):
    item = below_expected(submitted, enrolment)
    page = soup(as_supervisor.get(f"/supervision/evidence/{item.id}/review"))
    assessment = text_of(page, "#assessment")
    assert "Dr Ada Jones, Doctor (for example a GP), GMC 1234567" in assessment
    assert "Below the level expected at this stage of training" in assessment
    warning = text_of(page, "#judged-below")
    assert "Judged below the expected level" in warning
    assert "does not count towards signing off any competency" in warning


def test_an_observation_judged_at_the_level_has_no_warning(as_supervisor, enrolment, submitted):
    item = submitted(enrolment, "observation", ["B1"], overall_judgement="at")
    page = soup(as_supervisor.get(f"/supervision/evidence/{item.id}/review"))
    assert "At the level expected" in text_of(page, "#assessment")
    assert page.select_one("#judged-below") is None


def test_once_accepted_it_is_kept_and_shown_but_the_competency_needs_another_observation(
    as_supervisor, as_trainee, enrolment, submitted, accepted
):
    accepted(enrolment, "reflective-account", ["B1"])
    item = below_expected(submitted, enrolment)
    decided = as_supervisor.post(
        f"/supervision/evidence/{item.id}/review",
        data={"decision": "accepted", "comment": "", "version": "1"},
    )
    assert decided.status_code == 302
    detail = soup(as_trainee.get(f"/portfolio/evidence/{item.id}"))
    assert "Judged below the expected level" in text_of(detail, "#judged-below")
    page = soup(as_trainee.get("/portfolio/competencies/B1"))
    missing = [
        li.get_text(strip=True) for li in page.select("ul[aria-labelledby=still-missing] li")
    ]
    assert missing == [
        "Needs 1 more accepted item",
        "Needs a second evidence type",
        "Needs an observation judged at the expected level",
    ]
    linked = [a.get_text(strip=True) for a in page.select("table a")]
    assert "Inhaler check judged below" in linked
