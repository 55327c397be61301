"""Random sequences of the changes that move progress summaries, made through the app's
services on a small world (one to three trainees and their supervisor), each committed (or
rolled back) and followed by a check that every stored summary equals a fresh computation
from the records (`progress_summary.first_difference`).

Each example starts from an empty, migrated database, as each test does: on SQLite the
migrated template copied over the test's database file, on PostgreSQL every table emptied.
A failing run prints the example's steps, unshrunk (shrinking would take minutes)."""

from __future__ import annotations

import shutil
from collections import Counter
from contextlib import ExitStack, contextmanager
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from app.extensions import db
from app.models.enrolments import CURRENT_ENROLMENT_STATUSES, Enrolment
from app.models.evidence import Evidence
from app.models.frameworks import Competency
from app.models.progress import FlagTally, ProgressSummary
from app.models.signoffs import SignOff, SignOffRevocation
from app.models.users import User
from app.services.accounts import organisations
from app.services.accounts import users as accounts
from app.services.clock import uk_today
from app.services.errors import DomainError
from app.services.framework_moves.moving import move_trainees
from app.services.portfolio import evidence as evidence_service
from app.services.privacy import erasure
from app.services.registration import qualifications
from app.services.registration import records as registration
from app.services.registration.qualifications import QualificationDetails
from app.services.registration.records import RegistrationDetails
from app.services.reporting import flag_tallies, progress_summary
from app.services.reporting.flags import report_thresholds
from app.services.supervision import enrolment_lifecycle, enrolments, reviews, signoffs
from app.services.supervision import sessions as supervision_sessions
from tests.conftest import (
    ON_POSTGRES,
    _empty_postgres_tables,
    give_current_registration,
    import_framework_file,
)
from tests.evidence.conftest import valid_answers
from tests.frameworks_lifecycle.conftest import FILES
from tests.supervision.conftest import fresh

TYPES = ("reflective-account", "observation")
# Registrations a trainee may record: current, due for renewal soon, expired, lapsed.
REGISTRATIONS = (
    ("registered", 300),
    ("registered", 30),
    ("registered", -5),
    ("lapsed", 200),
)
STARTED_DAYS_AGO = (20, 150, 400)
# How far a new item of evidence goes in one step.
UNTIL = ("draft", "submitted", "accepted", "changes_requested", "abandoned", "revised")

# Every operation the machine makes, counted across the examples when it went through
# (not refused), so the test can show each was really exercised.
DONE: Counter[str] = Counter()
REFUSED: Counter[str] = Counter()  # and the refusals, to say why one never went through


