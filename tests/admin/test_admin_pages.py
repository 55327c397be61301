"""Administration pages (users, organisations, cohorts) and enrolling trainees with supervisors.

Pages are read as a person would read them: through the rendered HTML.
"""

from __future__ import annotations

from datetime import date

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.enrolments import SupervisorAssignment
from app.models.organisations import Cohort, Organisation
from app.models.users import User
from app.services.accounts import organisations
from app.services.accounts import users as accounts
from app.services.errors import DomainError
from app.services.supervision import enrolments

NEW_PASSWORD = "a long and unusual passphrase"


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.data, "html.parser")


def error_summary(page: BeautifulSoup) -> list[tuple[str, str | None]]:
    """(message, link target) for each entry in the NHS error summary."""
    return [
        (item.get_text(strip=True), (item.find("a") or {}).get("href"))
        for item in page.select(".nhsuk-error-summary__list li")
    ]


def banner(page: BeautifulSoup) -> str:
    """The text of every notification banner (flash message) on the page."""
    return " | ".join(
        b.get_text(" ", strip=True) for b in page.select(".nhsuk-notification-banner")
    )


def table_rows(page: BeautifulSoup, selector: str = "table") -> list[list[str]]:
    table = page.select_one(selector)
    assert table is not None, f"no {selector} on the page"
    return [
        [cell.get_text(" ", strip=True) for cell in row.select("td")]
        for row in table.select("tbody tr")
    ]


def rendered_form_data(page: BeautifulSoup, form_selector: str, **values: str) -> dict:
    """What a browser would send from the rendered form, with `values` typed in by name."""
    form = page.select_one(form_selector)
    data: dict[str, object] = {}
    for element in form.select("input[name], select[name]"):
        name = element["name"]
        if element.name == "select":
            chosen = element.select_one("option[selected]") or element.select_one("option")
            data[name] = chosen["value"] if chosen else ""
        elif element.get("type") in ("checkbox", "radio"):
            if element.has_attr("checked"):
                data.setdefault(name, []).append(element["value"])
        else:
            data[name] = element.get("value", "")
    unknown = set(values) - {element["name"] for element in form.select("[name]")}
    assert not unknown, f"the rendered form has no fields called {sorted(unknown)}"
    return {**data, **values}


def user_count() -> int:
    return db.session.scalar(select(func.count(User.id)))


def audit_count() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)))


@pytest.fixture
def admin(make_user, login, client):
    user = make_user(roles=("admin",), name="Ada Admin")
    login(client, user)
    return user


# Home and access


def test_admin_home_counts_users_organisations_cohorts_and_frameworks(
    client, admin, make_org, framework
):
    hub = make_org("Hub", "training-hub")
    make_org("Practice", parent=hub)
    organisations.create_cohort("Cohort A", hub, framework_id=framework.id)
    db.session.commit()
    page = soup(client.get("/admin/"))
    counts = {
        key: page.select_one(f"#count-{key}").get_text(strip=True)
        for key in ("users", "organisations", "cohorts", "frameworks")
    }
    assert counts == {"users": "1", "organisations": "2", "cohorts": "1", "frameworks": "1"}
    links = {a["href"] for a in page.select("main a")}
    assert {"/admin/users", "/admin/organisations", "/admin/cohorts"} <= links


@pytest.mark.parametrize("role", ["trainee", "supervisor", "lead"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/admin/"),
        ("GET", "/admin/users"),
        ("POST", "/admin/users/new"),
        ("GET", "/admin/organisations"),
        ("POST", "/admin/cohorts/new"),
    ],
)
def test_people_without_the_admin_role_are_refused(client, make_user, login, role, method, path):
    login(client, make_user(roles=(role,), gphc="2000001" if role == "supervisor" else None))
    before = user_count()
    response = client.open(path, method=method, data={"email": "x@example.org", "name": "X"})
    assert response.status_code == 403
    assert "You do not have access to this page" in soup(response).get_text()
    assert user_count() == before


# Users


def create_user_form(**changes) -> dict:
    form = {
        "email": "grace@example.org",
        "name": "Grace Hopper",
        "roles": ["trainee"],
        "organisation": "",
        "gphc": "",
    }
    return {**form, **changes}


def test_created_user_is_shown_in_the_user_list(client, admin, make_org):
    practice = make_org("Riverside Practice")
    response = client.post(
        "/admin/users/new",
        data=create_user_form(roles=["trainee", "supervisor"], organisation=str(practice.id)),
    )
    assert response.status_code == 302
    created = accounts.find_user_by_email("grace@example.org")
    assert response.headers["Location"] == f"/admin/users/{created.id}"
    detail = soup(client.get(response.headers["Location"]))
    assert "Account created for Grace Hopper" in banner(detail)
    rows = table_rows(soup(client.get("/admin/users")))
    assert [
        "Grace Hopper",
        "grace@example.org",
        "Trainee pharmacy technician, Clinical supervisor",
        "Riverside Practice",
        "Active",
    ] in rows


