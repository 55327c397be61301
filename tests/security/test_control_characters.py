"""Control characters are refused in every text field, in the pages and the API alike.

NUL, vertical tab, escape, DEL and the C1 controls used to be stored in titles and
comments (and NUL fails outright on PostgreSQL). Each case below sends one, through a
real form or API call filled in validly otherwise: the answer names the field and the
character, and no row or file changes; the same request with clean text is accepted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from wtforms import Form

from app.extensions import db
from app.form_base import PortfolioForm, QueryForm, RefusesControlCharacters
from app.models import Organisation
from app.services.clock import uk_today
from app.services.control_characters import control_character_problem
from tests.security.world import World, fingerprint, signed_in_client
from tests.trainee.conftest import date_parts, error_summary, evidence_form, soup

STRONG_PASSWORD = "a long unusual passphrase 42"


def message(label: str, character: str) -> str:
    return (
        f"{label} contains a hidden control character (U+{ord(character):04X}) that cannot "
        "be saved: delete it, or type the text again instead of pasting it"
    )


# --- The rule ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "character", ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\x9f"]
)
def test_c0_c1_controls_and_delete_are_refused(character):
    assert control_character_problem(f"Inhaler{character}checks", "Title") == message(
        "Title", character
    )


@pytest.mark.parametrize(
    "text", ["Tabs\tand\nnew lines\r\n", "Café, naïve, 10 µg", "Ticks ✓ and \u2013 dashes", ""]
)
def test_tabs_new_lines_and_ordinary_unicode_are_text(text):
    assert control_character_problem(text) is None


def _form_classes(base: type) -> set[type]:
    found = set()
    for cls in base.__subclasses__():
        found |= {cls, *_form_classes(cls)}
    return found


def test_every_form_in_the_app_applies_the_rule(app):
    """A new form cannot slip past: each one derives from the base forms that check."""
    forms = {
        cls
        for cls in _form_classes(Form)
        if cls.__module__.startswith("app.") and cls.__module__ != "app.form_base"
    }
    assert len(forms) > 25, "the app's form modules were not imported"
    unchecked = sorted(
        f"{cls.__module__}.{cls.__name__}"
        for cls in forms
        if not issubclass(cls, RefusesControlCharacters)
    )
    assert unchecked == [], "forms must derive from PortfolioForm or QueryForm"
    assert issubclass(PortfolioForm, RefusesControlCharacters)
    assert issubclass(QueryForm, RefusesControlCharacters)


# --- Through the pages ------------------------------------------------------------------


@dataclass(frozen=True)
class PageCase:
    actor: str
    url: Callable[[World], str]
    data: Callable[[World, str], dict]  # the form filled in validly, with this text in one field
    anchor: str  # the error summary's link to the field
    label: str
    clean: str


def _evidence(world: World, title: str) -> dict:
    return evidence_form("reflective-account", [world.args["competency_code"]], title=title)


def _edit(world: World, text: str) -> dict:
    return evidence_form("reflective-account", [world.args["competency_code"]], what_happened=text)


def _monday(weeks_back: int) -> date:
    today = uk_today()
    return today - timedelta(days=today.weekday(), weeks=weeks_back)


PAGE_CASES = {
    "evidence title": PageCase(
        "owner",
        lambda w: "/portfolio/evidence/new/reflective-account",
        _evidence,
        "#title",
        "Title",
        "Inhaler checks",
    ),
    "evidence answer while editing": PageCase(
        "owner",
        lambda w: f"/portfolio/evidence/{w.draft_args['evidence_id']}/edit",
        _edit,
        "#what_happened",
        "What happened?",
        "A patient asked about spacers.",
    ),
    "review comment": PageCase(
        "assigned_supervisor",
        lambda w: f"/supervision/evidence/{w.args['evidence_id']}/review",
        lambda w, text: {"decision": "changes_requested", "comment": text, "version": "1"},
        "#comment",
        "Comments for the trainee",
        "Please say what you changed.",
    ),
    "supervision session topics": PageCase(
        "assigned_supervisor",
        lambda w: f"/supervision/enrolments/{w.args['enrolment_id']}/sessions/new",
        lambda w, text: {
            **date_parts("held_on", uk_today()),
            "duration_minutes": "45",
            "topics": text,
        },
        "#topics",
        "Topics discussed",
        "Repeat prescribing audit",
    ),
    "organisation name": PageCase(
        "admin",
        lambda w: "/admin/organisations/new",
        lambda w, text: {"name": text, "kind": "pcn", "parent": "", "ods_code": ""},
        "#name",
        "Name",
        "Riverside PCN",
    ),
    "new user's name": PageCase(
        "admin",
        lambda w: "/admin/users/new",
        lambda w, text: {
            "email": "dee.newcomer@example.org",
            "name": text,
            "roles": ["trainee"],
            "organisation": str(w.args["org_id"]),
            "password": STRONG_PASSWORD,
        },
        "#name",
        "Full name",
        "Dee Newcomer",
    ),
    "registration number": PageCase(
        "owner",
        lambda w: "/registration/details",
        lambda w, text: {
            "register": "pharmacy-technician",
            "status": "registered",
            "number": text,
            **date_parts("registered_on", date(uk_today().year - 2, 3, 1)),
            **date_parts("expires_on", uk_today() + timedelta(days=200)),
        },
        "#number",
        "GPhC registration number",
        "5098765",
    ),
    "qualification awarding body": PageCase(
        "owner",
        lambda w: "/registration/qualification",
        lambda w, text: {
            "kind": "l3-diploma-principles-practice",
            "status": "achieved",
            "awarding_body": text,
            **date_parts("started_on", date(2020, 1, 6)),
            **date_parts("achieved_on", date(2022, 1, 6)),
        },
        "#awarding_body",
        "Awarding body",
        "City & Guilds",
    ),
    "revalidation record title": PageCase(
        "owner",
        lambda w: "/registration/revalidation/records/new?kind=cpd-unplanned",
        lambda w, text: {
            "kind": "cpd-unplanned",
            "title": text,
            **date_parts("occurred_on", uk_today()),
            "what_learned": "How to read a shortage notice.",
            "benefit": "Patients were switched the same day.",
        },
        "#title",
        "Title",
        "A shortage query",
    ),
    "training week supervisor": PageCase(
        "owner",
        lambda w: "/registration/training/weeks",
        lambda w, text: {
            **date_parts("week_starting", _monday(3)),
            "hours": "30",
            "supervised_hours": "20",
            "supervisor_name": text,
        },
        "#supervisor_name",
        "Name of the pharmacist or pharmacy technician",
        "Sam Supervisor",
    ),
}

# One case per kind of control character the defect report named, and the rest of the range.
POISON = ("\x00", "\x0b", "\x1b", "\x85")


@pytest.mark.parametrize("case_name", list(PAGE_CASES))
def test_a_control_character_in_a_page_form_is_refused_on_its_field_and_nothing_is_saved(
    app, world, login, case_name
):
    case = PAGE_CASES[case_name]
    client = signed_in_client(app, login, world.users[case.actor])
    character = POISON[list(PAGE_CASES).index(case_name) % len(POISON)]
    poisoned = case.clean[:3] + character + case.clean[3:]
    before = fingerprint(app)

    refused = client.post(case.url(world), data=case.data(world, poisoned))

    assert refused.status_code == 200
    expected = message(case.label, character)
    assert (expected, case.anchor) in error_summary(soup(refused))
    assert fingerprint(app) == before

    accepted = client.post(case.url(world), data=case.data(world, case.clean))
    assert accepted.status_code == 302, error_summary(soup(accepted))
    assert fingerprint(app) != before


def test_a_form_posted_as_json_gets_the_same_refusal(app, world, login):
    """Flask-WTF reads a JSON body as the form: the rule holds for that too."""
    client = signed_in_client(app, login, world.users["admin"])
    before = fingerprint(app)
    response = client.post(
        "/admin/organisations/new", json={"name": "Nul\x00 PCN", "kind": "pcn", "parent": ""}
    )
    assert response.status_code == 200
    assert (message("Name", "\x00"), "#name") in error_summary(soup(response))
    assert fingerprint(app) == before


ADDRESS = "The web address contains a hidden control character: check the link"


@pytest.mark.parametrize(
    ("actor", "path", "query"),
    [
        ("admin", "/admin/users", {"q": "Ada\x00"}),
        ("owner", "/portfolio/evidence", {"competency": "D1.1\x0b"}),
        ("owner", "/portfolio/evidence/new/reflective\x00account", {}),
        ("lead_inside", "/lead/", {"sort": "name\x1b"}),
    ],
)
def test_a_control_character_in_a_page_address_is_a_400_before_any_query(
    app, world, login, actor, path, query
):
    """On PostgreSQL these reached a query and failed there (500): no view sees them now."""
    client = signed_in_client(app, login, world.users[actor])
    response = client.get(path, query_string=query)
    assert response.status_code == 400
    assert ADDRESS in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path", ["/api/v1/frameworks/ncf\x00pcpt/versions/3", "/api/v1/trainees?flag=x%00"]
)
def test_a_control_character_in_an_api_address_is_a_400_in_the_error_shape(app, world, login, path):
    client = signed_in_client(app, login, world.users["lead_inside"])
    response = client.get(path)
    assert response.status_code == 400
    assert response.get_json() == {
        "error": {"code": "bad_request", "message": ADDRESS, "fields": {}}
    }


# --- Through the API --------------------------------------------------------------------


def _api_evidence(world: World, **changes) -> dict:
    body = {
        "type": "reflective-account",
        "title": "Spacer technique",
        "occurred_on": uk_today().isoformat(),
        "competencies": [world.args["competency_code"]],
        "answers": {
            "what_happened": "A patient asked about spacers.",
            "so_what": "Technique matters more than the device.",
            "now_what": "Check technique at every review.",
        },
    }
    body.update(changes)
    return body


API_CASES = {
    "title": (
        "owner",
        "/api/v1/evidence",
        lambda w, t: _api_evidence(w, title=f"Spacer{t}"),
        "title",
        201,
    ),
    "nested answer": (
        "owner",
        "/api/v1/evidence",
        lambda w, t: _api_evidence(
            w,
            answers={
                "what_happened": f"A patient{t} asked.",
                "so_what": "Technique matters.",
                "now_what": "Check it.",
            },
        ),
        "answers.what_happened",
        201,
    ),
    "description": (
        "owner",
        "/api/v1/evidence",
        lambda w, t: _api_evidence(w, description=f"Summary{t}"),
        "description",
        201,
    ),
    "review comment": (
        "assigned_supervisor",
        "/api/v1/evidence/{evidence_id}/reviews",
        lambda w, t: {"decision": "changes_requested", "comment": f"Add{t} detail"},
        "comment",
        201,
    ),
}


@pytest.mark.parametrize("case_name", list(API_CASES))
@pytest.mark.parametrize("character", ["\x00", "\x0b", "\x9f"])
def test_a_control_character_in_an_api_body_is_a_422_naming_the_field(
    app, world, login, case_name, character
):
    actor, path, body, field, created = API_CASES[case_name]
    client = signed_in_client(app, login, world.users[actor])
    url = path.format(**world.args)
    before = fingerprint(app)

    refused = client.post(url, json=body(world, character))

    assert refused.status_code == 422, refused.get_json()
    error = refused.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert error["fields"] == {field: message("This text", character)}
    assert fingerprint(app) == before
    assert client.post(url, json=body(world, "")).status_code == created


def test_a_command_refuses_a_control_character_in_an_option_and_writes_nothing(runner):
    result = runner.invoke(args=["orgs", "create", "--name", "North\x1bHub", "--kind", "pcn"])
    assert result.exit_code == 1
    assert "--name contains a hidden control character (U+001B)" in result.output
    assert "Traceback" not in result.output
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 0
