"""Demo evidence for the demo trainee, one item in each state a portfolio shows."""

from __future__ import annotations

from datetime import date, timedelta

from app.models.enrolments import Enrolment
from app.models.users import User
from app.services.portfolio import evidence
from app.services.supervision import reviews


def _reflective(title: str, day: date, what: str) -> dict[str, object]:
    return {
        "title": title,
        "occurred_on": day.isoformat(),
        "setting": "Harbour Street Surgery",
        "what_happened": what,
        "so_what": "I saw how much a clear handover depends on checking every source.",
        "now_what": "I will use the practice checklist for every discharge this month.",
    }


def _mini_cex(title: str, day: date) -> dict[str, object]:
    ratings = {
        f"rating_{area}": "4"
        for area in (
            "gathering_information",
            "communication",
            "clinical_judgement",
            "professionalism",
            "organisation",
            "overall",
        )
    }
    return {
        "title": title,
        "occurred_on": day.isoformat(),
        "setting": "Harbour Street Surgery, telephone clinic",
        "focus": "Checking how a patient uses a new preventer inhaler.",
        **ratings,
        "went_well": "Clear explanation and a demonstration with a placebo device.",
        "development": "Ask the patient to show the technique back before closing.",
        "agreed_action": "Observe two more inhaler reviews next month.",
        "overall_judgement": "at",
        "assessor_name": "Sam Okafor",
        "assessor_role": "pharmacist",
        "assessor_registration_number": "2034567",
        "assessed_on": day.isoformat(),
    }


def _demo_items(day: date) -> list[tuple[str, dict, list[tuple[str, str]]]]:
    """Five items, a few days apart from `day`: (evidence type, answers, competency links)."""
    return [
        (
            "reflective-account",
            _reflective(
                "Reconciling a discharge letter",
                day,
                "A discharge summary listed a new anticoagulant the practice record did not.",
            ),
            [("D1.2", "I matched the hospital list against the practice record.")],
        ),
        (
            "mini-cex",
            _mini_cex("Inhaler technique review", day + timedelta(days=3)),
            [
                ("D3.2", "Observed teaching inhaler technique."),
                ("D1.2", "Checked the medicines list."),
            ],
        ),
        (
            "reflective-account",
            _reflective(
                "Handling a repeat prescription query",
                day + timedelta(days=7),
                "A patient asked why their repeat medicine had been stopped.",
            ),
            [("D2.1", "I followed the repeat prescribing protocol.")],
        ),
        (
            "reflective-account",
            _reflective(
                "Acting on a drug safety alert",
                day + timedelta(days=14),
                "An MHRA alert asked us to find patients on a recalled batch.",
            ),
            [("D2.3", "I ran the search and listed the patients for the pharmacist.")],
        ),
        (
            "reflective-account",
            _reflective(
                "Training reception staff on referrals",
                day + timedelta(days=20),
                "I showed two receptionists how medicines queries reach the pharmacy team.",
            ),
            [("D1.5", "I planned and ran the session.")],
        ),
    ]


def seed_demo_evidence(enrolment: Enrolment, trainee: User, supervisor: User, today: date) -> None:
    """Accepted, changes requested, submitted and draft items, through the real services."""
    accepted, observed, to_change, waiting, _draft = [
        evidence.create_draft(enrolment, kind, answers, links, actor=trainee, today=today)
        for kind, answers, links in _demo_items(today - timedelta(days=30))
    ]
    for item in (accepted, observed, to_change, waiting):
        evidence.submit(item, actor=trainee)
    for item in (accepted, observed):
        reviews.record_review(
            item, reviewer=supervisor, decision="accepted", comment="", version_number=1
        )
    reviews.record_review(
        to_change,
        reviewer=supervisor,
        decision="changes_requested",
        comment="Say what you would do differently next time.",
        version_number=1,
    )
