"""Reading evidence back: filtered pages, counts by status and items per competency, each
limited to what the viewer may see and linked through the current version only."""

from __future__ import annotations

from datetime import date

import pytest

from app.extensions import db
from app.models.frameworks import Competency
from app.services.portfolio import evidence as evidence_service
from app.services.portfolio.lists import (
    EvidenceFilters,
    evidence_linked_to,
    evidence_page,
    status_counts,
)
from app.services.portfolio.sufficiency import Rule, describe_rule
from tests.evidence.conftest import TODAY, valid_answers


def titles(page) -> list[str]:
    return [row.title for row in page.rows]


@pytest.fixture
def items(enrolment, log_evidence):
    log_evidence(enrolment, "reflective-account", ["D1.1"], title="A", occurred_on="2025-01-10")
    log_evidence(
        enrolment, "mini-cex", ["D2.1", "D1.1"], "submitted", title="B", occurred_on="2025-02-10"
    )
    log_evidence(enrolment, "dops", ["D2.1"], "accepted", title="C", occurred_on="2025-03-10")


def test_a_page_lists_newest_activity_first_with_current_links_in_framework_order(
    trainee, enrolment, items
):
    page = evidence_page(trainee, enrolment)
    assert titles(page) == ["C", "B", "A"]
    assert page.rows[1].competency_codes == ["D1.1", "D2.1"]
    assert (page.rows[1].type_code, page.rows[1].status) == ("mini-cex", "submitted")
    assert (page.total, page.pages, page.first_number, page.last_number) == (3, 1, 1, 3)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (EvidenceFilters(type_code="dops"), ["C"]),
        (EvidenceFilters(status="draft"), ["A"]),
        (EvidenceFilters(competency_code="D1.1"), ["B", "A"]),
        (EvidenceFilters(occurred_from=date(2025, 2, 10)), ["C", "B"]),
        (EvidenceFilters(occurred_to=date(2025, 2, 9)), ["A"]),
        (EvidenceFilters(competency_code="D2.1", status="accepted"), ["C"]),
        (EvidenceFilters(competency_code="D9.9"), []),
    ],
)
def test_filters_combine(trainee, enrolment, items, filters, expected):
    assert titles(evidence_page(trainee, enrolment, filters)) == expected
    assert filters.active


def test_pages_split_the_list_and_clamp_out_of_range_numbers(trainee, enrolment, items):
    assert titles(evidence_page(trainee, enrolment, page=2, per_page=2)) == ["A"]
    last = evidence_page(trainee, enrolment, page=50, per_page=2)
    assert (last.page, titles(last)) == (2, ["A"])
    assert evidence_page(trainee, enrolment, page=0, per_page=2).page == 1


def test_a_competency_filter_follows_the_current_version_only(trainee, enrolment, log_evidence):
    item = log_evidence(enrolment, "reflective-account", ["D1.1"], "submitted")
    evidence_service.edit(
        item,
        valid_answers("reflective-account", title=item.title),
        [("D3.1", "")],
        actor=trainee,
        today=TODAY,
    )
    db.session.commit()
    assert titles(evidence_page(trainee, enrolment, EvidenceFilters(competency_code="D1.1"))) == []
    assert evidence_page(trainee, enrolment).rows[0].competency_codes == ["D3.1"]


def test_a_supervisor_sees_no_drafts_in_pages_counts_or_competency_lists(
    supervisor, enrolment, items
):
    assert titles(evidence_page(supervisor, enrolment)) == ["C", "B"]
    assert status_counts(supervisor, enrolment) == {
        "draft": 0,
        "submitted": 1,
        "changes_requested": 0,
        "accepted": 1,
    }
    d11 = db.session.scalar(
        db.select(Competency).where(
            Competency.framework_id == enrolment.framework_id, Competency.code == "D1.1"
        )
    )
    assert [e.title for e in evidence_linked_to(supervisor, enrolment, d11)] == ["B"]


def test_someone_unrelated_sees_nothing(make_user, enrolment, items):
    stranger = make_user(roles=("trainee",))
    assert evidence_page(stranger, enrolment).total == 0
    assert sum(status_counts(stranger, enrolment).values()) == 0


def test_items_linked_to_a_competency_carry_their_note(trainee, enrolment, items):
    d11 = db.session.scalar(
        db.select(Competency).where(
            Competency.framework_id == enrolment.framework_id, Competency.code == "D1.1"
        )
    )
    linked = evidence_linked_to(trainee, enrolment, d11)
    assert [(e.title, e.note, e.observed) for e in linked] == [
        ("B", "How this shows D1.1", True),
        ("A", "How this shows D1.1", False),
    ]


@pytest.mark.parametrize(
    ("rule", "sentence"),
    [
        (
            Rule(2, 2, True),
            "Sign-off needs at least 2 accepted items of at least 2 different evidence types, "
            "including at least 1 observed assessment.",
        ),
        (Rule(1, 1, False), "Sign-off needs at least 1 accepted item."),
        (Rule(3, 1, False), "Sign-off needs at least 3 accepted items."),
        (
            Rule(1, 1, True),
            "Sign-off needs at least 1 accepted item, including at least 1 observed assessment.",
        ),
        (
            Rule(4, 3, False),
            "Sign-off needs at least 4 accepted items of at least 3 different evidence types.",
        ),
    ],
)
def test_a_rule_reads_as_one_sentence(rule, sentence):
    assert describe_rule(rule) == sentence
