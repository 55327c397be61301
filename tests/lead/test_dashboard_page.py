"""The cohort dashboard page and a trainee's summary page, as leads and supervisors see them."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from app.extensions import db


def _page(client, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.data, "html.parser")


def _table_names(soup) -> list[str]:
    return [row.find("a").get_text(strip=True) for row in soup.select("#trainees tbody tr")]


@pytest.fixture
def as_user(app, login):
    def signed_in(user):
        client = app.test_client()
        login(client, user)
        return client

    return signed_in


def test_the_dashboard_lists_every_trainee_in_the_leads_subtree(seeded, lead, as_user):
    soup = _page(as_user(lead), "/lead/dashboard")
    assert _table_names(soup) == ["=Cal Cliff", "Ada Harbour", "Ben Harbour"]
    assert "3 trainees match" in soup.select_one("#trainee-count").get_text()


def test_a_pcn_lead_sees_none_of_another_pcns_trainees_on_the_page(seeded, harbour_lead, as_user):
    response = as_user(harbour_lead).get("/lead/dashboard")
    assert b"Ada Harbour" in response.data
    assert b"Cal Cliff" not in response.data
    assert b"Clifftop" not in response.data


def test_a_supervisor_sees_only_their_own_trainees(seeded, other_supervisor, as_user):
    soup = _page(as_user(other_supervisor), "/lead/dashboard")
    assert _table_names(soup) == ["=Cal Cliff"]
    assert "trainees you supervise" in soup.select_one("#scope").get_text()


def test_flags_are_written_in_words_not_only_colour(seeded, lead, as_user):
    soup = _page(as_user(lead), "/lead/dashboard")
    ben = soup.select_one('#trainees tr:-soup-contains("Ben Harbour")')
    flags = [li.get_text(strip=True) for li in ben.select(".app-flag-list li")]
    assert "Registration renewal due or expired" in flags
    assert "Stalled: no activity in 6 weeks" in flags
    assert ben.select_one("[data-flag=expired]").get_text(strip=True) == "Expired"


def test_filters_narrow_the_table_and_carry_into_the_export_links(seeded, lead, harbour, as_user):
    soup = _page(as_user(lead), f"/lead/dashboard?organisation={harbour.id}")
    assert _table_names(soup) == ["Ada Harbour", "Ben Harbour"]
    links = [a["href"] for a in soup.select("#export-links a")]
    assert len(links) == 4
    assert all(f"organisation={harbour.id}" in href for href in links)


def test_an_unknown_filter_value_shows_an_error_and_is_ignored(seeded, lead, as_user):
    soup = _page(as_user(lead), "/lead/dashboard?cohort=99999&flag=nonsense")
    summary = soup.select_one(".nhsuk-error-summary").get_text()
    assert "Choose a cohort from the list" in summary
    assert "Choose a flag from the list" in summary
    assert soup.title.get_text().startswith("Error:")
    assert len(_table_names(soup)) == 3


def test_supervisors_too_many_to_list_wait_for_an_organisation_and_a_choice_stays(
    seeded, lead, harbour, supervisor, other_supervisor, as_user, monkeypatch
):
    from app.services.reporting import filter_choices

    def offered(soup) -> list[str]:
        return [o.get_text(strip=True) for o in soup.select("#supervisor option")]

    assert offered(_page(as_user(lead), "/lead/dashboard")) == [
        "All supervisors",
        "Sam Okafor",
        "Una Other",
    ]
    monkeypatch.setattr(filter_choices, "SUPERVISORS_LISTED_UP_TO", 2)
    soup = _page(as_user(lead), "/lead/dashboard")
    assert offered(soup) == ["All supervisors"]
    hint = soup.select_one("#supervisor-hint").get_text()
    assert "too many to list" in hint
    # Harbour's two trainees are few enough: their supervisor is listed.
    assert offered(_page(as_user(lead), f"/lead/dashboard?organisation={harbour.id}")) == [
        "All supervisors",
        "Sam Okafor",
    ]
    # A supervisor chosen by link is checked, kept selected, and filters the table.
    soup = _page(as_user(lead), f"/lead/dashboard?supervisor={other_supervisor.id}")
    assert soup.select_one("#supervisor option[selected]").get_text(strip=True) == "Una Other"
    assert _table_names(soup) == ["=Cal Cliff"]
    soup = _page(as_user(lead), f"/lead/dashboard?supervisor={lead.id}")
    assert "Choose a supervisor from the list" in soup.select_one(".nhsuk-error-summary").text
    assert len(_table_names(soup)) == 3


def test_organisations_too_many_to_list_open_the_chosen_one(
    seeded, lead, harbour, harbour_practice, as_user, monkeypatch
):
    from app.services.reporting import filter_choices

    def offered(soup) -> list[str]:
        return [o.get_text(strip=True) for o in soup.select("#organisation option")]

    monkeypatch.setattr(filter_choices, "ORGANISATIONS_LISTED_UP_TO", 2)
    soup = _page(as_user(lead), "/lead/dashboard")
    assert offered(soup) == [
        "All organisations",
        "North Coast Training Hub",
        "- Clifftop PCN",
        "- Harbour PCN",
    ]
    assert "list the organisations inside it" in soup.select_one("#organisation-hint").text
    soup = _page(as_user(lead), f"/lead/dashboard?organisation={harbour_practice.id}")
    assert "- - Harbour Street Surgery" in offered(soup)
    assert soup.select_one("#organisation option[selected]")["value"] == str(harbour_practice.id)
    assert _table_names(soup) == ["Ada Harbour", "Ben Harbour"]


def test_column_headings_sort_the_table_and_say_which_way(seeded, lead, as_user):
    soup = _page(as_user(lead), "/lead/dashboard?sort=flags&order=desc")
    assert _table_names(soup) == ["Ben Harbour", "=Cal Cliff", "Ada Harbour"]
    current = soup.select_one("#trainees th[aria-sort]")
    assert current["aria-sort"] == "descending"
    assert "Flags" in current.get_text()
    assert "order=asc" in current.find("a")["href"]


def test_pagination_keeps_the_filters_and_sort(seeded, lead, as_user, app):
    app.config["PAGE_SIZE"] = 2
    soup = _page(as_user(lead), "/lead/dashboard?sort=name&flag=behind")
    assert _table_names(soup) == ["=Cal Cliff", "Ada Harbour"]
    next_link = soup.select_one(".nhsuk-pagination__link--next")["href"]
    for part in ("page=2", "flag=behind", "sort=name"):
        assert part in next_link
    assert _table_names(_page(as_user(lead), next_link)) == ["Ben Harbour"]


def test_the_heat_map_writes_the_numbers_in_each_cell_with_a_key(seeded, lead, as_user):
    soup = _page(as_user(lead), "/lead/dashboard")
    heat = soup.select_one("#heat-map")
    headers = [th.get_text(" ", strip=True) for th in heat.select("thead th")]
    assert headers[1] == "D1 Multidisciplinary Team Working"
    ada = heat.select_one('tr:-soup-contains("Ada Harbour")')
    cells = [(td.get_text(strip=True), td["data-band"]) for td in ada.select("td")]
    assert cells == [("1 of 5", "low"), ("0 of 5", "zero"), ("0 of 5", "zero"), ("0 of 5", "zero")]
    legend = [li.get_text(strip=True) for li in soup.select("#heat-legend li")]
    assert legend == [
        "None signed off",
        "Under half signed off",
        "Half or more signed off",
        "All signed off",
    ]


def test_the_progress_chart_is_an_accessible_svg_with_a_data_table(seeded, lead, as_user):
    soup = _page(as_user(lead), "/lead/dashboard")
    figure = soup.select_one("#chart-cohort-1")
    svg = figure.find("svg")
    assert svg["role"] == "img"
    title_id, desc_id = svg["aria-labelledby"].split()
    assert svg.find("title")["id"] == title_id
    assert svg.find("desc")["id"] == desc_id
    assert "Spring intake" in svg.find("title").get_text()
    assert "1 of 60 competencies are signed off" in svg.find("desc").get_text()
    rows = figure.select("table tbody tr")
    assert rows, "the chart has a data table alternative"
    last = [cell.get_text(strip=True) for cell in rows[-1].find_all(["th", "td"])]
    assert last[1] == "1"
    assert int(last[2]) == 30  # three trainees halfway through 20 competencies each


def test_no_trainees_says_so(lead, as_user):
    soup = _page(as_user(lead), "/lead/dashboard")
    assert soup.select_one("#no-trainees") is not None


def test_the_summary_page_shows_progress_registration_and_sign_offs_but_no_drafts(
    seeded, lead, as_user
):
    _, enrolment = seeded["ada"]
    response = as_user(lead).get(f"/lead/trainees/{enrolment.id}")
    assert response.status_code == 200
    soup = BeautifulSoup(response.data, "html.parser")
    assert soup.select_one("#signed-off").get_text(strip=True) == "1 of 20 (5%)"
    assert "Current" in soup.select_one("#registration-status").get_text()
    assert "Achieved, verified" in soup.select_one("#level3").get_text()
    assert "Audit of repeats" in response.get_data(as_text=True)
    assert "Private draft thoughts" not in response.get_data(as_text=True)
    assert "Sam Okafor (GPhC 2034567)" in response.get_data(as_text=True)


def test_a_trainee_outside_the_viewers_scope_is_not_found(
    seeded, harbour_lead, other_supervisor, as_user
):
    _, cal_enrolment = seeded["cal"]
    _, ada_enrolment = seeded["ada"]
    assert as_user(harbour_lead).get(f"/lead/trainees/{cal_enrolment.id}").status_code == 404
    assert as_user(other_supervisor).get(f"/lead/trainees/{ada_enrolment.id}").status_code == 404
    pdf = as_user(harbour_lead).get(f"/lead/trainees/{cal_enrolment.id}/portfolio.pdf")
    assert pdf.status_code == 404


def _page_queries(client, count_queries) -> int:
    db.session.expire_all()
    with count_queries() as counted:
        response = client.get("/lead/dashboard")
    assert response.status_code == 200
    return counted.count


def test_the_dashboard_costs_the_same_queries_for_10_and_300_trainees(
    app,
    lead,
    supervisor,
    harbour_practice,
    cliff_practice,
    cohort,
    bulk_trainees,
    count_queries,
    as_user,
):
    client = as_user(lead)
    bulk_trainees(10, orgs=[harbour_practice, cliff_practice], supervisor=supervisor, cohort=cohort)
    at_10 = _page_queries(client, count_queries)
    bulk_trainees(
        290, orgs=[harbour_practice, cliff_practice], supervisor=supervisor, cohort=cohort
    )
    at_300 = _page_queries(client, count_queries)
    print(f"dashboard page queries: {at_10} for 10 trainees, {at_300} for 300")
    assert at_10 == at_300
