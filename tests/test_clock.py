""" "Today" is the UK calendar date, one rule for every page and service."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.services.clock import uk_today


@pytest.mark.parametrize(
    ("now", "day"),
    [
        # British Summer Time: 23:30 UTC is already 00:30 the next day in the UK.
        (datetime(2026, 6, 30, 23, 30, tzinfo=UTC), date(2026, 7, 1)),
        # Winter: the UK is on UTC, so the date does not move.
        (datetime(2026, 12, 30, 23, 30, tzinfo=UTC), date(2026, 12, 30)),
        (datetime(2026, 6, 30, 22, 59, tzinfo=UTC), date(2026, 6, 30)),
    ],
)
def test_today_is_the_uk_calendar_date_near_midnight(now, day):
    assert uk_today(now) == day


def test_registration_pages_use_uk_today_not_utc():
    """The registration views once took "today" from UTC; no view module keeps its own."""
    from app.registration import common

    assert not hasattr(common, "today")
