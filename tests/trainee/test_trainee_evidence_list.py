"""The evidence list: the trainee's own items, filters from the query string, pages, and a
fixed number of queries however many items there are."""

from __future__ import annotations

from datetime import date

import pytest

from tests.trainee.conftest import date_parts, error_summary, soup


def rows(page) -> list[list[str]]:
    return [
        [cell.get_text(" ", strip=True) for cell in row.select("td")]
        for row in page.select("table tbody tr")
    ]


def titles(page) -> list[str]:
    return [row[0] for row in rows(page)]


def test_lists_the_trainees_items_newest_activity_first(
    client, signed_in_trainee, enrolment, log_evidence
):
    log_evidence(enrolment, "reflective-account", ["D1.1"], title="Older", occurred_on="2025-03-01")
    log_evidence(
        enrolment,
        "mini-cex",
        ["D3.1", "D1.1"],
        status="submitted",
        title="Newer",
        occurred_on="2025-04-02",
    )
    page = soup(client.get("/portfolio/evidence"))
    assert rows(page) == [
        [
            "Newer",
            "Mini clinical evaluation exercise (mini-CEX)",
            "2 April 2025",
            "D1.1, D3.1",
            "Waiting for review",
        ],
        ["Older", "Reflective account", "1 March 2025", "D1.1", "Draft"],
    ]
    assert page.select_one("#results").get_text(strip=True) == "Showing 1 to 2 of 2 items"


def test_another_trainees_evidence_is_never_listed(
    client, login, make_trainee, framework, enrolment, log_evidence
):
    from app.services.supervision.enrolments import active_enrolment

    other = make_trainee(framework)
    log_evidence(active_enrolment(other.id), "reflective-account", ["D1.1"], title="Not mine")
    log_evidence(enrolment, "reflective-account", ["D1.1"], title="Mine")
    login(client, enrolment.trainee)
    assert titles(soup(client.get("/portfolio/evidence"))) == ["Mine"]


@pytest.fixture
def four_items(enrolment, log_evidence):
    log_evidence(enrolment, "reflective-account", ["D1.1"], title="A", occurred_on="2025-01-10")
    log_evidence(
        enrolment, "mini-cex", ["D2.1"], status="submitted", title="B", occurred_on="2025-02-10"
    )
    log_evidence(
        enrolment, "dops", ["D1.1"], status="accepted", title="C", occurred_on="2025-03-10"
    )
    log_evidence(
        enrolment,
        "reflective-account",
        ["D2.1"],
        status="changes_requested",
        title="D",
        occurred_on="2025-04-10",
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"type": "reflective-account"}, ["D", "A"]),
        ({"status": "submitted"}, ["B"]),
        ({"status": "changes_requested"}, ["D"]),
        ({"competency": "D1.1"}, ["C", "A"]),
        ({"type": "reflective-account", "competency": "D2.1"}, ["D"]),
        (date_parts("occurred_from", date(2025, 2, 10)), ["D", "C", "B"]),
        (date_parts("occurred_to", date(2025, 2, 10)), ["B", "A"]),
        (
            {
                **date_parts("occurred_from", date(2025, 2, 1)),
                **date_parts("occurred_to", date(2025, 3, 31)),
            },
            ["C", "B"],
        ),
    ],
)
def test_filters_narrow_the_list_and_stay_filled_in(
    client, signed_in_trainee, four_items, query, expected
):
    page = soup(client.get("/portfolio/evidence", query_string=query))
    assert titles(page) == expected
    for name, value in query.items():
        element = page.select_one(f"[name='{name}']")
        if element.name == "select":
            assert element.select_one("option[selected]")["value"] == value
        else:
            assert element["value"] == value
    assert page.find("a", string="Clear filters")["href"] == "/portfolio/evidence"


def test_a_filter_that_matches_nothing_says_so(client, signed_in_trainee, four_items):
    page = soup(client.get("/portfolio/evidence", query_string={"competency": "D4.5"}))
    assert rows(page) == []
    assert page.select_one("#results").get_text(strip=True) == "No evidence matches these filters"


@pytest.mark.parametrize(
    ("query", "message", "shown"),
    [
        ({"status": "deleted"}, "Choose a status from the list", 4),
        ({"type": "not-a-type"}, "Choose a type from the list", 4),
        ({"competency": "Z9"}, "Choose a competency from the list", 4),
        (
            {
                "occurred_from[day]": "31",
                "occurred_from[month]": "2",
                "occurred_from[year]": "2025",
            },
            "Activity on or after must be a real date",
            4,
        ),
        # The later filter is the one refused; the earlier one still applies.
        (
            {
                **date_parts("occurred_from", "2025-03-01"),
                **date_parts("occurred_to", "2025-02-01"),
            },
            "The second date must be the same as or after the first",
            2,
        ),
    ],
)
def test_a_bad_filter_is_explained_and_ignored(
    client, signed_in_trainee, four_items, query, message, shown
):
    response = client.get("/portfolio/evidence", query_string=query)
    assert response.status_code == 200
    page = soup(response)
    assert [text for text, _ in error_summary(page)] == [message]
    assert page.title.get_text().startswith("Error: ")
    assert len(rows(page)) == shown


def test_pages_keep_the_filters_in_their_links(client, app, signed_in_trainee, log_many):
    app.config["PAGE_SIZE"] = 2
    log_many(12)  # every fourth one is a draft: Items 1, 5 and 9
    page = soup(client.get("/portfolio/evidence", query_string={"status": "draft"}))
    assert page.select_one("#results").get_text(strip=True) == "Showing 1 to 2 of 3 items"
    next_link = page.select_one("a.nhsuk-pagination__next")
    assert next_link is not None
    second = soup(client.get(next_link["href"]))
    assert "status=draft" in next_link["href"]
    assert second.select_one("#results").get_text(strip=True) == "Showing 3 to 3 of 3 items"
    assert [row[4] for row in rows(second)] == ["Draft"]


def test_a_page_beyond_the_last_shows_the_last(client, app, signed_in_trainee, log_many):
    app.config["PAGE_SIZE"] = 2
    log_many(3)
    page = soup(client.get("/portfolio/evidence", query_string={"page": 99}))
    assert page.select_one("#results").get_text(strip=True) == "Showing 3 to 3 of 3 items"


@pytest.mark.parametrize("page_size", [25, 1000])
def test_the_list_issues_the_same_number_of_queries_for_5_and_200_items(
    client, app, signed_in_trainee, log_many, count_queries, page_size
):
    # With a page of 1000 every item is on the page: no query may be per row.
    app.config["PAGE_SIZE"] = page_size
    log_many(5)
    with count_queries() as few:
        assert len(rows(soup(client.get("/portfolio/evidence")))) == 5
    log_many(195)
    with count_queries() as many:
        shown = rows(soup(client.get("/portfolio/evidence")))
    assert len(shown) == min(200, page_size)
    assert all(row[3] for row in shown)  # every row lists its competencies
    print(f"\nevidence list (page of {page_size}): {few.count} queries for 5, {many.count} for 200")
    assert many.count == few.count
