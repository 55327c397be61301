"""Every model, imported here so Alembic and the app see the whole schema."""

from app.models.audit import AuditEvent
from app.models.base import Base
from app.models.enrolments import Enrolment, SupervisorAssignment
from app.models.evidence import Attachment, Evidence, EvidenceLink, EvidenceVersion
from app.models.frameworks import (
    Competency,
    Domain,
    EvidenceType,
    Framework,
    ScaleValue,
    Standard,
    competency_standards,
)
from app.models.organisations import Cohort, Organisation
from app.models.registration import Registration
from app.models.users import ROLES, ApiToken, User, UserRole

__all__ = [
    "ROLES",
    "ApiToken",
    "Attachment",
    "AuditEvent",
    "Base",
    "Cohort",
    "Competency",
    "Domain",
    "Enrolment",
    "Evidence",
    "EvidenceLink",
    "EvidenceType",
    "EvidenceVersion",
    "Framework",
    "Organisation",
    "Registration",
    "ScaleValue",
    "Standard",
    "SupervisorAssignment",
    "User",
    "UserRole",
    "competency_standards",
]
