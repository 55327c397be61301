"""One generated trainee's portfolio: evidence in every state, reviews, sign-offs, sessions.

The rows are those the services write (see app.services.portfolio.evidence, reviews, signoffs,
supervision_sessions and notifications): numbered versions whose content digest is
`evidence_content.content_digest` of exactly what they hold, competency links copied to
each new version, one review per reviewed version carrying that version's digest, and
sign-offs carrying the accepted evidence versions they relied on and their own sha256.
Form answers come from the real form definitions and pass `clean_answers` and the
patient-data guard once per variant, before any row is made.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace

from sqlalchemy import select

from app.demo import texts as words
from app.demo.bulk_insert import BulkWriter
from app.extensions import db
from app.models.evidence import Evidence, EvidenceLink, EvidenceVersion
from app.models.frameworks import Competency, Domain, EvidenceType, ScaleValue
from app.models.notifications import Notification
from app.models.reviews import Review
from app.models.signoffs import SignOff
from app.models.supervision import SupervisionSession
from app.services.calendar_months import add_months
from app.services.notifications import messages as notifications
from app.services.portfolio.assessment_forms import FormDefinition, clean_answers, form_for
from app.services.portfolio.content import content_digest, guard_patient_data
from app.services.portfolio.sufficiency import AcceptedItem, Rule, missing_for
from app.services.supervision import signoffs

VARIANTS_PER_TYPE = 3
# How an item's story goes, and how often: (scenario, weight out of 100).
SCENARIOS = (
    ("accepted", 58),
    ("revised_accepted", 10),
    ("submitted", 7),
    ("changes_requested", 6),
    ("revised_submitted", 3),
    ("draft", 12),
    ("accepted_then_edited", 4),
)
# The types trainees log most often come first; anything else the framework lists follows.
COMMON_TYPES = {
    "reflective-account": 22,
    "work-based-observation": 14,
    "mini-cex": 10,
    "case-based-discussion": 10,
    "dops": 8,
    "witness-testimony": 8,
    "case-study": 6,
    "consultation-observation": 6,
}
LINK_COUNTS = ((1, 40), (2, 40), (3, 20))
SESSION_CHANCE = 0.85  # a month with a supervision session
UNREAD_DAYS = 10  # notifications newer than this are left unread
RATINGS = ("3", "4", "4", "5", "5", "6")


# --- The framework, as the generator needs it ------------------------------------------------


@dataclass(frozen=True)
class CompetencyInfo:
    id: int
    code: str
    title: str
    rule: Rule


@dataclass(frozen=True)
class TypeInfo:
    id: int
    code: str
    observed: bool
    has_assessor: bool
    variants: tuple[dict[str, object], ...]


@dataclass(frozen=True)
class OutcomeInfo:
    code: str
    label: str
    proficient: bool


@dataclass(frozen=True)
class FrameworkInfo:
    id: int
    competencies: tuple[CompetencyInfo, ...]
    types: tuple[TypeInfo, ...]
    type_weights: tuple[int, ...]
    outcomes: tuple[OutcomeInfo, ...]


def _answer(spec, variant: int, rng: random.Random, today: date) -> object | None:
    """A valid answer for one form field; None leaves an optional field blank."""
    if not spec.required and variant > 0 and spec.name != "assessor_gphc":
        return None
    if spec.kind == "date":
        return today.isoformat()
    if spec.kind == "integer":
        low = spec.min_value if spec.min_value is not None else 10
        high = spec.max_value if spec.max_value is not None else low + 50
        return rng.randint(low, high)
    if spec.kind == "choice":
        values = [c.value for c in spec.choices]
        if spec.name == "assessor_role":
            return "pharmacist"
        if set(RATINGS) <= set(values):
            return rng.choice(RATINGS)
        if "yes" in values:
            return "yes" if rng.random() < 0.9 else values[-1]
        return rng.choice(values)
    if spec.kind == "long_text":
        return words.LONG_SENTENCES[(variant * 3 + rng.randrange(8)) % len(words.LONG_SENTENCES)]
    if spec.name == "assessor_name":
        return "Assessor"
    if spec.name == "assessor_gphc":
        return "2000000"
    if spec.name == "procedure":
        return rng.choice(("Checking inhaler technique", "Measuring blood pressure"))
    return words.SETTINGS[variant % len(words.SETTINGS)]


def _variants(form: FormDefinition, rng: random.Random, today: date) -> tuple[dict, ...]:
    """Cleaned answers (title and date apart) that the form's own validation accepts."""
    found = []
    for variant in range(VARIANTS_PER_TYPE):
        answers: dict[str, object] = {}
        for spec in form.fields:
            if spec.name in ("title", "occurred_on"):
                continue
            value = _answer(spec, variant, rng, today)
            if value is not None:
                answers[spec.name] = value
        cleaned = clean_answers(
            form, {**answers, "title": words.EVIDENCE_TITLES[0], "occurred_on": today}, today=today
        )
        texts = [
            (spec.name, cleaned[spec.name])
            for spec in form.fields
            if spec.kind in ("text", "long_text") and spec.name in cleaned
        ]
        guard_patient_data(texts, confirmed=False, today=today)
        found.append({k: v for k, v in cleaned.items() if k not in ("title", "occurred_on")})
    return tuple(found)


