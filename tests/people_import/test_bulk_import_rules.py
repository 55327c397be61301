"""The rules a people import checks on every row, read from the plan (nothing written)."""

from __future__ import annotations

import pytest

from app.services.accounts.bulk_import import plan_people_import
from app.services.clock import uk_today
from tests.conftest import ROOT, import_framework_file
from tests.people_import.conftest import csv_text, person, staff


def problems(rows, actor=None) -> list[tuple[int | None, str | None, str]]:
    plan = plan_people_import(csv_text(rows), actor=actor)
    return [(p.line, p.column, p.message) for p in plan.problems]


def test_an_e_mail_appears_once_in_a_file(world):
    assert problems([person(), person(email="TAYLOR@example.org", name="T Reed")]) == [
        (3, "email", "taylor@example.org is already on line 2: one row for each person"),
    ]


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (person(name=" "), "name", "Enter the person's full name"),
        (person(role=""), "role", "Choose at least one role"),
        (
            person(role="pharmacist"),
            "role",
            "Unknown role 'pharmacist'; choose from trainee, supervisor, lead, admin",
        ),
        (
            person(organisation="Nowhere PCN"),
            "organisation",
            "No organisation is called 'Nowhere PCN'",
        ),
        (
            person(gphc_number="123"),
            "gphc_number",
            "A GPhC registration number is 7 digits, like 2012345",
        ),
        (
            person(gphc_number="\uff12\uff10\uff11\uff12\uff13\uff14\uff15"),  # fullwidth digits
            "gphc_number",
            "A GPhC registration number is 7 digits, like 2012345",
        ),
        (
            person(framework="ncf-xyz"),
            "framework",
            "No framework 'ncf-xyz' is imported (imported: ncf-pcpt)",
        ),
        (
            person(framework_version="9"),
            "framework_version",
            "ncf-pcpt has no version '9' (imported: 3)",
        ),
        (
            person(clinical_supervisor=""),
            "clinical_supervisor",
            "Enter the clinical supervisor's email address: a trainee is enrolled with one",
        ),
        (
            person(clinical_supervisor="nobody@example.org"),
            "clinical_supervisor",
            "No account for nobody@example.org, and no row for them in this file",
        ),
        (
            person(clinical_supervisor="taylor@example.org"),
            "clinical_supervisor",
            "Nobody can supervise themselves: a trainee's supervisor must be someone else",
        ),
        (
            person(cohort="Spring 2020"),
            "cohort",
            "No cohort is called 'Spring 2020': create it first",
        ),
        (
            person(start_date="2026-02-30"),
            "start_date",
            "Enter the start date as YYYY-MM-DD, like 2026-09-01, not '2026-02-30'",
        ),
        (
            staff(email="pat@example.org", cohort="Autumn 2026"),
            "cohort",
            "Leave this empty: only a trainee is enrolled",
        ),
        (
            person(framework="", clinical_supervisor="", start_date="2026-09-01", cohort=""),
            "start_date",
            "Fill in the framework too, or leave this empty",
        ),
    ],
)
def test_a_wrong_value_is_named_with_its_column(world, row, column, message):
    assert problems([row]) == [(2, column, message)]


def test_a_start_date_years_away_is_a_typing_slip(world):
    year = uk_today().year
    found = problems([person(start_date=f"{year + 5}-01-01")])
    assert found[0][:2] == (2, "start_date")
    assert found[0][2].startswith("The start date cannot be later than")
    assert found[0][2].endswith("(a start is planned at most 12 months ahead): check the year")
    found = problems([person(start_date="1026-01-01")])
    assert found[0][2].startswith("The start date must be")


def test_a_clinical_supervisor_needs_the_role_and_a_pharmacist_number(world, make_user):
    make_user(
        ("supervisor",), email="tech@example.org", name="Tess Tech", org=world.pcn, gphc="5012345"
    )
    make_user(("lead",), email="boss@example.org", name="Bo Boss", org=world.pcn)
    assert problems(
        [
            person(clinical_supervisor="tech@example.org"),
            person(email="jo@example.org", clinical_supervisor="boss@example.org"),
            # An education supervisor needs the role only.
            person(
                email="kim@example.org",
                education_supervisor="tech@example.org",
            ),
        ]
    ) == [
        (
            2,
            "clinical_supervisor",
            "Tess Tech has no pharmacist GPhC number (7 digits starting with 2) on record",
        ),
        (3, "clinical_supervisor", "Bo Boss does not have the supervisor role"),
    ]


