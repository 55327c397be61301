"""Revalidation records, the readiness panel, exceptional circumstances and drafting."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask

from app.extensions import db
from app.models.registration import REVALIDATION_KINDS
from app.services.errors import DomainError
from app.services.registration.revalidation import (
    RECORD_KINDS,
    RecordInput,
    add_record,
    delete_record,
    record_exceptional_circumstances,
    record_gphc_agreement,
    revalidation_for,
    withdraw_exceptional_circumstances,
    year_export,
)
from app.services.registration.revalidation_questions import draft_from_evidence
from app.services.registration.revalidation_rules import PeerDeclaration
from app.services.registration.settings import required_standards
from tests.registration.conftest import TODAY

EXPIRES = date(2025, 12, 31)  # year: 1 November 2024 to 31 October 2025
IN_YEAR = date(2025, 3, 10)
PEER = PeerDeclaration("Sam Patel", "Practice pharmacist", True, True, True)
ANSWERS = {
    "what_planned": "To learn about new inhalers",
    "how_learned": "An online module",
    "benefit": "Patients use their inhalers better",
    "what_learned": "How to handle a shortage",
    "discussion": "Repeat prescribing",
    "changed_practice": "I check monitoring first",
    "example": "A blood test was booked in time",
    "account": "I put people first by explaining options",
}


def test_every_kind_the_model_allows_has_its_questions():
    assert tuple(RECORD_KINDS) == REVALIDATION_KINDS


@pytest.fixture
def technician(trainee, register):
    register(trainee, expires_on=EXPIRES)
    return trainee


def add(person, kind, *, on=IN_YEAR, standards=(1,), peer=PEER, **extra):
    answers = {p.name: ANSWERS[p.name] for p in RECORD_KINDS[kind].prompts}
    return add_record(
        person,
        RecordInput(kind, f"A {kind}", on, answers, standards=standards, peer=peer, **extra),
        actor=person,
        today=TODAY,
    )


def requirement(person, key):
    panel = revalidation_for(person.id, TODAY)
    (found,) = (r for r in panel.readiness.requirements if r.key == key)
    return found


def _error(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    db.session.rollback()
    return caught.value


def test_no_panel_until_registered(trainee):
    assert revalidation_for(trainee.id, TODAY) is None
    error = _error(lambda: add(trainee, "cpd-planned"))
    assert "once a registration" in error.message


def test_the_panel_counts_days_to_the_renewal_deadline(technician):
    panel = revalidation_for(technician.id, TODAY)
    assert (panel.year.starts_on, panel.year.ends_on) == (date(2024, 11, 1), date(2025, 10, 31))
    assert panel.readiness.days_left == 151
    assert panel.days_left_text == "151 days left, until 31 October 2025"


def test_four_cpd_records_with_two_planned_meet_the_rule(technician):
    for kind in ("cpd-planned", "cpd-planned", "cpd-unplanned", "cpd-unplanned"):
        add(technician, kind)
    assert requirement(technician, "cpd-records").met
    assert requirement(technician, "planned-cpd").met


def test_three_cpd_records_do_not(technician):
    for kind in ("cpd-planned", "cpd-planned", "cpd-unplanned"):
        add(technician, kind)
    cpd = requirement(technician, "cpd-records")
    assert not cpd.met
    assert cpd.detail == "3 of 4 CPD records (2 planned, 1 unplanned)"


def test_one_planned_of_four_is_not_enough(technician):
    for kind in ("cpd-planned", "cpd-unplanned", "cpd-unplanned", "cpd-unplanned"):
        add(technician, kind)
    assert requirement(technician, "cpd-records").met
    assert not requirement(technician, "planned-cpd").met


def test_a_peer_discussion_counts_only_with_the_full_declaration(technician):
    add(technician, "peer-discussion", peer=PeerDeclaration("Pat", "Pharmacist", True, False, True))
    assert not requirement(technician, "peer-discussion").met
    add(technician, "peer-discussion")
    assert requirement(technician, "peer-discussion").met


def test_a_peer_discussion_needs_the_peers_name(technician):
    error = _error(
        lambda: add(
            technician, "peer-discussion", peer=PeerDeclaration(" ", "Pharmacist", True, True, True)
        )
    )
    assert error.field == "peer_name"


def test_a_reflective_account_must_address_a_standard_named_for_the_period(technician, app: Flask):
    app.config["REVALIDATION_STANDARDS"] = ((date(2025, 1, 1), (1, 5)),)
    add(technician, "reflective-account", standards=(3,))
    account = requirement(technician, "reflective-account")
    assert not account.met
    assert "standards 1 or 5" in account.name
    add(technician, "reflective-account", standards=(5, 9))
    assert requirement(technician, "reflective-account").met


def test_without_configured_standards_the_panel_says_so_and_names_the_setting(technician):
    for kind in ("cpd-planned", "cpd-planned", "cpd-unplanned", "cpd-unplanned"):
        add(technician, kind)
    add(technician, "peer-discussion")
    add(technician, "reflective-account", standards=(3,))
    panel = revalidation_for(technician.id, TODAY)
    assert (panel.readiness.ready, panel.readiness.status) == (False, "unchecked")
    assert requirement(technician, "reflective-account").label == "Could not be checked"
    assert "REVALIDATION_STANDARDS" in panel.standards_note
    assert "any of the nine standards" in panel.standards_note


def test_once_the_standards_are_configured_the_same_year_is_ready(technician, app: Flask):
    app.config["REVALIDATION_STANDARDS"] = ((date(2025, 1, 1), tuple(range(1, 10))),)
    for kind in ("cpd-planned", "cpd-planned", "cpd-unplanned", "cpd-unplanned"):
        add(technician, kind)
    add(technician, "peer-discussion")
    add(technician, "reflective-account", standards=(3,))
    panel = revalidation_for(technician.id, TODAY)
    assert panel.readiness.status == "ready"
    assert panel.standards_note is None


def test_a_reflective_account_must_name_its_standards(technician):
    assert _error(lambda: add(technician, "reflective-account", standards=())).field == "standards"


def test_required_standards_follow_the_dated_setting(app: Flask):
    app.config["REVALIDATION_STANDARDS"] = (
        (date(2024, 1, 1), (1,)),
        (date(2025, 6, 1), (2, 3)),
    )
    assert required_standards(date(2023, 12, 31)) == frozenset()
    assert required_standards(date(2025, 5, 31)) == {1}
    assert required_standards(date(2025, 6, 1)) == {2, 3}


@pytest.mark.parametrize("on", [date(2024, 10, 31), date(2025, 11, 1), TODAY + timedelta(days=1)])
def test_records_outside_this_year_or_in_the_future_are_refused(technician, on):
    assert _error(lambda: add(technician, "cpd-planned", on=on)).field == "occurred_on"


def test_the_first_and_last_days_of_the_year_are_inside_it(technician):
    add(technician, "cpd-planned", on=date(2024, 11, 1))
    assert len(revalidation_for(technician.id, TODAY).records) == 1


def test_every_question_must_be_answered(technician):
    error = _error(
        lambda: add_record(
            technician,
            RecordInput("cpd-unplanned", "Title", IN_YEAR, {"what_learned": "Something"}),
            actor=technician,
            today=TODAY,
        )
    )
    assert error.field == "benefit"


@pytest.fixture
def standards_set(app: Flask):
    app.config["REVALIDATION_STANDARDS"] = ((date(2025, 1, 1), (1,)),)


FULL_RULE = ["cpd-records", "planned-cpd", "peer-discussion", "reflective-account"]
FLOOR = ["planned-cpd", "reflective-account"]


def rule_keys(person) -> list[str]:
    return [r.key for r in revalidation_for(person.id, TODAY).readiness.requirements]


def test_exceptional_circumstances_without_the_gphcs_agreement_leave_the_full_rule(
    technician, standards_set
):
    add(technician, "cpd-planned")
    add(technician, "reflective-account")
    record_exceptional_circumstances(technician, "Long illness", actor=technician)
    panel = revalidation_for(technician.id, TODAY)
    assert not panel.exceptional_agreed
    assert not panel.readiness.ready
    assert rule_keys(technician) == FULL_RULE


def test_exceptional_circumstances_agreed_by_the_gphc_lower_the_rule_to_its_floor(
    technician, standards_set
):
    add(technician, "cpd-planned")
    add(technician, "reflective-account")
    record_exceptional_circumstances(
        technician,
        "Long illness",
        actor=technician,
        today=TODAY,
        gphc_agreed_on=TODAY,
        gphc_reference="EC-2025-0042",
    )
    panel = revalidation_for(technician.id, TODAY)
    assert panel.exceptional_agreed
    assert panel.readiness.ready
    assert rule_keys(technician) == FLOOR
    withdraw_exceptional_circumstances(technician, actor=technician)
    assert not revalidation_for(technician.id, TODAY).readiness.ready


def test_the_gphcs_agreement_can_be_recorded_later(technician, standards_set):
    record_exceptional_circumstances(technician, "Long illness", actor=technician)
    assert rule_keys(technician) == FULL_RULE
    record_gphc_agreement(
        technician, TODAY - timedelta(days=3), " EC-1 ", actor=technician, today=TODAY
    )
    assert rule_keys(technician) == FLOOR
    circumstances = revalidation_for(technician.id, TODAY).exceptional
    assert (circumstances.gphc_agreed_on, circumstances.gphc_reference) == (
        TODAY - timedelta(days=3),
        "EC-1",
    )


@pytest.mark.parametrize(
    ("agreed_on", "reference", "field"),
    [
        (None, "EC-1", "gphc_agreed_on"),
        (TODAY + timedelta(days=1), "EC-1", "gphc_agreed_on"),
        (TODAY, " ", "gphc_reference"),
        (TODAY, "x" * 101, "gphc_reference"),
    ],
)
def test_the_agreement_needs_a_past_date_and_a_reference(technician, agreed_on, reference, field):
    record_exceptional_circumstances(technician, "Long illness", actor=technician)
    db.session.commit()
    error = _error(
        lambda: record_gphc_agreement(
            technician, agreed_on, reference, actor=technician, today=TODAY
        )
    )
    assert error.field == field
    assert revalidation_for(technician.id, TODAY).exceptional.gphc_agreed_on is None


def test_half_an_agreement_is_refused_with_the_circumstances(technician):
    error = _error(
        lambda: record_exceptional_circumstances(
            technician, "Long illness", actor=technician, today=TODAY, gphc_reference="EC-1"
        )
    )
    assert error.field == "gphc_agreed_on"
    assert revalidation_for(technician.id, TODAY).exceptional is None


def test_exceptional_circumstances_need_a_reason_and_are_recorded_once(technician):
    assert (
        _error(lambda: record_exceptional_circumstances(technician, " ", actor=technician)).field
        == "reason"
    )
    record_exceptional_circumstances(technician, "Parental leave", actor=technician)
    db.session.commit()
    assert (
        "already recorded"
        in _error(
            lambda: record_exceptional_circumstances(technician, "Again", actor=technician)
        ).message
    )


def test_only_the_registrant_adds_or_removes_records(technician, supervisor):
    record = add(technician, "cpd-planned")
    db.session.commit()
    error = _error(
        lambda: add_record(
            technician,
            RecordInput("cpd-planned", "T", IN_YEAR, ANSWERS),
            actor=supervisor,
            today=TODAY,
        )
    )
    assert "Only the registrant" in error.message
    assert (
        "Only the registrant"
        in _error(lambda: delete_record(technician, record.id, actor=supervisor)).message
    )
    delete_record(technician, record.id, actor=technician)
    assert revalidation_for(technician.id, TODAY).records == []


# --- Drafting from evidence --------------------------------------------------------------


EVIDENCE = {
    "id": 42,
    "title": "Inhaler review clinic",
    "occurred_on": "2025-03-10",
    "fields": {
        "title": "Inhaler review clinic",
        "setting": "GP practice",
        "what_happened": "I ran an inhaler technique clinic for ten patients.",
        "so_what": "I learned that most errors were with breath timing.",
        "now_what": "I will demonstrate with a placebo device first.",
        "rating_overall": "4",
        "assessor_name": "Dr Jones",
    },
    "labels": {"what_happened": "What happened?", "so_what": "So what?"},
}


def test_a_draft_copies_the_evidence_text_into_the_questions():
    draft = draft_from_evidence("cpd-unplanned", EVIDENCE)
    assert draft.title == "Inhaler review clinic"
    assert draft.occurred_on == date(2025, 3, 10)
    assert draft.copied_from_evidence_id == 42
    assert draft.answers["what_learned"] == (
        "GP practice\n\nWhat happened?\nI ran an inhaler technique clinic for ten patients."
    )
    assert draft.answers["benefit"] == (
        "So what?\nI learned that most errors were with breath timing.\n\n"
        "I will demonstrate with a placebo device first."
    )
    copied = " ".join(draft.answers.values())
    # Ratings and other one-word choices are not writing; assessor details are not copied.
    assert "Dr Jones" not in copied
    assert "4" not in copied.split()


def test_a_saved_draft_keeps_its_copy_when_the_evidence_changes(technician):
    evidence = {**EVIDENCE, "fields": dict(EVIDENCE["fields"])}
    draft = draft_from_evidence("cpd-unplanned", evidence)
    record = add_record(
        technician,
        RecordInput(
            "cpd-unplanned",
            draft.title,
            draft.occurred_on,
            draft.answers,
            copied_from_evidence_id=draft.copied_from_evidence_id,
        ),
        actor=technician,
        today=TODAY,
    )
    evidence["fields"]["what_happened"] = "Rewritten later"
    assert "ten patients" in record.fields["what_learned"]
    assert record.copied_from_evidence_id == 42


def test_the_year_export_lists_records_in_the_forms_order(technician):
    add(technician, "reflective-account")
    add(technician, "cpd-unplanned")
    add(technician, "cpd-planned")
    export = year_export(technician, TODAY)
    assert [item.record.kind for item in export.records] == [
        "cpd-planned",
        "cpd-unplanned",
        "reflective-account",
    ]
    assert export.records[2].standards == ["1. Provide person-centred care"]
    assert export.records[0].answers[0] == (
        "What did you plan to learn, and why was it relevant to your practice?",
        "To learn about new inhalers",
    )
