"""`flask demo generate`: a large, realistic and reproducible dataset for load testing.

One region holds training hubs, each hub PCNs, each PCN practices. Trainees come in
cohorts of 300 (two cohorts a hub, six months apart), are spread over their hub's
practices, and are supervised by a pharmacist in the same hub (one supervisor for every
8 trainees; a quarter of trainees also have an education supervisor). A lead oversees
the whole region and one lead each hub. Everyone shares one precomputed hash of the demo password.

Each trainee is enrolled on the NCF with registration and Level 3 records, and gets
`evidence_per_trainee` evidence items in every state with reviews, sign-offs for about
60% of competencies, monthly supervision sessions and the notifications those send
(see `demo_generate_evidence`). Rows go in with Core bulk inserts. The same seed and
`today` give the same rows; the audit trail gains one event describing the run, chained
like any other, so `flask audit verify` still passes.
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

from app.demo import texts as words
from app.demo.bulk_insert import BulkWriter
from app.demo.generate_evidence import (
    Person,
    PortfolioWriter,
    TraineePlan,
    load_framework,
)
from app.extensions import db
from app.models.enrolments import Enrolment, SupervisorAssignment
from app.models.evidence import Evidence, EvidenceLink, EvidenceVersion
from app.models.notifications import Notification
from app.models.organisations import Cohort, Organisation
from app.models.registration import Qualification, Registration
from app.models.reviews import Review
from app.models.signoffs import SignOff
from app.models.supervision import SupervisionSession
from app.models.users import User, UserRole
from app.services.audit import chain as audit
from app.services.calendar_months import add_months
from app.services.clock import uk_today
from app.services.errors import DomainError
from app.services.frameworks import catalogue as framework_service
from app.services.supervision.enrolments import DEFAULT_DURATION

# argon2id of demo.DEMO_PASSWORD with the library's default parameters, computed once so
# that the same seed gives byte-identical rows (a fresh hash would have a fresh salt).
DEMO_PASSWORD_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$ABp+KB4GuwRvajZ+BYlJDw$"  # noqa: S105 - the demo password's
    "N0e0yglAqaabKnjvATRHVbMeLe1DBclesK1xzE3Qkmc"
)
REGION_NAME = "Demonstration Region"
EMAIL_DOMAIN = "generated.example.org"
COHORT_SIZE = 300
COHORTS_PER_HUB = 2
PCNS_PER_HUB = 6
PRACTICES_PER_PCN = 5
TRAINEES_PER_SUPERVISOR = 8
EDUCATION_SUPERVISOR_SHARE = 0.25
MAX_TRAINEES = 100_000
MAX_EVIDENCE_PER_TRAINEE = 1_000
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


def check_size(trainees: int, evidence_per_trainee: int) -> None:
    if not 1 <= trainees <= MAX_TRAINEES:
        raise DomainError(f"--trainees must be from 1 to {MAX_TRAINEES:,}, not {trainees}")
    if not 0 <= evidence_per_trainee <= MAX_EVIDENCE_PER_TRAINEE:
        raise DomainError(
            f"--evidence-per-trainee must be from 0 to {MAX_EVIDENCE_PER_TRAINEE:,}, "
            f"not {evidence_per_trainee}"
        )


@dataclass
class _Hub:
    id: int
    number: int
    place: str
    practices: list[int]
    cohort_starts: list[date]


class _Names:
    """Person names and unique place names, from the seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        places = [s + e for s in words.PLACE_STARTS for e in words.PLACE_ENDS]
        rng.shuffle(places)
        self.places = places
        self.used: set[str] = set()

    def person(self) -> str:
        return f"{self.rng.choice(words.FIRST_NAMES)} {self.rng.choice(words.SURNAMES)}"

    def place(self, index: int) -> str:
        base = self.places[index % len(self.places)]
        return base if index < len(self.places) else f"{base} {index // len(self.places) + 1}"

    def unique(self, name: str) -> str:
        candidate, n = name, 2
        while candidate in self.used:
            candidate, n = f"{name} ({n})", n + 1
        self.used.add(candidate)
        return candidate


