"""Publishing a framework version through the service the pages call: a file with
problems is reported by line and nothing is kept; a file that passes is kept for its
preview (with the diff against the version it follows); publishing imports it once, as
`frameworks import` would; only an administrator marks a provisional version published."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.audit import AuditEvent
from app.models.framework_publishing import FrameworkUpload
from app.models.frameworks import Framework
from app.services.audit import chain as audit
from app.services.errors import DomainError
from app.services.frameworks import catalogue, publishing
from app.services.frameworks.validation import MAX_FRAMEWORK_BYTES

FILES = Path(__file__).resolve().parent / "files"
V1 = (FILES / "v1.yaml").read_bytes()
V2 = (FILES / "v2.yaml").read_bytes()


@pytest.fixture
def lead(make_user):
    return make_user(roles=("lead",), name="Lee Lead")


@pytest.fixture
def admin(make_user):
    return make_user(roles=("admin",), name="Ada Admin")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def received(raw: bytes, actor, name: str = "upload.yaml") -> publishing.UploadCheck:
    check = publishing.receive_upload(name, raw, actor=actor)
    db.session.commit()
    return check


def test_a_file_with_problems_is_reported_by_file_and_line_and_nothing_is_kept(app, lead):
    broken = V1.replace(b"title: Crosswalk test framework", b"titel: Crosswalk test framework")
    broken = broken.replace(b"min_types: 2", b"min_types: 9")

    events = len(actions())

    check = received(broken, lead, name="../secret/broken.yaml")

    assert check.file_name == "broken.yaml"
    assert check.upload is None
    assert any(p.startswith("broken.yaml:5: unknown key 'titel'") for p in check.problems)
    assert any(p.startswith("broken.yaml:") and "min_types" in p for p in check.problems)
    assert count(FrameworkUpload) == 0
    assert count(Framework) == 0
    assert len(actions()) == events


def test_a_crosswalk_to_a_version_not_imported_is_a_problem_on_its_line(app, lead):
    check = received(V2, lead, name="v2.yaml")

    assert check.problems == [
        "v2.yaml:5: 'follows: \"1\"' is a crosswalk to a version not imported: "
        "import crosswalk-test version 1 first, then this file"
    ]
    assert count(FrameworkUpload) == 0


def test_a_file_over_the_size_limit_is_refused(app, lead):
    check = received(b"#" * (MAX_FRAMEWORK_BYTES + 10), lead, name="big.yaml")

    assert len(check.problems) == 1
    assert check.problems[0].startswith("big.yaml: the file is too large")
    assert count(FrameworkUpload) == 0


def test_a_file_that_passes_is_kept_for_its_preview_with_the_diff(app, lead, v1):
    check = received(V2, lead, name="v2.yaml")

    upload = check.upload
    assert (upload.framework_code, upload.framework_version) == ("crosswalk-test", "2")
    assert upload.yaml_text.encode() == V2
    assert upload.uploaded_by_id == lead.id
    assert actions()[-1] == "framework.uploaded"
    preview = publishing.preview_upload(upload.id)
    assert preview.publishable
    assert preview.baseline.id == v1.id
    assert [c.code for c in preview.diff.added] == ["N1"]
    assert [c.code for c in preview.diff.ended] == ["A5"]
    assert catalogue.find_framework("crosswalk-test", "2") is None  # nothing imported


def test_the_same_file_uploaded_again_before_publishing_is_the_same_upload(app, lead, v1):
    first = received(V2, lead).upload
    events = len(actions())

    again = received(V2, lead, name="copy.yaml")

    assert again.upload.id == first.id
    assert count(FrameworkUpload) == 1
    assert len(actions()) == events


def test_a_version_already_imported_with_identical_content_changes_nothing(app, lead, v1):
    events = len(actions())

    check = received(V1, lead, name="v1.yaml")

    assert check.problems == []
    assert check.identical.id == v1.id
    assert check.upload is None
    assert count(FrameworkUpload) == 0
    assert len(actions()) == events


def test_the_same_id_and_version_with_different_content_is_refused_in_the_clis_words(
    app, lead, v1, runner, tmp_path
):
    changed = V1.replace(b"Settles queries quickly.", b"Settles queries the same day.")
    (tmp_path / "v1b.yaml").write_bytes(changed)
    cli = runner.invoke(args=["frameworks", "import", str(tmp_path / "v1b.yaml")])

    check = received(changed, lead, name="v1b.yaml")

    assert cli.exit_code == 1
    [problem] = check.problems
    assert problem.startswith("v1b.yaml: crosswalk-test version 1 is already imported with")
    assert problem.removeprefix("v1b.yaml: ") in cli.output
    assert count(FrameworkUpload) == 0


def test_publishing_imports_the_version_once_with_one_audit_event(app, lead, v1):
    upload_id = received(V2, lead).upload.id
    events = len(actions())

    framework = publishing.publish_upload(upload_id, actor=lead)
    db.session.commit()

    assert (framework.code, framework.version, framework.status) == (
        "crosswalk-test",
        "2",
        "provisional",
    )
    upload = db.session.get(FrameworkUpload, upload_id)
    assert upload.framework_id == framework.id
    assert upload.published_by_id == lead.id
    assert upload.published_at is not None
    new_events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()[events:]
    assert [(e.action, e.actor_id, e.data["version"]) for e in new_events] == [
        ("framework.imported", lead.id, "2")
    ]
    assert audit.verify_chain().intact


def test_publishing_an_upload_twice_is_refused_and_changes_nothing(app, lead, v1):
    upload_id = received(V2, lead).upload.id
    publishing.publish_upload(upload_id, actor=lead)
    db.session.commit()
    events = len(actions())

    with pytest.raises(DomainError, match="already published; nothing changed"):
        publishing.publish_upload(upload_id, actor=lead)
    db.session.rollback()

    assert count(Framework) == 2
    assert len(actions()) == events


def test_a_file_imported_by_the_command_after_its_upload_is_not_published_again(
    app, lead, v1, runner
):
    upload_id = received(V2, lead).upload.id
    assert runner.invoke(args=["frameworks", "import", str(FILES / "v2.yaml")]).exit_code == 0

    assert publishing.preview_upload(upload_id).identical is not None
    with pytest.raises(DomainError, match="already imported with identical content"):
        publishing.publish_upload(upload_id, actor=lead)
    db.session.rollback()
    assert db.session.get(FrameworkUpload, upload_id).published_at is None


def test_without_follows_the_diff_is_against_the_latest_version_of_the_id(app, lead, v1):
    later = V1.replace(b'version: "1"', b'version: "1.1"').replace(
        b"Helps care homes order medicines.", b"Helps care homes order and store medicines."
    )

    preview = publishing.preview_upload(received(later, lead).upload.id)

    assert preview.baseline.version == "1"
    assert not preview.diff.follows
    assert [r.new.code for r in preview.diff.reworded] == ["A3"]


def test_only_an_administrator_marks_a_provisional_version_published(app, lead, admin, v1):
    events = len(actions())
    with pytest.raises(DomainError, match="Only an administrator"):
        publishing.mark_published("crosswalk-test", "1", actor=lead)
    db.session.rollback()
    assert db.session.get(Framework, v1.id).status == "provisional"
    assert len(actions()) == events

    publishing.mark_published("crosswalk-test", "1", actor=admin)
    db.session.commit()

    assert db.session.get(Framework, v1.id).status == "published"
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == "framework.marked_published"
    assert event.actor_id == admin.id
    assert event.data == {
        "code": "crosswalk-test",
        "version": "1",
        "from": "provisional",
        "to": "published",
    }
    with pytest.raises(DomainError, match="already published"):
        publishing.mark_published("crosswalk-test", "1", actor=admin)
    db.session.rollback()
    assert len(actions()) == events + 1
