"""The e-mails of a feedback round: the request to a rater and the reminder.

Plain text that makes sense read aloud: whole sentences, the link on a line of its own,
and the time it stops working in UK time. The link is a full address under BASE_URL.
"""

from __future__ import annotations

from datetime import datetime

from app.models.feedback import FeedbackRater
from app.models.users import User
from app.services.accounts.account_mail import SERVICE, link_to, spoken_time
from app.services.notifications.messages import OutgoingMail

ENDPOINT = "feedback.respond"


def _body(rater: FeedbackRater, trainee: User, token: str, closes_at: datetime, opening: str):
    threshold = rater.round.rule.get("report_threshold", 3)
    return (
        f"Hello {rater.name},\n\n"
        f"{opening}\n\n"
        "It is a short questionnaire: five statements to rate and two questions to answer "
        "in your own words. It takes about five minutes, and you do not need an account.\n\n"
        "Your answers are anonymous. The trainee never sees who said what: their supervisor "
        "releases a combined report, and only when at least "
        f"{threshold} people have answered.\n\n"
        "To give your feedback, open this link:\n\n"
        f"{link_to(ENDPOINT, token)}\n\n"
        f"The link works once, until {spoken_time(closes_at)}. Please do not forward it.\n\n"
        f"If you were not expecting this email, you can ignore it.\n"
    )


def request(rater: FeedbackRater, trainee: User, token: str, closes_at: datetime) -> OutgoingMail:
    opening = (
        f"{trainee.name}, a trainee pharmacy technician, has asked you for feedback on how "
        f"they work, as part of their training portfolio on {SERVICE}."
    )
    return OutgoingMail(
        rater.email,
        f"{trainee.name} has asked you for feedback",
        _body(rater, trainee, token, closes_at, opening),
    )


def reminder(rater: FeedbackRater, trainee: User, token: str, closes_at: datetime) -> OutgoingMail:
    opening = (
        f"This is a reminder: {trainee.name}, a trainee pharmacy technician, asked you for "
        f"feedback on how they work, as part of their training portfolio on {SERVICE}. "
        "This email has a new link; the one in the earlier email no longer works."
    )
    return OutgoingMail(
        rater.email,
        f"Reminder: {trainee.name} has asked you for feedback",
        _body(rater, trainee, token, closes_at, opening),
    )