def test_create_user_form_works_as_rendered(client, admin):
    page = soup(client.get("/admin/users/new"))
    data = rendered_form_data(
        page,
        "main form",
        email="grace@example.org",
        name="Grace Hopper",
        roles=["lead"],
    )
    assert client.post("/admin/users/new", data=data).status_code == 302
    assert accounts.find_user_by_email("grace@example.org").roles == {"lead"}


def test_created_user_has_no_password_until_they_choose_one(client, admin, app):
    """Nobody chooses a password for someone else: the invitation lets them choose it
    (tests/accounts/test_invitations.py)."""
    client.post("/admin/users/new", data=create_user_form())
    assert accounts.find_user_by_email("grace@example.org").password_hash is None
    other = app.test_client()
    response = other.post(
        "/auth/login", data={"email": "grace@example.org", "password": NEW_PASSWORD}
    )
    assert response.status_code == 200


def test_duplicate_email_shows_an_error_summary_linked_to_the_email_field(client, admin, make_user):
    make_user(email="grace@example.org")
    before, events = user_count(), audit_count()
    response = client.post(
        "/admin/users/new", data=create_user_form(email="Grace@Example.org", name="Another Grace")
    )
    assert response.status_code == 200
    page = soup(response)
    assert error_summary(page) == [("An account for grace@example.org already exists", "#email")]
    assert "already exists" in page.select_one("#email-error").get_text()
    assert page.title.get_text().startswith("Error: ")
    # What was typed is kept.
    assert page.select_one("#name")["value"] == "Another Grace"
    assert (user_count(), audit_count()) == (before, events)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"roles": []}, "roles", "Choose at least one role"),
        ({"gphc": "12345"}, "gphc", "A GPhC registration number is 7 digits"),
        ({"email": "not an email"}, "email", "Enter a valid email address"),
        ({"name": ""}, "name", "Enter the person's full name"),
    ],
)
def test_invalid_new_user_is_refused_on_the_field_at_fault(client, admin, changes, field, message):
    before = user_count()
    page = soup(client.post("/admin/users/new", data=create_user_form(**changes)))
    [(text, href)] = error_summary(page)
    assert message in text
    assert href == f"#{field}"
    assert user_count() == before


def test_user_list_filters_by_role_and_searches_name_and_email(client, admin, make_user):
    make_user(roles=("trainee",), name="Tom Trainee", email="tom@example.org")
    make_user(roles=("supervisor",), name="Sue Supervisor", email="sue@clinic.example.org")
    make_user(roles=("trainee",), name="Tina Trainee", email="tina@clinic.example.org")

    def names(query: str) -> list[str]:
        return [row[0] for row in table_rows(soup(client.get(f"/admin/users?{query}")))]

    assert names("role=trainee") == ["Tina Trainee", "Tom Trainee"]
    assert names("q=clinic") == ["Sue Supervisor", "Tina Trainee"]
    assert names("role=trainee&q=CLINIC") == ["Tina Trainee"]
    page = soup(client.get("/admin/users?q=100%25"))  # "%" is searched for, not a wildcard
    assert page.select_one("table") is None
    assert "No users match these filters" in page.get_text()


def test_the_unfiltered_user_list_shows_no_error(client, admin):
    page = soup(client.get("/admin/users"))
    assert error_summary(page) == []
    assert page.select_one("title").get_text().startswith("Users - ")
    assert page.select_one("#role option[selected]").get_text(strip=True) == "All roles"


def test_user_list_pages_with_nhs_pagination_keeping_the_filters(client, admin, make_user, app):
    app.config["PAGE_SIZE"] = 2
    for n in range(5):
        make_user(roles=("trainee",), name=f"Trainee {n}")
    first = soup(client.get("/admin/users?role=trainee"))
    assert [row[0] for row in table_rows(first)] == ["Trainee 0", "Trainee 1"]
    nav = first.select_one("nav.nhsuk-pagination")
    pages = [a.get_text(strip=True) for a in nav.select(".nhsuk-pagination__list a")]
    assert pages == ["1", "2", "3"]
    assert nav.select_one("[aria-current=page]").get_text(strip=True) == "1"
    next_href = nav.select_one("a[rel=next]")["href"]
    assert "role=trainee" in next_href
    assert "page=2" in next_href
    last = soup(client.get("/admin/users?role=trainee&page=3"))
    assert [row[0] for row in table_rows(last)] == ["Trainee 4"]
    assert "page 3 of 3" in last.select_one("#user-count").get_text()


