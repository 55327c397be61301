"""NHS.UK components drawn from Python: the remembered output is exactly the macro's,
and parameters carrying markup are never served from memory."""

from __future__ import annotations

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
        html = render_component("input", params)
        assert "2026-01-02" in html
        assert len(nhsuk_components._cache) == before


def test_text_is_escaped_in_remembered_output(app):
    params = {"id": "x", "name": "x", "label": {"text": "<script>alert(1)</script>"}}
    with app.test_request_context():
        for _ in range(2):
            html = render_component("input", params)
            assert "<script>" not in html
            assert "&lt;script&gt;" in html


def test_the_task_list_wires_each_link_to_its_hint_and_status(client, app):
    template = app.jinja_env.from_string(
        '{% from "macros/task_list.jinja" import taskList %}'
        '{{ taskList("domain-1", [{"title": "D1.1 <Audit>", "href": "/c/D1.1", '
        '"hint": "Needs 2 more", "tag": {"text": "In progress", "classes": "nhsuk-tag--blue"}},'
        '{"title": "D1.2", "href": "/c/D1.2", "hint": "", '
        '"tag": {"text": "Signed off", "classes": "nhsuk-tag--green"}}]) }}'
    )
    with app.test_request_context():
        html = template.render()
    assert 'aria-describedby="domain-1-1-hint domain-1-1-status"' in html
    assert 'id="domain-1-1-hint">Needs 2 more</div>' in html
    assert 'aria-describedby="domain-1-2-status"' in html
    assert "D1.1 &lt;Audit&gt;" in html
    assert '<strong class="nhsuk-tag nhsuk-tag--green">Signed off</strong>' in html


def _tags(html: str) -> list[str]:
    """The markup's tags and text, whitespace between them aside."""
    import re

    parts = (" ".join(part.split()) for part in re.split(r"(<[^>]+>)", html))
    return [part.replace(" >", ">") for part in parts if part]


def test_the_scrolling_table_is_the_scroll_components_markup(app):
    ours = app.jinja_env.from_string(
        '{% from "macros/tables.jinja" import scrollingTable %}'
        '{% call scrollingTable("cap") %}<table><caption id="cap">T &amp; U</caption>'
        "</table>{% endcall %}"
    )
    theirs = app.jinja_env.from_string(
        '{% from "nhsuk/components/scroll/macro.jinja" import scroll %}'
        '{% call scroll({"labelledBy": "cap"}) %}<table><caption id="cap">T &amp; U</caption>'
        "</table>{% endcall %}"
    )
    with app.test_request_context():
        assert _tags(ours.render()) == _tags(theirs.render())
