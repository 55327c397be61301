"""The parsed competency framework: the frozen dataclasses the validator returns and the
importer writes, and the limits their fields obey.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FORMAT = "competency-framework/v1"
MAX_RULE_NUMBER = 1000
STATUSES = ("provisional", "published")

# Length caps match the database columns the importer writes to.
MAX_ID, MAX_VERSION, MAX_LABEL, MAX_TITLE = 50, 50, 200, 300
MAX_URL, MAX_INDICATOR, MAX_DESCRIPTION = 500, 1000, 10_000

SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
RULE_NUMBER_RE = re.compile(r"[1-9][0-9]{0,5}")
SLUG_HINT = "use lowercase letters, digits and single hyphens, e.g. 'reflective-account'"
FRAMEWORK_ID_HINT = "use lowercase letters, digits and single hyphens, e.g. 'ncf-pcpt'"
CODE_HINT = "use letters, digits, '.', '-' and '_', starting with a letter or digit"
# The levels an observed item's rated areas reach, lowest first (the consultation
# assessment tool's Below expectations / Competent / Excellent); a rule names its minimum.
RATING_LEVELS = ("below", "competent", "excellent")
MIN_RATINGS = RATING_LEVELS[1:]
# Evidence types that are conversations about past work, never an observation of practice.
RETROSPECTIVE_TYPES = frozenset({"case-based-discussion"})


@dataclass(frozen=True)
class ScaleValue:
    id: str
    label: str
    proficient: bool


@dataclass(frozen=True)
class EvidenceType:
    id: str
    label: str
    observed: bool
    description: str | None = None


@dataclass(frozen=True)
class Standard:
    id: str
    title: str


@dataclass(frozen=True)
class SignOffRule:
    min_evidence: int
    min_types: int
    require_observed: bool
    # Observed evidence counts only when the assessor completed it (an assessment request).
    require_assessor_completion: bool = False


@dataclass(frozen=True)
class ObservationRule:
    """At least `min_items` accepted observations of `types` (on as many different days when
    `distinct_days`), each judged at the expected level with every rated area at
    `min_rating` or above."""

    types: tuple[str, ...]
    min_items: int
    distinct_days: bool
    min_rating: str


# The roles a multi-source feedback rater is nominated in; a framework's `msf` groups
# name them (docs/framework-format.md, "Multi-source feedback rule").
RATER_ROLES = {
    "pharmacist": "Pharmacist",
    "pharmacy-technician": "Pharmacy technician",
    "gp": "GP or other doctor",
    "nurse": "Nurse",
    "other-clinician": "Other clinician (for example a paramedic or physiotherapist)",
    "non-clinical": "Non-clinical colleague (for example a practice manager)",
    "patient-facing-admin": "Receptionist or patient-facing administrator",
}


@dataclass(frozen=True)
class RaterGroup:
    """Raters in any of `roles`; a valid round needs `min_responses` answers from them."""

    id: str
    label: str
    roles: tuple[str, ...]
    min_responses: int


@dataclass(frozen=True)
class MsfRule:
    """When a multi-source feedback round is valid, and how rounds run."""

    evidence_type: str
    min_responses: int
    advised_responses: int
    window_days: int
    min_gap_days: int
    report_threshold: int
    groups: tuple[RaterGroup, ...] = ()


# How a competency relates to the version its framework `follows` (the crosswalk):
# `replaces` the same competency reworded, `merges` several old ones, `splits_from` one.
CROSSWALK_KINDS = ("replaces", "merges", "splits_from")


@dataclass(frozen=True)
class CrosswalkEntry:
    """A competency's claim on the previous version's ids, with the line it is written on."""

    competency: str
    kind: str  # one of CROSSWALK_KINDS
    old_ids: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class CompetencySpec:
    id: str
    title: str
    description: str
    indicators: tuple[str, ...]
    standards: tuple[str, ...]
    sign_off: SignOffRule  # the effective rule: the default with any override applied
    sign_off_override: bool
    replaces: str | None
    position: int  # 0-based order within its domain
    observations: ObservationRule | None = None


@dataclass(frozen=True)
class DomainSpec:
    id: str
    title: str
    description: str | None
    competencies: tuple[CompetencySpec, ...]
    position: int  # 0-based order within the framework


@dataclass(frozen=True)
class FrameworkSpec:
    id: str
    version: str
    title: str
    publisher: str | None
    source_url: str | None
    status: str
    description: str | None
    scale: tuple[ScaleValue, ...]
    evidence_types: tuple[EvidenceType, ...]
    sign_off: SignOffRule
    standards: tuple[Standard, ...]
    domains: tuple[DomainSpec, ...]
    msf: MsfRule | None = None  # None: the framework runs no multi-source feedback rounds
    # The version this one follows (`follows`), with its line, and the competencies'
    # claims on that version (app.services.frameworks.crosswalk checks them on import).
    follows: str | None = None
    follows_line: int | None = None
    crosswalk: tuple[CrosswalkEntry, ...] = ()

    @property
    def competencies(self) -> tuple[CompetencySpec, ...]:
        return tuple(c for d in self.domains for c in d.competencies)