def test_user_list_issues_the_same_number_of_queries_for_3_and_30_users(
    client, admin, make_user, make_org, count_queries, app
):
    app.config["PAGE_SIZE"] = 50  # every user on one page, so rows really grow
    orgs = [make_org(f"Practice {n}") for n in range(3)]
    client.get("/admin/users")  # warm up: template compilation, first-request work
    counts = []
    for target in (3, 30):
        while user_count() < target:
            n = user_count()
            make_user(roles=("trainee", "supervisor")[: 1 + n % 2], org=orgs[n % 3])
        db.session.expire_all()
        with count_queries() as queries:
            page = soup(client.get("/admin/users"))
        assert len(table_rows(page)) == target
        counts.append(queries.count)
    assert counts[0] == counts[1]


def test_user_page_shows_roles_organisation_status_and_registration(
    client, admin, make_user, make_org
):
    practice = make_org("Riverside Practice")
    person = make_user(
        roles=("supervisor", "lead"), name="Priya Pharmacist", org=practice, gphc="2012345"
    )
    page = soup(client.get(f"/admin/users/{person.id}"))
    assert page.h1.get_text(strip=True) == "Priya Pharmacist"
    roles = [li.get_text(strip=True) for li in page.select("#account-roles li")]
    assert roles == ["Clinical supervisor", "Education lead"]
    assert page.select_one("#account-organisation").get_text(strip=True) == "Riverside Practice"
    assert page.select_one("#account-status").get_text(strip=True) == "Active"
    assert "2012345" in page.select_one("#account-registration").get_text()


def test_admin_changes_roles_and_organisation(client, admin, make_user, make_org):
    practice = make_org("Riverside Practice")
    person = make_user(roles=("trainee",), name="Tom Trainee")
    response = client.post(
        f"/admin/users/{person.id}/edit",
        data={"name": "Tom Trainee", "roles": ["trainee", "lead"], "organisation": practice.id},
    )
    assert response.status_code == 302
    page = soup(client.get(response.headers["Location"]))
    assert "Details saved for Tom Trainee" in banner(page)
    roles = [li.get_text(strip=True) for li in page.select("#account-roles li")]
    assert roles == ["Trainee pharmacy technician", "Education lead"]
    assert page.select_one("#account-organisation").get_text(strip=True) == "Riverside Practice"


def test_edit_form_starts_with_the_current_details(client, admin, make_user, make_org):
    practice = make_org("Riverside Practice")
    person = make_user(roles=("trainee", "supervisor"), org=practice, gphc="2000001")
    page = soup(client.get(f"/admin/users/{person.id}/edit"))
    checked = [box["value"] for box in page.select("input[name=roles][checked]")]
    assert checked == ["trainee", "supervisor"]
    assert page.select_one("#organisation option[selected]").get_text() == "Riverside Practice"


def test_admin_cannot_remove_their_own_admin_role(client, admin):
    response = client.post(
        f"/admin/users/{admin.id}/edit",
        data={"name": "Ada Admin", "roles": ["lead"], "organisation": ""},
    )
    assert response.status_code == 200
    assert error_summary(soup(response)) == [
        ("You cannot remove your own administrator role", "#roles")
    ]
    assert db.session.get(User, admin.id).roles == {"admin"}


def test_deactivate_is_a_post_that_ends_access(client, admin, make_user, app):
    person = make_user(roles=("trainee",), name="Tom Trainee")
    theirs = app.test_client()
    theirs.post("/auth/login", data={"email": person.email, "password": "correct horse battery"})
    assert theirs.get("/portfolio/").status_code == 200

    response = client.post(f"/admin/users/{person.id}/deactivate")
    assert response.status_code == 302
    page = soup(client.get(f"/admin/users/{person.id}"))
    assert "Tom Trainee's account is deactivated" in banner(page)
    assert page.select_one("#account-status").get_text(strip=True) == "Deactivated"
    assert page.find("button", string="Reactivate account") is not None
    listed = table_rows(soup(client.get("/admin/users?q=Tom")))
    assert listed[0][-1] == "Deactivated"
    # Their open session has ended.
    assert theirs.get("/portfolio/").status_code == 302


def test_deactivate_and_reactivate_refuse_get(client, admin, make_user):
    person = make_user()
    for action in ("deactivate", "reactivate"):
        assert client.get(f"/admin/users/{person.id}/{action}").status_code == 405
    assert db.session.get(User, person.id).active is True


def test_deactivate_button_is_a_csrf_protected_post_form(client, admin, make_user, app):
    person = make_user()
    app.config["WTF_CSRF_ENABLED"] = True
    page = soup(client.get(f"/admin/users/{person.id}"))
    form = page.find("button", string="Deactivate account").find_parent("form")
    assert form["method"] == "post"
    assert form["action"] == f"/admin/users/{person.id}/deactivate"
    assert form.select_one("input[name=csrf_token]")["value"]
    # Without the token the request is refused and nothing changes.
    assert client.post(f"/admin/users/{person.id}/deactivate").status_code == 400
    assert db.session.get(User, person.id).active is True


