"""Loading the trainee's own records for a request, and 404 for anything that is not theirs."""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import abort, render_template
from flask_login import current_user
from sqlalchemy import bindparam
from sqlalchemy.orm import joinedload, selectinload

from app.auth.current import me
from app.extensions import db
from app.models.enrolments import CURRENT_ENROLMENT_STATUSES, Enrolment
from app.models.evidence import Evidence, EvidenceLink, EvidenceVersion
from app.services.portfolio.access import (
    VIEWER_KINDS,
    AccessFlags,
    access_flags,
    viewer_params,
    visible_evidence_template,
)
from app.services.supervision import enrolments


def with_enrolment(
    view: Callable | None = None, *, people: bool = False, adding: bool = False
) -> Callable:
    """Pass the trainee's portfolio enrolment as the view's first argument: the current
    (active or paused) one, else the most recent completed or withdrawn one, which they can
    still read and download. `people=True` (as `@with_enrolment(people=True)`) loads its
    framework and clinical supervisor with it; `adding=True` marks a page that adds to the
    portfolio, which a completed or withdrawn enrolment is closed to.

    Without one, every portfolio page explains what happens next instead of failing.
    """

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            enrolment = enrolments.latest_enrolment(current_user.id, with_people=people)
            if enrolment is None:
                return render_template(
                    "trainee/not_enrolled.jinja", title="You are not enrolled yet"
                )
            if adding and enrolment.status not in CURRENT_ENROLMENT_STATUSES:
                return render_template(
                    "trainee/read_only.jinja",
                    title="Your portfolio is read-only",
                    enrolment=enrolment,
                )
            return view(enrolment, *args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate


def own_evidence_or_404(evidence_id: int, *, full: bool = False) -> Evidence:
    """The signed-in trainee's own evidence item, or 404 (never 403: others' items do not exist).

    Visibility comes from `evidence_access`; the portfolio pages then keep to the trainee's
    own items, so a person who also supervises never edits a trainee's work from here.
    `full` loads every version with its links and the attachments, for the evidence page.
    """
    user = me()
    evidence = db.session.scalar(
        _OWN_EVIDENCE[access_flags(user), full],
        {**viewer_params(user), "evidence_id": evidence_id},
    )
    if evidence is None:
        abort(404)
    return evidence


def _own_evidence_statement(flags: AccessFlags, full: bool):
    """The trainee's own item, with the viewer bound per call (`viewer_params`)."""
    # Every action reads the current version: in the same query, not a second one.
    options = [
        joinedload(Evidence.evidence_type),
        joinedload(Evidence.enrolment),
        joinedload(Evidence.current_version),
    ]
    if full:
        options += [
            selectinload(Evidence.versions)
            .selectinload(EvidenceVersion.links)
            .joinedload(EvidenceLink.competency),
            selectinload(Evidence.attachments),
        ]
    return (
        visible_evidence_template(flags)
        .where(
            Evidence.id == bindparam("evidence_id"),
            Enrolment.trainee_id == bindparam("viewer_id"),
        )
        .options(*options)
    )


_OWN_EVIDENCE = {
    (flags, full): _own_evidence_statement(flags, full)
    for flags in VIEWER_KINDS
    for full in (False, True)
}