def test_a_supervisor_may_be_a_new_person_on_another_row(world):
    rows = [
        person(clinical_supervisor="pat@example.org"),
        person(email="jo@example.org", clinical_supervisor="kim@example.org"),
        staff(email="pat@example.org", gphc_number="2012345"),
        staff(email="kim@example.org", gphc_number="5012345"),
    ]
    assert problems(rows) == [
        (
            3,
            "clinical_supervisor",
            "kim@example.org (line 5) needs a pharmacist GPhC number (7 digits starting with 2) "
            "in gphc_number to be a clinical supervisor",
        ),
    ]


def test_a_lead_cannot_name_a_supervisor_outside_their_organisation(world, make_user):
    make_user(("supervisor",), email="far@example.org", org=world.elsewhere, gphc="2099999")
    found = problems([person(clinical_supervisor="far@example.org", cohort="")], world.lead)
    assert found == [(2, "clinical_supervisor", "far@example.org is not in your organisations")]


def test_a_lead_cannot_reach_an_account_outside_their_organisation(world, make_user):
    make_user(("trainee",), email="taylor@example.org", name="Taylor Reed", org=world.elsewhere)
    found = problems([person(cohort="")], world.lead)
    assert found == [
        (
            2,
            "email",
            "An account for taylor@example.org already exists outside your organisations: "
            "ask an administrator",
        )
    ]


def test_an_administrator_may_leave_the_organisation_empty_but_a_lead_may_not(world):
    assert problems([staff(email="pat@example.org", organisation="")], world.admin) == []
    assert problems([staff(email="pat@example.org", organisation="")], world.lead) == [
        (2, "organisation", "Enter the organisation: one inside your own")
    ]


def test_an_organisation_name_with_a_slip_suggests_the_one_meant(world):
    assert problems([person(organisation="harbour surgery")]) == [
        (
            2,
            "organisation",
            "No organisation is called 'harbour surgery' (did you mean \"Harbour Surgery\"?)",
        ),
    ]
    # A lead is offered only names inside their organisation.
    assert problems([person(organisation="South Hubb", cohort="")], world.lead) == [
        (2, "organisation", "No organisation is called 'South Hubb'"),
    ]


def test_several_roles_are_separated_by_semicolons(world):
    plan = plan_people_import(
        csv_text([staff(email="pat@example.org", role="Supervisor; lead")]), actor=None
    )
    assert plan.ok
    assert plan.rows[0].roles == ["lead", "supervisor"]


def test_checking_a_bigger_file_takes_no_more_queries(world, count_queries):
    def statements(n: int) -> int:
        rows = [person(email=f"t{i}@example.org", name=f"T {i}", cohort="") for i in range(n)]
        with count_queries() as counted:
            plan = plan_people_import(csv_text(rows), actor=world.lead)
        assert plan.ok, plan.problems
        return counted.count

    assert world.lead.roles == {"lead"}  # the importer's own account, loaded before counting
    assert statements(40) == statements(4)


@pytest.fixture
def newer_version(world, tmp_path):
    """NCF version 3.1 imported after the cohort's version 3."""
    source = (ROOT / "frameworks" / "ncf-pcpt-3.yaml").read_text()
    newer = tmp_path / "ncf-3.1.yaml"
    newer.write_text(source.replace('version: "3"', 'version: "3.1"', 1))
    return import_framework_file(newer)


def test_without_a_version_the_cohort_s_version_is_taken_else_the_latest(world, newer_version):
    plan = plan_people_import(
        csv_text([person(), person(email="jo@example.org", cohort="")]), actor=None
    )
    assert plan.ok, plan.problems
    assert [row.framework.version for row in plan.rows] == ["3", "3.1"]


def test_a_version_other_than_the_cohort_s_is_refused(world, newer_version):
    assert problems([person(framework_version="3.1")]) == [
        (2, "cohort", "Cohort 'Autumn 2026' follows a different framework"),
    ]
