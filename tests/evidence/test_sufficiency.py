"""What each competency still needs: the rules alone, then computed from real evidence."""

from __future__ import annotations

import itertools

import pytest

from app.extensions import db
from app.services.portfolio import evidence as evidence_service
from app.services.portfolio.sufficiency import (
    AcceptedItem,
    Rule,
    Shortfall,
    by_domain,
    meets,
    missing_for,
    missing_for_counts,
    progress_for,
    shortfall,
    status_for,
    status_from_counts,
)
from app.services.supervision.enrolments import active_enrolment
from tests.evidence.conftest import TODAY, valid_answers

WRITTEN, WITNESS, OBSERVED, OBSERVED_2 = (1, False), (2, False), (3, True), (4, True)


def accepted(*types: tuple[int, bool]) -> list[AcceptedItem]:
    return [AcceptedItem(i, type_id, observed) for i, (type_id, observed) in enumerate(types)]


ONE_MORE, TWO_MORE, THREE_MORE = (
    "needs 1 more accepted item",
    "needs 2 more accepted items",
    "needs 3 more accepted items",
)
SECOND_TYPE, THIRD_TYPE = "needs a second evidence type", "needs a third evidence type"
OBSERVATION = "needs an observed assessment"


@pytest.mark.parametrize(
    ("rule", "items", "missing"),
    [
        # The NCF's default rule: 2 items, 2 types, one observed.
        (
            Rule(2, 2, True),
            [],
            [TWO_MORE, "needs items of 2 different evidence types", OBSERVATION],
        ),
        (Rule(2, 2, True), [WRITTEN], [ONE_MORE, SECOND_TYPE, OBSERVATION]),
        (Rule(2, 2, True), [OBSERVED], [ONE_MORE, SECOND_TYPE]),
        (Rule(2, 2, True), [WRITTEN, WRITTEN], [SECOND_TYPE, OBSERVATION]),
        (Rule(2, 2, True), [WRITTEN, WITNESS], [OBSERVATION]),
        (Rule(2, 2, True), [OBSERVED, OBSERVED], [SECOND_TYPE]),
        (Rule(2, 2, True), [WRITTEN, OBSERVED], []),
        (Rule(2, 2, True), [WRITTEN, OBSERVED, WITNESS], []),
        # Counts only.
        (Rule(1, 1, False), [], [ONE_MORE]),
        (Rule(1, 1, False), [WITNESS], []),
        (Rule(3, 1, False), [WRITTEN], [TWO_MORE]),
        (Rule(3, 1, False), [WRITTEN, WRITTEN, WRITTEN], []),
        # Types beyond two.
        (Rule(3, 3, False), [WRITTEN, WRITTEN], [ONE_MORE, "needs 2 more evidence types"]),
        (Rule(3, 3, False), [WRITTEN, WITNESS], [ONE_MORE, THIRD_TYPE]),
        (Rule(4, 4, False), [WRITTEN], [THREE_MORE, "needs 3 more evidence types"]),
        (Rule(3, 3, False), [WRITTEN, WITNESS, OBSERVED], []),
        # Observation alone.
        (Rule(1, 1, True), [WRITTEN], [OBSERVATION]),
        (Rule(1, 1, True), [OBSERVED_2], []),
        (Rule(1, 1, True), [], [ONE_MORE, OBSERVATION]),
    ],
)
def test_missing_lists_every_gap_in_plain_english(rule, items, missing):
    assert missing_for(rule, accepted(*items)) == missing


@pytest.mark.parametrize(
    ("rule", "counts", "short"),
    [
        (Rule(2, 2, True), (0, 0, 0), (2, 2, True)),
        (Rule(2, 2, True), (1, 1, 0), (1, 1, True)),
        (Rule(2, 2, True), (2, 1, 1), (0, 1, False)),
        (Rule(2, 2, True), (2, 2, 1), (0, 0, False)),
        (Rule(2, 2, True), (5, 3, 2), (0, 0, False)),
        (Rule(1, 1, False), (0, 0, 0), (1, 1, False)),
        (Rule(1, 1, False), (1, 1, 0), (0, 0, False)),
        (Rule(4, 3, False), (1, 1, 0), (3, 2, False)),
    ],
)
def test_the_rule_is_how_far_the_counts_fall_short(rule, counts, short):
    accepted, types, observed = counts
    found = shortfall(rule, accepted=accepted, types=types, observed=observed)
    assert found == Shortfall(*short)
    assert found.met == (short == (0, 0, False))
    assert meets(rule, accepted=accepted, types=types, observed=observed) == found.met


@pytest.mark.parametrize(
    ("met", "linked", "signed_off", "status"),
    [
        (False, False, False, "not_started"),
        (False, True, False, "in_progress"),
        (True, True, False, "ready"),
        (True, True, True, "signed_off"),
        (False, True, True, "signed_off"),
    ],
)
def test_status_follows_links_rule_and_sign_off(met, linked, signed_off, status):
    assert status_for(met=met, linked=linked, signed_off=signed_off) == status


# --- From evidence in the database ---------------------------------------------------


def by_code(enrolment, **kw):
    return {p.code: p for p in progress_for(enrolment, **kw)}


def test_with_no_evidence_every_competency_is_not_started(enrolment):
    progress = progress_for(enrolment)
    assert len(progress) == 20
    assert {p.status for p in progress} == {"not_started"}
    assert [p.code for p in progress][:3] == ["D1.1", "D1.2", "D1.3"]


def test_the_framework_default_rule_is_met_by_two_types_including_an_observed_one(
    enrolment, log_evidence
):
    log_evidence(enrolment, "reflective-account", ["D1.1"], status="accepted")
    assert by_code(enrolment)["D1.1"].missing == [
        "needs 1 more accepted item",
        "needs a second evidence type",
        "needs an observed assessment",
    ]
    log_evidence(enrolment, "mini-cex", ["D1.1"], status="accepted")
    result = by_code(enrolment)["D1.1"]
    assert (result.status, result.missing) == ("ready", [])
    assert (result.accepted_count, result.accepted_type_count, result.observed_count) == (2, 2, 1)


def test_a_competency_override_raises_the_count(enrolment, log_evidence):
    # D1.2 overrides min_evidence to 3 and keeps the default types and observation.
    for type_code in ("reflective-account", "mini-cex"):
        log_evidence(enrolment, type_code, ["D1.1", "D1.2"], status="accepted")
    progress = by_code(enrolment)
    assert progress["D1.2"].rule == Rule(3, 2, True)
    assert progress["D1.1"].status == "ready"
    assert (progress["D1.2"].status, progress["D1.2"].missing) == (
        "in_progress",
        ["needs 1 more accepted item"],
    )


def test_a_competency_override_can_drop_the_observation(enrolment, log_evidence):
    # D4.5 overrides require_observed to false.
    for type_code in ("reflective-account", "witness-testimony"):
        log_evidence(enrolment, type_code, ["D4.5", "D4.4"], status="accepted")
    progress = by_code(enrolment)
    assert progress["D4.5"].rule == Rule(2, 2, False)
    assert progress["D4.5"].status == "ready"
    assert progress["D4.4"].missing == ["needs an observed assessment"]


@pytest.mark.parametrize(
    ("status", "count_drafts", "expected"),
    [
        ("draft", True, "in_progress"),
        ("draft", False, "not_started"),
        ("submitted", False, "in_progress"),
        ("changes_requested", False, "in_progress"),
    ],
)
def test_evidence_not_yet_accepted_starts_a_competency_but_counts_for_nothing(
    enrolment, log_evidence, status, count_drafts, expected
):
    log_evidence(enrolment, "mini-cex", ["D2.1"], status=status)
    result = by_code(enrolment, count_drafts=count_drafts)["D2.1"]
    assert result.status == expected
    assert result.accepted_count == 0
    assert "needs an observed assessment" in result.missing


def test_only_links_in_the_current_version_count(enrolment, log_evidence):
    item = log_evidence(enrolment, "reflective-account", ["D1.1", "D1.3"], status="submitted")
    evidence_service.edit(
        item,
        valid_answers("reflective-account", now_what="Changed"),
        [("D1.3", "")],
        actor=enrolment.trainee,
        today=TODAY,
    )
    evidence_service.submit(item, actor=enrolment.trainee)
    evidence_service.set_status_from_review(item, "accepted", version_number=2)
    db.session.commit()
    progress = by_code(enrolment)
    assert progress["D1.1"].status == "not_started"
    assert progress["D1.3"].accepted_count == 1


def test_accepted_evidence_keeps_counting_while_its_revision_is_drafted(enrolment, log_evidence):
    """What was accepted is what was assessed: a revision counts only once it is accepted
    (the whole life of a revision: tests/evidence/test_accepted_version.py)."""
    log_evidence(enrolment, "mini-cex", ["D1.1"], status="accepted")
    item = log_evidence(enrolment, "reflective-account", ["D1.1"], status="accepted")
    assert by_code(enrolment)["D1.1"].status == "ready"
    evidence_service.edit(
        item,
        valid_answers("reflective-account", so_what="More thought"),
        [("D1.1", "")],
        actor=enrolment.trainee,
        today=TODAY,
    )
    db.session.commit()
    result = by_code(enrolment)["D1.1"]
    assert (result.status, result.accepted_count) == ("ready", 2)


