"""The dashboard's filter form (GET): the same filters narrow the table and the exports."""

from __future__ import annotations

from collections.abc import Mapping

from wtforms import SelectField

from app.form_base import QueryForm
from app.services.reporting.filter_choices import FilterChoices
from app.services.reporting.flags import Flag, ReportThresholds
from app.services.reporting.scope import ReportFilters

FILTER_NAMES = ("organisation", "cohort", "supervisor", "flag")


class DashboardFilterForm(QueryForm):
    """No CSRF token: a GET form that changes nothing, so its URLs can be shared."""

    organisation = SelectField("Organisation")
    cohort = SelectField("Cohort")
    supervisor = SelectField("Supervisor")
    flag = SelectField("Flag")

    def __init__(
        self, formdata: Mapping, choices: FilterChoices, thresholds: ReportThresholds
    ) -> None:
        super().__init__(formdata)
        self.organisation.choices = [("", "All organisations")] + [
            (str(i), name) for i, name in choices.organisations
        ]
        self.cohort.choices = [("", "All cohorts")] + [(str(i), n) for i, n in choices.cohorts]
        self.supervisor.choices = [("", "All supervisors")] + [
            (str(i), n) for i, n in choices.supervisors
        ]
        if not choices.organisations_listed:
            self.organisation.description = (
                "Choose an organisation and select Apply filters to list the organisations "
                "inside it."
            )
        if not choices.supervisors_listed:
            self.supervisor.description = (
                "There are too many to list here. Choose an organisation or a cohort and "
                "select Apply filters: the supervisors of its trainees are then listed."
            )
        labels = thresholds.labels()
        self.flag.choices = [("", "Any or none")] + [(f.value, labels[f]) for f in Flag]
        messages = {
            "organisation": "Choose an organisation from the list",
            "cohort": "Choose a cohort from the list",
            "supervisor": "Choose a supervisor from the list",
            "flag": "Choose a flag from the list",
        }
        for name, message in messages.items():
            self[name].gettext_message = message

    def validate_choices(self) -> bool:
        """Check each value is one of its choices; an unknown one gets a clear message."""
        ok = True
        for name in FILTER_NAMES:
            field = self[name]
            field.data = field.data or ""
            allowed = {value for value, _label in field.choices}
            if field.data not in allowed:
                field.errors = [field.gettext_message]
                field.data = ""
                ok = False
        return ok

    def filters(self) -> ReportFilters:
        """The valid filters (an invalid one is dropped after `validate_choices`)."""

        def number(value: str) -> int | None:
            return int(value) if value else None

        return ReportFilters(
            organisation_id=number(self.organisation.data),
            cohort_id=number(self.cohort.data),
            supervisor_id=number(self.supervisor.data),
            flag=self.flag.data or None,
        )

    def query_args(self) -> dict[str, str]:
        """The filters as URL arguments, for links that keep them."""
        return {name: self[name].data for name in FILTER_NAMES if self[name].data}
