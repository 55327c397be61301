"""NHS.UK components: what Python renders, remembered or not, is the nhsuk-frontend-jinja
macro's markup; parameters carrying other objects are never served from memory; the pages
use the package's components rather than copies of their markup."""

from __future__ import annotations

from bs4 import BeautifulSoup
from markupsafe import Markup

from app import nhsuk_components
from app.nhsuk_components import render_component


def _direct(app, folder: str, name: str, params: dict) -> str:
    template = app.jinja_env.get_template(f"nhsuk/components/{folder}/macro.jinja")
    return str(getattr(template.module, name)(params))


def test_a_remembered_date_input_is_the_macros_own_markup(app):
    params = {
        "id": "occurred_from",
        "namePrefix": "occurred_from",
        "fieldset": {"legend": {"text": "From"}},
        "items": [{"name": "day", "value": ""}, {"name": "month"}, {"name": "year"}],
    }
    with app.test_request_context():
        first = render_component("date", params)
        again = render_component("date", dict(params))
        assert str(first) == _direct(app, "date-input", "dateInput", params)
        assert again is first  # served from memory


def test_the_same_words_as_markup_and_as_text_are_remembered_apart(app):
    with app.test_request_context():
        as_markup = render_component("input", {"id": "t", "label": {"text": Markup("<b>T</b>")}})
        as_text = render_component("input", {"id": "t", "label": {"text": "<b>T</b>"}})
        again = render_component("input", {"id": "t", "label": {"text": Markup("<b>T</b>")}})
    assert again is as_markup
    assert "<b>T</b>" in as_markup
    assert "&lt;b&gt;T&lt;/b&gt;" in as_text


def test_parameters_holding_other_objects_are_rendered_every_time(app):
    from datetime import date

    params = {"id": "d", "name": "d", "label": {"text": "Day"}, "value": date(2026, 1, 2)}
    with app.test_request_context():
        before = len(nhsuk_components._cache)
        assert "2026-01-02" in render_component("input", params)
        assert len(nhsuk_components._cache) == before


def test_text_is_escaped_in_remembered_output(app):
    params = {"id": "x", "name": "x", "label": {"text": "<script>alert(1)</script>"}}
    with app.test_request_context():
        for _ in range(2):
            html = render_component("input", params)
            assert "<script>" not in html
            assert "&lt;script&gt;" in html


def test_the_header_sign_out_form_carries_this_sessions_csrf_token(app, make_user):
    app.config["WTF_CSRF_ENABLED"] = True
    user = make_user()
    client = app.test_client()
    page = client.get("/auth/login")
    token = BeautifulSoup(page.data, "html.parser").select_one("input[name=csrf_token]")["value"]
    client.post(
        "/auth/login",
        data={"email": user.email, "password": "correct horse battery", "csrf_token": token},
    )
    home = BeautifulSoup(client.get("/portfolio/").data, "html.parser")
    form = home.select_one("header form.nhsuk-header__account-form")
    header_token = form.select_one("input[name=csrf_token]")["value"]
    assert client.post(form["action"], data={"csrf_token": header_token}).status_code == 302
    assert client.get("/portfolio/").status_code == 302  # signed out: sent to sign in


def test_the_task_list_wires_each_link_to_its_hint_and_status(app):
    items = [
        {
            "title": {"text": "D1.1 <Audit>"},
            "href": "/c/D1.1",
            "hint": "Needs 2 more",
            "status": {"tag": {"text": "In progress", "classes": "nhsuk-tag--blue"}},
        },
        {
            "title": {"text": "D1.2"},
            "href": "/c/D1.2",
            "hint": "",
            "status": {"tag": {"text": "Signed off", "classes": "nhsuk-tag--green"}},
        },
    ]
    with app.test_request_context():
        html = str(render_component("task-list", {"idPrefix": "domain-1", "items": items}))
    first, second = BeautifulSoup(html, "html.parser").select("li.nhsuk-task-list__item")
    link = first.select_one("a.nhsuk-task-list__link.nhsuk-link")
    assert link["aria-describedby"] == "domain-1-1-hint domain-1-1-status"
    assert link.get_text(strip=True) == "D1.1 <Audit>"
    assert "D1.1 &lt;Audit&gt;" in html
    assert first.select_one("#domain-1-1-hint").get_text(strip=True) == "Needs 2 more"
    assert second.select_one("a")["aria-describedby"] == "domain-1-2-status"
    assert second.select_one(".nhsuk-task-list__hint") is None
    tag = second.select_one("#domain-1-2-status strong")
    assert tag["class"] == ["nhsuk-tag", "nhsuk-tag--green"]
    assert tag.get_text(strip=True) == "Signed off"


def test_a_table_scrolls_inside_the_scroll_components_region_named_by_its_caption(
    client, make_user, login
):
    login(client, make_user(roles=("admin",)))
    page = BeautifulSoup(client.get("/admin/users").data, "html.parser")
    region = page.select_one(
        "div.nhsuk-scroll[data-module=nhsuk-scroll] > div.nhsuk-scroll__content[role=region]"
    )
    assert region.select_one("table > caption")["id"] == region["aria-labelledby"]
