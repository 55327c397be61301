"""Importing people through the pages: upload, a preview of every row, confirm, result."""

from __future__ import annotations

import io

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Enrolment, User
from tests.people_import.conftest import csv_text, outbox_messages, person, staff


def upload(client, content: bytes | str, name: str = "people.csv"):
    data = content.encode() if isinstance(content, str) else content
    return client.post(
        "/admin/people/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def outcomes(soup: BeautifulSoup) -> list[tuple[str, str, str]]:
    """(line, email, outcome) for each row of the preview table."""
    found = []
    for row in soup.select("#import-rows tbody tr"):
        cells = [cell.get_text(" ", strip=True) for cell in row.find_all("td")]
        found.append((cells[0], cells[1], cells[4]))
    return found


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def confirm(client, soup: BeautifulSoup):
    form = soup.select_one("form[action='/admin/people/import/confirm']")
    assert form is not None, "no confirmation form"
    fields = {field["name"]: field.get("value", "") for field in form.select("input[name]")}
    return client.post(
        "/admin/people/import/confirm", data=fields, content_type="multipart/form-data"
    )


def test_an_administrator_previews_then_imports_and_invitations_go_out(client, login, app, world):
    login(client, world.admin)
    file = csv_text([staff(email="pat@example.org", gphc_number="2012345"), person()])
    preview = upload(client, file)
    assert preview.status_code == 200
    soup = page(preview)
    assert soup.h1.get_text(strip=True) == "Check the people to import"
    assert outcomes(soup) == [
        ("2", "pat@example.org", "Create account"),
        ("3", "taylor@example.org", "Create account and enrol"),
    ]
    assert count(User) == 4  # the world's people only: a preview writes nothing
    result = confirm(client, soup)
    assert result.status_code == 200
    done = page(result)
    assert done.h1 is None or "imported" in done.get_text()
    figures = {
        row.dt.get_text(strip=True): row.dd.get_text(strip=True)
        for row in done.select("#import-result .nhsuk-summary-list__row")
    }
    assert figures == {
        "Accounts created": "2",
        "Trainees enrolled": "1",
        "Rows skipped (already present)": "0",
        "Invitations sent": "2",
    }
    assert sorted(m["To"] for m in outbox_messages(app)) == [
        "pat@example.org",
        "taylor@example.org",
    ]
    db.session.expire_all()
    assert count(Enrolment) == 1
    # The same file again: everyone is present, so there is nothing to confirm.
    again = page(upload(client, file))
    assert [o for _, _, o in outcomes(again)] == ["Skip: already present"] * 2
    assert again.select_one("#nothing-to-import") is not None
    assert again.select_one("form[action='/admin/people/import/confirm']") is None


def test_a_file_with_two_bad_lines_shows_both_and_cannot_be_confirmed(client, login, world):
    login(client, world.admin)
    file = csv_text(
        [
            staff(email="pat@example.org"),
            person(email="not-an-email"),
            person(email="jo@example.org", cohort="Winter 2030"),
        ]
    )
    soup = page(upload(client, file))
    summary = [li.get_text(" ", strip=True) for li in soup.select(".nhsuk-error-summary__list li")]
    assert soup.title.get_text().startswith("Error: Check the people to import")
    assert summary == [
        "Line 3, email: Enter a valid email address (An email address must have an @-sign.)",
        "Line 4, cohort: No cohort is called 'Winter 2030': create it first",
    ]
    assert outcomes(soup) == [
        ("2", "pat@example.org", "Create account"),
        ("3", "not-an-email", "Error"),
        ("4", "jo@example.org", "Error"),
    ]
    assert (
        soup.select_one("#line-4")
        .get_text(" ", strip=True)
        .endswith("cohort: No cohort is called 'Winter 2030': create it first")
    )
    assert soup.select_one("form[action='/admin/people/import/confirm']") is None


def test_the_confirmation_checks_the_file_again_and_writes_nothing_when_it_is_wrong(
    client, login, app, world
):
    login(client, world.admin)
    soup = page(upload(client, csv_text([person()])))
    form = soup.select_one("form[action='/admin/people/import/confirm']")
    fields = {field["name"]: field.get("value", "") for field in form.select("input[name]")}
    fields["csv_text"] = csv_text([person(), person(email="jo@example.org", role="astronaut")])
    events = count(AuditEvent)
    response = client.post(
        "/admin/people/import/confirm", data=fields, content_type="multipart/form-data"
    )
    assert response.status_code == 200
    text = page(response).select_one(".nhsuk-error-summary").get_text(" ", strip=True)
    assert "changed since the preview" in text
    assert "Line 3, role: Unknown role 'astronaut'" in text
    assert (count(User), count(AuditEvent)) == (4, events)
    assert outbox_messages(app) == []


def test_a_workbook_instead_of_a_csv_file_gets_a_clear_message(client, login, world):
    login(client, world.admin)
    soup = page(upload(client, b"PK\x03\x04 workbook bytes", name="people.xlsx"))
    assert soup.h1.get_text(strip=True) == "Import people from a CSV file"
    message = soup.select_one(".nhsuk-error-message").get_text(" ", strip=True)
    assert "This is a spreadsheet workbook (such as .xlsx), not a CSV file" in message
    assert 'save it from your spreadsheet as "CSV UTF-8 (Comma delimited)"' in message


def test_a_file_too_large_gets_a_clear_message(client, login, world):
    login(client, world.admin)
    big = csv_text([person()]) + ("#" * 99 + "\n") * 4_100
    soup = page(upload(client, big))
    message = soup.select_one(".nhsuk-error-message").get_text(" ", strip=True)
    assert "the largest accepted is 400,000 bytes" in message


def test_header_problems_show_on_the_upload_form(client, login, world):
    login(client, world.admin)
    soup = page(upload(client, "email,name,role\nx@example.org,X,trainee\n"))
    message = soup.select_one(".nhsuk-error-message").get_text(" ", strip=True)
    assert "Line 1, header: missing columns: organisation, gphc_number" in message


def test_a_lead_imports_only_inside_their_organisation(client, login, app, world):
    login(client, world.lead)  # a lead of Harbour PCN
    file = csv_text(
        [
            person(),
            person(email="jo@example.org", organisation="South Hub"),
            staff(email="boss@example.org", role="admin", organisation="Harbour PCN"),
            person(email="kim@example.org", cohort=""),
        ]
    )
    soup = page(upload(client, file))
    problems = [li.get_text(" ", strip=True) for li in soup.select(".nhsuk-error-summary__list li")]
    assert problems == [
        # The cohort belongs to North Hub, above the lead's PCN: not theirs to use.
        "Line 2, cohort: No cohort is called 'Autumn 2026' in your organisations: create it first",
        "Line 3, organisation: South Hub is not inside your organisation",
        "Line 3, cohort: No cohort is called 'Autumn 2026' in your organisations: create it first",
        "Line 4, role: Only an administrator can give the administrator role",
    ]
    assert outcomes(soup)[3] == ("5", "kim@example.org", "Create account and enrol")


def test_a_lead_imports_a_trainee_into_their_subtree(client, login, app, world):
    login(client, world.lead)
    soup = page(upload(client, csv_text([person(cohort="")])))
    response = confirm(client, soup)
    assert response.status_code == 200
    db.session.expire_all()
    trainee = db.session.scalar(select(User).where(User.email == "taylor@example.org"))
    assert trainee.organisation == world.practice
    assert [m["To"] for m in outbox_messages(app)] == ["taylor@example.org"]


def test_the_people_pages_link_to_the_import(client, login, world):
    login(client, world.admin)
    users = page(client.get("/admin/users"))
    assert users.select_one("a[href='/admin/people/import']") is not None
    client.post("/auth/logout")
    login(client, world.lead)
    home = page(client.get("/lead/"))
    assert home.select_one("a[href='/admin/people/import']") is not None