def test_reactivated_user_is_active_again(client, admin, make_user):
    person = make_user(name="Tom Trainee")
    client.post(f"/admin/users/{person.id}/deactivate")
    client.post(f"/admin/users/{person.id}/reactivate")
    page = soup(client.get(f"/admin/users/{person.id}"))
    assert "Tom Trainee's account is active again" in banner(page)
    assert page.select_one("#account-status").get_text(strip=True) == "Active"


def test_admin_cannot_deactivate_themselves(client, admin):
    response = client.post(f"/admin/users/{admin.id}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account" in banner(soup(response))
    assert db.session.get(User, admin.id).active is True


def test_unknown_user_answers_404(client, admin):
    assert client.get("/admin/users/9999").status_code == 404
    assert client.post("/admin/users/9999/deactivate").status_code == 404


# Organisations


def test_organisation_tree_lists_children_under_their_parents(client, admin, make_org):
    hub = make_org("North Hub", "training-hub")
    pcn = make_org("Central PCN", "pcn", hub)
    make_org("Zebra Practice", "practice", pcn)
    make_org("Alpha Practice", "practice", pcn)
    make_org("Another Hub", "training-hub")
    page = soup(client.get("/admin/organisations"))
    rows = page.select("#organisation-tree tbody tr")
    listed = [(row.td.get_text(strip=True), row["data-depth"]) for row in rows]
    assert listed == [
        ("Another Hub", "0"),
        ("North Hub", "0"),
        ("Central PCN", "1"),
        ("Alpha Practice", "2"),
        ("Zebra Practice", "2"),
    ]
    assert table_rows(page)[2][1:4] == ["Primary care network (PCN)", "None", "North Hub"]


def test_admin_adds_an_organisation_inside_another(client, admin, make_org):
    pcn = make_org("Central PCN", "pcn")
    response = client.post(
        "/admin/organisations/new",
        data={
            "name": "Riverside Practice",
            "kind": "practice",
            "parent": pcn.id,
            "ods_code": " b 82005",
        },
    )
    assert response.status_code == 302
    page = soup(client.get("/admin/organisations"))
    assert "Riverside Practice added" in banner(page)
    assert [
        "Riverside Practice",
        "GP practice",
        "B82005",
        "Central PCN",
        "Change Riverside Practice",
    ] in table_rows(page)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "Central PCN"}, "name", "already exists"),
        ({"kind": ""}, "kind", "Choose the kind of organisation"),
        ({"ods_code": "B8-2005"}, "ods_code", "An ODS code is 3 to 10 letters and numbers"),
    ],
)
def test_invalid_organisation_is_refused_on_the_field_at_fault(
    client, admin, make_org, changes, field, message
):
    make_org("Central PCN", "pcn")
    form = {"name": "Riverside Practice", "kind": "practice", "parent": "", "ods_code": ""}
    page = soup(client.post("/admin/organisations/new", data={**form, **changes}))
    [(text, href)] = error_summary(page)
    assert message in text
    assert href == f"#{field}"
    assert db.session.scalar(select(func.count(Organisation.id))) == 1


def test_admin_edits_an_organisation(client, admin, make_org):
    hub = make_org("North Hub", "training-hub")
    practice = make_org("Riverside Practice")
    page = soup(client.get(f"/admin/organisations/{practice.id}/edit"))
    assert page.select_one("#name")["value"] == "Riverside Practice"
    parents = [o.get_text() for o in page.select("#parent option")]
    assert "Riverside Practice" not in parents  # never offered as its own parent
    response = client.post(
        f"/admin/organisations/{practice.id}/edit",
        data={
            "name": "Riverside Surgery",
            "kind": "practice",
            "parent": hub.id,
            "ods_code": "B82005",
        },
    )
    assert response.status_code == 302
    rows = table_rows(soup(client.get("/admin/organisations")))
    assert rows[1][:4] == ["Riverside Surgery", "GP practice", "B82005", "North Hub"]


def test_organisation_cannot_be_moved_inside_its_own_subtree(client, admin, make_org):
    hub = make_org("North Hub", "training-hub")
    pcn = make_org("Central PCN", "pcn", hub)
    practice = make_org("Riverside Practice", "practice", pcn)
    response = client.post(
        f"/admin/organisations/{hub.id}/edit",
        data={"name": "North Hub", "kind": "training-hub", "parent": practice.id, "ods_code": ""},
    )
    assert response.status_code == 200
    assert error_summary(soup(response)) == [
        ("An organisation cannot sit inside itself", "#parent")
    ]
    assert db.session.get(Organisation, hub.id).parent_id is None


# Cohorts


