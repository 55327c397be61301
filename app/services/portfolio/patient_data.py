"""Spotting patient identifiers in evidence text before it is saved.

Portfolios are about the trainee, never a patient. A valid NHS number blocks saving:
ten digits whose check digit is right are almost never there by accident. A full UK
postcode, or a date that looks like a date of birth next to a name, only warns,
because ordinary text can look like them. Messages never repeat what was found.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date

# Spaces, non-breaking spaces, hyphens and dashes, as people and word processors write them.
_SEPARATORS = "[ \u00a0\u2010-\u2013-]"
_SEPARATOR = _SEPARATORS + "?"
NHS_NUMBER = re.compile(rf"(?<!\d)(\d{{3}}){_SEPARATOR}(\d{{3}}){_SEPARATOR}(\d{{4}})(?!\d)")
# Outward code, then the inward code (whose two letters never use C, I, K, M, O or V).
POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE
)
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH_NAMES = "|".join([*MONTHS, *(m[:3] for m in MONTHS), "sept"])
DATE = re.compile(
    r"\b(?:(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})"
    rf"|(\d{{1,2}})(?:st|nd|rd|th)? ({_MONTH_NAMES})\.? (\d{{4}}))\b",
    re.IGNORECASE,
)
DOB_MARKER = re.compile(r"(?:\bd\.?o\.?b\.?|date of birth|\bborn(?: on)?)\W*$", re.IGNORECASE)
_TITLE = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Master)\.?"
# Smith, O'Neil, McDonald, Smith-Jones.
_CAPITALISED = r"[A-Z](?:[a-z]+|['\u2019][A-Z][a-z]+)(?:[A-Z][a-z]+)?(?:-[A-Z][a-z]+)?"
NAME = re.compile(rf"\b(?:{_TITLE} {_CAPITALISED}|{_CAPITALISED} {_CAPITALISED})\b")
# Capitalised words that are not names, yet sit next to dates all the time.
NOT_NAMES = frozenset(
    [m.capitalize() for m in MONTHS]
    + ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
)
# How close (in characters) a name must be to a date for the pair to look like a person.
NAME_WINDOW = 40
# Dates at least this many years back look like birth dates rather than activity dates.
DOB_MIN_YEARS_AGO = 3


@dataclass(frozen=True)
class Finding:
    field: str
    kind: str  # nhs-number | postcode | date-of-birth
    message: str
    blocking: bool


def is_valid_nhs_number(number: str) -> bool:
    """True for ten digits (spaces and dashes ignored) whose modulus-11 check digit is right."""
    digits = re.sub(_SEPARATORS, "", number)
    if not re.fullmatch(r"\d{10}", digits):
        return False
    total = sum(int(d) * weight for d, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    # A remainder giving 10 is never issued as an NHS number.
    return check != 10 and check == int(digits[9])


def nhs_numbers_in(text: str) -> list[str]:
    """Every valid NHS number written in `text` (3-3-4 grouped or not), as ten digits."""
    found = []
    for match in NHS_NUMBER.finditer(text):
        digits = "".join(match.groups())
        if is_valid_nhs_number(digits):
            found.append(digits)
    return found


def _dob_like(match: re.Match[str], text: str, today: date) -> bool:
    if match.group(1):
        day, month, year = int(match.group(1)), int(match.group(2)), match.group(3)
        if not (1 <= day <= 31 and 1 <= month <= 12):
            return False
        full_year = int(year) if len(year) == 4 else _expand_year(int(year), today)
    else:
        full_year = int(match.group(6))
    if DOB_MARKER.search(text[max(0, match.start() - 20) : match.start()]):
        return True
    return 1900 <= full_year <= today.year - DOB_MIN_YEARS_AGO


def _expand_year(two_digits: int, today: date) -> int:
    century = today.year - today.year % 100
    return (
        century + two_digits if century + two_digits <= today.year else century - 100 + two_digits
    )


def _name_near(text: str, start: int, end: int) -> bool:
    window = text[max(0, start - NAME_WINDOW) : end + NAME_WINDOW]
    for match in NAME.finditer(window):
        words = match.group(0).replace(".", "").split()
        if not any(word in NOT_NAMES for word in words):
            return True
    return False


def scan_text(text: str, field: str, *, today: date) -> list[Finding]:
    """Findings for one field's text: at most one of each kind."""
    findings = []
    if nhs_numbers_in(text):
        findings.append(
            Finding(
                field,
                "nhs-number",
                "This contains what looks like a patient's NHS number. Remove it: "
                "evidence must not identify a patient.",
                blocking=True,
            )
        )
    if POSTCODE.search(text):
        findings.append(
            Finding(
                field,
                "postcode",
                "This contains what looks like a full postcode. If it is a patient's "
                "address, remove it.",
                blocking=False,
            )
        )
    for match in DATE.finditer(text):
        if _dob_like(match, text, today) and _name_near(text, match.start(), match.end()):
            findings.append(
                Finding(
                    field,
                    "date-of-birth",
                    "This contains what looks like a name next to a date of birth. "
                    "If it is about a patient, remove them.",
                    blocking=False,
                )
            )
            break
    return findings


def _texts(value: object, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, inner in value.items():
            yield from _texts(inner, key if not path else f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, inner in enumerate(value):
            yield from _texts(inner, f"{path}.{index}")


def scan_fields(fields: Mapping[str, object], *, today: date) -> list[Finding]:
    """Findings for every text in `fields` (nested values are named `outer.inner`)."""
    findings: list[Finding] = []
    for path, text in _texts(fields, ""):
        findings.extend(scan_text(text, path, today=today))
    return findings
