"""Fixtures for the trainee's portfolio pages: enrolled trainees, evidence, and page helpers.

The enrolment and evidence fixtures are the evidence layer's own (tests/evidence), so
pages are tested on the same data the services are.
"""

from __future__ import annotations

from datetime import date

import pytest
from bs4 import BeautifulSoup

from app.services.portfolio.assessment_forms import form_for
from tests.evidence.conftest import (  # noqa: F401 - fixtures shared with the service tests
    enrolment,
    log_evidence,
    make_trainee,
    minimal_framework,
    org,
    supervisor,
    trainee,
    valid_answers,
)

# The smallest file every PDF reader opens: one empty page, a cross-reference table, a trailer.
MINIMAL_PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
    b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>\nendobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n"
    b"0000000058 00000 n \n0000000115 00000 n \n"
    b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n188\n%%EOF\n"
)
HTML_PAGE = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
# Passes the modulus-11 check (see tests/evidence/test_patient_data.py).
VALID_NHS_NUMBER = "943 476 5919"


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.data, "html.parser")


def error_summary(page: BeautifulSoup) -> list[tuple[str, str | None]]:
    """(message, link target) for each entry in the NHS error summary."""
    return [
        (item.get_text(strip=True), (item.find("a") or {}).get("href"))
        for item in page.select(".nhsuk-error-summary__list li")
    ]


def inline_error(page: BeautifulSoup, element_id: str) -> str:
    """The error message shown in the form group holding the element with this id."""
    element = page.find(id=element_id)
    assert element is not None, f"no element #{element_id}"
    group = element.find_parent(class_="nhsuk-form-group--error")
    assert group is not None, f"#{element_id} is not marked with an error"
    message = group.select_one(".nhsuk-error-message")
    return message.get_text(" ", strip=True).removeprefix("Error:").strip()


def banner(page: BeautifulSoup) -> str:
    return " | ".join(
        b.get_text(" ", strip=True) for b in page.select(".nhsuk-notification-banner")
    )


def task(page: BeautifulSoup, code: str):
    """The home page's task list item for one competency."""
    for item in page.select(".nhsuk-task-list__item"):
        if item.select_one("a").get_text(strip=True).startswith(f"{code} "):
            return item
    raise AssertionError(f"no task for {code}")


def date_parts(name: str, day: date | str) -> dict[str, str]:
    day = date.fromisoformat(day) if isinstance(day, str) else day
    return {
        f"{name}[day]": str(day.day),
        f"{name}[month]": str(day.month),
        f"{name}[year]": str(day.year),
    }


def evidence_form(
    type_code: str,
    competencies: dict[str, str] | list[str],
    *,
    observed: bool = False,
    **overrides: object,
) -> dict[str, object]:
    """What a browser sends from the evidence form, filled in validly, for `competencies`.

    `competencies` maps codes to notes (or lists codes); notes are sent by competency id,
    so pass `notes={field name: text}` in overrides to add them. `observed`: the type is
    observed, so a type without a form of its own has the observation form.
    """
    answers = valid_answers(type_code, **overrides)
    data: dict[str, object] = {}
    for spec in form_for(type_code, observed=observed).fields:
        value = answers.get(spec.name)
        if value is None:
            continue
        if spec.kind == "date":
            data.update(date_parts(spec.name, str(value)))
        else:
            data[spec.name] = str(value)
    data["competencies"] = list(competencies)
    return data


def note_fields(page: BeautifulSoup) -> dict[str, str]:
    """Competency code -> the name of its note field, read from the rendered chooser."""
    fields = {}
    for box in page.select("input[name=competencies]"):
        conditional = page.find(id=f"conditional-{box['id']}")
        fields[box["value"]] = conditional.select_one("textarea")["name"]
    return fields


MIXED_STATUSES = ("draft", "submitted", "changes_requested", "accepted")
MIXED_TYPES = ("reflective-account", "mini-cex", "witness-testimony", "dops")


@pytest.fixture
def log_many(log_evidence, enrolment):  # noqa: F811 - the fixtures imported above
    """log_many(n): n more items titled "Item 1"..., cycling types, statuses and competencies."""
    codes = [c.code for d in enrolment.framework.domains for c in d.competencies]
    logged = []

    def log(n: int) -> list:
        for _ in range(n):
            i = len(logged)
            logged.append(
                log_evidence(
                    enrolment,
                    MIXED_TYPES[i % len(MIXED_TYPES)],
                    [codes[i % len(codes)], codes[(i + 7) % len(codes)]],
                    status=MIXED_STATUSES[i % len(MIXED_STATUSES)],
                    title=f"Item {i + 1}",
                )
            )
        return logged

    return log


@pytest.fixture
def signed_in_trainee(client, login, trainee):  # noqa: F811 - the imported fixture
    login(client, trainee)
    return trainee


@pytest.fixture
def small_uploads(app):
    """Upload limits small enough to test both sides of them with tiny files."""
    app.config["MAX_UPLOAD_BYTES"] = 2048
    app.config["MAX_CONTENT_LENGTH"] = 2048 + 16 * 1024
    return app.config["MAX_UPLOAD_BYTES"]
