"""Choices and lookups the admin forms share: organisations and enrolable frameworks."""

from __future__ import annotations

from wtforms.fields.choices import SelectChoice

from app.extensions import db
from app.models.organisations import Organisation
from app.services.accounts import organisations
from app.services.supervision import enrolments


def organisation_choices(blank: str) -> list[SelectChoice]:
    return [SelectChoice("", blank)] + [
        SelectChoice(org.id, org.name) for org, _ in organisations.organisation_tree()
    ]


def organisation_by_id(org_id: int | None) -> Organisation | None:
    return db.session.get(Organisation, org_id) if org_id else None


def framework_choices(blank: str) -> list[SelectChoice]:
    return [SelectChoice("", blank)] + [
        SelectChoice(f.id, f.label) for f in enrolments.enrolable_frameworks()
    ]
