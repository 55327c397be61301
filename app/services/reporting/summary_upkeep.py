"""Keeping progress summaries true in the transaction that changes them.

Every flush notes which enrolments its records belong to: evidence and its versions and
links, reviews, assessors' forms, sign-offs and revocations, pauses, supervision
sessions, the enrolment itself (completion, a framework move, new dates, supervisors,
cohort), and the trainee's registration, Level 3 and organisation. Just before the
transaction commits, those enrolments' summaries are recomputed
(`progress_summary.refresh`), so the summary and the change land together or not at all.
The enrolments are locked at the flush that changes them, before any lock taken later in
the transaction (the audit chain's). A change made with a bulk SQL statement, which no
flush sees, names its enrolments with `touch`.

A transaction that changed an enrolment's evidence alone (items, their versions and
links, reviews, assessors' forms) recomputes only the values evidence can move
(`progress_summary.refresh_evidence`): the backlog, the last activity and the
competencies ready or in progress, with the kept status of each competency
(`competency_progress`, which writes only the statuses that moved); the sign-offs, flags
and dates stand.

Two changes are summed up step by step instead (`summary_steps`), when nothing else
changed the enrolment in the transaction:
- a draft that was never shared (never submitted, no accepted version), with its
  versions and links, counts for nothing a lead sees but the day of the last activity,
  so writing one (as the trainee types) only moves that day on;
- submitting a draft, with whatever the same flush wrote of its versions and links,
  adds it to the backlog and starts the competencies it is the first to link.
Deleting a draft, or any other change of status, is recomputed like the rest, and so is
every enrolment noted in a transaction once a savepoint in it has rolled back.

The flag tallies of the organisations those summaries stand in (before and after) are
counted again last (`flag_tallies`), under those organisations' locks; a step moves a
tally only when its trainee was stalled.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from app.extensions import db
from app.models.assessments import AssessmentRequest
from app.models.enrolments import Enrolment, EnrolmentPause
from app.models.evidence import Evidence, EvidenceLink, EvidenceVersion
from app.models.registration import Qualification, Registration
from app.models.reviews import Review
from app.models.signoffs import SignOff, SignOffRevocation
from app.models.supervision import SupervisionSession
from app.models.users import User
from app.services.clock import uk_today
from app.services.reporting import flag_tallies, progress_summary, summary_steps
from app.services.reporting.flags import report_thresholds

_PENDING = "progress_summary_pending"
_PENDING_EVIDENCE = "progress_summary_pending_evidence"
_LOCKED = "progress_summary_locked"
# The kinds of key summed up step by step: (kind, enrolment id, what the step needs).
_STEPS = ("activity", "submission")

# What a changed record says about whose summary moved: (kind, the key of that kind).
_KEYS: dict[type, Callable[[Any], tuple[str, int | None]]] = {
    Enrolment: lambda r: ("enrolment", r.id),
    Evidence: lambda r: ("enrolment", r.enrolment_id),
    SignOff: lambda r: ("enrolment", r.enrolment_id),
    EnrolmentPause: lambda r: ("enrolment", r.enrolment_id),
    SupervisionSession: lambda r: ("enrolment", r.enrolment_id),
    EvidenceVersion: lambda r: ("evidence", r.evidence_id),
    Review: lambda r: ("evidence", r.evidence_id),
    AssessmentRequest: lambda r: ("evidence", r.evidence_id),
    EvidenceLink: lambda r: ("version", r.evidence_version_id),
    SignOffRevocation: lambda r: ("sign_off", r.sign_off_id),
    Registration: lambda r: ("trainee", r.user_id),
    Qualification: lambda r: ("trainee", r.user_id),
    User: lambda r: ("trainee", r.id),
}
# A person's own record moves their summaries only through their organisation (the
# summary keeps it); signing in and the rest of their details move nothing.
_ONLY_THROUGH: dict[type, str] = {User: "organisation_id"}

# The records whose changes move only an enrolment's evidence values.
_EVIDENCE_SIDE = (Evidence, EvidenceVersion, EvidenceLink, Review, AssessmentRequest)

# How each kind of key finds its enrolments.
_ENROLMENTS_OF = {
    "evidence": lambda ids: select(Evidence.enrolment_id).where(Evidence.id.in_(ids)),
    "version": lambda ids: (
        select(Evidence.enrolment_id)
        .join(EvidenceVersion, EvidenceVersion.evidence_id == Evidence.id)
        .where(EvidenceVersion.id.in_(ids))
    ),
    "sign_off": lambda ids: select(SignOff.enrolment_id).where(SignOff.id.in_(ids)),
    "trainee": lambda ids: select(Enrolment.id).where(Enrolment.trainee_id.in_(ids)),
}


def _pending(session: Session, record: Any = None) -> set[tuple]:
    """The keys noted for a full recomputation, or those for `record`'s kind of change."""
    if isinstance(record, _EVIDENCE_SIDE):
        return session.info.setdefault(_PENDING_EVIDENCE, set())
    return session.info.setdefault(_PENDING, set())


