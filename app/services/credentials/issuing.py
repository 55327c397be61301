"""Issuing the Open Badges 3.0 credential when an enrolment's training is complete.

`issue_for_completion` runs inside the completion's transaction (called by
`supervision.completion.complete`), so a completion and its credential are written
together or not at all; the unique enrolment and completion columns make a second
credential for the same completion impossible.

What the credential says (VC 2.0 data model, OB context 3.0.3):
- issuer: the deploying organisation (CREDENTIAL_ISSUER_NAME / _URL), id a did:web of
  BASE_URL; `validFrom`: the moment of the final sign-off;
- the achievement: the framework by title, version and status (a provisional version is
  named as such in the name, the version and a tag), the criteria in words, and one
  `alignment` per competency pointing at its CASE CFItem (the URI the version's CASE 1.1
  package gives it: the package address with the item's stable UUID as the fragment);
- the recipient: a salted sha256 of the trainee's e-mail address (`identityHash`,
  `hashed: true`, `salt`), not their name or address;
- evidence: one entry per sign-off (the competency, outcome, date and signer's role) and
  one for the final sign-off; no evidence content, no signer names;
- `credentialStatus`: a BitstringStatusListEntry (revocation), its place allocated here.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from datetime import date, datetime

from flask import current_app
from sqlalchemy import func, select, update

from app.base_url import absolute_url
from app.extensions import db
from app.models.credentials import IssuedCredential
from app.models.enrolments import Enrolment
from app.models.frameworks import Competency, Domain, Framework
from app.models.signoffs import Completion, SignOff
from app.models.users import User
from app.services.credentials import jsonld, keys, proofs
from app.services.credentials.status_list import STATUS_PURPOSE, list_position
from app.services.frameworks.case_export import package_path
from app.services.frameworks.case_identifiers import competency_key, identifiers_of
from app.services.frameworks.labels import framework_label, is_provisional
from app.services.rule_results import long_date

CONTEXT = [jsonld.VC_V2, jsonld.OB_V3P0_303]
MEDIA_TYPE = "application/vc+ld+json"


def credential_url(public_id: str) -> str:
    return absolute_url(f"/credentials/{public_id}")


def status_list_url(list_number: int) -> str:
    return absolute_url(f"/credentials/status/{list_number}")


def case_package_url(framework: Framework) -> str:
    """Where the framework version's CASE 1.1 package is served (the API's CASE route)."""
    return absolute_url(package_path(framework.code, framework.version))


def identity_hash(email: str, salt: str) -> str:
    """OB 3.0 `identityHash` of an e-mail address: "sha256$" + hex sha256(address + salt)."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()


def _issuer() -> dict:
    config = current_app.config
    return {
        "id": keys.current_issuer_id(),
        "type": ["Profile"],
        "name": config["CREDENTIAL_ISSUER_NAME"],
        "url": config.get("CREDENTIAL_ISSUER_URL") or config["BASE_URL"],
    }


def _alignments(framework: Framework) -> list[dict]:
    package = case_package_url(framework)
    case_ids = identifiers_of(framework.id, framework.code, framework.version)
    rows = db.session.execute(
        select(Competency.code, Competency.title)
        .join(Domain, Competency.domain_id == Domain.id)
        .where(Competency.framework_id == framework.id)
        .order_by(Domain.position, Competency.position)
    )
    return [
        {
            "type": ["Alignment"],
            "targetType": "CFItem",
            "targetCode": code,
            "targetName": f"{code} {title}",
            "targetFramework": framework.title,
            # The competency's CFItem: its URI in the version's CASE package.
            "targetUrl": f"{package}#{case_ids[competency_key(code)]}",
        }
        for code, title in rows
    ]


def _achievement(framework: Framework) -> dict:
    alignments = _alignments(framework)
    label = framework_label(framework)
    provisional = is_provisional(framework)
    criteria = (
        f"Every one of the {len(alignments)} competencies of the {label} was signed off at a "
        "proficient outcome by a GPhC-registered pharmacist supervisor, on evidence of "
        "practice reviewed and accepted in the portfolio; the technician's GPhC "
        "registration and Level 3 qualification were checked and verified; and the "
        "clinical supervisor gave the final sign-off."
    )
    achievement = {
        "id": absolute_url(f"/credentials/achievements/{framework.code}/{framework.version}"),
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": f"Training completed: {label}",
        "description": (
            f"Completion of training as a primary care pharmacy technician against the {label}."
        ),
        "criteria": {"narrative": criteria},
        "version": f"{framework.version} ({framework.status})",
        "tag": [f"framework-status:{framework.status}"],
        "alignment": alignments,
    }
    if provisional:
        achievement["description"] += (
            " This framework version is provisional: its wording is a working draft, not the "
            "publisher's official wording."
        )
    return achievement


def _role(signer_id: int, enrolment: Enrolment) -> str:
    if signer_id == enrolment.clinical_supervisor_id:
        return "the clinical supervisor, a GPhC-registered pharmacist"
    if signer_id == enrolment.education_supervisor_id:
        return "the education supervisor, a GPhC-registered pharmacist"
    return "a GPhC-registered pharmacist supervisor"


