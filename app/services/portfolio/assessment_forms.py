"""The fields each type of evidence records, and their validation.

Forms are chosen by evidence type code. Four codes have a structured workplace-based
assessment form (mini-CEX, DOPS, case-based discussion, MRCF-style consultation
observation); reflective codes add a guided reflection; any other observed type gets an
observation form (what was done, the judgement, the assessor); any other code, from any
framework, gets the free-form fields. Nothing here assumes the NCF.

Every observation form names its assessor and asks for an overall judgement against the
level expected; an item judged below it is kept but does not count towards sign-off
(`assessment_scales.assessment_of` gives what sufficiency counts). A case-based discussion names its
assessor too, but it is a conversation about past work, not an observation.

Field names are flat and unique within a form, so one name identifies one input in
a page, an API body and the error dict alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from app.services.errors import DomainError
from app.services.portfolio.assessment_scales import (
    ASSESSOR_ROLES,
    COMPLETED_BY,
    COMPLETED_BY_FIELD,
    COMPLEXITY,
    EXPECTED_LEVEL,
    FIVE_POINT_SCALE,
    JUDGEMENT_FIELD,
    SIX_POINT_SCALE,
    YES_NO_NA,
)
from app.services.portfolio.assessors import (
    NUMBER_FIELD,
    REGISTER_HOLDERS,
    register_for,
    registration_number,
)
from app.services.portfolio.form_answers import (
    AnswerCleaner,
    Choice,
    Field,
    FormDefinition,
    FormInvalid,
    Section,
    check_answers,
)

# --- Building blocks ---------------------------------------------------------


def _text(name: str, label: str, **kw) -> Field:
    return Field(name, label, "text", **kw)


def _long(name: str, label: str, **kw) -> Field:
    return Field(name, label, "long_text", **kw)


def _choice(name: str, label: str, choices: tuple[Choice, ...], **kw) -> Field:
    return Field(name, label, "choice", choices=choices, **kw)


def _about(*, setting_required: bool = False, description: Field | None = None) -> Section:
    fields = [
        _text("title", "Title"),
        Field("occurred_on", "Date of the activity", "date"),
        _text(
            "setting",
            "Setting",
            required=setting_required,
            hint="For example a GP practice, a care home or a PCN clinic",
        ),
    ]
    if description is not None:
        fields.append(description)
    return Section("About this activity", tuple(fields))


ASSESSOR = Section(
    "The assessor",
    (
        _choice(
            COMPLETED_BY_FIELD, "Who fills in the assessor's part?", COMPLETED_BY, required=False
        ),
        _text("assessor_name", "Assessor's name"),
        _choice("assessor_role", "Assessor's role", ASSESSOR_ROLES),
        _text(
            NUMBER_FIELD,
            "Assessor's professional registration number",
            required=False,
            hint=(
                "Their GPhC number for a pharmacist or pharmacy technician (7 digits), "
                "GMC number for a doctor (7 digits) or NMC PIN for a nurse (8 characters, "
                "like 12A3456E)"
            ),
        ),
        Field("assessed_on", "Date the assessor completed the form", "date"),
    ),
)

DESCRIPTION = _long("description", "What you did")
OVERALL_JUDGEMENT = _choice(JUDGEMENT_FIELD, "The assessor's overall judgement", EXPECTED_LEVEL)
OVERALL = Section("Overall judgement", (OVERALL_JUDGEMENT,))


def _ratings(prefix: str, areas: tuple[tuple[str, str], ...], scale, *, comments: bool) -> Section:
    fields: list[Field] = []
    for key, label in areas:
        fields.append(_choice(f"{prefix}{key}", label, scale))
        if comments:
            fields.append(_long(f"{prefix}{key}_comment", f"{label}: comments", required=False))
    return Section("Ratings", tuple(fields))


MINI_CEX = FormDefinition(
    "mini-cex",
    "Mini clinical evaluation exercise (mini-CEX)",
    (
        _about(description=_long("focus", "What the consultation was about")),
        _ratings(
            "rating_",
            (
                ("gathering_information", "Gathering information"),
                ("communication", "Communicating with the patient"),
                ("clinical_judgement", "Clinical judgement and use of medicines knowledge"),
                ("professionalism", "Professionalism"),
                ("organisation", "Organisation and efficiency"),
                ("overall", "Overall"),
            ),
            SIX_POINT_SCALE,
            comments=False,
        ),
        Section(
            "Feedback",
            (
                _long("went_well", "What went especially well"),
                _long("development", "Suggestions for development"),
                _long("agreed_action", "Agreed action"),
            ),
        ),
        OVERALL,
        ASSESSOR,
    ),
    has_assessor=True,
)

DOPS = FormDefinition(
    "dops",
    "Directly observed procedural skills (DOPS)",
    (
        _about(setting_required=True),
        Section(
            "The procedure",
            (
                _text(
                    "procedure", "Procedure observed", hint="For example checking inhaler technique"
                ),
                _choice("complexity", "How complex was it?", COMPLEXITY),
            ),
        ),
        _ratings(
            "rating_",
            (
                ("explanation_consent", "Explains the procedure and gains consent"),
                ("preparation", "Prepares for the procedure"),
                ("technical_ability", "Carries out the procedure competently"),
                ("safe_practice", "Works safely, including infection control"),
                ("communication", "Communicates with the patient throughout"),
                ("documentation", "Records the procedure and any follow-up"),
            ),
            SIX_POINT_SCALE,
            comments=True,
        ),
        Section(
            "Overall",
            (
                OVERALL_JUDGEMENT,
                _long("development", "Suggestions for development", required=False),
            ),
        ),
        ASSESSOR,
    ),
    has_assessor=True,
)

CASE_BASED_DISCUSSION = FormDefinition(
    "case-based-discussion",
    "Case-based discussion",
    (
        _about(),
        Section(
            "The discussion",
            (
                _long(
                    "case_summary",
                    "Summary of the case",
                    hint="Do not include anything that identifies the patient",
                ),
                Field(
                    "discussion_minutes",
                    "Length of the discussion in minutes",
                    "integer",
                    min_value=20,
                    max_value=40,
                    hint="A case-based discussion takes 20 to 40 minutes",
                ),
                _long("strengths", "Strengths shown"),
                _long("development_needs", "Development needs"),
                _long("action_plan", "Action plan"),
            ),
        ),
        ASSESSOR,
    ),
    has_assessor=True,
)

MRCF_SECTIONS = (
    (
        "introduction",
        "Introduction",
        (
            ("greets", "Introduces themselves and their role"),
            ("confirms_identity", "Confirms who they are speaking to"),
            ("agrees_purpose", "Agrees the purpose and structure of the consultation"),
        ),
    ),
    (
        "data_collection",
        "Data collection and problem identification",
        (
            ("medicines_history", "Takes an accurate medicines history"),
            ("patient_experience", "Explores how the patient takes their medicines and why"),
            ("identifies_problems", "Identifies medicine-related problems"),
        ),
    ),
    (
        "actions",
        "Actions and solutions",
        (
            ("shares_options", "Explains options in words the patient understands"),
            ("shared_decision", "Agrees a plan with the patient (shared decision making)"),
            ("checks_understanding", "Checks the patient understands the plan"),
        ),
    ),
    (
        "closing",
        "Closing",
        (
            ("summarises", "Summarises the consultation"),
            ("safety_netting", "Explains what to do if things change (safety-netting)"),
            ("follow_up", "Arranges follow-up or referral where needed"),
        ),
    ),
    (
        "behaviours",
        "Consultation behaviours",
        (
            ("listens", "Listens actively and responds to cues"),
            ("empathy", "Shows empathy and respect"),
            ("structure", "Keeps the consultation well organised"),
        ),
    ),
)


def _mrcf_section(key: str, title: str, items: tuple[tuple[str, str], ...]) -> Section:
    fields = [_choice(f"{key}_{item}", label, YES_NO_NA) for item, label in items]
    fields.append(_choice(f"{key}_rating", f"{title}: rating for the section", FIVE_POINT_SCALE))
    fields.append(_long(f"{key}_comment", f"{title}: comments", required=False))
    return Section(title, tuple(fields))


CONSULTATION_OBSERVATION = FormDefinition(
    "consultation-observation",
    "Observed consultation (MRCF-style)",
    (
        _about(description=_long("focus", "What the consultation was about")),
        *(_mrcf_section(*s) for s in MRCF_SECTIONS),
        Section(
            "Feedback",
            (
                _long("went_well", "What went well"),
                _long("development", "Suggestions for development"),
            ),
        ),
        OVERALL,
        ASSESSOR,
    ),
    has_assessor=True,
)

FREE_FORM = FormDefinition("free-form", "Evidence", (_about(description=DESCRIPTION),))
OBSERVATION = FormDefinition(
    "observation",
    "Observation of practice",
    (
        _about(description=_long("description", "What the assessor watched you do")),
        Section(
            "Feedback",
            (
                _long("went_well", "What went well"),
                _long("development", "Suggestions for development", required=False),
            ),
        ),
        OVERALL,
        ASSESSOR,
    ),
    has_assessor=True,
)

REFLECTIVE = FormDefinition(
    "reflective",
    "Reflective evidence",
    (
        _about(
            description=_long(
                "description",
                "Summary",
                required=False,
                hint="Optional: the reflection below carries the detail",
            )
        ),
        Section(
            "Reflection",
            (
                _long("what_happened", "What happened?"),
                _long("so_what", "So what? What did you learn and why does it matter?"),
                _long("now_what", "Now what? What will you do differently or next?"),
            ),
        ),
    ),
)

STRUCTURED_FORMS = {
    form.key: form for form in (MINI_CEX, DOPS, CASE_BASED_DISCUSSION, CONSULTATION_OBSERVATION)
}
REFLECTIVE_TYPE_CODES = frozenset({"reflective-account", "case-study"})


def form_for(type_code: str, *, observed: bool = False) -> FormDefinition:
    """The form for an evidence type: its structured form, else the reflection, else for an
    observed type the observation form, else free-form."""
    if type_code in STRUCTURED_FORMS:
        return STRUCTURED_FORMS[type_code]
    if type_code in REFLECTIVE_TYPE_CODES:
        return REFLECTIVE
    return OBSERVATION if observed else FREE_FORM


# --- Validation ----------------------------------------------------------------


def _check_assessor(cleaner: AnswerCleaner) -> None:
    role = str(cleaner.values.get("assessor_role"))
    register = register_for(role)
    if register is None:
        cleaner.values.pop(NUMBER_FIELD, None)
    elif NUMBER_FIELD not in cleaner.values:
        cleaner.errors.setdefault(
            NUMBER_FIELD,
            f"Enter the assessor's {register} number: {REGISTER_HOLDERS[register]} have one",
        )
    else:
        try:
            cleaner.values[NUMBER_FIELD] = registration_number(
                role, str(cleaner.values[NUMBER_FIELD])
            )
        except DomainError as exc:
            cleaner.errors[NUMBER_FIELD] = exc.message
    assessed, occurred = cleaner.values.get("assessed_on"), cleaner.values.get("occurred_on")
    if isinstance(assessed, str) and isinstance(occurred, str) and assessed < occurred:
        cleaner.errors["assessed_on"] = "The assessor cannot complete the form before the activity"


def validate(
    form: FormDefinition, answers: Mapping[str, object], *, today: date
) -> tuple[dict[str, object], dict[str, str]]:
    """(cleaned values, errors by field name); names the form does not define are dropped.

    Dates come back as ISO strings so the values can be stored as JSON unchanged.
    """
    cleaner = check_answers(form, answers, today=today)
    if form.has_assessor:
        _check_assessor(cleaner)
    return cleaner.values, cleaner.errors


def clean_answers(
    form: FormDefinition, answers: Mapping[str, object], *, today: date
) -> dict[str, object]:
    """The cleaned values, or FormInvalid carrying every field's error."""
    values, errors = validate(form, answers, today=today)
    if errors:
        raise FormInvalid(errors)
    return values
