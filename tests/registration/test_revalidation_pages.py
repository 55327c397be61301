"""The revalidation and programme status pages."""

from __future__ import annotations

import io
from datetime import timedelta

from app.extensions import db
from app.services.registration.revalidation import RECORD_KINDS, RecordInput, add_record
from app.services.supervision import enrolments
from tests.registration.conftest import PDF
from tests.registration.page_helpers import (
    TODAY,
    date_fields,
    page,
    registered,
    text,
)

# --- Revalidation ---------------------------------------------------------------------------


def test_adding_a_peer_discussion_through_the_form(trainee, as_user):
    registered(trainee)
    client = as_user(trainee)
    form = page(client.get("/registration/revalidation/records/new?kind=peer-discussion"))
    assert form.select_one("#not_a_relative") is not None
    response = client.post(
        "/registration/revalidation/records/new?kind=peer-discussion",
        data={
            "kind": "peer-discussion",
            "title": "Talk with a peer",
            **date_fields("occurred_on", TODAY),
            "peer_name": "Pat Peer",
            "peer_role": "Community pharmacist",
            "not_a_relative": "y",
            "not_a_partner": "y",
            "no_conflict_of_interest": "y",
            "discussion": "Repeat prescribing checks",
            "changed_practice": "I check monitoring first",
            "example": "A blood test was booked in time",
        },
    )
    assert response.status_code == 302
    soup = page(client.get("/registration/revalidation"))
    rules = {
        row["data-rule"]: row.get_text(" ", strip=True)
        for row in soup.select("#revalidation-rules tbody tr")
    }
    assert "Met 1 of 1 peer discussion" in rules["peer-discussion"]
    assert "Not yet met 0 of 4 CPD records" in rules["cpd-records"]
    assert "days left" in text(soup, "#days-left") or "Due today" in text(soup, "#days-left")
    printout = page(client.get("/registration/revalidation/print"))
    printed = text(printout, "[data-kind='peer-discussion']")
    assert "I confirm that my peer is not a relative or partner" in printed


def test_a_record_dated_outside_the_year_is_explained(trainee, as_user):
    registered(trainee)
    response = as_user(trainee).post(
        "/registration/revalidation/records/new?kind=cpd-unplanned",
        data={
            "kind": "cpd-unplanned",
            "title": "Old learning",
            **date_fields("occurred_on", TODAY - timedelta(days=800)),
            "what_learned": "Something",
            "benefit": "Something else",
        },
    )
    assert "within this registration year" in text(page(response), "#occurred_on-error")


def test_the_printable_year_holds_each_answer(trainee, supervisor, as_user):
    registered(trainee)
    answers = {"what_learned": "About shortages in detail", "benefit": "Same-day switches"}
    add_record(
        trainee,
        RecordInput("cpd-unplanned", "Shortage query", TODAY, answers),
        actor=trainee,
        today=TODAY,
    )
    db.session.commit()
    for client, url in (
        (as_user(trainee), "/registration/revalidation/print"),
        (as_user(supervisor), f"/registration/people/{trainee.id}/revalidation/print"),
    ):
        soup = page(client.get(url))
        section = text(soup, "[data-kind='cpd-unplanned']")
        assert RECORD_KINDS["cpd-unplanned"].prompts[0].label in section
        assert "About shortages in detail" in section
        assert "5012345" in text(soup, "#print-summary")


EXCEPTIONAL = "/registration/revalidation/exceptional-circumstances"


def rules_shown(soup) -> list[str]:
    return [row["data-rule"] for row in soup.select("#revalidation-rules tbody tr")]


def test_exceptional_circumstances_lower_the_rule_only_once_the_gphc_agreement_is_recorded(
    trainee, as_user
):
    registered(trainee)
    client = as_user(trainee)
    response = client.post(EXCEPTIONAL, data={"reason": "Long illness"})
    assert response.status_code == 302
    soup = page(client.get("/registration/revalidation"))
    assert "full requirement applies until the GPhC's agreement is recorded" in text(
        soup, "#exceptional-note"
    )
    assert rules_shown(soup) == [
        "cpd-records",
        "planned-cpd",
        "peer-discussion",
        "reflective-account",
    ]
    assert soup.select_one("#agreement-link")["href"] == EXCEPTIONAL

    refused = page(client.post(EXCEPTIONAL, data={"gphc_reference": "EC-7"}))
    assert "Enter the date the GPhC agreed" in text(refused, ".nhsuk-error-summary")
    agreed = client.post(
        EXCEPTIONAL, data={**date_fields("gphc_agreed_on", TODAY), "gphc_reference": "EC-7"}
    )
    assert agreed.status_code == 302
    soup = page(client.get("/registration/revalidation"))
    note = text(soup, "#exceptional-note")
    assert "The GPhC agreed to exceptional circumstances" in note
    assert "reference EC-7" in note
    assert "reduced to its minimum" in note
    assert rules_shown(soup) == ["planned-cpd", "reflective-account"]


def test_exceptional_circumstances_can_be_recorded_with_the_agreement_at_once(trainee, as_user):
    registered(trainee)
    client = as_user(trainee)
    response = client.post(
        EXCEPTIONAL,
        data={
            "reason": "Long illness",
            **date_fields("gphc_agreed_on", TODAY),
            "gphc_reference": "EC-8",
        },
    )
    assert response.status_code == 302
    soup = page(client.get("/registration/revalidation"))
    assert "reference EC-8" in text(soup, "#exceptional-note")
    assert rules_shown(soup) == ["planned-cpd", "reflective-account"]