def test_admin_creates_a_cohort_and_sees_it_listed(client, admin, make_org, framework):
    hub = make_org("North Hub", "training-hub")
    response = client.post(
        "/admin/cohorts/new",
        data={
            "name": "September 2026 intake",
            "organisation": hub.id,
            "framework": framework.id,
            "starts_on[day]": "1",
            "starts_on[month]": "9",
            "starts_on[year]": "2026",
        },
    )
    assert response.status_code == 302
    page = soup(client.get("/admin/cohorts"))
    assert "Cohort September 2026 intake created" in banner(page)
    assert table_rows(page) == [
        ["September 2026 intake", "North Hub", framework.label, "1 September 2026"]
    ]


def test_cohort_form_with_a_start_date_works_as_rendered(client, admin, make_org):
    hub = make_org("North Hub", "training-hub")
    page = soup(client.get("/admin/cohorts/new"))
    names = {element["name"] for element in page.select("#starts_on input")}
    day, month, year = (next(n for n in names if part in n) for part in ("day", "month", "year"))
    data = rendered_form_data(
        page,
        "main form",
        name="Intake",
        organisation=str(hub.id),
        **{day: "1", month: "9", year: "2026"},
    )
    assert client.post("/admin/cohorts/new", data=data).status_code == 302
    assert db.session.scalar(select(Cohort.starts_on)) == date(2026, 9, 1)


def test_cohort_with_an_impossible_start_date_is_refused(client, admin, make_org):
    hub = make_org("North Hub", "training-hub")
    page = soup(
        client.post(
            "/admin/cohorts/new",
            data={
                "name": "Intake",
                "organisation": hub.id,
                "framework": "",
                "starts_on[day]": "31",
                "starts_on[month]": "2",
                "starts_on[year]": "2026",
            },
        )
    )
    assert error_summary(page) == [("Start date (optional) must be a real date", "#starts_on-day")]
    assert db.session.scalar(select(func.count(Cohort.id))) == 0


def test_duplicate_cohort_name_in_an_organisation_is_refused(client, admin, make_org):
    hub = make_org("North Hub", "training-hub")
    organisations.create_cohort("Intake", hub)
    db.session.commit()
    page = soup(client.post("/admin/cohorts/new", data={"name": "Intake", "organisation": hub.id}))
    [(text, href)] = error_summary(page)
    assert "already has a cohort called 'Intake'" in text
    assert href == "#name"


# Enrolment and supervisors


@pytest.fixture
def hub_world(make_user, make_org, framework):
    """A hub with a practice, two pharmacist supervisors there and an unenrolled trainee."""
    hub = make_org("North Hub", "training-hub")
    practice = make_org("Riverside Practice", "practice", hub)
    return {
        "hub": hub,
        "practice": practice,
        "first": make_user(roles=("supervisor",), name="Sam First", org=practice, gphc="2000001"),
        "second": make_user(roles=("supervisor",), name="Sky Second", org=practice, gphc="2000002"),
        "trainee": make_user(roles=("trainee",), name="Tom Trainee", org=practice),
        "framework": framework,
    }


def enrol_form(world, supervisor, **changes) -> dict:
    form = {
        "framework": world["framework"].id,
        "supervisor": supervisor.id,
        "cohort": "",
        "started_on[day]": "1",
        "started_on[month]": "9",
        "started_on[year]": "2026",
        "expected_end_on[day]": "",
        "expected_end_on[month]": "",
        "expected_end_on[year]": "",
    }
    return {**form, **changes}


def enrol_directly(world) -> None:
    enrolments.enrol(world["trainee"], world["framework"], supervisor=world["first"])
    db.session.commit()


def history(page: BeautifulSoup) -> list[list[str]]:
    return table_rows(page, "#assignment-history")


def test_admin_enrols_a_trainee_from_their_user_page(client, admin, hub_world):
    trainee = hub_world["trainee"]
    page = soup(client.get(f"/admin/users/{trainee.id}"))
    form = page.select_one("#enrol-form")
    assert form["action"] == f"/admin/trainees/{trainee.id}/enrolment"
    offered = [o.get_text() for o in form.select("#supervisor option")][1:]
    assert offered == ["Sam First (Riverside Practice)", "Sky Second (Riverside Practice)"]

    response = client.post(form["action"], data=enrol_form(hub_world, hub_world["first"]))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/users/{trainee.id}"
    page = soup(client.get(response.headers["Location"]))
    assert "Tom Trainee is enrolled, supervised by Sam First" in banner(page)
    assert page.select_one("#clinical-supervisor").get_text(strip=True) == "Sam First"
    enrolment = enrolments.active_enrolment(trainee.id)
    assert enrolment.started_on == date(2026, 9, 1)
    assert enrolment.expected_end_on == date(2026, 9, 1) + enrolments.DEFAULT_DURATION
    [row] = history(page)
    assert row[0:3] == ["Sam First", "Clinical", "Ada Admin"]
    assert row[4] == "Current"


