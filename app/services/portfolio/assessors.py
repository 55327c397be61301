"""Who assessed a piece of work: their name, their role, and the professional register
and number where the role has one.

An assessment names its assessor so a reader can check that a qualified person watched:
pharmacists and pharmacy technicians are on the GPhC register (7 digits), doctors on the
GMC's (7 digits), nurses on the NMC's (an 8-character PIN such as 12A3456E). Other roles
have no register we can name, so no number is kept for them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from app.services.errors import DomainError
from app.services.registration.gphc import normalise_gphc_number

ROLE_LABELS = {
    "pharmacist": "Pharmacist",
    "pharmacy-technician": "Pharmacy technician",
    "doctor": "Doctor (for example a GP)",
    "nurse": "Nurse",
    "other": "Other healthcare professional",
}
# The register each role's number is on; roles not listed have none.
ROLE_REGISTERS = {
    "pharmacist": "GPhC",
    "pharmacy-technician": "GPhC",
    "doctor": "GMC",
    "nurse": "NMC",
}
# Who holds each register's numbers, for messages.
REGISTER_HOLDERS = {"GPhC": "pharmacy professionals", "GMC": "doctors", "NMC": "nurses"}
NUMBER_FIELD = "assessor_registration_number"
# Answers saved before the number covered every register kept it under this name.
LEGACY_NUMBER_FIELD = "assessor_gphc"

_GMC = re.compile(r"[0-9]{7}")
_NMC = re.compile(r"[0-9]{2}[A-Z][0-9]{4}[A-Z]")


@dataclass(frozen=True)
class Assessor:
    name: str
    role: str
    register: str | None
    number: str | None

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def registration(self) -> str | None:
        """ "GMC 1234567", or None when the assessor has no register."""
        if self.register is None or not self.number:
            return None
        return f"{self.register} {self.number}"

    @classmethod
    def from_answers(cls, answers: Mapping[str, object]) -> Assessor | None:
        """The assessor a form's saved answers name, or None when they name nobody."""
        name = answers.get("assessor_name")
        if not isinstance(name, str) or not name:
            return None
        role = str(answers.get("assessor_role") or "other")
        number = answers.get(NUMBER_FIELD) or answers.get(LEGACY_NUMBER_FIELD)
        return cls(name, role, ROLE_REGISTERS.get(role), str(number) if number else None)


def register_for(role: str) -> str | None:
    return ROLE_REGISTERS.get(role)


def registration_number(role: str, raw: str) -> str:
    """The number as its register writes it (spaces removed), checked against the shape
    of the register the role is on; DomainError explains a number that cannot be right."""
    register = ROLE_REGISTERS.get(role)
    if register == "GPhC":
        return normalise_gphc_number(raw, role)
    number = re.sub(r"\s+", "", raw or "").upper()
    if register == "GMC" and not _GMC.fullmatch(number):
        raise DomainError("A GMC reference number is 7 digits, like 1234567", NUMBER_FIELD)
    if register == "NMC" and not _NMC.fullmatch(number):
        raise DomainError(
            "An NMC PIN is 8 characters: 2 digits, a letter, 4 digits and a letter, like 12A3456E",
            NUMBER_FIELD,
        )
    return number


def with_current_names(fields: Mapping[str, object]) -> dict[str, object]:
    """Saved answers under today's field names (an older version's assessor number was
    stored as `assessor_gphc`)."""
    current = dict(fields)
    if LEGACY_NUMBER_FIELD in current and NUMBER_FIELD not in current:
        current[NUMBER_FIELD] = current.pop(LEGACY_NUMBER_FIELD)
    return current
