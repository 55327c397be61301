"""Adding evidence through the pages: choosing the type, the type's own form, the competency
chooser with its limit and notes, and the patient-data guard. Refused input saves nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.evidence import Evidence
from app.services.portfolio.assessment_forms import form_for
from tests.trainee.conftest import (
    VALID_NHS_NUMBER,
    date_parts,
    error_summary,
    evidence_form,
    inline_error,
    note_fields,
    soup,
)


def evidence_count() -> int:
    return db.session.scalar(select(func.count(Evidence.id)))


def only_evidence() -> Evidence:
    return db.session.scalars(select(Evidence)).one()


# --- Choosing the type ----------------------------------------------------------------


def test_the_first_step_offers_every_type_the_framework_lists_with_a_hint(
    client, signed_in_trainee, framework
):
    page = soup(client.get("/portfolio/evidence/new"))
    radios = page.select("input[name=type]")
    assert [r["value"] for r in radios] == [t.code for t in framework.evidence_types]
    assert page.select_one("legend h1").get_text(strip=True) == (
        "What type of evidence are you adding?"
    )
    mini_cex = page.find(id=next(r["id"] for r in radios if r["value"] == "mini-cex"))
    hint = page.find(id=mini_cex["aria-describedby"]).get_text(" ", strip=True)
    assert hint == "A rated observation of a live consultation. Counts as an observed assessment."


def test_choosing_a_type_opens_its_form_keeping_the_competency_chosen_on_the_way(
    client, signed_in_trainee
):
    response = client.get(
        "/portfolio/evidence/new", query_string={"type": "dops", "competency": "D3.2"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/portfolio/evidence/new/dops?competency=D3.2"
    page = soup(client.get(response.headers["Location"]))
    assert page.select_one("input[name=competencies][value='D3.2']").has_attr("checked")
    assert (
        page.title.get_text()
        == "Add evidence: Directly observed procedural skills (DOPS) - PCPT Portfolio"
    )


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        ("", "Choose the type of evidence you are adding"),
        ("made-up-type", "Choose a type of evidence your framework lists"),
        ("reflection", "Choose a type of evidence your framework lists"),  # another framework's
    ],
)
def test_choosing_no_type_or_an_unknown_one_is_explained(
    client, signed_in_trainee, minimal_framework, chosen, message
):
    response = client.get("/portfolio/evidence/new", query_string={"type": chosen})
    assert response.status_code == 200
    page = soup(response)
    assert error_summary(page) == [(message, "#type")]
    assert page.title.get_text().startswith("Error: Add evidence")


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_form_of_an_unknown_type_is_not_found_and_saves_nothing(
    client, signed_in_trainee, method
):
    data = evidence_form("reflective-account", ["D1.1"]) if method == "post" else None
    response = getattr(client, method)("/portfolio/evidence/new/made-up-type", data=data)
    assert response.status_code == 404
    assert evidence_count() == 0


# --- Each type's own form ----------------------------------------------------------------


def test_every_type_of_the_framework_has_its_form_and_saves_through_it(
    client, signed_in_trainee, framework
):
    for evidence_type in framework.evidence_types:
        code = evidence_type.code
        page = soup(client.get(f"/portfolio/evidence/new/{code}"))
        data = evidence_form(code, ["D1.1"], observed=evidence_type.observed, title=f"My {code}")
        names = {element["name"] for element in page.select("form [name]")}
        assert set(data) <= names, (code, set(data) - names)
        response = client.post(f"/portfolio/evidence/new/{code}", data=data)
        assert response.status_code == 302, (code, error_summary(soup(response)))
    saved = {e.evidence_type.code: e for e in db.session.scalars(select(Evidence))}
    assert set(saved) == {t.code for t in framework.evidence_types}
    assert set(saved["mini-cex"].current_version.fields) >= {
        "rating_gathering_information",
        "went_well",
        "overall_judgement",
        "assessor_registration_number",
    }
    assert set(saved["work-based-observation"].current_version.fields) >= {
        "overall_judgement",
        "assessor_name",
    }


@pytest.mark.parametrize(
    ("type_code", "legend", "choices"),
    [
        (
            "mini-cex",
            "Gathering information",
            ["1", "2", "3", "4", "5", "6", "unable-to-comment"],
        ),
        ("dops", "How complex was it?", ["low", "medium", "high"]),
        ("dops", "The assessor's overall judgement", ["below", "at", "above"]),
        ("mini-cex", "The assessor's overall judgement", ["below", "at", "above"]),
        (
            "consultation-observation",
            "Introduces themselves and their role",
            ["yes", "no", "not-applicable"],
        ),
        (
            "consultation-observation",
            "Introduction: rating for the section",
            ["1", "2", "3", "4", "5"],
        ),
        (
            "case-based-discussion",
            "Assessor's role",
            ["pharmacist", "pharmacy-technician", "doctor", "nurse", "other"],
        ),
    ],
)
def test_structured_forms_rate_with_their_real_scales_as_radios(
    client, signed_in_trainee, type_code, legend, choices
):
    page = soup(client.get(f"/portfolio/evidence/new/{type_code}"))
    fieldset = next(f for f in page.select("fieldset") if f.legend.get_text(strip=True) == legend)
    assert [r["value"] for r in fieldset.select("input[type=radio]")] == choices


def test_reflective_types_ask_what_so_what_and_now_what(client, signed_in_trainee):
    page = soup(client.get("/portfolio/evidence/new/reflective-account"))
    labels = [label.get_text(strip=True) for label in page.select("label.nhsuk-label")]
    assert "What happened?" in labels
    assert "So what? What did you learn and why does it matter?" in labels
    assert "Now what? What will you do differently or next?" in labels


def test_an_empty_form_marks_every_missing_answer_and_saves_nothing(client, signed_in_trainee):
    response = client.post("/portfolio/evidence/new/mini-cex", data={})
    assert response.status_code == 200
    page = soup(response)
    summary = error_summary(page)
    required = [spec for spec in form_for("mini-cex").fields if spec.required]
    assert len(summary) == len(required) + 1  # and the competencies
    for _, href in summary:
        assert page.find(id=href.removeprefix("#")) is not None, href
    assert ("Enter title", "#title") in summary
    assert ("Enter date of the activity", "#occurred_on-day") in summary
    assert (
        "Choose an answer for gathering information",
        "#rating_gathering_information",
    ) in summary
    assert ("Link this evidence to at least one competency", "#competencies") in summary
    assert page.title.get_text().startswith("Error: ")
    assert evidence_count() == 0


def test_a_half_typed_date_gets_one_message_saying_what_is_missing(client, signed_in_trainee):
    data = evidence_form("reflective-account", ["D1.1"])
    data["occurred_on[month]"] = ""
    page = soup(client.post("/portfolio/evidence/new/reflective-account", data=data))
    assert inline_error(page, "occurred_on-day") == "Date of the activity must include a month"
    assert len(error_summary(page)) == 1
    assert evidence_count() == 0


def test_a_pharmacist_assessor_needs_their_gphc_number(client, signed_in_trainee):
    data = evidence_form("mini-cex", ["D1.1"], assessor_registration_number="")
    page = soup(client.post("/portfolio/evidence/new/mini-cex", data=data))
    assert inline_error(page, "assessor_registration_number") == (
        "Enter the assessor's GPhC number: pharmacy professionals have one"
    )
    assert evidence_count() == 0


def test_a_nurse_assessors_nmc_pin_must_have_its_shape(client, signed_in_trainee):
    data = evidence_form(
        "dops", ["D3.2"], assessor_role="nurse", assessor_registration_number="1234567"
    )
    page = soup(client.post("/portfolio/evidence/new/dops", data=data))
    assert inline_error(page, "assessor_registration_number") == (
        "An NMC PIN is 8 characters: 2 digits, a letter, 4 digits and a letter, like 12A3456E"
    )
    assert evidence_count() == 0


def test_answers_survive_a_refused_save(client, signed_in_trainee):
    data = evidence_form(
        "mini-cex", ["D1.1", "D2.2"], title="Inhaler review", assessor_registration_number=""
    )
    data["rating_overall"] = "5"
    page = soup(client.post("/portfolio/evidence/new/mini-cex", data=data))
    assert page.select_one("input[name=title]")["value"] == "Inhaler review"
    assert page.select_one("input[name=rating_overall][value='5']").has_attr("checked")
    checked = [box["value"] for box in page.select("input[name=competencies][checked]")]
    assert checked == ["D1.1", "D2.2"]
    assert page.select_one("input[name='occurred_on[day]']")["value"] == "20"


# --- The competency chooser ------------------------------------------------------------


def test_the_chooser_groups_competencies_by_domain_with_a_note_for_each(
    client, signed_in_trainee, framework
):
    page = soup(client.get("/portfolio/evidence/new/reflective-account"))
    chooser = page.select_one("[data-module=app-competency-chooser]")
    legends = [legend.get_text(strip=True) for legend in chooser.select("legend")]
    assert legends == [f"{d.code} {d.title}" for d in framework.domains]
    first = framework.domains[0].competencies[0]
    box = chooser.find(id="competencies")
    assert box["value"] == first.code
    assert chooser["data-max-links"] == "5"
    notes = note_fields(page)
    assert len(notes) == sum(len(d.competencies) for d in framework.domains)
    label = page.find("label", attrs={"for": notes[first.code]}).get_text(strip=True)
    assert label == f"How does this evidence show {first.code}? (optional)"
    assert "Choose up to 5" in chooser.find(id="competencies-hint").get_text()


def test_notes_are_saved_with_each_link(client, signed_in_trainee):
    page = soup(client.get("/portfolio/evidence/new/reflective-account"))
    notes = note_fields(page)
    data = evidence_form("reflective-account", ["D1.1", "D2.3"])
    data[notes["D1.1"]] = "I handed over to the pharmacist"
    data[notes["D2.3"]] = "  "
    assert client.post("/portfolio/evidence/new/reflective-account", data=data).status_code == 302
    links = {link.competency.code: link.note for link in only_evidence().current_version.links}
    assert links == {"D1.1": "I handed over to the pharmacist", "D2.3": ""}


@pytest.mark.parametrize(("limit", "chosen"), [(5, 6), (2, 3)])
def test_linking_more_than_the_limit_is_refused_with_the_limit_named(
    client, app, signed_in_trainee, limit, chosen
):
    app.config["MAX_COMPETENCY_LINKS"] = limit
    codes = ["D1.1", "D1.2", "D1.3", "D2.1", "D2.2", "D3.1"][:chosen]
    response = client.post(
        "/portfolio/evidence/new/reflective-account",
        data=evidence_form("reflective-account", codes),
    )
    page = soup(response)
    message = f"Link at most {limit} competencies: choose the ones this evidence shows best"
    assert error_summary(page) == [(message, "#competencies")]
    assert page.find(id="competencies-error").get_text(" ", strip=True) == f"Error: {message}"
    assert evidence_count() == 0


def test_a_competency_of_another_framework_version_is_refused(
    client, signed_in_trainee, framework, tmp_path
):
    from tests.conftest import ROOT, import_framework_file

    # Version 4 renames D1.5 to D1.6: D1.6 exists, but not in the trainee's version 3.
    text = (ROOT / "frameworks" / "ncf-pcpt-3.yaml").read_text(encoding="utf-8")
    text = text.replace('version: "3"', 'version: "4"', 1).replace("id: D1.5", "id: D1.6", 1)
    (tmp_path / "v4.yaml").write_text(text, encoding="utf-8")
    import_framework_file(tmp_path / "v4.yaml")
    response = client.post(
        "/portfolio/evidence/new/reflective-account",
        data=evidence_form("reflective-account", ["D1.1", "D1.6"]),
    )
    assert error_summary(soup(response)) == [
        ("D1.6 is not a competency in your framework", "#competencies")
    ]
    assert evidence_count() == 0


# --- Patient data -----------------------------------------------------------------------


def test_a_valid_nhs_number_blocks_saving_with_the_reason_on_its_field(client, signed_in_trainee):
    data = evidence_form(
        "reflective-account",
        ["D1.1"],
        what_happened=f"I rang the patient ({VALID_NHS_NUMBER}) about their inhaler",
    )
    data["confirm_no_patient"] = "y"  # even a confirmation does not let it through
    response = client.post("/portfolio/evidence/new/reflective-account", data=data)
    assert response.status_code == 200
    page = soup(response)
    expected = (
        "This contains what looks like a patient's NHS number. Remove it: "
        "evidence must not identify a patient."
    )
    assert inline_error(page, "what_happened") == expected
    assert error_summary(page) == [(expected, "#what_happened")]
    assert evidence_count() == 0


def test_an_nhs_number_in_a_competency_note_is_marked_on_that_note(client, signed_in_trainee):
    page = soup(client.get("/portfolio/evidence/new/reflective-account"))
    note = note_fields(page)["D1.1"]
    data = evidence_form("reflective-account", ["D1.1"])
    data[note] = f"Patient {VALID_NHS_NUMBER.replace(' ', '')}"
    page = soup(client.post("/portfolio/evidence/new/reflective-account", data=data))
    assert "NHS number" in inline_error(page, note)
    assert evidence_count() == 0


def test_a_postcode_warns_and_saves_once_the_trainee_confirms(client, signed_in_trainee):
    data = evidence_form("reflective-account", ["D1.1"], setting="The surgery at LS1 4AP")
    response = client.post("/portfolio/evidence/new/reflective-account", data=data)
    assert response.status_code == 200
    page = soup(response)
    warning = page.find(id="patient-data-warning").get_text(" ", strip=True)
    assert "looks like a full postcode" in warning
    assert page.select_one("#patient-data-warning a")["href"] == "#setting"
    assert page.select_one("input[name=confirm_no_patient]") is not None
    assert not page.title.get_text().startswith("Error")
    assert evidence_count() == 0

    response = client.post(
        "/portfolio/evidence/new/reflective-account", data={**data, "confirm_no_patient": "y"}
    )
    assert response.status_code == 302
    assert only_evidence().current_version.fields["setting"] == "The surgery at LS1 4AP"


def test_the_confirmation_box_is_offered_only_after_a_warning(client, signed_in_trainee):
    page = soup(client.get("/portfolio/evidence/new/reflective-account"))
    assert page.select_one("input[name=confirm_no_patient]") is None


# --- Forms are protected -------------------------------------------------------------------


def test_a_post_without_the_csrf_token_saves_nothing(client, app, signed_in_trainee):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(
        "/portfolio/evidence/new/reflective-account",
        data=evidence_form("reflective-account", ["D1.1"]),
    )
    assert response.status_code in (200, 400)
    assert evidence_count() == 0


def test_the_form_carries_a_csrf_token_and_asks_for_multipart(client, app, signed_in_trainee):
    app.config["WTF_CSRF_ENABLED"] = True
    page = soup(client.get("/portfolio/evidence/new/reflective-account"))
    form = page.select_one("main form[method=post]")
    assert form["enctype"] == "multipart/form-data"
    assert form.select_one("input[name=csrf_token]")["value"]


def test_dates_in_the_future_are_refused(client, signed_in_trainee):
    data = evidence_form("reflective-account", ["D1.1"])
    data.update(date_parts("occurred_on", date.today() + timedelta(days=400)))
    page = soup(client.post("/portfolio/evidence/new/reflective-account", data=data))
    assert inline_error(page, "occurred_on-day") == (
        "Date of the activity must be today or in the past"
    )
