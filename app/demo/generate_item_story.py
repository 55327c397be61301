"""One generated evidence item's story: which scenario it follows (accepted, sent back,
revised, left in draft...), the moments of each step, and the versions that result, each
with the content digest of exactly what it holds.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from app.demo import texts as words
from app.demo.bulk_insert import BulkWriter
from app.demo.generate_framework import CompetencyInfo, FrameworkInfo, TypeInfo
from app.demo.generate_people import Person
from app.models.evidence import Evidence, EvidenceVersion
from app.services.portfolio.assessment_forms import form_for
from app.services.portfolio.assessment_scales import Assessment, assessment_of
from app.services.portfolio.assessors import NUMBER_FIELD
from app.services.portfolio.content import content_digest

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
LINK_COUNTS = ((1, 40), (2, 40), (3, 20))


@dataclass
class PlannedVersion:
    id: int
    number: int
    fields: dict[str, object]
    sha: str
    created_at: datetime
    submitted_at: datetime | None
    review: tuple[str, datetime] | None  # (decision, when)
    judgement: str | None = None
    rating_level: int | None = None


@dataclass
class PlannedItem:
    id: int
    type: TypeInfo
    title: str
    occurred_on: date
    links: list[tuple[CompetencyInfo, str]]
    versions: list[PlannedVersion] = field(default_factory=list)

    @property
    def accepted(self) -> PlannedVersion | None:
        """The version last accepted: it counts towards sign-off whatever came after."""
        return next(
            (v for v in reversed(self.versions) if v.review and v.review[0] == "accepted"), None
        )


def at_work(day: date, rng: random.Random) -> datetime:
    """A moment in the working day of `day`, in UTC, to the second."""
    return datetime.combine(day, time(8), UTC) + timedelta(seconds=rng.randrange(10 * 3600))


def later(moment: datetime, rng: random.Random, low_hours: float, high_hours: float) -> datetime:
    return moment + timedelta(seconds=rng.randrange(int(low_hours * 3600), int(high_hours * 3600)))


class ItemPlanner:
    """Plans each item of a run: its scenario, type, links, the moments of its steps."""

    def __init__(
        self,
        rows: BulkWriter,
        framework: FrameworkInfo,
        rng: random.Random,
        *,
        today: date,
        now: datetime,
    ) -> None:
        self.rows = rows
        self.framework = framework
        self.rng = rng
        self.today = today
        self.now = now
        self.scenarios = [s for s, _ in SCENARIOS]
        self.scenario_weights = [w for _, w in SCENARIOS]
        self._assessments: dict[tuple[int, int], Assessment] = {}

    def _assessment(self, kind: TypeInfo, variant: int) -> Assessment:
        """The judgement and rating of a type's answer variant, worked out once: it reads
        only the variant's choices, not the assessor's name, number and date each item adds."""
        key = (kind.id, variant)
        if key not in self._assessments:
            form = form_for(kind.code, observed=kind.observed)
            self._assessments[key] = assessment_of(form, kind.variants[variant])
        return self._assessments[key]

    def plan(self, started_on: date, supervisor: Person) -> PlannedItem:
        """One item of a trainee who started on `started_on`, assessed by `supervisor`."""
        rng = self.rng
        scenario = rng.choices(self.scenarios, self.scenario_weights)[0]
        kind = rng.choices(self.framework.types, self.framework.type_weights)[0]
        count = rng.choices([n for n, _ in LINK_COUNTS], [w for _, w in LINK_COUNTS])[0]
        chosen = rng.sample(self.framework.competencies, count)
        links = [(c, rng.choice(words.LINK_NOTES)) for c in chosen]
        title = rng.choice(words.EVIDENCE_TITLES)
        occurred_on = self._occurred_on(scenario, started_on)
        created = at_work(occurred_on, rng) + timedelta(days=rng.randint(0, 2))
        steps = self._steps(scenario, created)
        overrun = steps[-1][2] - self.now
        if overrun > timedelta(0):
            steps = [(n, event, when - overrun) for n, event, when in steps]
            occurred_on = min(occurred_on, steps[0][2].date())
        item = PlannedItem(self.rows.next_id(Evidence.__table__), kind, title, occurred_on, links)
        self._add_versions(item, steps, supervisor)
        return item

    def _occurred_on(self, scenario: str, started_on: date) -> date:
        rng = self.rng
        days_since_start = max((self.today - started_on).days, 1)
        if scenario in ("submitted", "revised_submitted"):
            return self.today - timedelta(days=rng.randint(3, max(3, min(40, days_since_start))))
        if scenario == "draft":
            return self.today - timedelta(days=rng.randint(1, max(1, min(45, days_since_start))))
        return started_on + timedelta(days=rng.randrange(days_since_start))

    def _steps(self, scenario: str, created: datetime) -> list[tuple[int, str, datetime]]:
        """The moments of each step, in order: (version number, event, when)."""
        rng = self.rng
        steps: list[tuple[int, str, datetime]] = [(1, "created", created)]

        def step(number: int, event: str, low: float, high: float) -> None:
            steps.append((number, event, later(steps[-1][2], rng, low, high)))

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
        return steps

    def _add_versions(
        self, item: PlannedItem, steps: list[tuple[int, str, datetime]], supervisor: Person
    ) -> None:
        kind = item.type
        variants = kind.variants
        first_variant = self.rng.randrange(len(variants))
        for number in sorted({n for n, _, _ in steps}):
            mine = {event: when for n, event, when in steps if n == number}
            variant = (first_variant + number - 1) % len(variants)
            fields = dict(variants[variant])
            if kind.has_assessor:
                fields["assessor_name"] = supervisor.name
                fields[NUMBER_FIELD] = supervisor.gphc
                fields["assessed_on"] = item.occurred_on.isoformat()
            judgement, rating_level = self._assessment(kind, variant)
            decision = next((e for e in ("accepted", "changes_requested") if e in mine), None)
            item.versions.append(
                PlannedVersion(
                    id=self.rows.next_id(EvidenceVersion.__table__),
                    number=number,
                    fields=fields,
                    sha=content_digest(
                        kind.code,
                        item.title,
                        item.occurred_on,
                        fields,
                        [(c.code, note) for c, note in item.links],
                        [],
                    ),
                    created_at=mine["created"],
                    submitted_at=mine.get("submitted"),
                    review=(decision, mine[decision]) if decision else None,
                    judgement=judgement,
                    rating_level=rating_level,
                )
            )
