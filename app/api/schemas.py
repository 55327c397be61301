"""Request and response shapes of /api/v1, which the OpenAPI document is built from.

Request schemas refuse fields they do not list (marshmallow's RAISE), so a typo in a
client's body is an error, not a silently ignored value.
"""

from __future__ import annotations

from collections.abc import Mapping

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate

from app.models.base import MAX_ID
from app.services.control_characters import control_character_problem
from app.services.reporting.flags import Flag

EVIDENCE_STATUSES = ("draft", "submitted", "changes_requested", "accepted")
COMPETENCY_STATUSES = ("not_started", "in_progress", "ready", "signed_off")
DECISIONS = ("accepted", "changes_requested")


def _d(text: str) -> dict[str, str]:
    return {"description": text}


class Strict(Schema):
    """Every request schema: unknown fields refused, and no string anywhere in the input
    (nested answers included) may hold a control character (the pages' rule too)."""

    class Meta:
        unknown = RAISE

    @pre_load
    def refuse_control_characters(self, data: object, **_kwargs: object) -> object:
        problems = _control_character_problems(data)
        if problems:
            raise ValidationError(problems)
        return data


def _control_character_problems(value: object) -> dict | list | None:
    """Messages shaped like the input (so errors name `answers.what_happened`), or None."""
    if isinstance(value, str):
        problem = control_character_problem(value)
        return [problem] if problem else None
    if isinstance(value, Mapping):
        found: dict = {}
        for key, item in value.items():
            key_problem = control_character_problem(str(key), "This field's name")
            nested = [key_problem] if key_problem else _control_character_problems(item)
            if nested:
                found[str(key)] = nested
        return found or None
    if isinstance(value, list | tuple):
        found = {
            i: nested
            for i, item in enumerate(value)
            if (nested := _control_character_problems(item))
        }
        return found or None
    return None


# --- Who am I, frameworks -------------------------------------------------------------


class Me(Schema):
    id = fields.Integer(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True)
    roles = fields.List(fields.String(), required=True)


class FrameworkSummary(Schema):
    id = fields.String(required=True, metadata=_d("The framework's code, e.g. ncf-pcpt"))
    version = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True, metadata=_d("provisional or published"))
    label = fields.String(
        required=True,
        metadata=_d(
            "The title and version as signers and readers see them; a provisional version "
            "says so in words"
        ),
    )
    competency_count = fields.Integer(required=True)


class FrameworkList(Schema):
    items = fields.List(fields.Nested(FrameworkSummary), required=True)


class ObservationRule(Schema):
    types = fields.List(fields.String(), required=True, metadata=_d("evidence type ids counted"))
    min_items = fields.Integer(required=True)
    distinct_days = fields.Boolean(required=True, metadata=_d("each on a different day"))
    min_rating = fields.String(
        required=True, metadata=_d("below, competent or excellent: every rated area at least")
    )


class SignOffRule(Schema):
    min_evidence = fields.Integer(required=True)
    min_types = fields.Integer(required=True)
    require_observed = fields.Boolean(required=True)
    observations = fields.Nested(
        ObservationRule,
        allow_none=True,
        metadata=_d("a competency's observation rule (`observations` in the file); else null"),
    )


class ScaleValue(Schema):
    id = fields.String(required=True)
    label = fields.String(required=True)
    proficient = fields.Boolean(required=True)


class EvidenceTypeOut(Schema):
    id = fields.String(required=True)
    label = fields.String(required=True)
    observed = fields.Boolean(required=True)


class StandardOut(Schema):
    id = fields.String(required=True)
    title = fields.String(required=True)


class CompetencyOut(Schema):
    id = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String(allow_none=True)
    indicators = fields.List(fields.String())
    standards = fields.List(fields.String())
    sign_off = fields.Nested(SignOffRule)
    replaces = fields.String(allow_none=True)


class DomainOut(Schema):
    id = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String(allow_none=True)
    competencies = fields.List(fields.Nested(CompetencyOut), required=True)


