"""The consultation-skills rule on the trainee's D3.1 page: one observed consultation, or
two on the same day, leave one to find; two on separate days meet it."""

from __future__ import annotations

from datetime import date

import pytest

from app.services.portfolio.assessment_forms import MRCF_SECTIONS
from tests.trainee.conftest import soup

FIRST_DAY, SECOND_DAY = date(2025, 5, 12), date(2025, 5, 20)
ONE_MORE = (
    "Needs 1 more observation (Observed consultation (MRCF-style)) judged at the expected "
    "level and rated competent or better in every area, on a day not yet counted"
)


def consultation(log_evidence, enrolment, day: date) -> None:
    answers: dict[str, object] = {"occurred_on": day.isoformat(), "assessed_on": day.isoformat()}
    answers.update({f"{key}_rating": "4" for key, _title, _items in MRCF_SECTIONS})
    log_evidence(enrolment, "consultation-observation", ["D3.1"], "accepted", **answers)


def still_missing(client) -> list[str]:
    page = soup(client.get("/portfolio/competencies/D3.1"))
    return [li.get_text(strip=True) for li in page.select("ul[aria-labelledby=still-missing] li")]


@pytest.mark.parametrize(
    ("days", "missing"),
    [
        ((FIRST_DAY,), [ONE_MORE]),
        ((FIRST_DAY, FIRST_DAY), [ONE_MORE]),
        ((FIRST_DAY, SECOND_DAY), []),
    ],
)
def test_the_d3_1_page_counts_consultations_on_separate_days(
    client, signed_in_trainee, enrolment, log_evidence, days, missing
):
    log_evidence(enrolment, "reflective-account", ["D3.1"], status="accepted")
    log_evidence(enrolment, "dops", ["D3.1"], status="accepted")
    for day in days:
        consultation(log_evidence, enrolment, day)
    assert still_missing(client) == missing
    page_text = soup(client.get("/portfolio/competencies/D3.1")).get_text(" ", strip=True)
    assert ("the rule is met" in page_text) == (not missing)
