"""The trainee's own portfolio: progress, competencies, and (in evidence_views) evidence.

Every page works from the trainee's portfolio enrolment: the current one, else their
latest (see `loading.with_enrolment`).
"""

from __future__ import annotations

from flask import abort, render_template

from app.auth.current import me
from app.models.enrolments import Enrolment
from app.permissions import roles
from app.services.clock import uk_today
from app.services.development import stages
from app.services.framework_moves import gap_analysis
from app.services.frameworks import catalogue as frameworks
from app.services.portfolio import lists as evidence_lists
from app.services.portfolio import sufficiency
from app.services.registration import records as registration
from app.services.supervision import enrolment_lifecycle, signoffs
from app.trainee.blueprint import bp
from app.trainee.loading import with_enrolment


def signed_off_ids(enrolment: Enrolment) -> frozenset[int]:
    """Competencies with a standing sign-off, which every portfolio page shows as signed off."""
    return signoffs.signed_off_competency_ids(enrolment.id)


def competency_progress(
    enrolment: Enrolment, competency_id: int | None = None
) -> list[sufficiency.CompetencyProgress]:
    return sufficiency.progress_for(
        enrolment, signed_off_ids(enrolment), competency_id=competency_id
    )


@bp.route("/")
@roles("trainee")
@with_enrolment(people=True)
def home(enrolment: Enrolment):
    return render_template(
        "trainee/home.jinja",
        title="My portfolio",
        enrolment=enrolment,
        domains=sufficiency.by_domain(competency_progress(enrolment)),
        counts=evidence_lists.status_counts(me(), enrolment),
        registration=registration.registration_status(enrolment.trainee_id, uk_today()),
        lifecycle=enrolment_lifecycle.lifecycle_summary(enrolment),
        stage=stages.current_stages([enrolment.id]).get(enrolment.id),
        framework_move=gap_analysis.latest_move(enrolment.id),
    )


@bp.route("/competencies/<competency_code>")
@roles("trainee")
@with_enrolment
def competency(enrolment: Enrolment, competency_code: str):
    found = frameworks.competency_by_code(enrolment.framework_id, competency_code)
    if found is None:
        abort(404)
    (progress,) = competency_progress(enrolment, found.id)
    observed_types = frameworks.observed_type_labels(enrolment.framework_id)
    return render_template(
        "trainee/competency.jinja",
        title=f"{found.code} {found.title}",
        competency=found,
        progress=progress,
        rule=sufficiency.describe_rule(progress.rule),
        observed_types=observed_types,
        linked=evidence_lists.evidence_linked_to(me(), enrolment, found),
    )
