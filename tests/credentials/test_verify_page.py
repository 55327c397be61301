"""The public verify page and the JSON endpoint: anyone, signed in or not, gives a
credential (pasted, uploaded, or by its address) and reads the answer with its reason."""

from __future__ import annotations

import io
import json

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from app.extensions import db
from app.models.audit import AuditEvent
from tests.credentials.completed_training import *  # noqa: F403 - fixtures: completed, issued...
from tests.credentials.completed_training import revoke

PAGE = "/credentials/verify"
API = "/api/v1/credentials/verify"


def _page(response) -> BeautifulSoup:
    return BeautifulSoup(response.data, "html.parser")


def _result(response) -> tuple[str, str]:
    """(heading, reason) of the answer on the page, as words."""
    page = _page(response)
    heading = page.select_one("#result-heading")
    return heading.get_text(" ", strip=True), page.select_one("#result-reason").get_text()


def _audit_count() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)))


def _tampered(issued) -> str:
    return issued.document.replace("Training completed", "Training complated", 1)


def test_the_page_needs_no_account_and_offers_three_ways(client):
    response = client.get(PAGE)
    assert response.status_code == 200
    page = _page(response)
    assert page.h1.get_text() == "Check a training credential"
    labels = [label.get_text(strip=True) for label in page.select("form label")]
    assert labels == [
        "Paste the credential",
        "Or upload the credential file",
        "Or enter the credential's web address",
    ]
    assert page.select_one("#result") is None


def test_every_page_links_to_the_verify_page_in_its_footer(client):
    footer = _page(client.get("/auth/login")).select_one("footer")
    assert footer.find("a", string="Check a training credential")["href"] == PAGE


def test_a_pasted_credential_is_valid_with_a_tick_and_the_words(client, issued):
    response = client.post(PAGE, data={"credential_json": issued.document})
    heading, reason = _result(response)
    assert heading == "Result: Valid"
    assert reason.startswith("The signature matches the content")
    page = _page(response)
    assert page.select_one("#result-heading svg.nhsuk-icon--tick") is not None
    rows = {
        row.select_one("dt").get_text(strip=True): row.select_one("dd").get_text(strip=True)
        for row in page.select("#result .nhsuk-summary-list__row")
    }
    assert rows["Credential"] == json.loads(issued.document)["id"]
    assert rows["Issued by"] == "PCPT Portfolio"


def test_an_uploaded_file_is_checked_the_same_way(client, issued):
    upload = (io.BytesIO(issued.document.encode()), "credential.json")
    response = client.post(PAGE, data={"credential_file": upload})
    assert _result(response)[0] == "Result: Valid"


def test_a_credential_named_by_its_address_is_checked(client, credential):
    response = client.post(PAGE, data={"credential_id": credential["id"]})
    assert _result(response)[0] == "Result: Valid"


def test_the_credentials_own_address_answers_with_its_check(client, completed, credential):
    address = credential["id"]
    assert address.startswith("http://127.0.0.1:5000/credentials/")
    response = client.get(address.removeprefix("http://127.0.0.1:5000"))
    assert response.status_code == 200
    assert _result(response)[0] == "Result: Valid"
    revoke(completed)
    assert _result(client.get(address.removeprefix("http://127.0.0.1:5000")))[0] == (
        "Result: Revoked"
    )


def test_an_address_this_service_never_issued_is_not_found(client, issued):
    response = client.get("/credentials/0b6f3f6e-2d1c-4c8e-9d55-6f1f1f1f1f1f")
    assert response.status_code == 404
    assert "This service has issued no credential with that address" in response.get_data(
        as_text=True
    )


def test_a_changed_credential_is_tampered_with_a_cross_and_no_content(client, issued):
    response = client.post(PAGE, data={"credential_json": _tampered(issued)})
    heading, reason = _result(response)
    assert heading == "Result: Tampered"
    assert "the credential was changed after it was signed" in reason
    page = _page(response)
    assert page.select_one("#result-heading svg.nhsuk-icon--cross") is not None
    assert page.select_one("#result .nhsuk-summary-list") is None


def test_a_revoked_credential_is_revoked_on_the_page(client, completed, issued):
    revoke(completed)
    heading, reason = _result(client.post(PAGE, data={"credential_json": issued.document}))
    assert heading == "Result: Revoked"
    assert "but this service revoked the credential on" in reason


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Paste the credential, upload its file or enter its address"),
        ({"credential_json": "{not json"}, "This is not JSON"),
        ({"credential_json": "{}", "credential_id": "x"}, "Give the credential one way only"),
        ({"credential_id": "https://elsewhere.example/c/1"}, "Enter the credential's address"),
        (
            {"credential_file": (io.BytesIO(b"\xff\xfe\x00"), "photo.json")},
            "The file is not a credential",
        ),
    ],
)
def test_input_that_cannot_be_checked_gets_a_message_on_its_field(client, issued, data, message):
    events = _audit_count()
    response = client.post(PAGE, data=data)
    assert response.status_code == 200
    page = _page(response)
    summary = page.select_one(".nhsuk-error-summary").get_text()
    assert message in summary
    assert page.title.get_text().startswith("Error: ")
    assert page.select_one("#result") is None
    assert _audit_count() == events


def test_checks_from_one_address_are_limited_to_30_a_minute(client):
    for _ in range(30):
        assert client.post(PAGE, data={}).status_code == 200
    assert client.post(PAGE, data={}).status_code == 429
    assert client.get(PAGE).status_code == 200  # reading the page is not limited


def test_the_form_needs_its_csrf_token(app, client, issued):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(PAGE, data={"credential_json": issued.document})
    assert response.status_code == 400


# --- The JSON endpoint ----------------------------------------------------------------------


def test_the_api_answers_without_a_token(client, credential):
    response = client.post(API, json={"credential": credential})
    assert response.status_code == 200
    body = response.get_json()
    assert body["result"] == "valid"
    assert body["label"] == "Valid"
    assert body["reason"].startswith("The signature matches the content")
    assert body["credential"]["id"] == credential["id"]
    assert body["revoked_at"] is None


def test_the_api_takes_an_id_and_says_revoked(client, completed, credential):
    revoke(completed)
    body = client.post(API, json={"id": credential["id"]}).get_json()
    assert body["result"] == "revoked"
    assert body["revoked_at"] is not None


def test_the_api_says_tampered_and_unknown_issuer(client, issued, credential):
    tampered = json.loads(_tampered(issued))
    assert client.post(API, json={"credential": tampered}).get_json()["result"] == "tampered"
    other = {**credential, "issuer": {**credential["issuer"], "id": "did:web:elsewhere.example"}}
    body = client.post(API, json={"credential": other}).get_json()
    assert body["result"] == "unknown_issuer"
    assert body["credential"] is None


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "credential", "Send the credential"),
        ({"credential": {}, "id": "x"}, "credential", "not both"),
        ({"credential": {"type": "VerifiableCredential"}}, "credential", "it has no proof"),
        ({"id": "00000000-0000-4000-8000-000000000000"}, "id", "issued no credential"),
        ({"credential": {}, "extra": 1}, "extra", "not accepted"),
    ],
)
def test_the_api_refuses_what_it_cannot_check_in_the_contracts_shape(
    client, issued, body, field, message
):
    events = _audit_count()
    response = client.post(API, json=body)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert message in error["fields"][field]
    assert _audit_count() == events
