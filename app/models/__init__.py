"""Every model, imported here so Alembic and the app see the whole schema."""

from app.models.assessments import AssessmentRequest
from app.models.audit import AuditEvent
from app.models.base import Base
from app.models.case_identifiers import CaseIdentifier
from app.models.credentials import IssuedCredential
from app.models.crosswalk import (
    CompetencyCrosswalk,
    FrameworkMove,
    FrameworkSuccession,
    GapAnalysisSignature,
    SignOffCarryOver,
)
from app.models.development import (
    DevelopmentObjective,
    LearningNeedRating,
    LearningNeedsAnalysis,
    ObjectiveReview,
    PathwayStage,
    objective_competencies,
)
from app.models.enrolments import Enrolment, EnrolmentPause, SupervisorAssignment
from app.models.evidence import Attachment, Evidence, EvidenceLink, EvidenceVersion
from app.models.export_jobs import ExportJob
from app.models.feedback import FeedbackRater, FeedbackResponse, FeedbackRound, MsfRuleRecord
from app.models.framework_publishing import FrameworkUpload
from app.models.frameworks import (
    Competency,
    Domain,
    EvidenceType,
    Framework,
    ScaleValue,
    Standard,
    competency_standards,
)
from app.models.identities import UserIdentity
from app.models.notifications import Notification, SubmissionDigest
from app.models.one_time_links import OneTimeLink
from app.models.organisations import Cohort, Organisation, OrganisationPath
from app.models.progress import CompetencyProgress, FlagTally, ProgressSummary
from app.models.registration import (
    ExceptionalCircumstances,
    Qualification,
    Registration,
    RevalidationRecord,
    SignerStanding,
    TrainingDeclaration,
    TrainingPeriod,
    TrainingWeek,
)
from app.models.reviews import Review
from app.models.signoffs import Completion, SignOff, SignOffRevocation
from app.models.supervision import SupervisionSession
from app.models.two_factor import RecoveryCode, TwoFactor
from app.models.users import ROLES, ApiToken, User, UserRole

__all__ = [
    "ROLES",
    "ApiToken",
    "AssessmentRequest",
    "Attachment",
    "AuditEvent",
    "Base",
    "CaseIdentifier",
    "Cohort",
    "Competency",
    "CompetencyCrosswalk",
    "CompetencyProgress",
    "Completion",
    "DevelopmentObjective",
    "Domain",
    "Enrolment",
    "EnrolmentPause",
    "Evidence",
    "EvidenceLink",
    "EvidenceType",
    "EvidenceVersion",
    "ExceptionalCircumstances",
    "ExportJob",
    "FeedbackRater",
    "FeedbackResponse",
    "FeedbackRound",
    "FlagTally",
    "Framework",
    "FrameworkMove",
    "FrameworkSuccession",
    "FrameworkUpload",
    "GapAnalysisSignature",
    "IssuedCredential",
    "LearningNeedRating",
    "LearningNeedsAnalysis",
    "MsfRuleRecord",
    "Notification",
    "ObjectiveReview",
    "OneTimeLink",
    "Organisation",
    "OrganisationPath",
    "PathwayStage",
    "ProgressSummary",
    "Qualification",
    "RecoveryCode",
    "Registration",
    "RevalidationRecord",
    "Review",
    "ScaleValue",
    "SignOff",
    "SignOffCarryOver",
    "SignOffRevocation",
    "SignerStanding",
    "Standard",
    "SubmissionDigest",
    "SupervisionSession",
    "SupervisorAssignment",
    "TrainingDeclaration",
    "TrainingPeriod",
    "TrainingWeek",
    "TwoFactor",
    "User",
    "UserIdentity",
    "UserRole",
    "competency_standards",
    "objective_competencies",
]