def test_signed_off_competencies_are_reported_as_signed_off(enrolment, log_evidence):
    log_evidence(enrolment, "mcq", ["D3.2"], status="accepted")
    d32 = by_code(enrolment)["D3.2"]
    assert by_code(enrolment, signed_off={d32.competency_id})["D3.2"].status == "signed_off"


def test_another_trainees_evidence_never_counts(enrolment, log_evidence, make_trainee, framework):
    other = make_trainee(framework)
    other_enrolment = active_enrolment(other.id)
    log_evidence(other_enrolment, "mini-cex", ["D1.1"], status="accepted")
    assert by_code(enrolment)["D1.1"].status == "not_started"


def test_a_framework_of_another_shape_uses_its_own_rule(
    minimal_framework, make_trainee, log_evidence
):
    # minimal.yaml: one competency A1; types reflection and observation (observed); 2/2/observed.
    enrolment = active_enrolment(make_trainee(minimal_framework).id)
    log_evidence(enrolment, "observation", ["A1"], status="accepted")
    [only] = progress_for(enrolment)
    assert (only.code, only.domain_code, only.missing) == (
        "A1",
        "A",
        ["needs 1 more accepted item", "needs a second evidence type"],
    )
    log_evidence(enrolment, "reflection", ["A1"], status="accepted")
    assert progress_for(enrolment)[0].status == "ready"


def test_progress_groups_by_domain_in_framework_order(enrolment, log_evidence):
    log_evidence(enrolment, "mcq", ["D2.2"], status="submitted")
    domains = by_domain(progress_for(enrolment))
    assert [d.code for d in domains] == ["D1", "D2", "D3", "D4"]
    assert [d.total for d in domains] == [5, 5, 5, 5]
    assert domains[1].count("in_progress") == 1
    assert domains[0].count("not_started") == 5


@pytest.mark.parametrize("items", [2, 20])
def test_progress_uses_two_queries_however_much_evidence(
    enrolment, log_evidence, count_queries, items
):
    codes = ["D1.1", "D2.1", "D2.2", "D4.1", "D4.2"]  # none overrides the rule
    for i in range(items):
        log_evidence(enrolment, ("mcq", "mini-cex")[i % 2], codes, status="accepted")
    db.session.expire_all()
    db.session.refresh(enrolment)
    with count_queries() as queries:
        progress = progress_for(enrolment)
    assert queries.count == 2
    assert {p.status for p in progress if p.code in codes} == {"ready"}


def test_one_competencys_progress_is_its_entry_in_the_whole_list(enrolment, log_evidence):
    log_evidence(enrolment, "reflective-account", ["D1.1", "D2.1"], status="accepted")
    log_evidence(enrolment, "mini-cex", ["D1.1"], status="accepted")
    log_evidence(enrolment, "mcq", ["D2.1"], status="submitted")
    whole = {p.competency_id: p for p in progress_for(enrolment, frozenset())}
    for code in ("D1.1", "D2.1", "D3.1"):
        competency_id = next(p.competency_id for p in whole.values() if p.code == code)
        assert progress_for(enrolment, competency_id=competency_id) == [whole[competency_id]]
    assert {whole[i].status for i in whole if whole[i].code in ("D1.1", "D2.1")} == {
        "ready",
        "in_progress",
    }


@pytest.mark.parametrize("require_observed", [False, True])
@pytest.mark.parametrize(("min_evidence", "min_types"), [(1, 1), (2, 1), (3, 2), (4, 3)])
def test_status_from_counts_agrees_with_the_worded_rule(min_evidence, min_types, require_observed):
    # Exports use the word-free shortcut; it must never disagree with what a trainee reads.
    rule = Rule(min_evidence, min_types, require_observed)
    seen = set()
    for linked, accepted, types, observed, signed_off in itertools.product(
        range(3), range(6), range(5), range(3), (False, True)
    ):
        if types > accepted or observed > accepted or (accepted and not types):
            continue  # counts a real portfolio cannot have: each accepted item has a type
        missing = missing_for_counts(rule, accepted=accepted, types=types, observed=observed)
        assert meets(rule, accepted=accepted, types=types, observed=observed) == (not missing)
        worded = status_for(met=not missing, linked=linked > 0, signed_off=signed_off)
        counted = status_from_counts(
            rule,
            linked=linked,
            accepted=accepted,
            types=types,
            observed=observed,
            signed_off=signed_off,
        )
        assert counted == worded
        seen.add(counted)
    assert seen == {"not_started", "in_progress", "ready", "signed_off"}
