"""The GPhC's questions for each kind of revalidation record, and drafting a record from
an evidence item by copying its text into them (a copy: nothing stays linked)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from app.services.errors import DomainError


@dataclass(frozen=True)
class Prompt:
    name: str
    label: str
    hint: str = ""


@dataclass(frozen=True)
class RecordKind:
    key: str
    label: str
    prompts: tuple[Prompt, ...]
    # Where text copied from an evidence item goes: what happened, and what was learned.
    activity_prompt: str
    reflection_prompt: str


BENEFIT = Prompt(
    "benefit",
    "Give an example of how this learning benefited the people using your services",
    "Describe a real situation; do not name or identify a patient",
)

RECORD_KINDS = {
    kind.key: kind
    for kind in (
        RecordKind(
            "cpd-planned",
            "Planned CPD record",
            (
                Prompt(
                    "what_planned",
                    "What did you plan to learn, and why was it relevant to your practice?",
                ),
                Prompt("how_learned", "What did you do to learn it?"),
                BENEFIT,
            ),
            "how_learned",
            "benefit",
        ),
        RecordKind(
            "cpd-unplanned",
            "Unplanned CPD record",
            (
                Prompt(
                    "what_learned",
                    "What did you learn, and what led to the learning?",
                    "Unplanned learning comes from your work, such as an unusual query",
                ),
                BENEFIT,
            ),
            "what_learned",
            "benefit",
        ),
        RecordKind(
            "peer-discussion",
            "Peer discussion",
            (
                Prompt("discussion", "What did you discuss, and why did you choose this peer?"),
                Prompt("changed_practice", "How has the discussion changed your practice?"),
                Prompt(
                    "example",
                    "Give an example of how the change benefited the people using your services",
                ),
            ),
            "discussion",
            "changed_practice",
        ),
        RecordKind(
            "reflective-account",
            "Reflective account",
            (
                Prompt(
                    "account",
                    "How has your practice met the standards you chose?",
                    "Describe what you do and why, with reference to each standard",
                ),
                Prompt(
                    "example",
                    "Give examples from your practice",
                    "Do not name or identify a patient",
                ),
            ),
            "account",
            "example",
        ),
    )
}


# --- Drafting from evidence ---------------------------------------------------------------

# Evidence answers that are about what was learned go to the reflection prompt.
REFLECTION_FIELDS = frozenset(
    {
        "so_what",
        "now_what",
        "development",
        "development_needs",
        "action_plan",
        "agreed_action",
        "went_well",
        "strengths",
        "learning",
        "reflection",
    }
)
SKIPPED_FIELDS = frozenset({"title", "occurred_on", "assessed_on", "assessor_gphc"})


@dataclass(frozen=True)
class RecordDraft:
    kind: str
    title: str
    occurred_on: date | None
    answers: dict[str, str] = field(default_factory=dict)
    copied_from_evidence_id: int | None = None


def _as_date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def draft_from_evidence(kind: str, evidence: Mapping[str, object]) -> RecordDraft:
    """A record prefilled with copies of an evidence item's text (nothing stays linked).

    `evidence` is a plain dict: `id`, `title`, `occurred_on` (a date or ISO text),
    `fields` (the answers by name) and optionally `labels` (the question for each name).
    Only written answers are copied (text with more than one word); ratings and other
    choices are not.
    """
    record_kind = RECORD_KINDS.get(kind)
    if record_kind is None:
        raise DomainError("Choose the kind of record", "kind")
    fields = evidence.get("fields") or {}
    labels = evidence.get("labels") or {}
    activity: list[str] = []
    reflection: list[str] = []
    for name, value in fields.items():  # type: ignore[union-attr]
        if name in SKIPPED_FIELDS or name.startswith("assessor_"):
            continue
        if not isinstance(value, str) or len(value.split()) < 2:
            continue
        label = labels.get(name)  # type: ignore[union-attr]
        text = f"{label}\n{value.strip()}" if label else value.strip()
        (reflection if name in REFLECTION_FIELDS else activity).append(text)
    answers = {}
    if activity:
        answers[record_kind.activity_prompt] = "\n\n".join(activity)
    if reflection:
        answers[record_kind.reflection_prompt] = "\n\n".join(reflection)
    evidence_id = evidence.get("id")
    return RecordDraft(
        kind=kind,
        title=str(evidence.get("title") or "")[:200],
        occurred_on=_as_date(evidence.get("occurred_on")),
        answers=answers,
        copied_from_evidence_id=evidence_id if isinstance(evidence_id, int) else None,
    )
