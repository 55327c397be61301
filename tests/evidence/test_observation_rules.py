"""Observations that count: a judgement below the expected level counts for nothing, a
case-based discussion is not an observation, and the consultation-skills rule (two observed
consultations on separate days, competent or better in every area) on the NCF's D3.1."""

from __future__ import annotations

from datetime import date

import pytest

from app.services.portfolio.assessment_forms import MRCF_SECTIONS
from app.services.portfolio.sufficiency import (
    AcceptedItem,
    ObservationRule,
    Rule,
    missing_for,
    progress_for,
    shortfall,
)

JUDGED_BELOW = "needs an observation judged at the expected level"
ONE_MORE_ITEM = "needs 1 more accepted item"
CONSULTATION = "Observed consultation (MRCF-style)"
ONE_MORE_CONSULTATION = (
    f"needs 1 more observation ({CONSULTATION}) judged at the expected level and rated "
    "competent or better in every area, on a day not yet counted"
)
TWO_MORE_CONSULTATIONS = (
    f"needs 2 more observations ({CONSULTATION}) judged at the expected level and rated "
    "competent or better in every area, on separate days"
)
FIRST_DAY, SECOND_DAY = date(2025, 5, 12), date(2025, 5, 20)


def by_code(enrolment):
    return {p.code: p for p in progress_for(enrolment)}


def consultation_answers(day: date, rating: str = "4", **changes: object) -> dict[str, object]:
    answers: dict[str, object] = {"occurred_on": day.isoformat(), "assessed_on": day.isoformat()}
    for key, _title, _items in MRCF_SECTIONS:
        answers[f"{key}_rating"] = rating
    answers.update(changes)
    return answers


# --- The rule alone --------------------------------------------------------------------

CONSULTING = ObservationRule(2, True, 1, frozenset({7}), (CONSULTATION,))
RULE = Rule(1, 1, True, CONSULTING)


def consultation(n: int, day: date, level: int = 1, judgement: str = "at") -> AcceptedItem:
    return AcceptedItem(n, 7, True, judgement, day, level)


@pytest.mark.parametrize(
    ("items", "missing"),
    [
        (
            [],
            ["needs 1 more accepted item", "needs an observed assessment", TWO_MORE_CONSULTATIONS],
        ),
        ([consultation(1, FIRST_DAY)], [ONE_MORE_CONSULTATION]),
        # Two on the same day are one occasion.
        ([consultation(1, FIRST_DAY), consultation(2, FIRST_DAY)], [ONE_MORE_CONSULTATION]),
        ([consultation(1, FIRST_DAY), consultation(2, SECOND_DAY)], []),
        # An area below competent: that consultation does not count towards the rule.
        (
            [consultation(1, FIRST_DAY), consultation(2, SECOND_DAY, level=0)],
            [ONE_MORE_CONSULTATION],
        ),
        ([consultation(1, FIRST_DAY), consultation(2, SECOND_DAY, level=2)], []),
        # Judged below the expected level overall: it counts for nothing.
        (
            [consultation(1, FIRST_DAY), consultation(2, SECOND_DAY, judgement="below")],
            [ONE_MORE_CONSULTATION],
        ),
    ],
)
def test_the_consultation_rule_counts_separate_days_at_the_rating(items, missing):
    assert missing_for(RULE, items) == missing


def test_an_observation_of_another_type_does_not_count_towards_the_rule():
    other = AcceptedItem(1, 8, True, "at", FIRST_DAY, 2)
    assert missing_for(RULE, [other, consultation(2, SECOND_DAY)]) == [ONE_MORE_CONSULTATION]


def test_without_distinct_days_two_on_one_day_are_enough():
    rule = Rule(1, 1, True, ObservationRule(2, False, 1, frozenset({7}), (CONSULTATION,)))
    assert missing_for(rule, [consultation(1, FIRST_DAY), consultation(2, FIRST_DAY)]) == []


def test_an_observation_judged_below_is_not_an_observed_assessment():
    short = shortfall(Rule(1, 1, True), accepted=0, types=0, observed=0, below=1)
    assert (short.observed, short.judged, short.met) == (False, True, False)
    below = AcceptedItem(1, 3, True, "below", FIRST_DAY, 2)
    assert missing_for(Rule(1, 1, True), [below]) == ["needs 1 more accepted item", JUDGED_BELOW]
    at = AcceptedItem(2, 3, True, "at", FIRST_DAY, 1)
    assert missing_for(Rule(1, 1, True), [below, at]) == []


# --- Through the database, on the NCF ------------------------------------------------------


