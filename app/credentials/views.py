"""The public side of credentials: anyone may check one, and fetch what a check needs.

- `/credentials/verify`: paste a credential, upload its .json file, or enter its address;
  the page answers valid, tampered, revoked or unknown issuer, with the reason.
- `/credentials/<id>`: the address inside each credential (and behind the QR code on the
  completion statement): the same answer for the copy this service keeps;
- `/.well-known/did.json`: the issuer's DID document (its current and earlier keys).
- `/credentials/status/<n>`: revocation status list `n`, a signed
  BitstringStatusListCredential.
The answers come from `services.credentials`; nothing here writes anything.
"""

from __future__ import annotations

import json
from uuid import UUID

from flask import abort, current_app, render_template

from app.credentials.blueprint import bp
from app.credentials.forms import VerifyForm
from app.extensions import limiter
from app.form_base import show_error
from app.permissions import public
from app.services.credentials import issuer_document, status_publication, verification
from app.services.credentials.verification import NotACredential

MEDIA_TYPE = "application/vc+ld+json"


def _json(document: dict, media_type: str):
    body = json.dumps(document, indent=2, ensure_ascii=False)
    response = current_app.response_class(body + "\n", mimetype=media_type)
    response.headers["Access-Control-Allow-Origin"] = "*"  # verifiers fetch from anywhere
    return response


def _uploaded_text(form: VerifyForm) -> str:
    upload = form.credential_file.data
    raw = upload.read(verification.MAX_CREDENTIAL_CHARS * 4 + 1)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise NotACredential(
            "The file is not a credential: choose the .json file", "credential_file"
        ) from None


def _credential_from(form: VerifyForm) -> dict:
    """The credential given one of three ways; NotACredential when none, several, or bad."""
    pasted = (form.credential_json.data or "").strip()
    uploaded = form.credential_file.data is not None and bool(form.credential_file.data.filename)
    address = (form.credential_id.data or "").strip()
    given = sum(map(bool, (pasted, uploaded, address)))
    if given == 0:
        raise NotACredential(
            "Paste the credential, upload its file or enter its address", "credential_json"
        )
    if given > 1:
        raise NotACredential(
            "Give the credential one way only: paste it, upload it or enter its address",
            "credential_json",
        )
    if address:
        return verification.credential_by_address(address, "credential_id")
    if uploaded:
        return verification.parse_credential(_uploaded_text(form), "credential_file")
    return verification.parse_credential(pasted, "credential_json")


@bp.route("/credentials/verify", methods=["GET", "POST"])
@public
# Each check canonicalises the credential (tens of milliseconds): enough for any person,
# too few to tie up a server.
@limiter.limit("30 per minute", methods=["POST"])
def verify():
    form = VerifyForm()
    result = None
    if form.validate_on_submit():
        try:
            result = verification.verify(_credential_from(form))
        except NotACredential as error:
            show_error(form, error)
    return render_template(
        "credentials/verify.jinja", title="Check a training credential", form=form, result=result
    )


@bp.route("/credentials/<uuid:public_id>")
@public
def credential(public_id: UUID):
    form = VerifyForm(credential_id=verification.credential_url(str(public_id)))
    try:
        result = verification.verify(verification.credential_by_address(str(public_id)))
    except NotACredential as error:
        form.credential_id.errors = [error.message]
        page = render_template(
            "credentials/verify.jinja", title="Check a training credential", form=form
        )
        return page, 404
    return render_template(
        "credentials/verify.jinja", title="Check a training credential", form=form, result=result
    )


@bp.route("/.well-known/did.json")
@public
def did_document():
    return _json(issuer_document.did_document(), "application/did+ld+json")


@bp.route("/credentials/status/<int:list_number>")
@public
def status_list(list_number: int):
    document = status_publication.status_list_credential(list_number) or abort(404)
    return _json(document, MEDIA_TYPE)
