"""The evidence lifecycle: drafting, versions, submitting, deleting, attachments, visibility."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.evidence import Attachment, Evidence, EvidenceLink, EvidenceVersion
from app.services.audit import chain as audit
from app.services.errors import DomainError, NotFound
from app.services.portfolio import access as evidence_access
from app.services.portfolio import evidence as evidence_service
from app.services.portfolio.access import (
    access_flags,
    can_see_evidence,
    evidence_visible_to,
    viewer_params,
    visible_evidence_for,
    visible_evidence_template,
)
from app.services.portfolio.assessment_forms import FormInvalid
from app.services.portfolio.attachments import stored_path
from app.services.portfolio.content import PatientDataWarning, changed_fields
from app.services.supervision import enrolments
from tests.evidence.conftest import TODAY, valid_answers

PDF = b"%PDF-1.4\n%%EOF\n"
LIMIT = 1024 * 1024


def create(enrolment, type_code="reflective-account", links=(("D1.1", "Shows it"),), **kw):
    answers = kw.pop("answers", None) or valid_answers(type_code)
    return evidence_service.create_draft(
        enrolment, type_code, answers, list(links), actor=enrolment.trainee, today=TODAY, **kw
    )


def edit(item, links=(("D1.1", "Shows it"),), **answers):
    return evidence_service.edit(
        item,
        valid_answers(item.evidence_type.code, **answers),
        list(links),
        actor=item.enrolment.trainee,
        today=TODAY,
    )


@pytest.fixture
def upload_dir(tmp_path):
    """Its own folder: the test database lives in tmp_path too."""
    folder = tmp_path / "files"
    folder.mkdir()
    return folder


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def attach(item, content=PDF, name="letter.pdf", *, upload_dir, max_bytes=LIMIT):
    return evidence_service.add_attachment(
        item,
        io.BytesIO(content),
        name,
        actor=item.enrolment.trainee,
        upload_dir=upload_dir,
        max_bytes=max_bytes,
    )


# --- Creating drafts ------------------------------------------------------------------


def test_a_new_draft_has_version_1_with_its_fields_links_and_digest(enrolment):
    item = create(enrolment, links=[("D1.1", "Led the huddle"), ("D2.3", "")])
    db.session.commit()
    assert item.status == "draft"
    assert item.submitted_at is None
    version = item.current_version
    assert version.number == 1
    assert version.title == item.title == "A reflective-account item"
    assert version.fields["what_happened"].startswith("Written answer")
    assert "title" not in version.fields
    assert [(link.competency.code, link.note) for link in version.links] == [
        ("D1.1", "Led the huddle"),
        ("D2.3", ""),
    ]
    assert len(version.content_sha256) == 64


def test_creating_a_draft_writes_one_audit_event_with_ids_and_digests_only(enrolment):
    item = create(enrolment, answers=valid_answers("reflective-account", title="Secret words"))
    db.session.commit()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "evidence.created"))
    assert event.subject_id == str(item.id)
    assert event.data["content_sha256"] == item.current_version.content_sha256
    assert "Secret" not in json.dumps(event.data)
    assert audit.verify_chain().intact


def test_the_type_and_competencies_may_be_given_as_objects(enrolment):
    competency = enrolment.framework.domains[0].competencies[0]
    evidence_type = enrolment.framework.evidence_types[0]
    item = evidence_service.create_draft(
        enrolment,
        evidence_type,
        valid_answers(evidence_type.code),
        [(competency, None)],
        actor=enrolment.trainee,
        today=TODAY,
    )
    assert item.evidence_type is evidence_type
    assert item.current_version.links[0].competency is competency


def test_an_unknown_evidence_type_is_refused(enrolment):
    with pytest.raises(DomainError) as caught:
        create(enrolment, type_code="peer-discussion")  # exists in another framework only
    assert caught.value.field == "type"


def test_an_evidence_type_from_another_framework_is_refused(enrolment, minimal_framework):
    other_type = minimal_framework.evidence_types[0]
    with pytest.raises(DomainError) as caught:
        evidence_service.create_draft(
            enrolment,
            other_type,
            valid_answers(other_type.code),
            [("D1.1", "")],
            actor=enrolment.trainee,
            today=TODAY,
        )
    assert caught.value.field == "type"


def test_a_competency_from_another_framework_version_is_refused(enrolment, ncf_version_4):
    newer = next(c for d in ncf_version_4.domains for c in d.competencies if c.code == "D1.1")
    with pytest.raises(DomainError, match="different framework version") as caught:
        create(enrolment, links=[(newer, "note")])
    assert caught.value.field == "competencies"


@pytest.mark.parametrize(
    ("links", "message"),
    [
        ([], "at least one competency"),
        ([("D9.9", "")], "D9.9 is not a competency"),
        ([("D1.1", ""), ("D1.1", "again")], "linked twice"),
        ([("D1.1", "x" * 501)], "500 characters"),
    ],
)
def test_bad_links_are_refused_and_nothing_is_saved(enrolment, links, message):
    with pytest.raises(DomainError, match=message):
        create(enrolment, links=links)
    db.session.rollback()
    assert count(Evidence) == 0


def test_linking_more_than_five_competencies_is_refused(enrolment):
    six = [(code, "") for code in ("D1.1", "D1.2", "D1.3", "D1.4", "D1.5", "D2.1")]
    with pytest.raises(DomainError, match="at most 5") as caught:
        create(enrolment, links=six)
    assert caught.value.field == "competencies"
    assert create(enrolment, links=six[:5]).id


def test_the_link_limit_comes_from_configuration_or_the_argument(app, enrolment):
    three = [("D1.1", ""), ("D1.2", ""), ("D1.3", "")]
    app.config["MAX_COMPETENCY_LINKS"] = 2
    with pytest.raises(DomainError, match="at most 2"):
        create(enrolment, links=three)
    assert create(enrolment, links=three, max_links=3).id


def test_invalid_form_answers_are_refused_with_every_field_error(enrolment):
    answers = valid_answers(
        "mini-cex",
        rating_overall=None,
        overall_judgement=None,
        assessor_registration_number="5000000",
    )
    with pytest.raises(FormInvalid) as caught:
        create(enrolment, type_code="mini-cex", answers=answers)
    assert set(caught.value.errors) == {
        "rating_overall",
        "overall_judgement",
        "assessor_registration_number",
    }


def test_a_valid_nhs_number_blocks_saving_and_names_the_field(enrolment):
    answers = valid_answers("reflective-account", so_what="Patient 943 476 5919 learned")
    with pytest.raises(DomainError, match="NHS number") as caught:
        create(enrolment, answers=answers, confirmed=True)
    assert caught.value.field == "so_what"
    db.session.rollback()
    assert count(Evidence) == 0
    assert "evidence.created" not in audit_actions()


def test_an_nhs_number_in_a_link_note_is_blocked_on_that_note(enrolment):
    with pytest.raises(DomainError) as caught:
        create(enrolment, links=[("D1.1", "for 9434765919")])
    assert caught.value.field == "note:D1.1"


def test_an_nhs_number_with_a_wrong_check_digit_is_saved(enrolment):
    answers = valid_answers("mcq", description="Batch 943 476 5918")
    assert create(enrolment, type_code="mcq", answers=answers).id


def test_other_identifiers_warn_until_the_trainee_confirms(enrolment):
    answers = valid_answers("mcq", setting="Home visit, LS1 4AP")
    with pytest.raises(PatientDataWarning) as caught:
        create(enrolment, type_code="mcq", answers=answers)
    assert [(f.field, f.kind) for f in caught.value.findings] == [("setting", "postcode")]
    db.session.rollback()
    assert create(enrolment, type_code="mcq", answers=answers, confirmed=True).id


def test_another_trainee_cannot_create_evidence_on_an_enrolment(enrolment, make_trainee):
    intruder = make_trainee(enrolment.framework)
    with pytest.raises(NotFound):
        evidence_service.create_draft(
            enrolment, "mcq", valid_answers("mcq"), [("D1.1", "")], actor=intruder, today=TODAY
        )


def test_evidence_cannot_change_once_the_enrolment_is_withdrawn(enrolment, log_evidence):
    item = log_evidence(enrolment, "mcq", ["D1.1"])
    enrolment.status = "withdrawn"
    db.session.commit()
    with pytest.raises(DomainError, match="withdrawn"):
        evidence_service.submit(item, actor=enrolment.trainee)


# --- Editing, submitting and versions ---------------------------------------------


def test_editing_a_draft_changes_version_1_in_place(enrolment):
    item = create(enrolment, links=[("D1.1", "first"), ("D1.2", "")])
    before = item.current_version.content_sha256
    version = edit(item, links=[("D1.1", "better note"), ("D2.1", "")], title="Renamed")
    db.session.commit()
    assert version.number == 1
    assert item.title == version.title == "Renamed"
    assert version.content_sha256 != before
    assert [(lk.competency.code, lk.note) for lk in version.links] == [
        ("D1.1", "better note"),
        ("D2.1", ""),
    ]
    assert count(EvidenceVersion) == 1
    assert count(EvidenceLink) == 2
    assert audit_actions()[-1] == "evidence.edited"


def test_saving_identical_content_changes_nothing(enrolment, log_evidence):
    item = log_evidence(enrolment, "reflective-account", ["D1.1"], status="submitted")
    events = len(audit_actions())
    version = evidence_service.edit(
        item,
        valid_answers("reflective-account"),
        [("D1.1", "How this shows D1.1")],
        actor=enrolment.trainee,
        today=TODAY,
    )
    assert version.number == 1
    assert item.status == "submitted"
    assert len(audit_actions()) == events


def test_submitting_shares_the_current_version(enrolment, log_evidence):
    item = log_evidence(enrolment, "mcq", ["D1.1"])
    version = evidence_service.submit(item, actor=enrolment.trainee)
    db.session.commit()
    assert item.status == "submitted"
    assert version.submitted_at is not None
    assert item.submitted_at == version.submitted_at
    assert audit_actions()[-1] == "evidence.submitted"


@pytest.mark.parametrize("status", ["submitted", "accepted", "changes_requested"])
def test_only_a_draft_can_be_submitted(enrolment, log_evidence, status):
    item = log_evidence(enrolment, "mcq", ["D1.1"], status=status)
    with pytest.raises(DomainError, match="change it to submit it again"):
        evidence_service.submit(item, actor=enrolment.trainee)


@pytest.mark.parametrize("status", ["submitted", "accepted", "changes_requested"])
def test_editing_shared_evidence_makes_a_new_draft_version_and_keeps_the_old(
    enrolment, log_evidence, status
):
    item = log_evidence(enrolment, "reflective-account", ["D1.1", "D1.2"], status=status)
    first = item.current_version
    first_digest, first_fields = first.content_sha256, dict(first.fields)
    version = edit(item, links=[("D1.1", "rewritten")], now_what="Something new")
    db.session.commit()
    assert version.number == item.current_version_number == 2
    assert item.status == "draft"
    assert version.submitted_at is None
    db.session.expire_all()
    old = db.session.scalar(select(EvidenceVersion).filter_by(evidence_id=item.id, number=1))
    assert old.content_sha256 == first_digest
    assert old.fields == first_fields
    assert [lk.competency.code for lk in old.links] == ["D1.1", "D1.2"]
    assert [lk.competency.code for lk in item.current_version.links] == ["D1.1"]
    assert changed_fields(old, item.current_version) == [
        "now_what",
        "competencies",
    ]
    assert audit_actions()[-1] == "evidence.revised"


def test_a_revised_item_is_resubmitted_as_its_new_version(enrolment, log_evidence):
    item = log_evidence(enrolment, "mcq", ["D1.1"], status="changes_requested")
    edit(item, description="Now with the score")
    version = evidence_service.submit(item, actor=enrolment.trainee)
    assert (version.number, item.status) == (2, "submitted")


def test_a_review_decision_sets_the_status_of_the_version_reviewed(enrolment, log_evidence):
    item = log_evidence(enrolment, "mcq", ["D1.1"], status="submitted")
    previous = evidence_service.set_status_from_review(item, "accepted", version_number=1)
    assert (previous, item.status) == ("submitted", "accepted")


@pytest.mark.parametrize(
    ("status", "decision", "version_number", "message"),
    [
        ("submitted", "maybe", 1, "accept the evidence or ask for changes"),
        ("draft", "accepted", 1, "not waiting for review"),
        ("accepted", "changes_requested", 1, "not waiting for review"),
        ("submitted", "accepted", 2, "changed since you opened it"),
    ],
)
def test_review_decisions_apply_only_to_the_submitted_version(
    enrolment, log_evidence, status, decision, version_number, message
):
    item = log_evidence(enrolment, "mcq", ["D1.1"], status=status)
    with pytest.raises(DomainError, match=message):
        evidence_service.set_status_from_review(item, decision, version_number=version_number)


@pytest.mark.parametrize("action", ["edit", "submit", "delete", "attach", "remove file"])
def test_another_trainee_cannot_change_the_evidence(
    enrolment, log_evidence, make_trainee, action, upload_dir
):
    item = log_evidence(enrolment, "mcq", ["D1.1"])
    intruder = make_trainee(enrolment.framework)
    calls = {
        "edit": lambda: evidence_service.edit(
            item, valid_answers("mcq"), [("D1.1", "")], actor=intruder, today=TODAY
        ),
        "submit": lambda: evidence_service.submit(item, actor=intruder),
        "delete": lambda: evidence_service.delete_draft(item, actor=intruder),
        "attach": lambda: evidence_service.add_attachment(
            item, io.BytesIO(PDF), "a.pdf", actor=intruder, upload_dir=upload_dir, max_bytes=LIMIT
        ),
        "remove file": lambda: evidence_service.remove_attachment(item, own_file, actor=intruder),
    }
    own_file = attach(item, upload_dir=upload_dir) if action == "remove file" else None
    db.session.commit()
    kept = sorted(p.name for p in upload_dir.rglob("*") if p.is_file())
    with pytest.raises(NotFound):
        calls[action]()
    assert sorted(p.name for p in upload_dir.rglob("*") if p.is_file()) == kept
    if own_file is not None:
        db.session.rollback()
        assert count(Attachment) == 1


# --- Deleting drafts ------------------------------------------------------------------


def test_a_draft_can_be_deleted_with_its_versions_links_and_attachments(enrolment, upload_dir):
    item = create(enrolment)
    attachment = attach(item, upload_dir=upload_dir)
    keys = evidence_service.delete_draft(item, actor=enrolment.trainee)
    db.session.commit()
    assert keys == [attachment.storage_key]
    assert [count(m) for m in (Evidence, EvidenceVersion, EvidenceLink, Attachment)] == [0] * 4
    assert audit_actions()[-1] == "evidence.deleted"
    assert audit.verify_chain().intact


@pytest.mark.parametrize("status", ["submitted", "accepted", "changes_requested"])
def test_shared_evidence_cannot_be_deleted(enrolment, log_evidence, status):
    item = log_evidence(enrolment, "mcq", ["D1.1"], status=status)
    with pytest.raises(DomainError, match="never submitted"):
        evidence_service.delete_draft(item, actor=enrolment.trainee)


def test_a_draft_revision_of_submitted_evidence_cannot_be_deleted(enrolment, log_evidence):
    item = log_evidence(enrolment, "mcq", ["D1.1"], status="accepted")
    edit(item, description="changed")
    assert item.status == "draft"
    with pytest.raises(DomainError, match="never submitted"):
        evidence_service.delete_draft(item, actor=enrolment.trainee)
    assert not evidence_service.deletable(item)


def test_deletable_says_in_advance_what_delete_draft_allows(enrolment, log_evidence):
    assert evidence_service.deletable(log_evidence(enrolment, "mcq", ["D1.1"]))
    assert not evidence_service.deletable(log_evidence(enrolment, "mcq", ["D1.1"], "submitted"))


# --- Attachments ------------------------------------------------------------------------


def test_attaching_to_a_draft_keeps_its_version_and_changes_its_digest(enrolment, upload_dir):
    item = create(enrolment)
    before = item.current_version.content_sha256
    attachment = attach(item, name="../../Referral letter.pdf", upload_dir=upload_dir)
    db.session.commit()
    assert attachment.version_number == item.current_version_number == 1
    assert attachment.original_filename == "Referral letter.pdf"
    assert attachment.media_type == "application/pdf"
    assert stored_path(upload_dir, attachment.storage_key).read_bytes() == PDF
    assert item.current_version.content_sha256 != before
    assert audit_actions()[-1] == "evidence.attachment_added"


def test_attaching_to_submitted_evidence_makes_a_new_version(enrolment, log_evidence, upload_dir):
    item = log_evidence(enrolment, "mcq", ["D1.1"], status="submitted")
    first_digest = item.current_version.content_sha256
    attachment = attach(item, upload_dir=upload_dir)
    db.session.commit()
    assert attachment.version_number == item.current_version_number == 2
    assert item.status == "draft"
    first, second = item.versions
    assert first.content_sha256 == first_digest
    assert changed_fields(first, second) == ["attachments"]


def test_a_file_added_to_a_draft_can_be_removed_and_the_digest_goes_back(enrolment, upload_dir):
    item = create(enrolment)
    without_file = item.current_version.content_sha256
    kept = attach(item, name="kept.pdf", upload_dir=upload_dir)
    with_one_file = item.current_version.content_sha256
    unwanted = attach(item, PDF + b"%second", "unwanted.pdf", upload_dir=upload_dir)
    db.session.commit()
    assert item.current_version.content_sha256 not in (without_file, with_one_file)

    unwanted_id, unwanted_sha256 = unwanted.id, unwanted.sha256
    key = evidence_service.remove_attachment(item, unwanted, actor=enrolment.trainee)
    db.session.commit()
    assert key == unwanted.storage_key
    # Removing it again (a second tab) is refused in words, not with an error page.
    with pytest.raises(NotFound, match="no longer attached"):
        evidence_service.remove_attachment(item, unwanted, actor=enrolment.trainee)

    assert [a.original_filename for a in item.attachments] == ["kept.pdf"]
    assert list(db.session.scalars(select(Attachment.id))) == [kept.id]
    # The version's digest is of what it now holds: the same as before the second file.
    assert item.current_version.content_sha256 == with_one_file
    assert (item.status, item.current_version_number) == ("draft", 1)
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == "evidence.attachment_removed"
    assert event.data == {
        "attachment_id": unwanted_id,
        "sha256": unwanted_sha256,
        "version": 1,
        "content_sha256": with_one_file,
    }
    assert audit.verify_chain().intact
    # The service leaves the stored file for the caller to delete after the commit.
    assert stored_path(upload_dir, key).is_file()


def test_a_file_added_to_a_revision_can_be_removed_but_the_submitted_ones_stay(
    enrolment, log_evidence, upload_dir
):
    item = log_evidence(enrolment, "mcq", ["D1.1"])
    seen = attach(item, name="seen.pdf", upload_dir=upload_dir)
    evidence_service.submit(item, actor=enrolment.trainee)
    added = attach(item, PDF + b"%new", "new.pdf", upload_dir=upload_dir)
    db.session.commit()
    assert (item.current_version_number, added.version_number) == (2, 2)
    assert evidence_service.removable(item, added)
    assert not evidence_service.removable(item, seen)
    events = len(audit_actions())
    with pytest.raises(DomainError, match="stay with the version they saw") as caught:
        evidence_service.remove_attachment(item, seen, actor=enrolment.trainee)
    assert caught.value.field == "attachment"
    db.session.rollback()
    assert len(audit_actions()) == events
    assert count(Attachment) == 2

    evidence_service.remove_attachment(item, added, actor=enrolment.trainee)
    db.session.commit()
    first, second = item.versions
    assert [a.original_filename for a in item.attachments] == ["seen.pdf"]
    # Version 2 now holds exactly what version 1 did.
    assert second.content_sha256 == first.content_sha256


@pytest.mark.parametrize("status", ["submitted", "accepted", "changes_requested"])
def test_no_file_can_be_removed_from_evidence_a_supervisor_can_see(
    enrolment, log_evidence, upload_dir, status
):
    item = log_evidence(enrolment, "mcq", ["D1.1"])
    attachment = attach(item, upload_dir=upload_dir)
    evidence_service.submit(item, actor=enrolment.trainee)
    item.status = status
    db.session.commit()
    assert not evidence_service.removable(item, attachment)
    with pytest.raises(DomainError, match="Only a file added since you last submitted"):
        evidence_service.remove_attachment(item, attachment, actor=enrolment.trainee)


def test_a_file_of_another_item_is_not_removable_through_this_one(
    enrolment, log_evidence, upload_dir
):
    first = log_evidence(enrolment, "mcq", ["D1.1"])
    second = log_evidence(enrolment, "mcq", ["D1.1"])
    attachment = attach(first, upload_dir=upload_dir)
    assert evidence_service.removable(first, attachment)
    assert not evidence_service.removable(second, attachment)
    with pytest.raises(NotFound, match="no longer attached"):
        evidence_service.remove_attachment(second, attachment, actor=enrolment.trainee)


@pytest.mark.parametrize(
    ("content", "name", "max_bytes"),
    [
        (b"<html><body>hi</body></html>", "results.pdf", LIMIT),
        (PDF + b"0" * 100, "big.pdf", 50),
        (PDF, "NHS 9434765919.pdf", LIMIT),
    ],
)
def test_a_refused_file_changes_nothing(
    enrolment, log_evidence, upload_dir, content, name, max_bytes
):
    item = log_evidence(enrolment, "mcq", ["D1.1"], status="submitted")
    events = len(audit_actions())
    with pytest.raises(DomainError) as caught:
        attach(item, content, name, upload_dir=upload_dir, max_bytes=max_bytes)
    assert caught.value.field == "file"
    db.session.rollback()
    assert (item.status, item.current_version_number) == ("submitted", 1)
    assert count(Attachment) == 0
    assert len(audit_actions()) == events
    assert [p for p in upload_dir.rglob("*") if p.is_file()] == []


# --- Who sees what ------------------------------------------------------------------


@pytest.fixture
def items(enrolment, log_evidence):
    return {
        status: log_evidence(enrolment, "mcq", ["D1.1"], status=status, title=status)
        for status in ("draft", "submitted", "changes_requested", "accepted")
    }


def visible_titles(user) -> set[str]:
    """What `user` sees, asked both ways the rule is written out: with the viewer's values,
    and built once per kind of viewer with them bound (the two must always agree)."""
    direct = {e.title for e in db.session.scalars(visible_evidence_for(user))}
    template = visible_evidence_template(access_flags(user))
    bound = {e.title for e in db.session.scalars(template, viewer_params(user))}
    assert bound == direct
    return direct


def test_a_trainee_sees_all_their_own_evidence_including_drafts(trainee, items):
    assert visible_titles(trainee) == set(items)


def test_another_trainee_sees_none_of_it(make_trainee, framework, items):
    other = make_trainee(framework)
    assert visible_titles(other) == set()
    assert evidence_visible_to(other, items["accepted"].id) is None


def test_the_supervisor_sees_shared_evidence_but_never_a_draft(supervisor, items):
    assert visible_titles(supervisor) == {"submitted", "changes_requested", "accepted"}
    assert evidence_visible_to(supervisor, items["draft"].id) is None
    assert evidence_visible_to(supervisor, items["submitted"].id) is items["submitted"]


def test_a_revision_of_evidence_never_accepted_is_hidden_until_resubmitted(supervisor, items):
    """Nothing of it was accepted, so nothing stays shared while the trainee changes it
    (a revision of accepted evidence: tests/evidence/test_accepted_version.py)."""
    item = items["changes_requested"]
    edit(item, description="An update")
    db.session.commit()
    assert evidence_visible_to(supervisor, item.id) is None
    evidence_service.submit(item, actor=item.enrolment.trainee)
    assert evidence_visible_to(supervisor, item.id) is item


def test_a_supervisor_of_someone_else_sees_nothing(make_user, org, items):
    stranger = make_user(roles=("supervisor",), org=org, gphc="2000002")
    assert visible_titles(stranger) == set()


def test_an_education_supervisor_sees_shared_evidence(make_user, org, enrolment, items):
    educator = make_user(roles=("supervisor",), org=org)
    enrolments.assign_supervisor(enrolment, educator, kind="education", actor=educator)
    assert visible_titles(educator) == {"submitted", "changes_requested", "accepted"}


def test_a_lead_above_the_trainee_sees_shared_evidence_only(make_user, org, items):
    lead = make_user(roles=("lead",), org=org.parent)
    assert visible_titles(lead) == {"submitted", "changes_requested", "accepted"}


def test_a_lead_elsewhere_and_an_admin_see_nothing(make_user, make_org, org, items):
    elsewhere = make_user(roles=("lead",), org=make_org("Other hub", "training-hub"))
    admin = make_user(roles=("admin",), org=org.parent)
    assert visible_titles(elsewhere) == set()
    assert visible_titles(admin) == set()


# --- Who can see one item, as its trainee is told ----------------------------------------


def test_the_audience_named_to_the_trainee_is_exactly_who_the_rule_lets_see_the_item(
    make_user, make_org, org, enrolment, items
):
    educator = make_user(roles=("supervisor",), org=org, name="Sam Educator")
    enrolments.assign_supervisor(enrolment, educator, kind="education", actor=educator)
    hub_lead = make_user(roles=("lead",), org=org.parent, name="Hana Hub-Lead")
    practice_lead = make_user(roles=("lead",), org=org, name="Pat Practice-Lead")
    make_user(roles=("lead",), org=org, name="Gone Lead").active = False
    outsiders = [
        make_user(roles=("lead",), org=make_org("Other hub", "training-hub")),
        make_user(roles=("supervisor",), org=org, gphc="2000002"),
        make_user(roles=("admin",), org=org.parent),
        make_user(roles=("trainee",), org=org),
    ]
    db.session.commit()
    item = items["submitted"]
    told = evidence_access.audience(item)
    clinical = enrolment.clinical_supervisor
    assert [(v.name, v.why) for v in told.supervisors] == [
        (clinical.name, "clinical supervisor"),
        ("Sam Educator", "education supervisor"),
    ]
    assert [(v.name, v.why) for v in told.leads] == [
        ("Hana Hub-Lead", "Training hub"),
        ("Pat Practice-Lead", "Riverside practice"),
    ]
    # Everyone named can open the item; nobody else with an account can.
    for person in (clinical, educator, hub_lead, practice_lead):
        assert can_see_evidence(person, item), person.name
    for person in outsiders:
        assert not can_see_evidence(person, item), person.email


@pytest.mark.parametrize("status", ["draft", "revised"])
def test_nobody_but_the_trainee_is_named_while_an_item_is_a_draft(
    make_user, org, enrolment, items, supervisor, status
):
    make_user(roles=("lead",), org=org.parent)
    item = items["draft"] if status == "draft" else items["changes_requested"]
    if status == "revised":
        edit(item, description="An update")
    db.session.commit()
    assert evidence_access.audience(item).nobody_else
    assert not can_see_evidence(supervisor, item)