@contextmanager
def empty_database(app, migrated_database: str):
    """The test's database emptied for one example, as the suite's fixtures make one for
    each test: on SQLite the migrated template copied over it, on PostgreSQL every table
    emptied."""
    db.session.remove()
    if ON_POSTGRES:
        _empty_postgres_tables(app)
    else:
        db.engine.dispose()  # no connection open while the file is replaced
        path = Path(db.engine.url.database)
        for leftover in (Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        shutil.copyfile(migrated_database, path)
    try:
        yield
    finally:
        db.session.remove()


def _has_evidence(status: str):
    """A precondition: some trainee still in training has evidence in `status`."""

    def holds(machine: SummaryMachine) -> bool:
        return bool(machine.trainees) and machine._evidence(status, 0) is not None

    return holds


class SummaryMachine(RuleBasedStateMachine):
    def __init__(self, start_example, password_hash: str) -> None:
        super().__init__()
        self.stack = ExitStack()
        self.stack.enter_context(start_example())
        self.password_hash = password_hash
        self.today = uk_today()
        self.trainees: list[int] = []  # user ids, erased ones removed
        self.enrolled = 0

    def teardown(self) -> None:
        db.session.rollback()
        self.stack.close()

    # --- The world -----------------------------------------------------------------------

    def _person(self, email: str, roles: tuple[str, ...], org=None, gphc=None) -> User:
        return accounts.create_user(
            email=email,
            name=email.split("@")[0].replace(".", " ").title(),
            roles=roles,
            password=None,
            password_hash=self.password_hash,
            organisation=org,
            gphc_number=gphc,
        )

    @initialize(
        started=st.lists(st.sampled_from(STARTED_DAYS_AGO), min_size=1, max_size=3),
    )
    def build_world(self, started: list[int]) -> None:
        hub = organisations.create_organisation("Training hub", "training-hub")
        practice = organisations.create_organisation("Riverside practice", "practice", hub)
        self.admin = self._person("admin@example.org", ("admin",))
        self.supervisor = self._person(
            "priya.shah@example.org", ("supervisor",), practice, "2000001"
        )
        give_current_registration(self.supervisor, self.admin)
        db.session.commit()
        self.v1 = import_framework_file(FILES / "v1.yaml")
        self.v2 = import_framework_file(FILES / "v2.yaml")
        self.practice = practice
        for days_ago in started:
            self.enrol_another(days_ago)

    # --- Helpers -------------------------------------------------------------------------

    def _attempt(self, name: str, change) -> None:
        """Make the change and commit it; a refusal rolls back, as a request's would."""
        try:
            change()
        except DomainError as refusal:
            db.session.rollback()
            REFUSED[f"{name}: {refusal}"] += 1
            self.every_summary_matches_its_records()
            return
        db.session.commit()
        DONE[name] += 1
        self.every_summary_matches_its_records()

    def _enrolment(self, pick: int) -> Enrolment:
        user_id = self.trainees[pick % len(self.trainees)]
        return db.session.scalar(
            select(Enrolment).where(Enrolment.trainee_id == user_id).order_by(Enrolment.id)
        )

    def _evidence(self, status: str, pick: int) -> Evidence | None:
        found = list(
            db.session.scalars(
                select(Evidence)
                .join(Enrolment, Enrolment.id == Evidence.enrolment_id)
                .where(
                    Evidence.status == status,
                    Enrolment.trainee_id.in_(self.trainees),
                    Enrolment.status.in_(CURRENT_ENROLMENT_STATUSES),
                )
                .order_by(Evidence.id)
            )
        )
        return found[pick % len(found)] if found else None

    def _codes(self, enrolment: Enrolment) -> list[str]:
        return list(
            db.session.scalars(
                select(Competency.code)
                .where(Competency.framework_id == enrolment.framework_id)
                .order_by(Competency.code)
            )
        )

    def _has_trainees(self) -> bool:
        return bool(self.trainees)

    def _has_standing_sign_off(self) -> bool:
        return bool(self.trainees) and bool(self._standing())

    def _has_open_pause(self) -> bool:
        return (
            bool(self.trainees)
            and db.session.scalar(
                select(Enrolment.id).where(
                    Enrolment.trainee_id.in_(self.trainees), Enrolment.status == "paused"
                )
            )
            is not None
        )

    def _standing(self) -> list[SignOff]:
        return list(
            db.session.scalars(
                select(SignOff)
                .join(Enrolment, Enrolment.id == SignOff.enrolment_id)
                .outerjoin(SignOffRevocation, SignOffRevocation.sign_off_id == SignOff.id)
                .where(Enrolment.trainee_id.in_(self.trainees), SignOffRevocation.id.is_(None))
                .order_by(SignOff.id)
            )
        )

    # --- Evidence and reviews ----------------------------------------------------------------

    @precondition(_has_trainees)
    @rule(
        who=st.integers(0, 2),
        kind=st.sampled_from(TYPES),
        which=st.integers(0, 4),
        until=st.sampled_from(UNTIL),
    )
    def add_evidence(self, who: int, kind: str, which: int, until: str) -> None:
        """A draft, then (each step committed and checked) submitted, reviewed and revised."""
        enrolment = self._enrolment(who)
        codes = self._codes(enrolment)
        code = codes[which % len(codes)]
        made = []
        self._attempt(
            "add_evidence",
            lambda: made.append(
                evidence_service.create_draft(
                    enrolment,
                    kind,
                    valid_answers(kind, title=f"{kind} on {code}"),
                    [(code, f"How this shows {code}")],
                    actor=enrolment.trainee,
                )
            ),
        )
        if made and until != "draft":
            self._submit(made[0])
            if until == "revised":
                self._review(made[0], "changes_requested")
                self._revise(made[0])
            elif until != "submitted":
                self._review(made[0], until)

    @precondition(_has_evidence("draft"))
    @rule(pick=st.integers(0, 20))
    def submit(self, pick: int) -> None:
        item = self._evidence("draft", pick)
        if item is not None:
            self._submit(item)

    def _submit(self, item: Evidence) -> None:
        trainee = item.enrolment.trainee
        self._attempt("submit", lambda: evidence_service.submit(item, actor=trainee))

    @precondition(_has_evidence("submitted"))
    @rule(
        pick=st.integers(0, 20),
        decision=st.sampled_from(("accepted", "changes_requested", "abandoned")),
    )
    def review(self, pick: int, decision: str) -> None:
        item = self._evidence("submitted", pick)
        if item is not None:
            self._review(item, decision)

    def _review(self, item: Evidence, decision: str) -> None:
        """Accept, ask for changes, or record an acceptance and roll it back."""
        if decision == "abandoned":
            self._record_review(item, "accepted")
            db.session.flush()
            db.session.rollback()
            self.every_summary_matches_its_records()
            DONE["review_abandoned"] += 1
            return
        self._attempt(f"review_{decision}", lambda: self._record_review(item, decision))

    def _record_review(self, item: Evidence, decision: str) -> None:
        reviews.record_review(
            item,
            reviewer=self.supervisor,
            decision=decision,
            comment="" if decision == "accepted" else "Say what you checked first.",
            version_number=item.current_version_number,
        )

    @precondition(_has_evidence("changes_requested"))
    @rule(pick=st.integers(0, 20))
    def revise_and_resubmit(self, pick: int) -> None:
        item = self._evidence("changes_requested", pick)
        if item is not None:
            self._revise(item)

    def _revise(self, item: Evidence) -> None:
        trainee, kind = item.enrolment.trainee, item.evidence_type.code
        codes = [link.competency.code for link in item.current_version.links]

        def change() -> None:
            evidence_service.edit(
                item,
                valid_answers(kind, title=f"{item.title}, revised"),
                [(code, "Revised after review") for code in codes],
                actor=trainee,
            )
            evidence_service.submit(item, actor=trainee)

        self._attempt("revise_and_resubmit", change)

    # --- Sign-offs -----------------------------------------------------------------------

    @precondition(_has_trainees)
    @rule(who=st.integers(0, 2), which=st.integers(0, 4), revoke_after=st.booleans())
    def sign_off(self, who: int, which: int, revoke_after: bool) -> None:
        """A sign-off (justified where the evidence falls short), perhaps revoked after."""
        enrolment = self._enrolment(who)
        codes = self._codes(enrolment)
        competency = db.session.scalar(
            select(Competency).where(
                Competency.framework_id == enrolment.framework_id,
                Competency.code == codes[which % len(codes)],
            )
        )
        signed = []
        self._attempt(
            "sign_off",
            lambda: signed.append(
                signoffs.sign_off(
                    enrolment,
                    competency,
                    signer=self.supervisor,
                    outcome_code="competent",
                    comment="Seen doing this well in clinic.",
                    override_justification="Assessed directly in practice.",
                    authenticated_at=fresh(),
                )
            ),
        )
        if signed and revoke_after:
            self._revoke(signed[0])

    @precondition(_has_standing_sign_off)
    @rule(pick=st.integers(0, 20))
    def revoke(self, pick: int) -> None:
        standing = self._standing()
        self._revoke(standing[pick % len(standing)])

    def _revoke(self, record: SignOff) -> None:
        self._attempt(
            "revoke",
            lambda: signoffs.revoke(
                record,
                actor=self.supervisor,
                reason="Signed against the wrong competency.",
                authenticated_at=fresh(),
            ),
        )

    # --- Pauses and supervision ----------------------------------------------------------------

    @precondition(_has_trainees)
    @rule(
        who=st.integers(0, 2),
        days_ago=st.integers(0, 400),
        back_after=st.none() | st.integers(0, 400),
    )
    def pause(self, who: int, days_ago: int, back_after: int | None) -> None:
        """A pause from a day in the past, perhaps ended `back_after` days later."""
        enrolment = self._enrolment(who)
        paused_from = max(self.today - timedelta(days=days_ago), enrolment.started_on)
        self._attempt(
            "pause",
            lambda: enrolment_lifecycle.pause(
                enrolment, reason="Long-term sickness", paused_from=paused_from, actor=self.admin
            ),
        )
        if back_after is not None and enrolment.status == "paused":
            self._resume(enrolment, min(paused_from + timedelta(days=back_after), self.today))

    @precondition(_has_open_pause)
    @rule(who=st.integers(0, 2), days_ago=st.integers(0, 400))
    def resume(self, who: int, days_ago: int) -> None:
        paused = list(
            db.session.scalars(
                select(Enrolment)
                .where(Enrolment.trainee_id.in_(self.trainees), Enrolment.status == "paused")
                .order_by(Enrolment.id)
            )
        )
        enrolment = paused[who % len(paused)]
        pause = enrolment_lifecycle.open_pause(enrolment.id)
        self._resume(enrolment, max(self.today - timedelta(days=days_ago), pause.paused_from))

    def _resume(self, enrolment: Enrolment, resumed_on: date) -> None:
        self._attempt(
            "resume",
            lambda: enrolment_lifecycle.resume(enrolment, resumed_on=resumed_on, actor=self.admin),
        )

    @precondition(_has_trainees)
    @rule(who=st.integers(0, 2), days_ago=st.integers(0, 400))
    def record_session(self, who: int, days_ago: int) -> None:
        enrolment = self._enrolment(who)
        held_on = max(self.today - timedelta(days=days_ago), enrolment.started_on)
        self._attempt(
            "record_session",
            lambda: supervision_sessions.record_session(
                enrolment,
                supervisor=self.supervisor,
                held_on=held_on,
                duration_minutes=30,
                topics="Progress against the plan",
                today=self.today,
            ),
        )

    # --- The trainee's registration and Level 3 ------------------------------------------------

    @precondition(_has_trainees)
    @rule(who=st.integers(0, 2), kind=st.sampled_from(REGISTRATIONS), verify=st.booleans())
    def record_registration(self, who: int, kind: tuple[str, int], verify: bool) -> None:
        """A registration recorded (a renewal when one is already there), perhaps verified."""
        trainee = self._enrolment(who).trainee
        status, expires_in = kind
        details = RegistrationDetails(
            "pharmacy-technician",
            status,
            "5012345",
            date(2024, 3, 1),
            self.today + timedelta(days=expires_in),
        )
        self._attempt(
            "record_registration",
            lambda: registration.record_registration(trainee, details, actor=trainee),
        )
        current = registration.current_registration(trainee.id)
        if verify and current is not None:
            self._attempt(
                "verify_registration",
                lambda: registration.verify_registration(
                    trainee, current.id, actor=self.supervisor, today=self.today
                ),
            )

    @precondition(_has_trainees)
    @rule(who=st.integers(0, 2), verify=st.booleans())
    def level_3(self, who: int, verify: bool) -> None:
        """A qualification outside the list (flagged until verified), perhaps verified."""
        trainee = self._enrolment(who).trainee
        held = qualifications.qualification_for(trainee.id)
        details = QualificationDetails(
            kind="other",
            status="achieved",
            awarding_body="Pharmacy college overseas",
            title="Diploma in Pharmacy Technology",
            started_on=date(2019, 9, 1),
            achieved_on=date(2021, 7, 1) if held is None else held.achieved_on + timedelta(1),
            justification="Covers the same knowledge and competence as the Level 3 diploma.",
        )
        self._attempt(
            "save_level_3",
            lambda: qualifications.save_qualification(
                trainee, details, actor=trainee, today=self.today
            ),
        )
        held = qualifications.qualification_for(trainee.id)
        if verify and held is not None:
            self._attempt(
                "verify_level_3",
                lambda: qualifications.verify_qualification(
                    trainee, held.id, actor=self.supervisor, today=self.today
                ),
            )

    # --- Moving framework version, enrolling and erasing ------------------------------------------

    @precondition(_has_trainees)
    @rule(who=st.integers(0, 2))
    def move_to_version_2(self, who: int) -> None:
        email = self._enrolment(who).trainee.email
        self._attempt(
            "move",
            lambda: move_trainees(self.v1, self.v2, actor=self.admin, trainee_email=email),
        )

    @precondition(lambda self: len(self.trainees) < 3)
    @rule(days_ago=st.sampled_from(STARTED_DAYS_AGO))
    def enrol_another(self, days_ago: int) -> None:
        self.enrolled += 1
        trainee = self._person(f"trainee.{self.enrolled}@example.org", ("trainee",), self.practice)
        enrolments.enrol(
            trainee,
            self.v1,
            supervisor=self.supervisor,
            started_on=self.today - timedelta(days=days_ago),
        )
        db.session.commit()
        self.trainees.append(trainee.id)
        DONE["enrol"] += 1
        self.every_summary_matches_its_records()

    @precondition(_has_trainees)
    @rule(who=st.integers(0, 2))
    def erase(self, who: int) -> None:
        trainee = self._enrolment(who).trainee
        erasure.erase_person(trainee, actor=self.admin)
        db.session.commit()
        self.trainees.remove(trainee.id)
        DONE["erase"] += 1
        self.every_summary_matches_its_records()

    # --- The property --------------------------------------------------------------------------

    def every_summary_matches_its_records(self) -> None:
        """Checked after every commit and every rollback, not only after each rule."""
        check = progress_summary.first_difference()
        assert check.problem is None, check.problem
        problem = flag_tallies.first_difference(uk_today(), report_thresholds())
        assert problem is None, problem
        # Each organisation holding a summary was counted by the commit that wrote it.
        counted = select(FlagTally.organisation_id).where(FlagTally.counted_on >= self.today)
        untallied = select(ProgressSummary.organisation_id).where(
            ProgressSummary.organisation_id.not_in(counted)
        )
        assert db.session.scalars(untallied).first() is None


OPERATIONS = {
    "enrol",
    "add_evidence",
    "submit",
    "review_accepted",
    "review_changes_requested",
    "revise_and_resubmit",
    "review_abandoned",
    "sign_off",
    "revoke",
    "pause",
    "resume",
    "record_session",
    "record_registration",
    "verify_registration",
    "save_level_3",
    "verify_level_3",
    "move",
    "erase",
}


def test_random_changes_keep_every_summary_true(app, migrated_database, password_hash):
    DONE.clear()
    REFUSED.clear()

    def start_example():
        return empty_database(app, migrated_database)

    run_state_machine_as_test(
        lambda: SummaryMachine(start_example, password_hash),
        settings=settings(
            max_examples=15,
            stateful_step_count=12,
            deadline=None,
            derandomize=True,
            database=None,
            # A failing run prints its dozen steps; shrinking them, a fresh database each
            # try, would take minutes.
            phases=(Phase.explicit, Phase.reuse, Phase.generate),
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    # Every kind of change went through at least once, so the property was tested on each.
    assert set(DONE) >= OPERATIONS, (
        f"never made: {sorted(OPERATIONS - set(DONE))}; refusals: {dict(REFUSED)}"
    )
