"""`flask demo generate`: a large, realistic and reproducible dataset for load testing.

One region holds training hubs, each hub PCNs, each PCN practices. Trainees come in
cohorts of 300 (two cohorts a hub, six months apart), are spread over their hub's
practices, and are supervised by a pharmacist in the same hub (one supervisor for every
8 trainees; a quarter of trainees also have an education supervisor). A lead oversees
the whole region and one lead each hub. Everyone shares one precomputed hash of the demo password.

Each trainee is enrolled on the NCF with registration and Level 3 records, and gets
`evidence_per_trainee` evidence items in every state with reviews, sign-offs for about
60% of competencies, monthly supervision sessions and the notifications those send
(see `demo_generate_evidence`). Rows go in with Core bulk inserts (COPY on PostgreSQL).
The same seed and `today` give the same rows; the audit trail gains one event describing
the run, chained like any other, so `flask audit verify` still passes.
"""

from __future__ import annotations

import math
import random
import time as clock
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select, text

from app.demo.bulk_insert import BulkWriter
from app.demo.generate_evidence import PortfolioWriter, TraineePlan
from app.demo.generate_framework import load_framework
from app.demo.generate_organisations import (
    COHORTS_PER_HUB,
    REGION_NAME,
    Hub,
    OrganisationWriter,
)
from app.demo.generate_people import Names, PeopleWriter, Person
from app.extensions import db
from app.models.enrolments import Enrolment, SupervisorAssignment
from app.models.evidence import Evidence, EvidenceLink, EvidenceVersion
from app.models.notifications import Notification
from app.models.organisations import Cohort, Organisation
from app.models.progress import CompetencyProgress, ProgressSummary
from app.models.registration import Qualification, Registration
from app.models.reviews import Review
from app.models.signoffs import SignOff
from app.models.supervision import SupervisionSession
from app.models.users import User, UserRole
from app.services.accounts import organisations
from app.services.audit import chain as audit
from app.services.clock import uk_today
from app.services.errors import DomainError
from app.services.frameworks import catalogue as framework_service
from app.services.registration import signer_standing
from app.services.reporting import flag_tallies, progress_summary
from app.services.reporting.flags import report_thresholds
from app.services.supervision.enrolments import DEFAULT_DURATION

# argon2id of demo.DEMO_PASSWORD with the library's default parameters, computed once so
# that the same seed gives byte-identical rows (a fresh hash would have a fresh salt).
DEMO_PASSWORD_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$ABp+KB4GuwRvajZ+BYlJDw$"  # noqa: S105 - the demo password's
    "N0e0yglAqaabKnjvATRHVbMeLe1DBclesK1xzE3Qkmc"
)
EMAIL_DOMAIN = "generated.example.org"
COHORT_SIZE = 300
TRAINEES_PER_SUPERVISOR = 8
EDUCATION_SUPERVISOR_SHARE = 0.25
MAX_TRAINEES = 100_000
MAX_EVIDENCE_PER_TRAINEE = 1_000
# Enrolments summed up at a time after the load: larger than a save's batches, as fewer
# queries over more enrolments take less time in all.
SUMMARY_BATCH_SIZE = 2_000
# Tables in the order rows must go in: parents before children.
TABLES = [
    model.__table__
    for model in (
        Organisation,
        User,
        UserRole,
        Registration,
        Qualification,
        Cohort,
        Enrolment,
        SupervisorAssignment,
        Evidence,
        EvidenceVersion,
        EvidenceLink,
        Review,
        SignOff,
        Notification,
        SupervisionSession,
    )
]


@dataclass(frozen=True)
class GeneratedLogins:
    region_lead: str
    hub_lead: str
    supervisor: str
    trainee: str


@dataclass(frozen=True)
class GenerateResult:
    rows: dict[str, int]
    logins: GeneratedLogins
    seconds: float


def trainee_email(number: int) -> str:
    return f"trainee{number:05d}@{EMAIL_DOMAIN}"


def supervisor_email(number: int) -> str:
    return f"supervisor{number:04d}@{EMAIL_DOMAIN}"


def hub_lead_email(number: int) -> str:
    return f"lead-hub{number:03d}@{EMAIL_DOMAIN}"


REGION_LEAD_EMAIL = f"lead-region@{EMAIL_DOMAIN}"


def hubs_for(trainees: int) -> int:
    """How many training hubs (each with a lead, `hub_lead_email`) a dataset has."""
    return math.ceil(math.ceil(trainees / COHORT_SIZE) / COHORTS_PER_HUB)


def check_size(trainees: int, evidence_per_trainee: int) -> None:
    if not 1 <= trainees <= MAX_TRAINEES:
        raise DomainError(f"--trainees must be from 1 to {MAX_TRAINEES:,}, not {trainees}")
    if not 0 <= evidence_per_trainee <= MAX_EVIDENCE_PER_TRAINEE:
        raise DomainError(
            f"--evidence-per-trainee must be from 0 to {MAX_EVIDENCE_PER_TRAINEE:,}, "
            f"not {evidence_per_trainee}"
        )