def touch(enrolment_ids: Iterable[int]) -> None:
    """Recompute these enrolments' summaries when the current transaction commits."""
    _pending(db.session()).update(("enrolment", enrolment_id) for enrolment_id in enrolment_ids)


def _unchanged(record: Any, attribute: str) -> bool:
    return not inspect(record).attrs[attribute].history.deleted


def _item_of(session: Session, flushed: dict[tuple, Any], record: Any) -> Evidence | None:
    """The evidence item a record written belongs to (itself, or the item of a version or
    link), when this flush or the session holds it."""

    def held(model: type, key: int) -> Any:
        return flushed.get((model, key)) or session.identity_map.get(identity_key(model, key))

    if isinstance(record, EvidenceLink):
        record = held(EvidenceVersion, record.evidence_version_id)
    if isinstance(record, EvidenceVersion):
        record = held(Evidence, record.evidence_id)
    return record if isinstance(record, Evidence) else None


def _private_draft(item: Evidence) -> bool:
    """Never shared, before this flush and after it."""
    return (
        item.status == "draft"
        and item.accepted_version_number is None
        and _unchanged(item, "status")
        and _unchanged(item, "accepted_version_number")
    )


def _submitted_now(item: Evidence) -> bool:
    """Submitted by this flush from a draft, its accepted version (if any) unchanged."""
    return (
        item.status == "submitted"
        and list(inspect(item).attrs.status.history.deleted) == ["draft"]
        and _unchanged(item, "accepted_version_number")
    )


def _step(item: Evidence) -> tuple | None:
    """The step that sums up what this flush did to the item, if one can; None when the
    flush wrote no time to step on to (the summary is then recomputed)."""
    changed = inspect(item).attrs.updated_at.loaded_value
    if not isinstance(changed, datetime):
        return None
    if _private_draft(item):
        return ("activity", item.enrolment_id, changed.date())
    submitted = item.submitted_at
    if _submitted_now(item) and isinstance(submitted, datetime):
        return ("submission", item.enrolment_id, item.id, submitted, changed.date())
    return None


def _collect(session: Session, _context) -> None:
    # Dirty counts a record whose collections alone changed (an enrolment given a new
    # item): only a change to its own columns moves its summary.
    changed = (r for r in session.dirty if session.is_modified(r, include_collections=False))
    written = [*session.new, *changed]
    # New records join the identity map only after this hook: look them up here first.
    flushed = {(type(r), r.id): r for r in written if isinstance(r, Evidence | EvidenceVersion)}
    for record in written:
        key = _KEYS.get(type(record))
        through = _ONLY_THROUGH.get(type(record))
        if key is None or (through and (record in session.new or _unchanged(record, through))):
            continue
        pending = _pending(session, record)
        item = _item_of(session, flushed, record)
        if item is None or not (_private_draft(item) or _submitted_now(item)):
            _add(pending, key(record))
        elif item is record:
            # Its versions and links are summed up with it (in the step, or recomputed).
            pending.add(_step(item) or key(record))
    for record in session.deleted:
        key = _KEYS.get(type(record))
        if key is not None and type(record) not in _ONLY_THROUGH:
            _add(_pending(session, record), key(record))


def _add(pending: set[tuple], key: tuple[str, int | None]) -> None:
    if key[1] is not None:
        pending.add(key)