def test_a_competency_whose_only_observation_was_judged_below_says_so(enrolment, log_evidence):
    log_evidence(enrolment, "reflective-account", ["D1.1"], status="accepted")
    log_evidence(enrolment, "mini-cex", ["D1.1"], status="accepted", overall_judgement="below")
    progress = by_code(enrolment)["D1.1"]
    # The item is kept (linked) but counts for nothing: not as an item, a type or an observation.
    assert (progress.status, progress.linked_count, progress.accepted_count) == (
        "in_progress",
        2,
        1,
    )
    assert progress.missing == [
        "needs 1 more accepted item",
        "needs a second evidence type",
        JUDGED_BELOW,
    ]


def test_an_observation_judged_at_the_expected_level_makes_it_ready(enrolment, log_evidence):
    log_evidence(enrolment, "reflective-account", ["D1.1"], status="accepted")
    log_evidence(enrolment, "mini-cex", ["D1.1"], status="accepted", overall_judgement="below")
    log_evidence(enrolment, "dops", ["D1.1"], status="accepted", overall_judgement="at")
    assert by_code(enrolment)["D1.1"].status == "ready"


def test_a_case_based_discussion_no_longer_counts_as_observed(enrolment, log_evidence):
    log_evidence(enrolment, "reflective-account", ["D1.1"], status="accepted")
    log_evidence(enrolment, "case-based-discussion", ["D1.1"], status="accepted")
    progress = by_code(enrolment)["D1.1"]
    assert progress.missing == ["needs an observed assessment"]
    assert progress.observed_count == 0


def log_consultation(log_evidence, enrolment, day: date, rating: str = "4", **changes):
    answers = consultation_answers(day, rating, **changes)
    return log_evidence(enrolment, "consultation-observation", ["D3.1"], "accepted", **answers)


def test_one_consultation_is_not_enough(enrolment, log_evidence):
    log_evidence(enrolment, "reflective-account", ["D3.1"], status="accepted")
    log_evidence(enrolment, "dops", ["D3.1"], status="accepted")
    log_consultation(log_evidence, enrolment, FIRST_DAY)
    assert by_code(enrolment)["D3.1"].missing == [ONE_MORE_CONSULTATION]


def test_two_consultations_on_the_same_day_are_not_enough(enrolment, log_evidence):
    log_evidence(enrolment, "reflective-account", ["D3.1"], status="accepted")
    log_consultation(log_evidence, enrolment, FIRST_DAY)
    log_consultation(log_evidence, enrolment, FIRST_DAY, "5")
    assert by_code(enrolment)["D3.1"].missing == [ONE_MORE_CONSULTATION]


def test_two_consultations_on_separate_days_competent_in_every_area_are_ready(
    enrolment, log_evidence
):
    log_evidence(enrolment, "reflective-account", ["D3.1"], status="accepted")
    log_consultation(log_evidence, enrolment, FIRST_DAY)
    log_consultation(log_evidence, enrolment, SECOND_DAY, "5")
    progress = by_code(enrolment)["D3.1"]
    assert (progress.status, progress.missing) == ("ready", [])


def test_a_consultation_below_expectations_in_one_area_does_not_count(enrolment, log_evidence):
    log_evidence(enrolment, "reflective-account", ["D3.1"], status="accepted")
    log_consultation(log_evidence, enrolment, FIRST_DAY)
    log_consultation(log_evidence, enrolment, SECOND_DAY, closing_rating="3")
    progress = by_code(enrolment)["D3.1"]
    # It is still an accepted observed item; it just does not meet the consultation rule.
    assert (progress.accepted_count, progress.missing) == (3, [ONE_MORE_CONSULTATION])


def test_a_consultation_judged_below_overall_does_not_count(enrolment, log_evidence):
    log_evidence(enrolment, "reflective-account", ["D3.1"], status="accepted")
    log_consultation(log_evidence, enrolment, FIRST_DAY)
    log_consultation(log_evidence, enrolment, SECOND_DAY, "5", overall_judgement="below")
    assert by_code(enrolment)["D3.1"].missing == [
        "needs 1 more accepted item",
        ONE_MORE_CONSULTATION,
    ]


def test_only_accepted_consultations_count(enrolment, log_evidence):
    log_evidence(enrolment, "reflective-account", ["D3.1"], status="accepted")
    log_consultation(log_evidence, enrolment, FIRST_DAY)
    answers = consultation_answers(SECOND_DAY)
    log_evidence(enrolment, "consultation-observation", ["D3.1"], "submitted", **answers)
    assert ONE_MORE_CONSULTATION in by_code(enrolment)["D3.1"].missing


def test_the_rule_reads_as_a_sentence_on_the_competency(enrolment):
    from app.services.portfolio.sufficiency import describe_rule

    rule = by_code(enrolment)["D3.1"].rule
    assert describe_rule(rule) == (
        "Sign-off needs at least 3 accepted items of at least 2 different evidence types, "
        "including at least 1 observed assessment, and at least 2 observations "
        f"({CONSULTATION}) on separate days, each judged at the expected level and rated "
        "competent or better in every area."
    )