def test_supervisor_select_lists_only_people_with_the_supervisor_role(
    client, admin, hub_world, make_user
):
    make_user(roles=("lead",), name="Lee Lead", org=hub_world["practice"])
    page = soup(client.get(f"/admin/trainees/{hub_world['trainee'].id}/enrolment"))
    offered = [o.get_text() for o in page.select("#supervisor option")]
    assert offered == [
        "Choose a supervisor",
        "Sam First (Riverside Practice)",
        "Sky Second (Riverside Practice)",
    ]


def test_enrolment_needs_a_start_date_and_an_end_after_it(client, admin, hub_world):
    trainee = hub_world["trainee"]
    url = f"/admin/trainees/{trainee.id}/enrolment"
    page = soup(
        client.post(
            url,
            data=enrol_form(
                hub_world,
                hub_world["first"],
                **{"started_on[day]": "", "started_on[month]": "", "started_on[year]": ""},
            ),
        )
    )
    assert error_summary(page) == [("Enter the start date", "#started_on-day")]
    page = soup(
        client.post(
            url,
            data=enrol_form(
                hub_world,
                hub_world["first"],
                **{
                    "expected_end_on[day]": "1",
                    "expected_end_on[month]": "1",
                    "expected_end_on[year]": "2026",
                },
            ),
        )
    )
    assert error_summary(page) == [
        ("The expected end date must be after the start date", "#expected_end_on-day")
    ]
    assert enrolments.active_enrolment(trainee.id) is None


def test_clinical_supervisor_without_a_pharmacist_number_is_refused(
    client, admin, hub_world, make_user
):
    unregistered = make_user(
        roles=("supervisor",), name="Una Registered", org=hub_world["practice"]
    )
    trainee = hub_world["trainee"]
    page = soup(
        client.post(
            f"/admin/trainees/{trainee.id}/enrolment", data=enrol_form(hub_world, unregistered)
        )
    )
    [(text, href)] = error_summary(page)
    assert "Una Registered has no pharmacist GPhC number" in text
    assert href == "#supervisor"
    assert enrolments.active_enrolment(trainee.id) is None


