"""Generated people: names from the seeded generator, each person's account with its one
role, and the GPhC registration and Level 3 qualification they hold.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.demo import texts as words
from app.demo.bulk_insert import BulkWriter
from app.models.registration import Qualification, Registration
from app.models.users import User, UserRole


@dataclass(frozen=True)
class Person:
    """A generated person as the portfolio writer names them."""

    id: int
    name: str
    gphc: str | None = None


class Names:
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


class PeopleWriter:
    """Writes accounts, registrations and qualifications as rows, all with one password hash."""

    def __init__(
        self,
        rows: BulkWriter,
        rng: random.Random,
        *,
        today: date,
        created_at: datetime,
        password_hash: str,
    ) -> None:
        self.rows = rows
        self.rng = rng
        self.today = today
        self.created_at = created_at
        self.password_hash = password_hash

    def user(self, email: str, name: str, org_id: int, role: str) -> int:
        user_id = self.rows.next_id(User.__table__)
        self.rows.add(
            User.__table__,
            {
                "id": user_id,
                "email": email,
                "name": name,
                "organisation_id": org_id,
                "password_hash": self.password_hash,
                "active": True,
                "session_version": 1,
                "created_at": self.created_at,
                "last_login_at": None,
            },
        )
        self.rows.add(UserRole.__table__, {"user_id": user_id, "role": role})
        return user_id

    def registration(
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

    def qualification(self, user_id: int, registered: bool, verified_by: int) -> None:
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
