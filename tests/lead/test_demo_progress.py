"""`demo seed` gives a lead a cohort at varied progress: the heat map and chart show it."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup

from app.demo.generate import REGION_LEAD_EMAIL
from app.demo.seed import DEMO_PASSWORD, PROGRESS_DEMO_TRAINEES


def _dashboard(app, runner) -> BeautifulSoup:
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    assert REGION_LEAD_EMAIL in result.output
    client = app.test_client()
    response = client.post(
        "/auth/login", data={"email": REGION_LEAD_EMAIL, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302, response.data[:500]
    response = client.get("/lead/dashboard")
    assert response.status_code == 200
    return BeautifulSoup(response.data, "html.parser")


def test_the_region_leads_heat_map_has_cells_in_more_than_one_band(app, runner):
    soup = _dashboard(app, runner)
    rows = soup.select("#heat-map tbody tr")
    assert len(rows) == PROGRESS_DEMO_TRAINEES
    bands = {td["data-band"] for td in soup.select("#heat-map tbody td")}
    assert len(bands - {"none", "zero"}) >= 2, bands
    per_trainee = {
        sum(int(td.get_text(strip=True).split(" of ")[0]) for td in row.select("td"))
        for row in rows
    }
    assert len(per_trainee) > 3, "trainees are at different points, not all alike"


def test_the_region_leads_chart_counts_signed_off_competencies(app, runner):
    soup = _dashboard(app, runner)
    description = soup.select_one("figure svg desc").get_text()
    signed = int(re.search(r"(\d+) of \d+ competencies are signed off", description)[1])
    assert signed > 0, description


def test_a_second_seed_adds_no_second_generated_cohort(app, runner):
    _dashboard(app, runner)
    again = runner.invoke(args=["demo", "seed"])
    assert again.exit_code == 0, again.output
    assert "nothing changed" in again.output