def _evidence(completion: Completion, enrolment: Enrolment) -> list[dict]:
    snapshot = completion.prerequisites.get("sign_offs", [])
    signers = dict(
        db.session.execute(
            select(SignOff.id, SignOff.signer_id).where(SignOff.id.in_([s["id"] for s in snapshot]))
        ).all()
    )
    entries = []
    for s in snapshot:
        signed_on = date.fromisoformat(s["signed_on"])
        entries.append(
            {
                "type": ["Evidence"],
                "name": f"Sign-off of {s['competency_code']} {s['competency_title']}".strip(),
                "description": (
                    f"Signed off as “{s['outcome']}” on {long_date(signed_on)} ({signed_on}) "
                    f"by {_role(signers.get(s['id'], 0), enrolment)}."
                ),
                "genre": "Competency sign-off",
            }
        )
    completed_on = completion.completed_at.date()
    entries.append(
        {
            "type": ["Evidence"],
            "name": "Final sign-off of the training",
            "description": (
                f"Training signed off as complete on {long_date(completed_on)} "
                f"({completed_on}) by {_role(completion.signer_id, enrolment)}, after the "
                "registration and qualification checks."
            ),
            "genre": "Final sign-off",
        }
    )
    return entries


def _next_sequence() -> int:
    last = db.session.scalar(select(func.max(IssuedCredential.status_sequence)))
    return 0 if last is None else last + 1


def build_credential(
    completion: Completion, enrolment: Enrolment, *, public_id: str, sequence: int, salt: str
) -> dict:
    """The unsigned credential for a completion (see the module docstring)."""
    framework = enrolment.framework
    list_number, index = list_position(sequence)
    status_url = status_list_url(list_number)
    return {
        "@context": list(CONTEXT),
        "id": credential_url(public_id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"Training completed: {framework_label(framework)}",
        "issuer": _issuer(),
        "validFrom": proofs.xsd_datetime(completion.completed_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "emailAddress",
                    "hashed": True,
                    "identityHash": identity_hash(enrolment.trainee.email, salt),
                    "salt": salt,
                }
            ],
            "achievement": _achievement(framework),
        },
        "evidence": _evidence(completion, enrolment),
        "credentialStatus": {
            "id": f"{status_url}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": STATUS_PURPOSE,
            "statusListIndex": str(index),
            "statusListCredential": status_url,
        },
    }


def issue_for_completion(
    completion: Completion, enrolment: Enrolment, *, signer: User, now: datetime
) -> IssuedCredential:
    """Sign and record the completion's credential in the caller's transaction. It is part
    of the final sign-off, so that one audit event (`enrolment.completed`) names it, with
    `audit_data(credential)`."""
    public_id = str(uuid.uuid4())
    sequence = _next_sequence()
    unsigned = build_credential(
        completion, enrolment, public_id=public_id, sequence=sequence, salt=secrets.token_hex(16)
    )
    issuer_key = keys.issuer_keys()[0]
    signed = proofs.add_proof(
        unsigned, keys.signing_key(), issuer_key.verification_method, created=now
    )
    document = json.dumps(signed, ensure_ascii=False, indent=2) + "\n"
    list_number, index = list_position(sequence)
    credential = IssuedCredential(
        public_id=public_id,
        trainee_id=enrolment.trainee_id,
        enrolment_id=enrolment.id,
        completion_id=completion.id,
        status_sequence=sequence,
        status_list=list_number,
        status_list_index=index,
        verification_method=issuer_key.verification_method,
        document=document,
        document_sha256=hashlib.sha256(document.encode()).hexdigest(),
        issued_at=now,
    )
    db.session.add(credential)
    db.session.flush()
    return credential


def audit_data(credential: IssuedCredential) -> dict:
    """What the completion's audit event records of the credential issued with it."""
    return {
        "id": credential.id,
        "public_id": credential.public_id,
        "status_list": credential.status_list,
        "status_list_index": credential.status_list_index,
        "verification_method": credential.verification_method,
        "document_sha256": credential.document_sha256,
    }


# --- Reading them ----------------------------------------------------------------------


def credentials_of(trainee_id: int) -> list[IssuedCredential]:
    return list(
        db.session.scalars(
            select(IssuedCredential)
            .where(IssuedCredential.trainee_id == trainee_id)
            .order_by(IssuedCredential.issued_at, IssuedCredential.id)
        )
    )


def credential_for_enrolment(enrolment_id: int) -> IssuedCredential | None:
    return db.session.scalar(
        select(IssuedCredential).where(IssuedCredential.enrolment_id == enrolment_id)
    )


def download_name(credential: IssuedCredential) -> str:
    return f"open-badge-credential-{credential.enrolment_id}.json"


def erase_stored_copies(enrolment_ids) -> int:
    """Erasure (privacy.erasure): the stored copies of these enrolments' credentials go, as
    they carry a salted hash of the e-mail address. Each row keeps its digest and its place
    in the status list, so the copy the technician holds still checks as issued and not
    revoked. Returns how many were emptied."""
    result = db.session.execute(
        update(IssuedCredential)
        .where(IssuedCredential.enrolment_id.in_(enrolment_ids), IssuedCredential.document != "")
        .values(document=""),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount
