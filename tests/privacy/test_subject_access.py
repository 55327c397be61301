"""The trainee's portable record is also the answer to a subject access request: it must
hold everything the service keeps about them, including what is withdrawn or superseded
(revoked sign-offs and tokens, past supervisors, earlier versions and registrations, drafts)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from app.extensions import db
from app.models import Base
from app.models.base import utcnow
from app.models.crosswalk import FrameworkMove
from app.models.development import DevelopmentObjective
from app.models.enrolments import Enrolment, EnrolmentPause
from app.models.evidence import Evidence, EvidenceVersion
from app.models.identities import UserIdentity
from app.models.signoffs import SignOff
from app.models.two_factor import RecoveryCode, TwoFactor
from app.models.users import ApiToken, User
from app.services.accounts import api_tokens
from app.services.clock import uk_today
from app.services.portfolio import evidence as evidence_service
from app.services.registration import records as registration
from app.services.supervision import enrolments
from tests.evidence.conftest import valid_answers
from tests.privacy.conftest import OWNER_MARKERS, TOKEN_LABEL, record_of

# Tables that point at a person or their records, and how many items of the portable
# record stand for their rows. A new such table fails the coverage test until it is here.
RECORD_COUNTS = {
    "users": lambda r: 1,
    "user_roles": lambda r: len(r["person"]["roles"]),
    "api_tokens": lambda r: len(r["api_tokens"]),
    "audit_events": lambda r: len(r["actions"]),
    "notifications": lambda r: len(r["notifications"]),
    "registrations": lambda r: len(r["registrations"]),
    "qualifications": lambda r: int(r["qualification"] is not None),
    "training_periods": lambda r: int(r["training"]["started_on"] is not None),
    "training_weeks": lambda r: len(r["training"]["weeks"]),
    "training_declarations": lambda r: len(r["training"]["declarations"]),
    "revalidation_records": lambda r: len(r["revalidation"]["records"]),
    "exceptional_circumstances": lambda r: len(r["revalidation"]["exceptional_circumstances"]),
    "enrolments": lambda r: len(r["enrolments"]),
    "supervisor_assignments": lambda r: _each(r, lambda e: len(e["supervisor_history"])),
    "supervision_sessions": lambda r: _each(r, lambda e: len(e["supervision_sessions"])),
    "evidence": lambda r: _each(r, lambda e: len(e["evidence"])),
    "evidence_versions": lambda r: _items(r, lambda i: len(i["versions"])),
    "evidence_links": lambda r: _items(
        r, lambda i: sum(len(v["competencies"]) for v in i["versions"])
    ),
    "attachments": lambda r: _items(r, lambda i: len(i["attachments"])),
    "reviews": lambda r: _items(r, lambda i: len(i["reviews"])),
    "assessment_requests": lambda r: _items(r, lambda i: len(i["assessment_requests"])),
    "sign_offs": lambda r: _each(r, lambda e: len(e["sign_offs"])),
    "sign_off_revocations": lambda r: _each(
        r, lambda e: sum(s["revocation"] is not None for s in e["sign_offs"])
    ),
    "completions": lambda r: _each(r, lambda e: int(e["completion"] is not None)),
    "issued_credentials": lambda r: _each(r, lambda e: int(e["credential"] is not None)),
    "learning_needs_analyses": lambda r: _each(
        r, lambda e: int(e["development"]["learning_needs"] is not None)
    ),
    "development_objectives": lambda r: _each(r, lambda e: len(e["development"]["objectives"])),
    "objective_reviews": lambda r: _each(
        r, lambda e: sum(len(o["reviews"]) for o in e["development"]["objectives"])
    ),
    "pathway_stages": lambda r: _each(r, lambda e: len(e["development"]["stages"])),
    "msf_rounds": lambda r: _each(r, lambda e: len(e["feedback_rounds"])),
    "two_factor": lambda r: int(r["two_factor"] is not None),
    "recovery_codes": lambda r: len((r["two_factor"] or {}).get("recovery_codes", [])),
    "user_identities": lambda r: len(r["sign_on_links"]),
    "enrolment_pauses": lambda r: _each(r, lambda e: len(e["pauses"])),
    "framework_moves": lambda r: _each(r, lambda e: len(e["framework_moves"])),
    "gap_analysis_signatures": lambda r: _each(
        r, lambda e: sum(m["gap_analysis"] is not None for m in e["framework_moves"])
    ),
    "sign_off_carry_overs": lambda r: _each(
        r, lambda e: sum(s["carried_over_from"] is not None for s in e["sign_offs"])
    ),
}
# Tables that hold nothing about a trainee beyond what the record already gives, and why.
NOT_ABOUT_TRAINEES = {
    "progress_summaries": "counts and days worked out from the enrolment's records, which are "
    "in the record themselves (`reports verify-summary` recomputes them)",
    "competency_progress": "each competency's status, worked out from the enrolment's "
    "evidence and sign-offs, which are in the record themselves",
    "signer_standings": "the days a supervisor's latest registration stands for a sign-off, "
    "worked out from the registrations the record gives",
    "export_jobs": "exports a lead or supervisor asked for: filters, progress, a file kept a day",
    "framework_uploads": "framework files leads and administrators uploaded to publish",
    "one_time_links": "invitation, password reset and e-mail change links: a digest and dates",
    "submission_digests": "a supervisor's daily e-mail digests: a date and a count",
}


def _each(record: dict, count) -> int:
    return sum(count(e) for e in record["enrolments"])


def _items(record: dict, count) -> int:
    return _each(record, lambda e: sum(count(i) for i in e["evidence"]))


def _rows_about(table, user_id: int) -> int | None:
    """How many rows of `table` are about the trainee, or None when it has no such link."""
    enrolment_ids = select(Enrolment.id).where(Enrolment.trainee_id == user_id)
    evidence_ids = select(Evidence.id).where(Evidence.enrolment_id.in_(enrolment_ids))
    links = {
        "id": None,
        "user_id": [user_id],
        "trainee_id": [user_id],
        "enrolment_id": enrolment_ids,
        "evidence_id": evidence_ids,
        "evidence_version_id": select(EvidenceVersion.id).where(
            EvidenceVersion.evidence_id.in_(evidence_ids)
        ),
        "sign_off_id": select(SignOff.id).where(SignOff.enrolment_id.in_(enrolment_ids)),
        "objective_id": select(DevelopmentObjective.id).where(
            DevelopmentObjective.enrolment_id.in_(enrolment_ids)
        ),
        "move_id": select(FrameworkMove.id).where(FrameworkMove.enrolment_id.in_(enrolment_ids)),
        "actor_id": [user_id],
    }
    if table.name == "users":
        links["id"] = [user_id]
    for column, values in links.items():
        if values is not None and column in table.c:
            query = select(func.count()).select_from(table).where(table.c[column].in_(values))
            return db.session.scalar(query)
    return None


def _sign_in_and_pause_rows(owner, enrolment_id: int) -> None:
    """Two-factor sign-in with a recovery code, a single sign-on link and a pause."""
    db.session.add_all(
        [
            TwoFactor(user_id=owner.id, secret="JBSWY3DPEHPK3PXP", enabled_at=utcnow()),
            RecoveryCode(user_id=owner.id, code_sha256="0" * 64),
            UserIdentity(user_id=owner.id, issuer="https://login.example.org", subject="s-1"),
            EnrolmentPause(
                enrolment_id=enrolment_id,
                reason="Parental leave",
                paused_from=uk_today() - timedelta(days=40),
                ended_on=uk_today() - timedelta(days=10),
            ),
        ]
    )
    db.session.commit()


def test_every_table_about_a_trainee_is_in_their_record(app, world):
    owner = world.users["owner"]
    _sign_in_and_pause_rows(owner, world.args["enrolment_id"])
    record = record_of(app, owner.id)
    people = {"users", "enrolments", "evidence", "evidence_versions", "sign_offs"}
    linked = {
        t.name
        for t in Base.metadata.sorted_tables
        if any(fk.column.table.name in people for fk in t.foreign_keys)
    } | {"users"}
    assert linked == set(RECORD_COUNTS) | set(NOT_ABOUT_TRAINEES)
    counts = {}
    for table in Base.metadata.sorted_tables:
        if table.name in RECORD_COUNTS:
            counts[table.name] = (_rows_about(table, owner.id), RECORD_COUNTS[table.name](record))
    assert {name: pair for name, pair in counts.items() if pair[0] != pair[1]} == {}
    # The world gives her a row in nearly every one of them.
    # (Assessment requests and framework moves, with what they carry, are filled and read
    # back by their own record tests, in tests/assessments and tests/frameworks_lifecycle.)
    assert sorted(name for name, (rows, _) in counts.items() if not rows) == [
        "assessment_requests",
        "completions",
        "exceptional_circumstances",
        "framework_moves",
        "gap_analysis_signatures",
        "issued_credentials",
        "sign_off_carry_overs",
        "training_declarations",
    ]


def test_the_record_holds_every_piece_of_her_personal_data(app, world):
    text = json.dumps(record_of(app, world.users["owner"].id))
    assert [m for m in OWNER_MARKERS if m not in text] == []


def test_withdrawn_superseded_and_earlier_things_stay_in_the_record(app, world):
    owner, admin = world.users["owner"], world.users["admin"]
    owner_id = owner.id
    enrolment = db.session.get(Enrolment, world.args["enrolment_id"])
    # A past supervisor, a revoked token, a superseded registration, an earlier version.
    enrolments.assign_supervisor(
        enrolment, world.users["unassigned_supervisor"], kind="clinical", actor=admin
    )
    token_id = db.session.scalar(
        select(ApiToken.id).where(ApiToken.user_id == owner_id, ApiToken.label == TOKEN_LABEL)
    )
    api_tokens.revoke_token(token_id, actor=owner)
    registration.record_registration(
        owner,
        registration.RegistrationDetails(
            "pharmacy-technician",
            "registered",
            "5099999",
            date(2024, 3, 1),
            uk_today() + timedelta(days=400),
        ),
        actor=owner,
    )
    shared = db.session.get(Evidence, world.args["evidence_id"])
    evidence_service.edit(
        shared,
        valid_answers("reflective-account", title="Shared reflection, second version"),
        [(enrolment.framework.domains[0].competencies[0].code, "")],
        actor=owner,
    )
    draft = db.session.get(Evidence, world.draft_args["evidence_id"])
    draft_id = draft.id
    evidence_service.delete_draft(draft, actor=owner)
    db.session.commit()

    record = record_of(app, owner_id)

    (history,) = [e["supervisor_history"] for e in record["enrolments"]]
    clinical = [h for h in history if h["kind"] == "clinical"]
    assert [h["to"] is None for h in clinical] == [False, True]
    (token,) = [t for t in record["api_tokens"] if t["label"] == TOKEN_LABEL]
    assert token["revoked_at"] is not None
    assert [r["number"] for r in record["registrations"]] == ["5012345", "5099999"]
    (item,) = [i for e in record["enrolments"] for i in e["evidence"] if i["id"] == shared.id]
    assert [v["title"] for v in item["versions"]] == [
        "Shared reflection on inhaler checks",
        "Shared reflection, second version",
    ]
    (sign_off,) = record["enrolments"][0]["sign_offs"]
    assert sign_off["revocation"]["reason"]
    # A deleted draft is gone for good; its deletion, by id, is in her actions.
    assert any(
        a["action"] == "evidence.deleted" and a["subject_id"] == str(draft_id)
        for a in record["actions"]
    )


def test_what_others_recorded_about_her_is_listed_with_who_did_it(app, world):
    record = record_of(app, world.users["owner"].id)
    by_action = {(e["action"], e["by"]) for e in record["events"]}
    supervisor = db.session.get(User, world.users["assigned_supervisor"].id).name
    assert ("competency.signed_off", supervisor) in by_action
    assert ("evidence.reviewed", supervisor) in by_action
    assert ("competency.sign_off_revoked", supervisor) in by_action
    # Her own actions are under "actions", not repeated here.
    assert all(e["by"] != world.users["owner"].name for e in record["events"])


def test_the_record_keeps_the_protected_learning_days_planned_and_used(app, world):
    enrolment = db.session.get(Enrolment, world.args["enrolment_id"])
    enrolment.protected_learning_days_planned = Decimal("27.5")
    enrolment.protected_learning_days_used = Decimal("4")
    db.session.commit()
    (kept,) = record_of(app, world.users["owner"].id)["enrolments"]
    assert (
        kept["programme"]["protected_learning_days_planned"],
        kept["programme"]["protected_learning_days_used"],
    ) == ("27.5", "4.0")