class DatasetGenerator:
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
        self.names = _Names(self.rng)
        self.say = progress or (lambda _message: None)
        self.created_at = datetime.combine(today, time(0), UTC) - timedelta(days=400)
        self.rows = BulkWriter(db.session.connection(), TABLES)
        self.password_hash = DEMO_PASSWORD_HASH

    # --- Organisations ---------------------------------------------------------------

    def _organisation(self, name: str, kind: str, parent_id: int | None, ods: str | None) -> int:
        org_id = self.rows.next_id(Organisation.__table__)
        self.rows.add(
            Organisation.__table__,
            {
                "id": org_id,
                "name": self.names.unique(name),
                "kind": kind,
                "ods_code": ods,
                "parent_id": parent_id,
                "created_at": self.created_at,
            },
        )
        return org_id

    def _organisations(self, hub_count: int) -> tuple[int, list[_Hub]]:
        region = self._organisation(REGION_NAME, "region", None, None)
        hubs = []
        practice_number = 0
        for h in range(hub_count):
            place = self.names.place(h)
            hub_id = self._organisation(f"{place} Training Hub", "training-hub", region, None)
            practices = []
            for p in range(PCNS_PER_HUB):
                pcn_place = self.names.place(hub_count + h * PCNS_PER_HUB + p)
                pcn_id = self._organisation(f"{pcn_place} PCN", "pcn", hub_id, None)
                for _ in range(PRACTICES_PER_PCN):
                    practice_number += 1
                    name = (
                        f"{self.rng.choice(words.STREETS)} Street "
                        f"{self.rng.choice(words.PRACTICE_KINDS)}, {pcn_place}"
                    )
                    ods = f"Z{practice_number:05d}"
                    practices.append(self._organisation(name, "practice", pcn_id, ods))
            # Each hub's intakes are six months apart; the older started a year or more ago.
            older = add_months(self.today.replace(day=1), -(12 + h % 5))
            starts = [add_months(older, 6 * c) for c in range(COHORTS_PER_HUB)]
            hubs.append(_Hub(hub_id, h + 1, place, practices, starts))
        return region, hubs

    # --- People -------------------------------------------------------------------------

    def _user(self, email: str, name: str, org_id: int, role: str, password_hash: str) -> int:
        user_id = self.rows.next_id(User.__table__)
        self.rows.add(
            User.__table__,
            {
                "id": user_id,
                "email": email,
                "name": name,
                "organisation_id": org_id,
                "password_hash": password_hash,
                "active": True,
                "session_version": 1,
                "created_at": self.created_at,
                "last_login_at": None,
            },
        )
        self.rows.add(UserRole.__table__, {"user_id": user_id, "role": role})
        return user_id

    def _registration(
        self,
        user_id: int,
        register: str,
        status: str,
        number: str | None,
        verified_by: int | None,
    ) -> None:
        registered_on = expires_on = None
        if status == "registered":
            registered_on = date(
                self.today.year - self.rng.randint(2, 12),
                self.rng.randint(1, 12),
                self.rng.choice((1, 15)),
            )
            # Most renew comfortably ahead; a few are due soon and about 2% have expired.
            ahead = self.rng.randint(20, 360) if self.rng.random() > 0.02 else -30
            expires_on = self.today + timedelta(days=ahead)
        self.rows.add(
            Registration.__table__,
            {
                "id": self.rows.next_id(Registration.__table__),
                "user_id": user_id,
                "register": register,
                "number": number,
                "status": status,
                "registered_on": registered_on,
                "expires_on": expires_on,
                "verified_by_id": verified_by,
                "verified_on": self.today - timedelta(days=self.rng.randint(10, 300))
                if verified_by
                else None,
                "recorded_by_id": user_id,
                "recorded_at": self.created_at,
            },
        )

    def _qualification(self, user_id: int, registered: bool, verified_by: int) -> None:
        rng = self.rng
        if registered:
            status = "achieved"
        else:
            status = rng.choice(("not-started", "enrolled", "in-progress", "in-progress"))
        started_on = None
        if status in ("in-progress", "achieved"):
            started_on = self.today - timedelta(days=rng.randint(200, 1500))
        achieved_on = None
        if status == "achieved" and started_on is not None:
            achieved_on = started_on + timedelta(days=rng.randint(150, 190))
        verified = status == "achieved" and rng.random() < 0.6
        self.rows.add(
            Qualification.__table__,
            {
                "id": self.rows.next_id(Qualification.__table__),
                "user_id": user_id,
                "kind": "l3-diploma-principles-practice",
                "title": None,
                "awarding_body": ""
                if status == "not-started"
                else rng.choice(("Pearson", "City & Guilds", "NCFE CACHE")),
                "status": status,
                "started_on": started_on,
                "achieved_on": achieved_on,
                "certificate_storage_key": None,
                "certificate_sha256": None,
                "certificate_size_bytes": None,
                "certificate_media_type": None,
                "certificate_filename": None,
                "certificate_uploaded_at": None,
                "verified_by_id": verified_by if verified else None,
                "verified_on": self.today - timedelta(days=rng.randint(10, 300))
                if verified
                else None,
                "created_at": self.created_at,
                "updated_at": self.created_at,
                "updated_by_id": user_id,
            },
        )

    # --- The whole run --------------------------------------------------------------------

    def run(self) -> GenerateResult:
        started = clock.perf_counter()
        if db.session.scalar(select(Organisation.id).where(Organisation.name == REGION_NAME)):
            raise DomainError(
                f"this database already holds a generated dataset ({REGION_NAME}); "
                "generate into a new database"
            )
        ncf = framework_service.find_framework("ncf-pcpt")
        if ncf is None:
            raise DomainError("import the NCF framework first (flask frameworks import-bundled)")
        framework = load_framework(ncf.id, self.rng, self.today)
        password_hash = self.password_hash

        cohort_count = math.ceil(self.trainees / COHORT_SIZE)
        hub_count = math.ceil(cohort_count / COHORTS_PER_HUB)
        region, hubs = self._organisations(hub_count)
        region_lead = self._user(
            REGION_LEAD_EMAIL, self.names.person(), region, "lead", password_hash
        )
        for hub in hubs:
            self._user(
                hub_lead_email(hub.number), self.names.person(), hub.id, "lead", password_hash
            )

        writer = PortfolioWriter(
            self.rows,
            framework,
            self.rng,
            today=self.today,
            evidence_per_trainee=self.evidence_per_trainee,
        )
        trainee_number = supervisor_number = 0
        first_supervisor = ""
        for c in range(cohort_count):
            hub = hubs[c // COHORTS_PER_HUB]
            starts_on = hub.cohort_starts[c % COHORTS_PER_HUB]
            cohort_id = self.rows.next_id(Cohort.__table__)
            self.rows.add(
                Cohort.__table__,
                {
                    "id": cohort_id,
                    "name": f"{hub.place} intake {starts_on:%B %Y}",
                    "organisation_id": hub.id,
                    "framework_id": ncf.id,
                    "starts_on": starts_on,
                    "created_at": self.created_at,
                },
            )
            size = min(COHORT_SIZE, self.trainees - c * COHORT_SIZE)
            supervisors: list[Person] = []
            for s in range(math.ceil(size / TRAINEES_PER_SUPERVISOR)):
                supervisor_number += 1
                name = self.names.person()
                practice = hub.practices[(s * 7) % len(hub.practices)]
                email = supervisor_email(supervisor_number)
                first_supervisor = first_supervisor or email
                user_id = self._user(email, name, practice, "supervisor", password_hash)
                number = f"2{100000 + supervisor_number:06d}"
                self._registration(user_id, "pharmacist", "registered", number, region_lead)
                supervisors.append(Person(user_id, name, number))
            for t in range(size):
                trainee_number += 1
                supervisor = supervisors[t // TRAINEES_PER_SUPERVISOR]
                plan = self._trainee(
                    trainee_number, hub, cohort_id, starts_on, supervisor, supervisors, ncf.id
                )
                writer.write(plan)
            self.rows.flush()
            self.say(f"cohort {c + 1} of {cohort_count}: {trainee_number:,} trainees written")

        rows = self.rows.finish()
        # Fresh planner statistics, as after any bulk load: SQLite keeps none until ANALYZE
        # runs, and without them it can pick an index that reads a tenth of a table.
        db.session.execute(text("ANALYZE"))
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
                REGION_LEAD_EMAIL, hub_lead_email(1), first_supervisor, trainee_email(1)
            ),
            seconds,
        )

    def _trainee(
        self,
        number: int,
        hub: _Hub,
        cohort_id: int,
        cohort_start: date,
        supervisor: Person,
        supervisors: list[Person],
        framework_id: int,
    ) -> TraineePlan:
        rng = self.rng
        name = self.names.person()
        practice = rng.choice(hub.practices)
        user_id = self._user(trainee_email(number), name, practice, "trainee", self.password_hash)
        registered = rng.random() < 0.85
        self._registration(
            user_id,
            "pharmacy-technician",
            "registered" if registered else "trainee",
            f"5{100000 + number:06d}" if registered else None,
            supervisor.id if registered and rng.random() < 0.7 else None,
        )
        self._qualification(user_id, registered, supervisor.id)

        started_on = cohort_start + timedelta(days=rng.randint(0, 20))
        education = None
        if len(supervisors) > 1 and rng.random() < EDUCATION_SUPERVISOR_SHARE:
            education = rng.choice([s for s in supervisors if s.id != supervisor.id])
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
        # Progress follows time on the programme, with a spread between trainees.
        elapsed = (self.today - started_on).days / DEFAULT_DURATION.days
        progress = min(max(rng.gauss(0.25 + 0.6 * elapsed, 0.15), 0.05), 1.0)
        return TraineePlan(Person(user_id, name), enrolment_id, supervisor, started_on, progress)


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
