"""What day it is for the people using the service: the UK calendar date.

Activity dates, deadlines and "today" on every page are UK dates, which differ from UTC's
for the hour after midnight in British Summer Time; this is the one place that says so.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

try:
    UK_TIME = ZoneInfo("Europe/London")
except ZoneInfoNotFoundError:  # pragma: no cover - systems without a time zone database
    UK_TIME = None


def uk_today(now: datetime | None = None) -> date:
    """The UK calendar date at `now` (an aware datetime; the current time when omitted)."""
    now = now or datetime.now(UTC)
    return now.astimezone(UK_TIME).date() if UK_TIME else now.astimezone(UTC).date()


def uk_day_start(day: date) -> datetime:
    """The moment (in UTC) the UK calendar day `day` begins."""
    start = datetime.combine(day, time(), tzinfo=UK_TIME or UTC)
    return start.astimezone(UTC)
