"""What the dashboard and the exports share: the signed-in viewer, the filter form read
from the query string, and the words saying whose trainees are shown."""

from __future__ import annotations

from flask import Response, redirect, request, url_for

from app.auth.current import me
from app.lead.forms import DashboardFilterForm
from app.models.users import User
from app.services.reporting import filter_choices
from app.services.reporting import flags as report_flags
from app.services.reporting.scope import ReportFilters

CHOICE_FILTERS = ("organisation", "cohort", "supervisor")


def filter_form(viewer: User, *, shown: bool = True) -> DashboardFilterForm:
    """The filter form read from the query string, with invalid choices flagged and dropped.

    A form that is not `shown` (an export's) reads what may be chosen only when something
    was: reading the choices costs a few queries (`filter_choices.filter_choices`)."""
    needed = shown or any(request.args.get(name) for name in CHOICE_FILTERS)
    chosen = {name: _number(request.args.get(name, "")) for name in CHOICE_FILTERS}
    form = DashboardFilterForm(
        request.args,
        filter_choices.filter_choices(
            viewer, chosen["organisation"], chosen["cohort"], chosen["supervisor"]
        )
        if needed
        else filter_choices.NO_CHOICES,
        report_flags.report_thresholds(),
    )
    form.validate_choices()
    return form


def _number(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def scope_label(viewer: User) -> str:
    parts = []
    if viewer.has_role("lead"):
        organisation = viewer.organisation.name if viewer.organisation else "no organisation"
        parts.append(f"trainees in {organisation}")
    if viewer.has_role("supervisor"):
        parts.append("trainees you supervise")
    return ("Showing " + " and ".join(parts)) if parts else "No trainees"


def export_filters() -> ReportFilters | Response:
    """An export's filters (the dashboard's); an invalid one sends the user back to the
    dashboard to see the message."""
    form = filter_form(me(), shown=False)
    if any(form[name].errors for name in ("organisation", "cohort", "supervisor", "flag")):
        return redirect(url_for("lead.dashboard", **request.args))
    return form.filters()