class FrameworkTree(Schema):
    id = fields.String(required=True)
    version = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True, metadata=_d("provisional or published"))
    label = fields.String(
        required=True,
        metadata=_d(
            "The title and version as signers and readers see them; a provisional version "
            "says so in words"
        ),
    )
    publisher = fields.String(allow_none=True)
    sign_off = fields.Nested(SignOffRule)
    scale = fields.List(fields.Nested(ScaleValue))
    evidence_types = fields.List(fields.Nested(EvidenceTypeOut))
    standards = fields.List(fields.Nested(StandardOut))
    domains = fields.List(fields.Nested(DomainOut), required=True)


# --- Trainees -----------------------------------------------------------------------


class ReportFilterArgs(Strict):
    organisation_id = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID),
        metadata=_d("This organisation and those below it"),
    )
    cohort_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    supervisor_id = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID), metadata=_d("Clinical or education supervisor")
    )
    flag = fields.String(validate=validate.OneOf([f.value for f in Flag]))


class TraineeListArgs(ReportFilterArgs):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_ID))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))


class Progress(Schema):
    signed_off = fields.Integer(required=True)
    total = fields.Integer(required=True)
    percent = fields.Integer()
    expected_percent = fields.Integer(metadata=_d("Where a straight line says they should be"))


class TraineeListItem(Schema):
    id = fields.Integer(required=True, metadata=_d("The trainee's user id"))
    name = fields.String(required=True)
    email = fields.String(required=True)
    enrolment_id = fields.Integer()
    organisation = fields.String(allow_none=True)
    cohort = fields.String(allow_none=True)
    clinical_supervisor = fields.String(allow_none=True)
    progress = fields.Nested(Progress, required=True)
    awaiting_review = fields.Integer()
    last_activity_on = fields.Date()
    enrolment_status = fields.String(metadata=_d("active or paused"))
    paused_days = fields.Integer(
        metadata=_d("Days the training has been paused; expected progress leaves them out")
    )
    expected_end_on_after_pauses = fields.Date(
        allow_none=True, metadata=_d("The expected end date moved later by the days paused")
    )
    registration = fields.String(metadata=_d("Registration flag, e.g. current, expired"))
    level3 = fields.String(allow_none=True, metadata=_d("Level 3 status, if recorded"))
    flags = fields.List(fields.String())


class TraineeList(Schema):
    items = fields.List(fields.Nested(TraineeListItem), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)


class RegistrationOut(Schema):
    flag = fields.String(
        required=True, metadata=_d("none, trainee, current, renewal-due, overdue, expired, ...")
    )
    label = fields.String(required=True)
    status = fields.String(allow_none=True, metadata=_d("The register entry's status"))
    register = fields.String(allow_none=True)
    number = fields.String(allow_none=True, metadata=_d("GPhC registration number"))
    expires_on = fields.Date(allow_none=True)
    verified = fields.Boolean(required=True)


class QualificationOut(Schema):
    kind = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    status = fields.String(allow_none=True, metadata=_d("not-started, enrolled, ...achieved"))
    achieved_on = fields.Date(allow_none=True)
    verified = fields.Boolean(required=True)


class PersonRef(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class EnrolmentOut(Schema):
    id = fields.Integer(required=True)
    framework = fields.String(required=True)
    version = fields.String(required=True)
    framework_status = fields.String(required=True, metadata=_d("provisional or published"))
    framework_label = fields.String(
        required=True,
        metadata=_d("The framework version's title; a provisional version says so in words"),
    )
    status = fields.String(required=True)
    supervisor = fields.Nested(PersonRef, allow_none=True, metadata=_d("Clinical supervisor"))
    education_supervisor = fields.Nested(PersonRef, allow_none=True)
    cohort = fields.String(allow_none=True)
    started_on = fields.Date(required=True)
    expected_end_on = fields.Date(required=True)


class CompetencyStatus(Schema):
    id = fields.String(required=True)
    title = fields.String(required=True)
    domain = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(COMPETENCY_STATUSES))
    missing = fields.List(fields.String(), required=True, metadata=_d("What sign-off still needs"))
    accepted_evidence = fields.Integer()
    signed_off_on = fields.Date(allow_none=True)
    signed_off_by = fields.String(allow_none=True, metadata=_d("The signing supervisor's name"))
    outcome = fields.String(allow_none=True, metadata=_d("The scale outcome recorded"))