def test_lead_assigns_a_supervisor_to_a_trainee_in_their_subtree(
    client, make_user, login, hub_world
):
    enrol_directly(hub_world)
    login(client, make_user(roles=("lead",), name="Lee Lead", org=hub_world["hub"]))
    trainee = hub_world["trainee"]
    page = soup(client.get(f"/admin/trainees/{trainee.id}/enrolment"))
    assert page.select_one("#assign-form")["action"] == f"/admin/trainees/{trainee.id}/supervisors"

    response = client.post(
        f"/admin/trainees/{trainee.id}/supervisors",
        data={"kind": "clinical", "supervisor": hub_world["second"].id},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/trainees/{trainee.id}/enrolment"
    page = soup(client.get(response.headers["Location"]))
    assert "Sky Second is now Tom Trainee's clinical supervisor" in banner(page)
    assert page.select_one("#clinical-supervisor").get_text(strip=True) == "Sky Second"


def test_lead_gets_404_for_a_trainee_outside_their_subtree(
    client, make_user, make_org, login, hub_world
):
    enrol_directly(hub_world)
    elsewhere = make_org("South Hub", "training-hub")
    login(client, make_user(roles=("lead",), org=elsewhere))
    trainee = hub_world["trainee"]
    events = audit_count()
    assert client.get(f"/admin/trainees/{trainee.id}/enrolment").status_code == 404
    response = client.post(
        f"/admin/trainees/{trainee.id}/supervisors",
        data={"kind": "clinical", "supervisor": hub_world["second"].id},
    )
    assert response.status_code == 404
    assert audit_count() == events
    assert enrolments.active_enrolment(trainee.id).clinical_supervisor_id == hub_world["first"].id


def test_lead_without_an_organisation_sees_no_trainees(client, make_user, login, hub_world):
    login(client, make_user(roles=("lead",)))
    assert client.get(f"/admin/trainees/{hub_world['trainee'].id}/enrolment").status_code == 404


def test_lead_cannot_choose_a_supervisor_from_outside_their_subtree(
    client, make_user, make_org, login, hub_world
):
    enrol_directly(hub_world)
    elsewhere = make_org("South Hub", "training-hub")
    outsider = make_user(roles=("supervisor",), name="Oz Outside", org=elsewhere, gphc="2000009")
    login(client, make_user(roles=("lead",), org=hub_world["hub"]))
    trainee = hub_world["trainee"]
    page = soup(client.get(f"/admin/trainees/{trainee.id}/enrolment"))
    assert "Oz Outside" not in page.select_one("#supervisor").get_text()
    page = soup(
        client.post(
            f"/admin/trainees/{trainee.id}/supervisors",
            data={"kind": "clinical", "supervisor": outsider.id},
        )
    )
    assert error_summary(page) == [("Choose a supervisor from the list", "#supervisor")]
    assert len(history(page)) == 1


def test_assigning_someone_without_the_supervisor_role_is_refused_with_a_message(
    client, admin, hub_world, make_user
):
    enrol_directly(hub_world)
    not_a_supervisor = make_user(
        roles=("trainee",), name="Nat Trainee", org=hub_world["practice"], gphc="2000007"
    )
    trainee = hub_world["trainee"]
    events = audit_count()
    response = client.post(
        f"/admin/trainees/{trainee.id}/supervisors",
        data={"kind": "clinical", "supervisor": not_a_supervisor.id},
    )
    assert response.status_code == 200
    page = soup(response)
    assert error_summary(page) == [("Nat Trainee does not have the supervisor role", "#supervisor")]
    assert page.select_one("#supervisor-error") is not None
    assert page.select_one("#clinical-supervisor").get_text(strip=True) == "Sam First"
    assert len(history(page)) == 1
    assert audit_count() == events


def test_reassigning_a_supervisor_keeps_the_history(client, admin, hub_world):
    enrol_directly(hub_world)
    trainee = hub_world["trainee"]
    url = f"/admin/trainees/{trainee.id}/supervisors"
    client.post(url, data={"kind": "clinical", "supervisor": hub_world["second"].id})
    client.post(url, data={"kind": "education", "supervisor": hub_world["first"].id})
    page = soup(client.get(f"/admin/trainees/{trainee.id}/enrolment"))
    rows = history(page)
    assert [row[:3] for row in rows] == [
        ["Sam First", "Clinical", "Not recorded"],
        ["Sky Second", "Clinical", "Ada Admin"],
        ["Sam First", "Education", "Ada Admin"],
    ]
    assert rows[0][4] != "Current"  # the first clinical supervisor's time has ended
    assert [row[4] for row in rows[1:]] == ["Current", "Current"]
    assert page.select_one("#clinical-supervisor").get_text(strip=True) == "Sky Second"
    assert page.select_one("#education-supervisor").get_text(strip=True) == "Sam First"
    assert db.session.scalar(select(func.count(SupervisorAssignment.id))) == 3


def test_assigning_the_current_supervisor_again_is_refused(client, admin, hub_world):
    enrol_directly(hub_world)
    page = soup(
        client.post(
            f"/admin/trainees/{hub_world['trainee'].id}/supervisors",
            data={"kind": "clinical", "supervisor": hub_world["first"].id},
        )
    )
    assert error_summary(page) == [("Sam First already supervises this trainee", "#supervisor")]


def test_enrolment_page_is_only_for_trainees(client, admin, hub_world):
    assert client.get(f"/admin/trainees/{hub_world['first'].id}/enrolment").status_code == 404


def test_assigning_before_enrolment_sends_you_to_enrol(client, admin, hub_world):
    trainee = hub_world["trainee"]
    response = client.post(
        f"/admin/trainees/{trainee.id}/supervisors",
        data={"kind": "clinical", "supervisor": hub_world["first"].id},
        follow_redirects=True,
    )
    page = soup(response)
    assert "Tom Trainee is not enrolled yet" in banner(page)
    assert page.select_one("#enrol-form") is not None


# Service functions added for these pages


def test_list_users_filters_counts_and_clamps_the_page(app, make_user):
    for n in range(3):
        make_user(roles=("trainee",), name=f"Trainee {n}")
    make_user(roles=("lead",), name="Lee Lead")
    result = accounts.list_users(role="trainee", page=99, per_page=2)
    assert (result.total, result.pages, result.page) == (3, 2, 2)
    assert [u.name for u in result.items] == ["Trainee 2"]
    assert accounts.list_users(search="lee").total == 1
    assert accounts.list_users(search="_").total == 0


def test_supervisor_candidates_are_active_supervisors_in_scope(app, make_user, make_org):
    inside = make_org("Inside")
    outside = make_org("Outside")
    wanted = make_user(roles=("supervisor",), org=inside)
    make_user(roles=("supervisor",), org=outside)
    make_user(roles=("trainee",), org=inside)
    gone = make_user(roles=("supervisor",), org=inside)
    gone.active = False
    db.session.commit()
    assert accounts.supervisor_candidates({inside.id}) == [wanted]
    assert len(accounts.supervisor_candidates(None)) == 2


def test_user_in_scope_hides_people_outside_it(app, make_user, make_org):
    inside = make_org("Inside")
    person = make_user(org=inside)
    assert accounts.user_in_scope(person.id, {inside.id}) is person
    assert accounts.user_in_scope(person.id, set()) is None
    assert accounts.user_in_scope(person.id, None) is person
    assert accounts.user_in_scope(9999, None) is None


def test_update_account_audits_only_what_changed(app, make_user, make_org):
    actor = make_user(roles=("admin",))
    person = make_user(roles=("trainee",), name="Tom Trainee")
    events = audit_count()
    accounts.update_account(
        person, name="Tom  Trainee ", roles=["trainee"], organisation=None, actor=actor
    )
    assert audit_count() == events
    accounts.update_account(
        person,
        name="Tom Trainee",
        roles=["trainee", "lead"],
        organisation=make_org("P"),
        actor=actor,
    )
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.id > events).order_by(AuditEvent.id)
    ).all()
    assert actions == ["organisation.created", "user.roles_changed", "user.updated"]


