"""Drafts saved by the trainee's browser: as they type, and from its offline queue.

The browser gives each new piece of evidence a key of its own choosing (a random UUID)
before anything reaches the server. Saving with a key the trainee's enrolment already
holds changes that draft instead of adding one, so a save sent twice (a retry after a
dropped connection, two tabs sending the same offline note) is stored once: saves of a
key wait for each other (`draft_with_key`), and the key is unique per enrolment in the
database too.

Saving goes through the same rules as the evidence form: `evidence.create_draft` and
`evidence.edit` validate every answer and run the patient-data guard. Only a draft is
saved as the trainee types: changing submitted evidence makes a new version and takes it
back from the supervisor, which the trainee decides by pressing the button, not by typing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from sqlalchemy import select

from app.extensions import db
from app.models.enrolments import Enrolment
from app.models.evidence import Evidence
from app.models.frameworks import EvidenceType
from app.models.users import User
from app.services.errors import DomainError
from app.services.portfolio import evidence as evidence_service
from app.services.portfolio.assessment_forms import FormDefinition
from app.services.portfolio.content import LinkRequest, form_of

# What a browser's crypto.randomUUID() gives, and anything as plain: letters, digits, hyphens.
CLIENT_KEY = re.compile(r"[A-Za-z0-9-]{8,64}")
# Kinds of answer a note typed without a connection can hold: no choices to load, no assessor.
TEXT_KINDS = frozenset({"text", "long_text", "date"})


def is_text_only(definition: FormDefinition) -> bool:
    """True for a form made only of words and dates: the kind a trainee can write offline."""
    return not definition.has_assessor and all(f.kind in TEXT_KINDS for f in definition.fields)


def text_only_types(types: Sequence[EvidenceType]) -> list[EvidenceType]:
    return [t for t in types if is_text_only(form_of(t))]


def checked_key(client_key: str | None) -> str | None:
    """The key as given, None when there is none, DomainError when it is malformed."""
    if not client_key:
        return None
    if not CLIENT_KEY.fullmatch(client_key):
        raise DomainError("This draft's key is not one this service made: reload the page")
    return client_key


def draft_with_key(enrolment: Enrolment, client_key: str) -> Evidence | None:
    """The enrolment's draft with this key, read after the enrolment's row is locked.

    Two saves of one key at once (the form's button pressed while a save-as-you-type is
    on its way, two tabs) then run one after the other on PostgreSQL, and the second finds
    the first's draft. SQLite's write transactions are serial already.
    """
    if db.session.get_bind().dialect.name != "sqlite":
        db.session.execute(
            select(Enrolment.id).where(Enrolment.id == enrolment.id).with_for_update()
        )
    return db.session.scalar(
        select(Evidence).where(
            Evidence.enrolment_id == enrolment.id, Evidence.client_key == client_key
        )
    )


def save_new(
    enrolment: Enrolment,
    evidence_type: EvidenceType,
    answers: Mapping[str, object],
    links: Sequence[LinkRequest],
    *,
    actor: User,
    client_key: str | None,
    confirmed: bool = False,
) -> Evidence:
    """The draft this key names, changed to these answers; a new draft when none has it yet.

    Without a key (a browser without JavaScript) every save is a new draft, as before.
    """
    client_key = checked_key(client_key)
    existing = draft_with_key(enrolment, client_key) if client_key else None
    if existing is not None:
        if existing.evidence_type_id != evidence_type.id:
            raise DomainError(
                "This draft was saved as another type of evidence: open it from your evidence"
            )
        if existing.status == "draft":
            evidence_service.edit(existing, answers, links, actor=actor, confirmed=confirmed)
        # Otherwise it arrived and was submitted since: a late copy changes nothing.
        return existing
    return evidence_service.create_draft(
        enrolment,
        evidence_type,
        answers,
        links,
        actor=actor,
        confirmed=confirmed,
        client_key=client_key,
    )


def saves_as_typed(evidence: Evidence | None) -> bool:
    """New evidence and drafts are saved as the trainee types; submitted evidence is not."""
    return evidence is None or evidence.status == "draft"


def save_typed(
    evidence: Evidence,
    answers: Mapping[str, object],
    links: Sequence[LinkRequest],
    *,
    actor: User,
    confirmed: bool = False,
) -> None:
    """Save what the trainee typed into an existing item: only while it is a draft."""
    if not saves_as_typed(evidence):
        raise DomainError(
            "This evidence was submitted, so your changes are kept on this device until you "
            "press the button to save them as a new version"
        )
    evidence_service.edit(evidence, answers, links, actor=actor, confirmed=confirmed)