def load_framework(framework_id: int, rng: random.Random, today: date) -> FrameworkInfo:
    competencies = tuple(
        CompetencyInfo(c.id, c.code, c.title, Rule.of(c))
        for c in db.session.scalars(
            select(Competency)
            .join(Domain, Domain.id == Competency.domain_id)
            .where(Competency.framework_id == framework_id)
            .order_by(Domain.position, Competency.position)
        )
    )
    types = []
    for t in db.session.scalars(
        select(EvidenceType)
        .where(EvidenceType.framework_id == framework_id)
        .order_by(EvidenceType.position)
    ):
        form = form_for(t.code)
        types.append(
            TypeInfo(t.id, t.code, t.observed, form.has_assessor, _variants(form, rng, today))
        )
    outcomes = tuple(
        OutcomeInfo(s.code, s.label, s.proficient)
        for s in db.session.scalars(
            select(ScaleValue)
            .where(ScaleValue.framework_id == framework_id)
            .order_by(ScaleValue.position)
        )
    )
    return FrameworkInfo(
        framework_id,
        competencies,
        tuple(types),
        tuple(COMMON_TYPES.get(t.code, 2) for t in types),
        outcomes,
    )


# --- One trainee ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    gphc: str | None = None


@dataclass(frozen=True)
class TraineePlan:
    trainee: Person
    enrolment_id: int
    supervisor: Person
    started_on: date
    progress: float  # the share of competencies signed off, 0 to 1


@dataclass
class _Version:
    id: int
    number: int
    fields: dict[str, object]
    sha: str
    created_at: datetime
    submitted_at: datetime | None
    review: tuple[str, datetime] | None  # (decision, when)


@dataclass
class _Item:
    id: int
    type: TypeInfo
    title: str
    occurred_on: date
    links: list[tuple[CompetencyInfo, str]]
    versions: list[_Version] = field(default_factory=list)

    @property
    def accepted(self) -> _Version | None:
        """The version last accepted: it counts towards sign-off whatever came after."""
        return next(
            (v for v in reversed(self.versions) if v.review and v.review[0] == "accepted"), None
        )


def _at(day: date, rng: random.Random) -> datetime:
    """A moment in the working day of `day`, in UTC, to the second."""
    return datetime.combine(day, time(8), UTC) + timedelta(seconds=rng.randrange(10 * 3600))


def _later(moment: datetime, rng: random.Random, low_hours: float, high_hours: float) -> datetime:
    return moment + timedelta(seconds=rng.randrange(int(low_hours * 3600), int(high_hours * 3600)))


