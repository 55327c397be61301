"""Paused time: the one rule for how many days of a training were paused by a given day.

A pause covers the days from `paused_from` up to, not including, `ended_on` (the day the
training resumed, or was withdrawn); an open pause runs on to the day asked about, not
including it, the same way "days since the start" counts. So a pause resumed on the day
it began counts nothing, and one from 1 to 11 March counts 10 days. Overlapping pauses
never count a day twice. Paused days do not count towards expected progress: the
expected end moves later by the days paused (`adjusted_end`). Pure: no database.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import NamedTuple


class PauseSpan(NamedTuple):
    paused_from: date
    ended_on: date | None  # None: still paused


def paused_days(spans: Iterable[PauseSpan], day: date) -> int:
    """Days paused before `day` (half-open, like `(day - started_on).days`)."""
    total = 0
    counted_to = date.min  # every day before this one is counted already
    # By start; of two starting on one day, the one that ends first (an open one last).
    for span in sorted(spans, key=lambda span: (span.paused_from, span.ended_on or date.max)):
        start = max(span.paused_from, counted_to)
        stop = min(span.ended_on or day, day)
        if stop > start:
            total += (stop - start).days
            counted_to = stop
    return total


def adjusted_end(expected_end_on: date, days_paused: int) -> date:
    """The expected end date moved later by the days paused."""
    return expected_end_on + timedelta(days=days_paused)


def expected_days(
    started_on: date, expected_end_on: date, day: date, days_paused: int
) -> tuple[int, int]:
    """Where a straight line from the start to the planned end stands on `day`, held flat
    while the training was paused: (days of training so far, planned length in days).
    The days so far are the days since the start less the days paused, within 0 and the
    planned length; a length of 0 or less means the whole training is expected."""
    duration = (expected_end_on - started_on).days
    if duration <= 0:
        return 1, 1
    return min(max((day - started_on).days - days_paused, 0), duration), duration
