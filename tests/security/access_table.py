"""Who may use each route, and on whose records: the expectations of the access matrix.

One line per endpoint: the roles its view declares, and the rule that decides which of
those people may act on trainee A's records through it. The matrix test derives every
expected status from this table, so a route missing here fails the suite by name.

The rules name the relations of `conftest.ACTORS` to A's records:
- ANY: the route shows no one person's records (a list scoped to the viewer, a form for
  their own records, reference pages, an administrator's account pages);
- OWNER: only A herself, drafts included;
- REVIEWER: only her assigned supervisor (clinical), and never a draft;
- VIEWER: A, her assigned supervisor and a lead of her organisation;
- OVERSEER: her assigned supervisor and a lead of her organisation;
- MANAGER: a lead of her organisation and any administrator;
- EVIDENCE_VIEWER: A (drafts too), her assigned supervisor and a lead of her
  organisation (submitted items only).
Everyone else whose role the route admits gets 404, exactly as for a record that does
not exist; a role the route does not admit gets 403; anonymous people are sent to sign
in (401 from the API).

The self supervisor walks the routes over her own records: she is let in wherever the
owner is, and every route that supervises or oversees a trainee (REVIEWER, OVERSEER)
refuses her with 403 and the words of the rule that nobody supervises themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tests.security.world import ACTORS, World

PUBLIC = "public"
AUTHENTICATED = "authenticated"


@dataclass(frozen=True)
class Rule:
    name: str
    admits: frozenset[str]
    drafts: frozenset[str] = frozenset()
    # A supervising route: someone reaching their own records through it is refused.
    supervises: bool = False


# Whoever may act on A's records as herself may act on her own as the self supervisor.
OWN = frozenset({"owner", "self_supervisor"})

ANY = Rule("any", frozenset(ACTORS), frozenset(ACTORS))
OWNER = Rule("owner", OWN, OWN)
REVIEWER = Rule("reviewer", frozenset({"assigned_supervisor"}), supervises=True)
VIEWER = Rule("viewer", OWN | {"assigned_supervisor", "lead_inside"})
OVERSEER = Rule("overseer", frozenset({"assigned_supervisor", "lead_inside"}), supervises=True)
MANAGER = Rule("manager", frozenset({"lead_inside", "admin"}))
EVIDENCE_VIEWER = Rule(
    "evidence viewer",
    OWN | {"assigned_supervisor", "lead_inside"},
    OWN,
)


@dataclass(frozen=True)
class Access:
    roles: frozenset[str]
    rule: Rule
    # Statuses that count as "let in" beyond 200 and 302: a POST whose form the view
    # checks after the access check may answer 400 to the matrix's minimal form.
    also_ok: frozenset[int] = frozenset()
    # Form fields for a POST (a JSON body for the API), given the world (default: none).
    data: Callable[[World], dict] | None = field(default=None, compare=False)
    # How a record that is not theirs (or does not exist) is refused: 404, unless a form
    # on the person's own page answers both alike with a message and a redirect (302).
    not_theirs: int = 404


def access(
    roles: str,
    rule: Rule = ANY,
    *,
    also_ok: tuple[int, ...] = (),
    data: Callable[[World], dict] | None = None,
    not_theirs: int = 404,
) -> Access:
    return Access(frozenset(roles.split()), rule, frozenset(also_ok), data, not_theirs)


def _assign_unassigned_supervisor(world: World) -> dict:
    return {"supervisor": world.others["unassigned_supervisor_id"], "kind": "clinical"}


def _verify_registration(world: World) -> dict:
    return {"record_id": world.others["registration_id"]}


def _assessment_request(world: World) -> dict:
    return {
        "assessor_name": "Ana Assessor",
        "assessor_email": "ana@example.org",
        "assessor_role": "nurse",
    }


def _review(world: World) -> dict:
    return {"decision": "changes_requested", "comment": "Say what you would do next time."}


TABLE: dict[str, Access] = {
    # Public pages and signing in and out.
    "main.accessibility": access(PUBLIC),
    "main.privacy": access(PUBLIC),
    "main.healthz": access(PUBLIC),
    "main.readyz": access(PUBLIC),  # for a load balancer: 200 ready, 503 naming what failed
    "main.manifest": access(PUBLIC),
    "main.service_worker": access(PUBLIC),
    "main.offline": access(PUBLIC),
    "auth.login": access(PUBLIC),
    # Asking for a reset link, and the pages of e-mailed one-time links: anyone may open
    # them; the matrix's made-up token gets the "this link is not valid" page (404).
    "auth.forgotten_password": access(PUBLIC),
    "auth.invitation": access(PUBLIC, also_ok=(404,)),
    "auth.reset_password": access(PUBLIC, also_ok=(404,)),
    "auth.confirm_email": access(PUBLIC, also_ok=(404,)),
    # The second step of signing in acts only on the pending sign-in in the session.
    "auth.two_factor": access(PUBLIC),
    "auth.two_factor_setup": access(PUBLIC),
    "auth.two_factor_cancel": access(PUBLIC),
    "api.openapi": access(PUBLIC),
    # Credentials (issue 22): anyone checks one, and fetches the issuer's keys and the
    # revocation status lists (the matrix's sample list does not exist: 404). The API's
    # check takes no token; the matrix's empty body names no credential (422).
    "credentials.verify": access(PUBLIC),
    # A credential's own address: the matrix's made-up id is "no credential" (404).
    "credentials.credential": access(PUBLIC, also_ok=(404,)),
    "credentials.did_document": access(PUBLIC),
    "credentials.status_list": access(PUBLIC, also_ok=(404,)),
    "api.verify_credential": access(PUBLIC, also_ok=(422,)),
    "auth.confirm_password": access(AUTHENTICATED),
    "auth.change_password": access(AUTHENTICATED),
    "account.tokens": access(AUTHENTICATED, also_ok=(400,)),
    # "That token does not exist" on the tokens page, for another's token as for none.
    "account.revoke_token": access(AUTHENTICATED, OWNER),
    "auth.logout": access(AUTHENTICATED),
    "auth.stay_signed_in": access(AUTHENTICATED),
    "account.sign_out_everywhere": access(AUTHENTICATED),
    # Your own two-factor sign-in (changes first ask for the password again).
    "account.two_factor": access(AUTHENTICATED),
    "account.two_factor_setup": access(AUTHENTICATED),
    "account.recovery_codes": access(AUTHENTICATED),
    "account.two_factor_off": access(AUTHENTICATED),
    # Everyone's own pages and the framework reference.
    "main.home": access(AUTHENTICATED),
    "main.frameworks": access(AUTHENTICATED),
    "main.framework": access(AUTHENTICATED),
    "notifications.index": access(AUTHENTICATED),
    "notifications.mark_read": access(AUTHENTICATED, OWNER),
    "notifications.mark_all_read": access(AUTHENTICATED),
    "api.me": access(AUTHENTICATED),
    "api.frameworks": access(AUTHENTICATED),
    "api.framework": access(AUTHENTICATED),
    "api.framework_case": access(AUTHENTICATED),
    # The API: the same rules as the pages.
    "api.trainee_list": access("supervisor lead"),
    "api.progress": access("supervisor lead"),
    "api.trainee_detail": access("trainee supervisor lead", VIEWER),
    "api.trainee_evidence": access("trainee supervisor lead", VIEWER),
    "api.trainee_credentials": access("trainee supervisor lead", VIEWER),
    "api.evidence_item": access("trainee supervisor lead", EVIDENCE_VIEWER),
    "api.create_evidence": access("trainee", also_ok=(422,)),
    "api.submit_evidence": access("trainee", OWNER, also_ok=(409,)),
    # Assessment requests (issue 16): the world's items are reflective accounts, which no
    # assessor completes (409), and its sample request does not exist (404), even for
    # the owner.
    "api.create_assessment_request": access(
        "trainee", OWNER, also_ok=(409,), data=_assessment_request
    ),
    "api.assessment_requests": access("trainee", OWNER),
    "api.withdraw_assessment_request": access("trainee", OWNER, also_ok=(404,)),
    "api.review_evidence": access("supervisor", REVIEWER, data=_review),
    # Administration: accounts, organisations and cohorts anywhere.
    "admin.home": access("admin"),
    "admin.users": access("admin"),
    "admin.user_new": access("admin"),
    "admin.user_detail": access("admin"),
    "admin.user_edit": access("admin"),
    "admin.user_deactivate": access("admin"),
    "admin.user_reactivate": access("admin"),
    "admin.user_two_factor_reset": access("admin"),
    # Signing in: invitations, reset links and e-mail changes (never a password).
    "admin.user_invitation_resend": access("admin"),
    "admin.user_invitation_cancel": access("admin"),
    "admin.user_password_reset": access("admin"),
    "admin.user_email": access("admin"),
    "admin.organisation_list": access("admin"),
    "admin.organisation_new": access("admin"),
    "admin.organisation_edit": access("admin"),
    # The matrix's empty form answers 400 with the page and its message.
    "admin.organisation_sign_in": access("admin", also_ok=(400,)),
    "admin.cohort_list": access("admin"),
    "admin.cohort_new": access("admin"),
    # Enrolment and supervisors: admins anywhere, leads inside their organisation.
    "admin.trainee_enrolment": access("admin lead", MANAGER),
    "admin.trainee_supervisors": access("admin lead", MANAGER, data=_assign_unassigned_supervisor),
    # Pausing, resuming and withdrawing an enrolment: a confirm page, then a POST; the
    # matrix's empty form changes nothing (a reason is needed; A's enrolment is not paused).
    "admin.enrolment_pause": access("admin lead", MANAGER),
    "admin.enrolment_resume": access("admin lead", MANAGER),
    "admin.enrolment_withdraw": access("admin lead", MANAGER),
    # Importing people from a CSV file: admins anywhere, leads inside their subtree (the
    # service's scope); without a file both answer the upload form again.
    "admin.people_import": access("admin lead"),
    "admin.people_import_confirm": access("admin lead"),
    "registration.programme": access("admin lead", MANAGER),
    "registration.exemption_document": access("admin lead", MANAGER),
    # The trainee's portfolio: their own records only.
    "trainee.home": access("trainee"),
    "trainee.competency": access("trainee"),
    "trainee.evidence_list": access("trainee"),
    "trainee.evidence_choose_type": access("trainee"),
    "trainee.evidence_new": access("trainee"),
    # Saving as the trainee types (the matrix's empty form is refused, nothing saved).
    "trainee.evidence_autosave_new": access("trainee"),
    "trainee.evidence_autosave": access("trainee", OWNER),
    "trainee.evidence_detail": access("trainee", OWNER),
    "trainee.evidence_version": access("trainee", OWNER),
    "trainee.evidence_edit": access("trainee", OWNER),
    "trainee.evidence_submit": access("trainee", OWNER, also_ok=(400,)),
    "trainee.evidence_delete": access("trainee", OWNER),
    "trainee.attachment_add": access("trainee", OWNER),
    # Assessment requests (issue 16): the owner's item; a request id that is not the
    # item's answers 404 even to the owner (the matrix's sample request does not exist).
    "trainee.assessment_requests": access("trainee", OWNER),
    "trainee.assessment_request_withdraw": access("trainee", OWNER, also_ok=(404,)),
    "trainee.assessment_in_person": access("trainee", OWNER, also_ok=(404,)),
    # The assessor's pages: anyone holding a link (none in the matrix: 404).
    "assess.start": access(PUBLIC, also_ok=(404,)),
    "assess.code": access(PUBLIC, also_ok=(404,)),
    "assess.answer": access(PUBLIC, also_ok=(404,)),
    "assess.done": access(PUBLIC),
    "trainee.attachment_remove": access("trainee", OWNER),
    "trainee.attachment_download": access("trainee", OWNER),
    "trainee.my_record": access("trainee"),
    "trainee.my_record_zip": access("trainee"),
    # The record's old addresses redirect (308) to the two above.
    "lead.my_record": access("trainee", also_ok=(308,)),
    "lead.my_record_zip": access("trainee", also_ok=(308,)),
    "supervisor.my_record": access("trainee"),
    # The trainee's development plan (PCPEP): their own learning needs and objectives.
    "trainee.development": access("trainee"),
    "trainee.learning_needs_analysis": access("trainee"),
    "trainee.objective_new": access("trainee"),
    # Multi-source feedback: the trainee's own rounds (counts only, never who answered).
    "trainee.feedback": access("trainee"),
    "trainee.feedback_open": access("trainee"),
    "trainee.feedback_nominate": access("trainee"),
    "trainee.feedback_remind": access("trainee"),
    # A rater's questionnaire, opened from their e-mail without an account: the matrix's
    # made-up token gets the "this link is not valid" page (404).
    "feedback.respond": access(PUBLIC, also_ok=(404,)),
    # Registration, qualification, training log and revalidation: the registrant's own.
    "registration.overview": access("trainee"),
    "registration.details": access("trainee"),
    "registration.qualification": access("trainee"),
    "registration.certificate": access("trainee"),
    "registration.training": access("trainee"),
    "registration.training_start": access("trainee"),
    "registration.log_week": access("trainee"),
    "registration.delete_week": access("trainee", OWNER),
    "registration.revalidation": access("trainee"),
    "registration.new_record": access("trainee"),
    "registration.delete_record": access("trainee", OWNER),
    "registration.exceptional_circumstances": access("trainee"),
    "registration.withdraw_exceptional_circumstances": access("trainee"),
    "registration.print_year": access("trainee"),
    # Oversight of a person's registration records: their supervisor or a lead over them.
    "registration.people": access("supervisor lead"),
    "registration.person_overview": access("supervisor lead", OVERSEER),
    "registration.person_training": access("supervisor lead", OVERSEER),
    "registration.person_revalidation": access("supervisor lead", OVERSEER),
    "registration.person_print_year": access("supervisor lead", OVERSEER),
    "registration.person_certificate": access("supervisor lead", OVERSEER),
    "registration.verify_registration": access(
        "supervisor lead", OVERSEER, data=_verify_registration
    ),
    "registration.verify_qualification": access("supervisor lead", OVERSEER, also_ok=(400,)),
    "registration.declare_training": access("supervisor", OVERSEER),
    # A supervisor's own registration, which their signatures rely on (`signer_id` is A's
    # supervisor): kept by a lead over their organisation or an administrator.
    "registration.signer_registration": access("admin lead", MANAGER),
    "registration.verify_signer_registration": access("admin lead", MANAGER, also_ok=(400,)),
    # Supervision: reviewing, signing off, sessions, the supervision record.
    "supervisor.home": access("supervisor"),
    "supervisor.review": access("supervisor", REVIEWER),
    "supervisor.attachment_download": access("supervisor", REVIEWER),
    "supervisor.record": access("trainee supervisor lead", VIEWER),
    "supervisor.completion_statement": access("trainee supervisor lead", VIEWER),
    "supervisor.completion_statement_pdf": access("trainee supervisor lead", VIEWER),
    "supervisor.credential_download": access("trainee supervisor lead", VIEWER),
    "supervisor.sign_off_detail": access("trainee supervisor lead", VIEWER),
    "supervisor.sign_off": access("supervisor", REVIEWER),
    "supervisor.revoke": access("supervisor", REVIEWER),
    "supervisor.complete": access("supervisor", REVIEWER),
    # Revoking a completion's credential: A's training is not complete in the matrix, so
    # her supervisor is sent back to her record (302).
    "credentials.revoke": access("supervisor", REVIEWER),
    # After a move to a new framework version: the gap analysis, signed by the supervisor.
    "supervisor.gap_analysis_page": access("trainee supervisor lead", VIEWER),
    "supervisor.sign_gap_analysis": access("supervisor", REVIEWER),
    "supervisor.session_new": access("supervisor", REVIEWER),
    "supervisor.sessions_overview": access("lead"),
    # The development plan from supervision: the supervisor comments and reviews; the
    # supervisor or a lead over the trainee sees the plan and records the stage.
    "supervisor.development": access("supervisor lead", OVERSEER),
    "supervisor.learning_needs_comment": access("supervisor", REVIEWER),
    "supervisor.objective_review": access("supervisor", REVIEWER),
    "supervisor.stage_new": access("supervisor lead", OVERSEER),
    # Multi-source feedback rounds: the clinical supervisor follows, closes and releases.
    "supervisor.feedback": access("supervisor", REVIEWER),
    "supervisor.feedback_close": access("supervisor", REVIEWER),
    "supervisor.feedback_release": access("supervisor", REVIEWER),
    # Cohort reports: each viewer's own scope (their organisation, their trainees).
    "lead.home": access("lead"),
    # A lead adds trainees and supervisors inside their own organisations.
    "lead.person_new": access("lead"),
    # Moving trainees to a new framework version: each in their own scope (a lead's
    # organisation, an administrator anywhere); the preview changes nothing.
    "lead.framework_moves": access("lead admin"),
    "lead.framework_moves_confirm": access("lead admin"),
    # Publishing a framework version: any lead or administrator uploads, previews and
    # publishes (frameworks belong to no organisation); the matrix's sample upload does
    # not exist (404). Only an administrator marks a provisional version as published.
    "lead.framework_publish": access("lead admin"),
    "lead.framework_upload": access("lead admin", also_ok=(404,)),
    "lead.framework_upload_publish": access("lead admin", also_ok=(404,)),
    "lead.framework_mark_published": access("admin"),
    "lead.dashboard": access("supervisor lead"),
    "lead.export_progress_csv": access("supervisor lead"),
    "lead.export_competencies_csv": access("supervisor lead"),
    "lead.export_progress_xlsx": access("supervisor lead"),
    "lead.export_cohort_summary_pdf": access("supervisor lead"),
    # Exports prepared in the background: without a queue the prepare page sends the
    # browser to the streamed file (303); a job is its requester's alone, and the matrix's
    # sample job does not exist (404 for everyone).
    "lead.export_prepare": access("supervisor lead", also_ok=(303,)),
    "lead.export_jobs_list": access("supervisor lead"),
    "lead.export_job": access("supervisor lead", also_ok=(404,)),
    "lead.export_job_status": access("supervisor lead", also_ok=(404,)),
    "lead.export_job_download": access("supervisor lead", also_ok=(404,)),
    "lead.trainee": access("supervisor lead", OVERSEER),
    "lead.trainee_portfolio_pdf": access("supervisor lead", OVERSEER),
    # Single sign-on: anyone may start it or come back from the provider. Single sign-on
    # is off in the matrix's app (no provider), where both answer 404 to everyone;
    # tests/oidc/ tries them against a real provider.
    "auth.sso_start": access(PUBLIC, also_ok=(404,)),
    "auth.sso_callback": access(PUBLIC, also_ok=(404,)),
    # Confirming it is you through the provider: your own account (404 while SSO is off).
    "auth.sso_confirm": access(AUTHENTICATED, also_ok=(404,)),
}
