"""The e-mails of an assessment request: plain text in whole sentences, so they make
sense read aloud; the link on a line of its own; times in UK time. They say who asked
and for what, never the content of the trainee's portfolio beyond the item's title.
"""

from __future__ import annotations

from datetime import datetime

from app.models.assessments import AssessmentRequest
from app.services.accounts.account_mail import SERVICE, link_to, spoken_time
from app.services.notifications.messages import OutgoingMail


def request(req: AssessmentRequest, token: str, trainee: str, expires_at: datetime) -> OutgoingMail:
    body = (
        f"Hello {req.assessor_name},\n\n"
        f"{trainee}, a trainee pharmacy technician, has asked you to complete an assessment "
        f"of their work in {SERVICE}, their training portfolio. The work is called: "
        f"{req.evidence.title}.\n\n"
        "You do not need an account. To see what you are asked to assess and to complete "
        "the form, open this link:\n\n"
        f"{link_to('assess.start', token)}\n\n"
        "To confirm it is you, we will send a 6-digit code to this email address when you "
        "start.\n\n"
        f"The link works until {spoken_time(expires_at)}, and only until you submit the "
        "form. If you did not see this work, or do not know this trainee, you can ignore "
        "this email.\n"
    )
    return OutgoingMail(
        req.assessor_email, f"{trainee} has asked you to complete an assessment", body
    )


def code(req: AssessmentRequest, digits: str, expires_at: datetime) -> OutgoingMail:
    spaced = " ".join(digits)
    body = (
        f"Hello {req.assessor_name},\n\n"
        f"Your code to confirm it is you is: {spaced}.\n\n"
        f"Type it into the assessment form. It works until {spoken_time(expires_at)}.\n\n"
        "If you did not ask for a code, someone else may have your assessment link. Do "
        "not share this code with anyone, including the trainee.\n"
    )
    return OutgoingMail(req.assessor_email, f"Your {SERVICE} assessment code", body)


def receipt(req: AssessmentRequest, trainee: str, completed_at: datetime) -> OutgoingMail:
    where = "on the trainee's device" if req.in_person else "through the link we sent you"
    body = (
        f"Hello {req.assessor_name},\n\n"
        f"An assessment was completed in your name, {where}, at "
        f"{spoken_time(completed_at)}. It assesses {trainee}'s work called: "
        f"{req.evidence.title}.\n\n"
        "Your answers are now locked: nobody can change them, and the trainee's supervisor "
        "sees that you completed them yourself.\n\n"
        "If you did not complete this assessment, tell the trainee's training lead or "
        f"supervisor straight away, and quote this reference: assessment request "
        f"{req.id}.\n"
    )
    return OutgoingMail(req.assessor_email, "An assessment was completed in your name", body)