def _enrolment_ids(session: Session, pending: set[tuple]) -> set[int]:
    found = {key[1] for key in pending if key[0] == "enrolment"}
    for kind, query in _ENROLMENTS_OF.items():
        keys = [key[1] for key in pending if key[0] == kind]
        if kind == "evidence":
            # An item the session holds names its enrolment without a query.
            held = [session.identity_map.get(identity_key(Evidence, key)) for key in keys]
            found.update(item.enrolment_id for item in held if item is not None)
            keys = [key for key, item in zip(keys, held, strict=True) if item is None]
        if keys:
            found.update(session.scalars(query(keys)))
    return found


def _lock_noted(session: Session, _context) -> None:
    """Lock the enrolments this flush changed, as it changes them: a writer then takes its
    enrolments' locks before the audit chain's lock (`audit.chain.record` flushes first),
    as the sign-off does, so no two writers each hold one of those locks and wait for
    the other's. Each enrolment is locked once in a transaction."""
    changed: set[int] = set()
    for name in (_PENDING, _PENDING_EVIDENCE):
        pending = session.info.setdefault(name, set())
        found = _enrolment_ids(session, pending)
        pending.difference_update({key for key in pending if key[0] not in _STEPS})
        pending.update(("enrolment", enrolment_id) for enrolment_id in found)
        # A submission's step adds to the summary: it waits for any recomputation.
        changed |= found | {key[1] for key in pending if key[0] == "submission"}
    locked = session.info.setdefault(_LOCKED, set())
    progress_summary.lock(changed - locked)
    locked.update(changed)


def _refresh(session: Session) -> None:
    session.flush()
    locked = session.info.pop(_LOCKED, set())
    pending = session.info.pop(_PENDING, set())
    pending_evidence = session.info.pop(_PENDING_EVIDENCE, set())
    recomputed = _enrolment_ids(session, pending)
    evidence_only = _enrolment_ids(session, pending_evidence) - recomputed
    progress_summary.lock(recomputed - locked)  # those named by `touch`, not by a flush
    steps = [key for key in pending | pending_evidence if key[0] in _STEPS]
    steps = [key for key in steps if key[1] not in recomputed | evidence_only]
    stepped = {key[1] for key in steps}
    if not (recomputed or evidence_only or stepped):
        return  # a commit that moved no summary (signing in, most of the app)
    # The organisations' locks come after the enrolments' (and the audit chain's, taken
    # during the request): nothing is locked after them but other organisations.
    today, thresholds = uk_today(), report_thresholds()
    organisations = flag_tallies.lock_organisations(
        recomputed | evidence_only, stepped, today, thresholds
    )
    if recomputed:
        progress_summary.refresh(recomputed)
    if evidence_only:
        progress_summary.refresh_evidence(evidence_only)
    _apply(steps)
    if organisations:
        flag_tallies.recount(organisations, today, thresholds)


def _apply(steps: list[tuple]) -> None:
    """Sum up the steps noted (each enrolment's activity once, at its latest day)."""
    for _kind, enrolment_id, *step in (key for key in steps if key[0] == "submission"):
        summary_steps.note_submission(enrolment_id, *step)
    latest: dict[int, date] = {}
    for _kind, enrolment_id, day in (key for key in steps if key[0] == "activity"):
        latest[enrolment_id] = max(day, latest.get(enrolment_id, day))
    for enrolment_id, day in latest.items():
        summary_steps.note_activity(enrolment_id, day)


def _rolled_back(session: Session, previous) -> None:
    """A rollback undoes what was noted. A savepoint's undoes only its own changes, which
    the notes do not tell apart from those made before it: every enrolment noted is then
    recounted from the records at the commit, and locked again there (a savepoint's
    rollback may have released a lock taken inside it)."""
    if not previous.nested:
        for name in (_PENDING, _PENDING_EVIDENCE, _LOCKED):
            session.info.pop(name, None)
        return
    noted = session.info.pop(_PENDING_EVIDENCE, set()) | session.info.pop(_PENDING, set())
    recount = {("enrolment", key[1]) if key[0] in _STEPS else key for key in noted}
    session.info[_PENDING] = recount
    session.info.pop(_LOCKED, None)


def install() -> None:
    """Listen to every session of the app's scoped session (once per process)."""
    if not event.contains(db.session, "after_flush", _collect):
        event.listen(db.session, "after_flush", _collect)
        event.listen(db.session, "after_flush_postexec", _lock_noted)
        event.listen(db.session, "before_commit", _refresh)
        event.listen(db.session, "after_soft_rollback", _rolled_back)