def _complete_year(person) -> None:
    answers = {
        "what_planned": "Inhalers",
        "how_learned": "A module",
        "benefit": "Better technique",
        "what_learned": "Shortages",
        "discussion": "Repeat prescribing",
        "changed_practice": "I check monitoring first",
        "example": "A blood test booked",
        "account": "Explaining options",
    }
    from app.services.registration.revalidation_rules import PeerDeclaration

    peer = PeerDeclaration("Pat Peer", "Pharmacist", True, True, True)
    for kind in ("cpd-planned", "cpd-planned", "cpd-unplanned", "cpd-unplanned"):
        add_record(
            person,
            RecordInput(
                kind,
                f"A {kind}",
                TODAY,
                {p.name: answers[p.name] for p in RECORD_KINDS[kind].prompts},
            ),
            actor=person,
            today=TODAY,
        )
    for kind, extra in (("peer-discussion", {"peer": peer}), ("reflective-account", {})):
        add_record(
            person,
            RecordInput(
                kind,
                f"A {kind}",
                TODAY,
                {p.name: answers[p.name] for p in RECORD_KINDS[kind].prompts},
                standards=(3,),
                **extra,
            ),
            actor=person,
            today=TODAY,
        )
    db.session.commit()


def test_without_configured_standards_the_panel_never_says_ready_and_names_the_setting(
    app, trainee, as_user
):
    registered(trainee)
    _complete_year(trainee)
    soup = page(as_user(trainee).get("/registration/revalidation"))
    summary = text(soup, "#revalidation-summary")
    assert summary.startswith("Could not be checked")
    assert "Ready to submit" not in soup.get_text()
    note = text(soup, "#standards-note")
    assert "REVALIDATION_STANDARDS" in note
    assert "any of the nine standards" in note
    assert "Could not be checked" in text(soup, "[data-rule='reflective-account']")


def test_once_an_administrator_configures_the_standards_the_same_year_is_ready(
    app, trainee, as_user
):
    app.config["REVALIDATION_STANDARDS"] = ((TODAY - timedelta(days=400), tuple(range(1, 10))),)
    registered(trainee)
    _complete_year(trainee)
    soup = page(as_user(trainee).get("/registration/revalidation"))
    assert text(soup, "#revalidation-summary").startswith("Ready to submit")
    assert soup.select_one("#standards-note") is None


def test_a_record_can_be_drafted_from_an_evidence_item(trainee, as_user):
    from app.services.portfolio import evidence as evidence_service
    from app.services.portfolio.assessment_forms import form_for

    registered(trainee)
    answers: dict[str, object] = {}
    for spec in form_for("reflective-account").fields:
        if spec.kind == "date":
            answers[spec.name] = TODAY.isoformat()
        elif spec.kind == "choice":
            answers[spec.name] = spec.choices[0].value
        elif spec.kind == "integer":
            answers[spec.name] = spec.min_value or 1
        else:
            answers[spec.name] = f"My written answer about {spec.name}"
    answers["title"] = "Inhaler clinic reflection"
    item = evidence_service.create_draft(
        enrolments.active_enrolment(trainee.id),
        "reflective-account",
        answers,
        [("D1.1", "It shows teamwork")],
        actor=trainee,
        today=TODAY,
    )
    db.session.commit()
    client = as_user(trainee)
    soup = page(client.get("/registration/revalidation/records/new?kind=cpd-unplanned"))
    assert "Inhaler clinic reflection" in text(soup, "#evidence-sources")
    soup = page(
        client.get(
            f"/registration/revalidation/records/new?kind=cpd-unplanned&evidence_id={item.id}"
        )
    )
    assert soup.select_one("#title")["value"] == "Inhaler clinic reflection"
    assert "My written answer about" in soup.select_one("#what_learned").get_text()
    assert soup.select_one("input[name=copied_from_evidence_id]")["value"] == str(item.id)


# --- Programme status --------------------------------------------------------------------------


def programme_form(**extra) -> dict:
    return {
        "pathway_status": "in-progress",
        "wte": "0.4",
        "protected_learning_days_used": "2",
        "funding": "arrs",
        "afc_band": "5",
        **extra,
    }


def test_an_admin_changes_programme_status_and_sees_the_wte_warning(trainee, make_user, as_user):
    enrolment = enrolments.active_enrolment(trainee.id)
    client = as_user(make_user(roles=("admin",)))
    url = f"/registration/enrolments/{enrolment.id}/programme"
    assert client.post(url, data=programme_form()).status_code == 302
    soup = page(client.get(url))
    assert "0.4 WTE is below the 0.5 WTE" in text(soup, "#programme-warnings")


def test_exempt_without_a_document_is_refused_then_accepted_with_one(trainee, lead, as_user):
    enrolment = enrolments.active_enrolment(trainee.id)
    client = as_user(lead)
    url = f"/registration/enrolments/{enrolment.id}/programme"
    soup = page(client.post(url, data=programme_form(pathway_status="exempt")))
    assert "Upload the document" in text(soup, "#exemption_document-error")
    response = client.post(
        url,
        data=programme_form(
            pathway_status="exempt", exemption_document=(io.BytesIO(PDF), "letter.pdf")
        ),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    download = client.get(
        f"/registration/enrolments/{enrolment.id}/exemption-document", buffered=True
    )
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.data == PDF
    download.close()


def test_a_lead_outside_the_organisation_cannot_open_programme_status(
    trainee, outside_lead, as_user
):
    enrolment = enrolments.active_enrolment(trainee.id)
    client = as_user(outside_lead)
    assert client.get(f"/registration/enrolments/{enrolment.id}/programme").status_code == 404
    assert (
        client.get(f"/registration/enrolments/{enrolment.id}/exemption-document").status_code == 404
    )
