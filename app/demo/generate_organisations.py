"""The generated region's organisations: training hubs, each with its PCNs and their
practices, and the start dates of each hub's cohorts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime

from app.demo import texts as words
from app.demo.bulk_insert import BulkWriter
from app.demo.generate_people import Names
from app.models.organisations import Organisation
from app.services.calendar_months import add_months

REGION_NAME = "Demonstration Region"
COHORTS_PER_HUB = 2
PCNS_PER_HUB = 6
PRACTICES_PER_PCN = 5


@dataclass
class Hub:
    id: int
    number: int
    place: str
    practices: list[int]
    cohort_starts: list[date]


class OrganisationWriter:
    """Writes the region, its hubs, PCNs and practices as organisation rows."""

    def __init__(
        self,
        rows: BulkWriter,
        rng: random.Random,
        names: Names,
        *,
        today: date,
        created_at: datetime,
    ) -> None:
        self.rows = rows
        self.rng = rng
        self.names = names
        self.today = today
        self.created_at = created_at

    def organisation(self, name: str, kind: str, parent_id: int | None, ods: str | None) -> int:
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

    def region(self, hub_count: int) -> tuple[int, list[Hub]]:
        region = self.organisation(REGION_NAME, "region", None, None)
        hubs = []
        practice_number = 0
        for h in range(hub_count):
            place = self.names.place(h)
            hub_id = self.organisation(f"{place} Training Hub", "training-hub", region, None)
            practices = []
            for p in range(PCNS_PER_HUB):
                pcn_place = self.names.place(hub_count + h * PCNS_PER_HUB + p)
                pcn_id = self.organisation(f"{pcn_place} PCN", "pcn", hub_id, None)
                for _ in range(PRACTICES_PER_PCN):
                    practice_number += 1
                    name = (
                        f"{self.rng.choice(words.STREETS)} Street "
                        f"{self.rng.choice(words.PRACTICE_KINDS)}, {pcn_place}"
                    )
                    ods = f"Z{practice_number:05d}"
                    practices.append(self.organisation(name, "practice", pcn_id, ods))
            # Each hub's intakes are six months apart; the older started a year or more ago.
            older = add_months(self.today.replace(day=1), -(12 + h % 5))
            starts = [add_months(older, 6 * c) for c in range(COHORTS_PER_HUB)]
            hubs.append(Hub(hub_id, h + 1, place, practices, starts))
        return region, hubs
