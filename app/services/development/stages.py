"""The trainee's stage on the pathway: entry, intermediate, advanced.

A supervisor of the trainee, or a lead over them, records the day the trainee began a
stage. Stages only move forward: each is recorded once, later in the pathway than the
stages already recorded and beginning on or after the latest of them (a trainee may join
at a later stage, so earlier ones need not be recorded). The day is in the training
period so far: not before the training started, not after today. The current stage is
the latest recorded; it lasts until the next one begins.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models.development import PATHWAY_STAGES, PathwayStage
from app.models.enrolments import Enrolment
from app.models.users import User
from app.services.audit import chain as audit
from app.services.development.access import may_oversee, refuse_unless_current
from app.services.errors import DomainError
from app.services.notifications import messages as notifications
from app.services.supervision import access as supervision_access

STAGE_LABELS = {"entry": "Entry", "intermediate": "Intermediate", "advanced": "Advanced"}


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


@dataclass(frozen=True)
class CurrentStage:
    stage: str
    started_on: date

    @property
    def label(self) -> str:
        return STAGE_LABELS[self.stage]

    @property
    def words(self) -> str:
        """The stage and since when, as a summary or a PDF writes it."""
        return f"{self.label}, since {_day(self.started_on)}"


def stages_for(enrolment_id: int) -> list[PathwayStage]:
    """The stages recorded, in the order the trainee reached them."""
    return list(
        db.session.scalars(
            select(PathwayStage)
            .where(PathwayStage.enrolment_id == enrolment_id)
            .options(joinedload(PathwayStage.recorded_by))
            .order_by(PathwayStage.started_on, PathwayStage.id)
        )
    )


def current_of(stages: list[PathwayStage]) -> CurrentStage | None:
    if not stages:
        return None
    latest = max(stages, key=lambda s: PATHWAY_STAGES.index(s.stage))
    return CurrentStage(latest.stage, latest.started_on)


def current_stages(enrolment_ids: Iterable[int] | Select) -> dict[int, CurrentStage]:
    """Each enrolment's current stage (absent: none recorded), in one query (three rows at
    most per enrolment)."""
    rows = db.session.execute(
        select(PathwayStage.enrolment_id, PathwayStage.stage, PathwayStage.started_on).where(
            PathwayStage.enrolment_id.in_(enrolment_ids)
        )
    )
    found: dict[int, CurrentStage] = {}
    for enrolment_id, stage, started_on in rows:
        known = found.get(enrolment_id)
        if known is None or PATHWAY_STAGES.index(stage) > PATHWAY_STAGES.index(known.stage):
            found[enrolment_id] = CurrentStage(stage, started_on)
    return found


def _refuse_out_of_order(recorded: list[PathwayStage], stage: str, started_on: date) -> None:
    """Each stage once, later in the pathway than those recorded, and not before the latest."""
    label = STAGE_LABELS[stage].lower()
    for earlier in recorded:
        if earlier.stage == stage:
            raise DomainError(
                f"The {label} stage is already recorded, from {_day(earlier.started_on)}", "stage"
            )
    current = current_of(recorded)
    if current is None:
        return
    if PATHWAY_STAGES.index(stage) < PATHWAY_STAGES.index(current.stage):
        raise DomainError(
            f"The trainee is at the {current.label.lower()} stage: stages only move forward",
            "stage",
        )
    if started_on < current.started_on:
        raise DomainError(
            f"The {label} stage cannot begin before the {current.label.lower()} "
            f"stage did ({_day(current.started_on)})",
            "started_on",
        )


def record_stage(
    enrolment: Enrolment,
    *,
    actor: User,
    stage: str | None,
    started_on: date | None,
    today: date,
) -> PathwayStage:
    """The day the trainee began `stage`, recorded by their supervisor or a lead."""
    supervision_access.refuse_self_supervision(actor.id, enrolment.trainee_id)
    if not may_oversee(actor, enrolment):
        raise DomainError(
            "Only the trainee's supervisors or an education lead over them can record their stage"
        )
    refuse_unless_current(enrolment, "its pathway stage can no longer change")
    if stage not in PATHWAY_STAGES:
        raise DomainError("Choose the stage the trainee has begun", "stage")
    if started_on is None:
        raise DomainError("Enter the date the stage began", "started_on")
    if started_on > today:
        raise DomainError("The date the stage began must be today or in the past", "started_on")
    if started_on < enrolment.started_on:
        raise DomainError(
            f"The date the stage began must be on or after the training started "
            f"({_day(enrolment.started_on)})",
            "started_on",
        )
    _refuse_out_of_order(stages_for(enrolment.id), stage, started_on)
    label = STAGE_LABELS[stage]
    row = PathwayStage(
        enrolment_id=enrolment.id, stage=stage, started_on=started_on, recorded_by_id=actor.id
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "pathway_stage.recorded",
        "pathway_stage",
        row.id,
        actor=actor,
        data={"enrolment_id": enrolment.id, "stage": stage, "started_on": started_on.isoformat()},
    )
    notifications.notify(
        enrolment.trainee,
        "pathway_stage_recorded",
        f"{actor.name} recorded that you began the {label.lower()} stage on {_day(started_on)}.",
        notifications.path_for("trainee.development"),
    )
    return row