def test_update_account_refuses_a_blank_name_before_changing_anything(app, make_user):
    actor = make_user(roles=("admin",))
    person = make_user(roles=("trainee",))
    with pytest.raises(DomainError) as refused:
        accounts.update_account(person, name="  ", roles=["lead"], organisation=None, actor=actor)
    assert refused.value.field == "name"
    assert person.roles == {"trainee"}


def test_administration_counts(app, make_user, make_org):
    make_user()
    make_org("P")
    assert accounts.administration_counts() == {
        "users": 1,
        "organisations": 1,
        "cohorts": 0,
        "frameworks": 0,
    }


def test_organisation_tree_orders_parents_before_children(app, make_org):
    b = make_org("B hub", "training-hub")
    a = make_org("A hub", "training-hub")
    child = make_org("C practice", parent=a)
    grandchild = make_org("D practice", parent=child)
    assert organisations.organisation_tree() == [(a, 0), (child, 1), (grandchild, 2), (b, 0)]


def test_organisation_scope(app, make_user, make_org):
    hub = make_org("Hub", "training-hub")
    practice = make_org("Practice", parent=hub)
    assert organisations.organisation_scope(make_user(roles=("admin",))) is None
    assert organisations.organisation_scope(make_user(roles=("lead",), org=hub)) == {
        hub.id,
        practice.id,
    }
    assert organisations.organisation_scope(make_user(roles=("lead",))) == set()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("", None), (None, None), (" b82 005 ", "B82005"), ("QWE", "QWE"), ("u12345", "U12345")],
)
def test_normalise_ods_code(raw, expected):
    assert organisations.normalise_ods_code(raw) == expected


@pytest.mark.parametrize("raw", ["AB", "B8-2005", "ABCDEFGHIJK"])
def test_normalise_ods_code_refuses_malformed_codes(raw):
    with pytest.raises(DomainError) as refused:
        organisations.normalise_ods_code(raw)
    assert refused.value.field == "ods_code"


def test_update_organisation_details_sets_the_ods_code_in_one_audit_event(app, make_user, make_org):
    actor = make_user(roles=("admin",))
    org = make_org("Practice")
    events = audit_count()
    organisations.update_organisation_details(
        org, name="Practice", kind="practice", parent=None, ods_code="b82005", actor=actor
    )
    assert org.ods_code == "B82005"
    assert audit_count() == events + 1


def test_cohort_listing_within_scope(app, make_org, framework):
    inside = make_org("Inside")
    outside = make_org("Outside")
    mine = organisations.create_cohort("Mine", inside, framework_id=framework.id)
    theirs = organisations.create_cohort("Theirs", outside)
    assert organisations.cohort_listing({inside.id}) == [(mine, framework)]
    assert organisations.cohort_listing() == [(mine, framework), (theirs, None)]


def test_trainee_in_scope(app, make_user, make_org):
    inside = make_org("Inside")
    trainee = make_user(roles=("trainee",), org=inside)
    supervisor = make_user(roles=("supervisor",), org=inside)
    assert enrolments.trainee_in_scope(trainee.id, {inside.id}) is trainee
    assert enrolments.trainee_in_scope(trainee.id, set()) is None
    assert enrolments.trainee_in_scope(supervisor.id, None) is None


def test_enrolments_for_and_assignment_history(app, make_user, framework):
    first = make_user(roles=("supervisor",), name="Sam First", gphc="2000001")
    second = make_user(roles=("supervisor",), name="Sky Second", gphc="2000002")
    actor = make_user(roles=("admin",), name="Ada Admin")
    trainee = make_user()
    enrolment = enrolments.enrol(trainee, framework, supervisor=first, actor=actor)
    enrolments.assign_supervisor(enrolment, second, kind="clinical", actor=actor)
    db.session.commit()
    assert enrolments.enrolments_for(trainee.id) == [enrolment]
    records = enrolments.assignment_history(enrolment.id)
    assert [(r.supervisor_name, r.assigned_by_name, r.ended_at is None) for r in records] == [
        ("Sam First", "Ada Admin", False),
        ("Sky Second", "Ada Admin", True),
    ]
    assert enrolments.enrolable_frameworks() == [framework]