class TraineeDetail(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    registration = fields.Nested(RegistrationOut, required=True)
    qualification = fields.Nested(QualificationOut, required=True)
    enrolment = fields.Nested(EnrolmentOut, allow_none=True, required=True)
    progress = fields.Nested(Progress)
    competencies = fields.List(fields.Nested(CompetencyStatus), required=True)


# --- Evidence --------------------------------------------------------------------------


class PageArgs(Strict):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_ID))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class EvidenceOut(Schema):
    id = fields.Integer(required=True)
    type = fields.String(required=True)
    title = fields.String(required=True)
    occurred_on = fields.Date(required=True)
    status = fields.String(required=True, validate=validate.OneOf(EVIDENCE_STATUSES))
    competencies = fields.List(fields.String(), required=True)
    version = fields.Integer()
    submitted_at = fields.DateTime(allow_none=True)
    completed_by = fields.String(
        validate=validate.OneOf(["assessor", "trainee"]),
        metadata=_d("Who completed the assessor's part: the assessor (email code) or the trainee"),
    )


class EvidenceList(Schema):
    items = fields.List(fields.Nested(EvidenceOut), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)


class EvidenceIn(Strict):
    type = fields.String(
        required=True,
        validate=validate.Length(min=1, max=60),
        metadata=_d("An evidence type id of your framework, e.g. reflective-account"),
    )
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    occurred_on = fields.Date(required=True, metadata=_d("YYYY-MM-DD, not in the future"))
    description = fields.String(validate=validate.Length(max=20_000))
    competencies = fields.List(
        fields.String(validate=validate.Length(min=1, max=40)),
        required=True,
        validate=validate.Length(min=1, max=50),
        metadata=_d("Competency ids, e.g. D1.1"),
    )
    answers = fields.Dict(
        keys=fields.String(validate=validate.Length(max=80)),
        metadata=_d(
            "The type's other form fields by name (a reflection's what_happened, a "
            "mini-CEX's ratings and assessor): see the form for the type"
        ),
    )
    confirm_no_patient_data = fields.Boolean(
        load_default=False,
        metadata=_d("Set after checking that text flagged as possibly identifying does not"),
    )


class ReviewIn(Strict):
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    comment = fields.String(load_default="", validate=validate.Length(max=10_000))
    version = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID),
        metadata=_d("The version you reviewed; defaults to the current one"),
    )


class ReviewOut(Schema):
    id = fields.Integer(required=True)
    evidence_id = fields.Integer(required=True)
    version = fields.Integer(required=True)
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    comment = fields.String(required=True)
    evidence_status = fields.String(required=True)


# --- Reports --------------------------------------------------------------------------


class ProgressReportArgs(ReportFilterArgs):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv", "xlsx"]))


class ProgressRow(TraineeListItem):
    framework_label = fields.String(
        metadata=_d("The framework version's title; a provisional version says so in words")
    )
    gphc_number = fields.String(allow_none=True)
    registration_expires_on = fields.Date(allow_none=True)
    pathway_status = fields.String()
    pathway_stage = fields.String(
        allow_none=True, metadata={"description": "entry, intermediate or advanced (PCPEP)"}
    )
    pathway_stage_since = fields.Date(allow_none=True)
    overdue_objectives = fields.Integer(
        metadata={"description": "development plan objectives still open after their target date"}
    )
    domains = fields.Dict(keys=fields.String(), values=fields.Nested(Progress))


class ProgressReport(Schema):
    items = fields.List(fields.Nested(ProgressRow), required=True)
    total = fields.Integer(required=True)
