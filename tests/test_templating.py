"""Template helpers: the role-aware navigation, the pagination component's parameters and
the date formats."""

from __future__ import annotations

from datetime import date, datetime

from flask_login import login_user

from app.templating import format_date, format_datetime, navigation_items, pagination


def test_navigation_shows_a_persons_own_areas_under_the_application_root(app, make_user):
    trainee = make_user(roles=("trainee",))
    with app.test_request_context("/portfolio/", base_url="http://localhost/portfolio-app/"):
        login_user(trainee)
        items = navigation_items()
    assert [(item["text"], item["href"]) for item in items] == [
        ("My portfolio", "/portfolio-app/portfolio/"),
        ("My registration", "/portfolio-app/registration/"),
        ("Frameworks", "/portfolio-app/frameworks"),
    ]
    assert items[0]["current"] is True
    assert not any(item["current"] for item in items[1:])


def test_navigation_is_empty_before_sign_in(app):
    with app.test_request_context("/"):
        assert navigation_items() == []


def test_pagination_shows_the_ends_and_the_pages_either_side():
    params = pagination(5, 9, lambda n: f"/list?page={n}")
    assert params is not None
    shown = [item.get("number", "...") for item in params["items"]]
    assert shown == [1, "...", 4, 5, 6, "...", 9]
    assert [item["number"] for item in params["items"] if item.get("current")] == [5]
    assert params["previous"] == {"href": "/list?page=4"}
    assert params["next"] == {"href": "/list?page=6"}


def test_pagination_is_left_out_for_one_page_and_has_no_link_past_the_ends():
    assert pagination(1, 1, str) is None
    first = pagination(1, 2, str)
    assert first is not None
    assert "previous" not in first
    assert first["next"] == {"href": "2"}


def test_dates_are_written_the_nhs_way():
    assert format_date(date(2026, 3, 1)) == "1 March 2026"
    assert format_date(None) == ""
    assert format_datetime(datetime(2026, 3, 1, 9, 5)) == "1 March 2026 at 09:05 UTC"