class DatasetGenerator:
    """One run: the organisations, then each cohort with its supervisors and trainees."""

    def __init__(
        self,
        trainees: int,
        evidence_per_trainee: int,
        seed: int,
        today: date,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        check_size(trainees, evidence_per_trainee)
        self.trainees = trainees
        self.evidence_per_trainee = evidence_per_trainee
        self.seed = seed
        self.today = today
        # Reproducible sample data, not secrets.
        self.rng = random.Random(seed)  # noqa: S311
        self.names = Names(self.rng)
        self.say = progress or (lambda _message: None)
        self.created_at = datetime.combine(today, time(0), UTC) - timedelta(days=400)
        self.rows = BulkWriter(db.session.connection(), TABLES)
        self.people = PeopleWriter(
            self.rows,
            self.rng,
            today=today,
            created_at=self.created_at,
            password_hash=DEMO_PASSWORD_HASH,
        )
        self.trainee_number = self.supervisor_number = 0
        self.first_supervisor = ""

    def run(self) -> GenerateResult:
        started = clock.perf_counter()
        if db.session.scalar(select(Organisation.id).where(Organisation.name == REGION_NAME)):
            raise DomainError(
                f"this database already holds a generated dataset ({REGION_NAME}); "
                "generate into a new database"
            )
        ncf = framework_service.find_framework("ncf-pcpt", "3")
        if ncf is None:
            raise DomainError("import the NCF framework first (flask frameworks import-bundled)")
        framework = load_framework(ncf.id, self.rng, self.today)

        cohort_count = math.ceil(self.trainees / COHORT_SIZE)
        hub_count = hubs_for(self.trainees)
        region, hubs = OrganisationWriter(
            self.rows, self.rng, self.names, today=self.today, created_at=self.created_at
        ).region(hub_count)
        region_lead = self.people.user(REGION_LEAD_EMAIL, self.names.person(), region, "lead")
        for hub in hubs:
            self.people.user(hub_lead_email(hub.number), self.names.person(), hub.id, "lead")

        writer = PortfolioWriter(
            self.rows,
            framework,
            self.rng,
            today=self.today,
            evidence_per_trainee=self.evidence_per_trainee,
        )
        for c in range(cohort_count):
            self._cohort(c, hubs[c // COHORTS_PER_HUB], ncf.id, region_lead, writer)
            self.rows.flush()
            self.say(f"cohort {c + 1} of {cohort_count}: {self.trainee_number:,} trainees written")
        return self._finish(started)

    def _cohort(
        self, c: int, hub: Hub, framework_id: int, region_lead: int, writer: PortfolioWriter
    ) -> None:
        """Cohort number `c`: its row, its supervisors, and its trainees' portfolios."""
        starts_on = hub.cohort_starts[c % COHORTS_PER_HUB]
        cohort_id = self.rows.next_id(Cohort.__table__)
        self.rows.add(
            Cohort.__table__,
            {
                "id": cohort_id,
                "name": f"{hub.place} intake {starts_on:%B %Y}",
                "organisation_id": hub.id,
                "framework_id": framework_id,
                "starts_on": starts_on,
                "created_at": self.created_at,
            },
        )
        size = min(COHORT_SIZE, self.trainees - c * COHORT_SIZE)
        supervisors: list[Person] = []
        for s in range(math.ceil(size / TRAINEES_PER_SUPERVISOR)):
            self.supervisor_number += 1
            name = self.names.person()
            practice = hub.practices[(s * 7) % len(hub.practices)]
            email = supervisor_email(self.supervisor_number)
            self.first_supervisor = self.first_supervisor or email
            user_id = self.people.user(email, name, practice, "supervisor")
            number = f"2{100000 + self.supervisor_number:06d}"
            self.people.registration(user_id, "pharmacist", "registered", number, region_lead)
            supervisors.append(Person(user_id, name, number))
        for t in range(size):
            self.trainee_number += 1
            supervisor = supervisors[t // TRAINEES_PER_SUPERVISOR]
            plan = self._trainee(
                self.trainee_number,
                hub,
                cohort_id,
                starts_on,
                supervisor,
                supervisors,
                framework_id,
            )
            writer.write(plan)

    def _finish(self, started: float) -> GenerateResult:
        rows = self.rows.finish()
        # The rows gave each organisation its parent; the tree's closure follows from them,
        # and each supervisor's standing from their registrations.
        organisations.rebuild_paths()
        signer_standing.rebuild()
        # Fresh planner statistics, as after any bulk load: SQLite keeps none until ANALYZE
        # runs, and without them it can pick an index that reads a tenth of a table. They
        # come before the summaries, whose queries read the tables just loaded.
        db.session.execute(text("ANALYZE"))
        # Bulk inserts pass the summaries' upkeep by: sum every enrolment up once.
        self.say("summing up each enrolment's progress")
        progress_summary.rebuild(batch_size=SUMMARY_BATCH_SIZE)
        flag_tallies.recount_all(uk_today(), report_thresholds())
        for table in (ProgressSummary.__tablename__, CompetencyProgress.__tablename__):
            db.session.execute(text(f"ANALYZE {table}"))
        seconds = clock.perf_counter() - started
        audit.record(
            "demo.generated",
            "dataset",
            None,
            actor=None,
            data={
                "seed": self.seed,
                "trainees": self.trainees,
                "evidence_per_trainee": self.evidence_per_trainee,
                "today": self.today.isoformat(),
                "rows": rows,
            },
        )
        return GenerateResult(
            rows,
            GeneratedLogins(
                REGION_LEAD_EMAIL, hub_lead_email(1), self.first_supervisor, trainee_email(1)
            ),
            seconds,
        )

    def _trainee(
        self,
        number: int,
        hub: Hub,
        cohort_id: int,
        cohort_start: date,
        supervisor: Person,
        supervisors: list[Person],
        framework_id: int,
    ) -> TraineePlan:
        rng = self.rng
        name = self.names.person()
        practice = rng.choice(hub.practices)
        user_id = self.people.user(trainee_email(number), name, practice, "trainee")
        registered = rng.random() < 0.85
        self.people.registration(
            user_id,
            "pharmacy-technician",
            "registered" if registered else "trainee",
            f"5{100000 + number:06d}" if registered else None,
            supervisor.id if registered and rng.random() < 0.7 else None,
        )
        self.people.qualification(user_id, registered, supervisor.id)

        started_on = cohort_start + timedelta(days=rng.randint(0, 20))
        education = None
        if len(supervisors) > 1 and rng.random() < EDUCATION_SUPERVISOR_SHARE:
            education = rng.choice([s for s in supervisors if s.id != supervisor.id])
        enrolment_id = self._enrolment(
            user_id, framework_id, cohort_id, started_on, supervisor, education
        )
        # Progress follows time on the programme, with a spread between trainees.
        elapsed = (self.today - started_on).days / DEFAULT_DURATION.days
        progress = min(max(rng.gauss(0.25 + 0.6 * elapsed, 0.15), 0.05), 1.0)
        return TraineePlan(Person(user_id, name), enrolment_id, supervisor, started_on, progress)

    def _enrolment(
        self,
        user_id: int,
        framework_id: int,
        cohort_id: int,
        started_on: date,
        supervisor: Person,
        education: Person | None,
    ) -> int:
        """The trainee's enrolment row and their supervisors' assignments."""
        rng = self.rng
        enrolment_id = self.rows.next_id(Enrolment.__table__)
        enrolled_at = datetime.combine(started_on, time(9), UTC) - timedelta(days=7)
        self.rows.add(
            Enrolment.__table__,
            {
                "id": enrolment_id,
                "trainee_id": user_id,
                "framework_id": framework_id,
                "cohort_id": cohort_id,
                "clinical_supervisor_id": supervisor.id,
                "education_supervisor_id": education.id if education else None,
                "started_on": started_on,
                "expected_end_on": started_on + DEFAULT_DURATION,
                "status": "active",
                "created_at": enrolled_at,
                "pathway_status": "in-progress",
                "exemption_storage_key": None,
                "exemption_sha256": None,
                "exemption_size_bytes": None,
                "exemption_media_type": None,
                "exemption_filename": None,
                "wte": rng.choice((Decimal("1.00"), Decimal("1.00"), Decimal("0.80"))),
                "protected_learning_days_used": Decimal(rng.randint(0, 20)),
                "funding": "arrs" if rng.random() < 0.8 else "other",
                "afc_band": rng.choice(("4", "5", "5")),
                "programme_updated_at": enrolled_at,
            },
        )
        for kind, who in (("clinical", supervisor), ("education", education)):
            if who is not None:
                self.rows.add(
                    SupervisorAssignment.__table__,
                    {
                        "id": self.rows.next_id(SupervisorAssignment.__table__),
                        "enrolment_id": enrolment_id,
                        "supervisor_id": who.id,
                        "kind": kind,
                        "assigned_by_id": None,
                        "assigned_at": enrolled_at,
                        "ended_at": None,
                    },
                )
        return enrolment_id


def generate_dataset(
    trainees: int,
    evidence_per_trainee: int = 100,
    *,
    seed: int = 1,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> GenerateResult:
    """Write the dataset in the caller's transaction (which commits it)."""
    generator = DatasetGenerator(
        trainees, evidence_per_trainee, seed, today or uk_today(), progress
    )
    return generator.run()
