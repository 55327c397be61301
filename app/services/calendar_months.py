"""Calendar-month arithmetic for the GPhC's date rules (no third-party date library).

Adding months can land on a day the target month lacks (31 Dec - 2 months -> "31 Oct"
exists, but 30 Apr - 2 months -> "30 Feb" does not). Which way to resolve it depends on
the rule, and the choice must never let a rule pass early:

- `add_months` clamps to the month's last day (30 Apr - 2 months = 28/29 Feb). Used for
  deadlines and warning windows: the result is never later than the true date, so a
  deadline is never late and a warning never starts late.
- `add_months_rolling` rolls on to the 1st of the next month (29 Feb 2024 + 12 months =
  1 Mar 2025). Used for minimum periods (2 years of training): the result is never
  earlier than the true date, so nobody reaches a minimum early.
"""

from __future__ import annotations

import calendar
from datetime import date


def _shift(day: date, months: int) -> tuple[int, int, int]:
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    month = month0 + 1
    return year, month, calendar.monthrange(year, month)[1]


def add_months(day: date, months: int) -> date:
    """`day` moved by `months` (negative to go back), clamped to the target month's end."""
    year, month, last = _shift(day, months)
    return date(year, month, min(day.day, last))


def add_months_rolling(day: date, months: int) -> date:
    """`day` moved by `months`; a day the target month lacks becomes the next month's 1st."""
    year, month, last = _shift(day, months)
    if day.day <= last:
        return date(year, month, day.day)
    return add_months(date(year, month, 1), 1)
