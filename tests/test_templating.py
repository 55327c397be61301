"""Template helpers: URLs built once for a table of links are the ones url_for builds."""

from __future__ import annotations

import pytest
from flask import url_for

from app.templating import url_maker


@pytest.mark.parametrize("value", [1, 42, 2147483647])
def test_an_id_link_is_url_fors(app, value):
    with app.test_request_context():
        make = url_maker("trainee.evidence_detail", "evidence_id")
        assert make(value) == url_for("trainee.evidence_detail", evidence_id=value)


@pytest.mark.parametrize("code", ["D1.1", "A b/c", "x?y#z", "Ünïcødé", "100%", "a&b=c"])
def test_a_code_link_is_quoted_as_url_for_quotes_it(app, code):
    with app.test_request_context():
        make = url_maker("trainee.competency", "competency_code")
        assert make(code) == url_for("trainee.competency", competency_code=code)


def test_other_values_stay_in_the_built_url(app):
    with app.test_request_context():
        make = url_maker("supervisor.record", "enrolment_id", tab="evidence")
        assert make(7) == url_for("supervisor.record", enrolment_id=7, tab="evidence")


def test_an_argument_outside_the_path_is_refused(app):
    with app.test_request_context(), pytest.raises(ValueError, match="not a part of its path"):
        url_maker("trainee.evidence_choose_type", "competency")


def test_a_fixed_url_is_url_fors_and_follows_the_application_root(app):
    from app.templating import fixed_url

    with app.test_request_context():
        assert fixed_url("static", filename="css/app.css") == url_for(
            "static", filename="css/app.css"
        )
        assert fixed_url("main.home") == url_for("main.home")
    with app.test_request_context(base_url="http://localhost/portfolio-app/"):
        assert fixed_url("main.home") == url_for("main.home")
        assert fixed_url("main.home").startswith("/portfolio-app/")