class PortfolioWriter:
    """Writes each planned trainee's evidence, reviews, sign-offs and sessions to `rows`."""

    def __init__(
        self,
        rows: BulkWriter,
        framework: FrameworkInfo,
        rng: random.Random,
        *,
        today: date,
        evidence_per_trainee: int,
    ) -> None:
        self.rows = rows
        self.framework = framework
        self.rng = rng
        self.today = today
        # Every generated moment is before the start of today (UTC), less an hour.
        self.now = datetime.combine(today, time(0), UTC) - timedelta(hours=1)
        self.evidence_per_trainee = evidence_per_trainee
        self.scenarios = [s for s, _ in SCENARIOS]
        self.scenario_weights = [w for _, w in SCENARIOS]
        sample = 999_999_999
        self.evidence_link = notifications.path_for(
            "trainee.evidence_detail", "/portfolio/", evidence_id=sample
        ).replace(str(sample), "{}")
        self.sign_off_link = notifications.path_for(
            "supervisor.sign_off_detail", sign_off_id=sample
        ).replace(str(sample), "{}")
        self.record_link = (
            notifications.path_for("supervisor.record", enrolment_id=sample).replace(
                str(sample), "{}"
            )
            + "#sessions"
        )

    # --- Evidence ------------------------------------------------------------------

    def write(self, plan: TraineePlan) -> None:
        items = [self._item(plan) for _ in range(self.evidence_per_trainee)]
        items.sort(key=lambda item: item.versions[0].created_at)
        for item in items:
            self._write_item(plan, item)
        self._write_sign_offs(plan, items)
        self._write_sessions(plan)

    def _item(self, plan: TraineePlan) -> _Item:
        rng = self.rng
        scenario = rng.choices(self.scenarios, self.scenario_weights)[0]
        kind = rng.choices(self.framework.types, self.framework.type_weights)[0]
        count = rng.choices([n for n, _ in LINK_COUNTS], [w for _, w in LINK_COUNTS])[0]
        chosen = rng.sample(self.framework.competencies, count)
        links = [(c, rng.choice(words.LINK_NOTES)) for c in chosen]
        title = rng.choice(words.EVIDENCE_TITLES)

        days_since_start = max((self.today - plan.started_on).days, 1)
        if scenario in ("submitted", "revised_submitted"):
            occurred_on = self.today - timedelta(
                days=rng.randint(3, max(3, min(40, days_since_start)))
            )
        elif scenario == "draft":
            occurred_on = self.today - timedelta(
                days=rng.randint(1, max(1, min(45, days_since_start)))
            )
        else:
            occurred_on = plan.started_on + timedelta(days=rng.randrange(days_since_start))
        created = _at(occurred_on, rng) + timedelta(days=rng.randint(0, 2))

        # The moments of each step, in order: (version number, event, when).
        steps: list[tuple[int, str, datetime]] = [(1, "created", created)]

        def step(number: int, event: str, low: float, high: float) -> None:
            steps.append((number, event, _later(steps[-1][2], rng, low, high)))

        if scenario != "draft":
            step(1, "submitted", 1, 72)
        if scenario in ("accepted", "accepted_then_edited"):
            step(1, "accepted", 12, 20 * 24)
        if scenario.startswith("revised") or scenario == "changes_requested":
            step(1, "changes_requested", 12, 14 * 24)
        if scenario.startswith("revised") or scenario == "accepted_then_edited":
            step(2, "created", 12, 7 * 24)
        if scenario.startswith("revised"):
            step(2, "submitted", 1, 48)
        if scenario == "revised_accepted":
            step(2, "accepted", 12, 10 * 24)
        overrun = steps[-1][2] - self.now
        if overrun > timedelta(0):
            steps = [(n, event, when - overrun) for n, event, when in steps]
            occurred_on = min(occurred_on, steps[0][2].date())

        item = _Item(self.rows.next_id(Evidence.__table__), kind, title, occurred_on, links)
        variants = kind.variants
        first_variant = rng.randrange(len(variants))
        for number in sorted({n for n, _, _ in steps}):
            mine = {event: when for n, event, when in steps if n == number}
            fields = dict(variants[(first_variant + number - 1) % len(variants)])
            if kind.has_assessor:
                fields["assessor_name"] = plan.supervisor.name
                fields["assessor_gphc"] = plan.supervisor.gphc
                fields["assessed_on"] = occurred_on.isoformat()
            decision = next((e for e in ("accepted", "changes_requested") if e in mine), None)
            item.versions.append(
                _Version(
                    id=self.rows.next_id(EvidenceVersion.__table__),
                    number=number,
                    fields=fields,
                    sha=content_digest(
                        kind.code,
                        title,
                        occurred_on,
                        fields,
                        [(c.code, note) for c, note in links],
                        [],
                    ),
                    created_at=mine["created"],
                    submitted_at=mine.get("submitted"),
                    review=(decision, mine[decision]) if decision else None,
                )
            )
        return item

    def _write_item(self, plan: TraineePlan, item: _Item) -> None:
        rows, rng = self.rows, self.rng
        current = item.versions[-1]
        if current.review is not None:
            status = current.review[0]
        elif current.submitted_at is not None:
            status = "submitted"
        else:
            status = "draft"
        moments = [v.created_at for v in item.versions]
        moments += [v.submitted_at for v in item.versions if v.submitted_at]
        moments += [v.review[1] for v in item.versions if v.review]
        submissions = [v.submitted_at for v in item.versions if v.submitted_at]
        rows.add(
            Evidence.__table__,
            {
                "id": item.id,
                "enrolment_id": plan.enrolment_id,
                "evidence_type_id": item.type.id,
                "title": item.title,
                "occurred_on": item.occurred_on,
                "status": status,
                "current_version_number": current.number,
                "accepted_version_number": item.accepted.number if item.accepted else None,
                "created_at": item.versions[0].created_at,
                "updated_at": max(moments),
                "submitted_at": max(submissions) if submissions else None,
            },
        )
        for version in item.versions:
            rows.add(
                EvidenceVersion.__table__,
                {
                    "id": version.id,
                    "evidence_id": item.id,
                    "number": version.number,
                    "title": item.title,
                    "occurred_on": item.occurred_on,
                    "fields": version.fields,
                    "content_sha256": version.sha,
                    "created_at": version.created_at,
                    "created_by_id": plan.trainee.id,
                    "submitted_at": version.submitted_at,
                },
            )
            for competency, note in item.links:
                rows.add(
                    EvidenceLink.__table__,
                    {
                        "id": rows.next_id(EvidenceLink.__table__),
                        "evidence_version_id": version.id,
                        "competency_id": competency.id,
                        "note": note,
                    },
                )
            if version.review is None:
                continue
            decision, when = version.review
            comment = rng.choice(
                words.ACCEPTED_COMMENTS if decision == "accepted" else words.CHANGE_REQUESTS
            )
            rows.add(
                Review.__table__,
                {
                    "id": rows.next_id(Review.__table__),
                    "evidence_id": item.id,
                    "evidence_version_id": version.id,
                    "version_number": version.number,
                    "content_sha256": version.sha,
                    "reviewer_id": plan.supervisor.id,
                    "decision": decision,
                    "comment": comment,
                    "created_at": when,
                },
            )
            text = (
                f"Your supervisor accepted “{item.title}”."
                if decision == "accepted"
                else f"Your supervisor asked for changes to “{item.title}”."
            )
            self._notify(
                plan.trainee,
                "evidence_accepted" if decision == "accepted" else "changes_requested",
                text,
                self.evidence_link.format(item.id),
                when,
            )

    def _notify(self, person: Person, kind: str, text: str, link: str, when: datetime) -> None:
        read_at = None
        if when < self.now - timedelta(days=UNREAD_DAYS):
            read_at = _later(when, self.rng, 1, 72)
        self.rows.add(
            Notification.__table__,
            {
                "id": self.rows.next_id(Notification.__table__),
                "user_id": person.id,
                "kind": kind,
                "text": text[: notifications.TEXT_MAX],
                "link": link,
                "created_at": when,
                "read_at": read_at,
            },
        )

    # --- Sign-offs ---------------------------------------------------------------------

    def _write_sign_offs(self, plan: TraineePlan, items: list[_Item]) -> None:
        """Sign off about `plan.progress` of the competencies, those the evidence supports first."""
        rng = self.rng
        accepted: dict[int, list[tuple[_Item, _Version]]] = defaultdict(list)
        for item in items:
            if item.accepted is not None:
                for competency, _note in item.links:
                    accepted[competency.id].append((item, item.accepted))
        competencies = list(self.framework.competencies)

        def gaps(c: CompetencyInfo) -> list[str]:
            return missing_for(
                c.rule,
                [AcceptedItem(i.id, i.type.id, i.type.observed) for i, _ in accepted[c.id]],
            )

        ranked = sorted(competencies, key=lambda c: (len(gaps(c)) > 0, rng.random()))
        count = round(len(competencies) * plan.progress)
        proficient = [o for o in self.framework.outcomes if o.proficient]
        for competency in ranked[:count]:
            relied = sorted(accepted[competency.id], key=lambda pair: pair[0].id)
            missing = gaps(competency)
            latest = max(
                [datetime.combine(plan.started_on, time(9), UTC)]
                + [v.review[1] for _, v in relied if v.review]
            )
            signed_at = min(_later(latest, rng, 24, 30 * 24), self.now)
            outcome = proficient[-1] if rng.random() < 0.15 else proficient[0]
            record = SimpleNamespace(
                id=self.rows.next_id(SignOff.__table__),
                enrolment_id=plan.enrolment_id,
                competency_id=competency.id,
                sequence=1,
                competency_code=competency.code,
                outcome_code=outcome.code,
                outcome_label=outcome.label,
                proficient=outcome.proficient,
                comment=rng.choice(words.SIGN_OFF_COMMENTS),
                override_justification=rng.choice(words.OVERRIDE_REASONS) if missing else None,
                unmet_rule=list(missing),
                signer_id=plan.supervisor.id,
                signer_name=plan.supervisor.name,
                signer_gphc_number=plan.supervisor.gphc,
                trainee_name=plan.trainee.name,
                statement=signoffs.declaration(plan.trainee.name, competency, outcome),
                evidence_versions=[
                    {
                        "evidence_id": i.id,
                        "version_id": v.id,
                        "version": v.number,
                        "content_sha256": v.sha,
                    }
                    for i, v in relied
                ],
                signed_at=signed_at,
            )
            record.record_sha256 = signoffs.sign_off_digest(record)  # type: ignore[arg-type]
            self.rows.add(SignOff.__table__, vars(record))
            self._notify(
                plan.trainee,
                "signed_off",
                f"{plan.supervisor.name} signed off {competency.code} {competency.title}: "
                f"{outcome.label}.",
                self.sign_off_link.format(record.id),
                signed_at,
            )

    # --- Supervision sessions ---------------------------------------------------------------

    def _write_sessions(self, plan: TraineePlan) -> None:
        rng = self.rng
        month = plan.started_on.replace(day=1)
        last_day = self.today - timedelta(days=1)
        while month <= last_day:
            first = max(month, plan.started_on)
            last = min(add_months(month, 1) - timedelta(days=1), last_day)
            if first <= last and rng.random() < SESSION_CHANCE:
                held_on = first + timedelta(days=rng.randint(0, (last - first).days))
                recorded_at = min(_at(held_on, rng), self.now)
                self.rows.add(
                    SupervisionSession.__table__,
                    {
                        "id": self.rows.next_id(SupervisionSession.__table__),
                        "enrolment_id": plan.enrolment_id,
                        "supervisor_id": plan.supervisor.id,
                        "held_on": held_on,
                        "duration_minutes": rng.choice((30, 45, 60, 60, 90)),
                        "topics": rng.choice(words.SESSION_TOPICS),
                        "agreed_actions": rng.choice(words.SESSION_ACTIONS),
                        "recorded_at": recorded_at,
                    },
                )
                self._notify(
                    plan.trainee,
                    "session_recorded",
                    f"{plan.supervisor.name} recorded your supervision session of "
                    f"{held_on.day} {held_on:%B %Y}.",
                    self.record_link.format(plan.enrolment_id),
                    recorded_at,
                )
            month = add_months(month, 1)
