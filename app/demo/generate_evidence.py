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
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace

from app.demo import texts as words
from app.demo.bulk_insert import BulkWriter
from app.demo.generate_framework import CompetencyInfo, FrameworkInfo, OutcomeInfo
from app.demo.generate_item_story import ItemPlanner, PlannedItem, PlannedVersion, at_work, later
from app.demo.generate_people import Person
from app.models.evidence import Evidence, EvidenceLink, EvidenceVersion
from app.models.notifications import Notification
from app.models.reviews import Review
from app.models.signoffs import SignOff
from app.models.supervision import SupervisionSession
from app.services.calendar_months import add_months
from app.services.frameworks.labels import framework_labels
from app.services.notifications import messages as notifications
from app.services.portfolio.sufficiency import AcceptedItem, missing_for
from app.services.supervision import signoffs

SESSION_CHANCE = 0.85  # a month with a supervision session
UNREAD_DAYS = 10  # notifications newer than this are left unread
# --- One trainee ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TraineePlan:
    trainee: Person
    enrolment_id: int
    supervisor: Person
    started_on: date
    progress: float  # the share of competencies signed off, 0 to 1


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
        self.framework_name = framework_labels([framework.id])[framework.id]
        self.rng = rng
        self.today = today
        # Every generated moment is before the start of today (UTC), less an hour.
        self.now = datetime.combine(today, time(0), UTC) - timedelta(hours=1)
        self.evidence_per_trainee = evidence_per_trainee
        self.items = ItemPlanner(rows, framework, rng, today=today, now=self.now)
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
        items = [
            self.items.plan(plan.started_on, plan.supervisor)
            for _ in range(self.evidence_per_trainee)
        ]
        items.sort(key=lambda item: item.versions[0].created_at)
        for item in items:
            self._write_item(plan, item)
        self._write_sign_offs(plan, items)
        self._write_sessions(plan)

    def _write_item(self, plan: TraineePlan, item: PlannedItem) -> None:
        rows = self.rows
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
            self._write_version(plan, item, version)

    def _write_version(self, plan: TraineePlan, item: PlannedItem, version: PlannedVersion) -> None:
        """A version with its competency links, and its review with the notification it sent."""
        rows, rng = self.rows, self.rng
        rows.add(EvidenceVersion.__table__, _version_row(plan, item, version))
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
            return
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
            read_at = later(when, self.rng, 1, 72)
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

    def _write_sign_offs(self, plan: TraineePlan, items: list[PlannedItem]) -> None:
        """Sign off about `plan.progress` of the competencies, those the evidence supports first."""
        rng = self.rng
        accepted: dict[int, list[tuple[PlannedItem, PlannedVersion]]] = defaultdict(list)
        for item in items:
            if item.accepted is not None:
                for competency, _note in item.links:
                    accepted[competency.id].append((item, item.accepted))
        competencies = list(self.framework.competencies)

        def gaps(c: CompetencyInfo) -> list[str]:
            return missing_for(
                c.rule,
                [
                    AcceptedItem(
                        i.id, i.type.id, i.type.observed, v.judgement, i.occurred_on, v.rating_level
                    )
                    for i, v in accepted[c.id]
                ],
            )

        ranked = sorted(competencies, key=lambda c: (len(gaps(c)) > 0, rng.random()))
        count = round(len(competencies) * plan.progress)
        proficient = [o for o in self.framework.outcomes if o.proficient]
        for competency in ranked[:count]:
            relied = sorted(accepted[competency.id], key=lambda pair: pair[0].id)
            self._write_sign_off(plan, competency, relied, gaps(competency), proficient)

    def _write_sign_off(
        self,
        plan: TraineePlan,
        competency: CompetencyInfo,
        relied: list[tuple[PlannedItem, PlannedVersion]],
        missing: list[str],
        proficient: list[OutcomeInfo],
    ) -> None:
        """One sign-off relying on the accepted versions, and the notification it sent."""
        rng = self.rng
        latest = max(
            [datetime.combine(plan.started_on, time(9), UTC)]
            + [v.review[1] for _, v in relied if v.review]
        )
        signed_at = min(later(latest, rng, 24, 30 * 24), self.now)
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
            signer_registration=None,  # bulk rows keep no snapshot, like older records
            trainee_name=plan.trainee.name,
            statement=signoffs.declaration(
                plan.trainee.name, competency, outcome, self.framework_name
            ),
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
                recorded_at = min(at_work(held_on, rng), self.now)
                self.rows.add(
                    SupervisionSession.__table__,
                    {
                        "id": self.rows.next_id(SupervisionSession.__table__),
                        "enrolment_id": plan.enrolment_id,
                        "supervisor_id": plan.supervisor.id,
                        "by_clinical_supervisor": True,  # the plan's supervisor is clinical
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


def _version_row(plan: TraineePlan, item: PlannedItem, version: PlannedVersion) -> dict:
    """The evidence_versions row of a planned version, as the evidence service writes it."""
    return {
        "id": version.id,
        "evidence_id": item.id,
        "number": version.number,
        "title": item.title,
        "occurred_on": item.occurred_on,
        "fields": version.fields,
        "judgement": version.judgement,
        "rating_level": version.rating_level,
        "content_sha256": version.sha,
        "created_at": version.created_at,
        "created_by_id": plan.trainee.id,
        "submitted_at": version.submitted_at,
    }
