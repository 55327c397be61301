"""The one-time link mechanism on its own: what any purpose (an invitation, a reset, a
later assessment ticket) can rely on."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.base import utcnow
from app.models.one_time_links import OneTimeLink
from app.services.accounts import one_time_links as links
from app.services.accounts.one_time_links import LinkProblem, LinkRefused

HOUR = timedelta(hours=1)


def _refusal(purpose: str, token: str, **kwargs) -> LinkProblem:
    with pytest.raises(LinkRefused) as refused:
        links.consume(purpose, token, **kwargs)
    return refused.value.problem


def test_a_link_for_an_address_alone_works_once(app):
    """No account needed: a later feature may send a link to anyone's address."""
    issued = links.issue("assessment-ticket", lifetime=HOUR, email="assessor@example.org")
    db.session.commit()
    row = links.consume("assessment-ticket", issued.token)
    assert (row.email, row.user_id) == ("assessor@example.org", None)
    db.session.commit()
    assert _refusal("assessment-ticket", issued.token) is LinkProblem.USED


def test_a_link_works_only_for_its_own_purpose(app, make_user):
    issued = links.issue("invitation", lifetime=HOUR, user=make_user())
    db.session.commit()
    assert _refusal("password-reset", issued.token) is LinkProblem.UNKNOWN
    assert links.check("invitation", issued.token).id == issued.link.id


@pytest.mark.parametrize("token", ["", "x" * 500, "made-up"])
def test_unknown_tokens_are_refused_as_unknown(app, token):
    assert _refusal("invitation", token) is LinkProblem.UNKNOWN


def test_expiry_is_exact(app):
    issued = links.issue("invitation", lifetime=HOUR, email="a@example.org")
    db.session.commit()
    start = issued.link.created_at
    assert links.check("invitation", issued.token, now=start + HOUR - timedelta(seconds=1))
    assert _refusal("invitation", issued.token, now=start + HOUR) is LinkProblem.EXPIRED


def test_a_new_link_withdraws_the_open_ones_of_the_same_user_and_purpose(app, make_user):
    person = make_user()
    first = links.issue("password-reset", lifetime=HOUR, user=person)
    other_purpose = links.issue("invitation", lifetime=HOUR, user=person)
    second = links.issue("password-reset", lifetime=HOUR, user=person)
    db.session.commit()
    assert _refusal("password-reset", first.token) is LinkProblem.WITHDRAWN
    assert links.check("invitation", other_purpose.token)
    assert links.open_link("password-reset", person).id == second.link.id


def test_the_consuming_update_is_refused_once_another_request_used_the_link(app):
    """The UPDATE itself carries the conditions: a request that read the link as open a
    moment ago still cannot use it after another request did."""
    issued = links.issue("invitation", lifetime=HOUR, email="a@example.org")
    db.session.commit()
    seen = links.check("invitation", issued.token)  # both tabs saw it open
    assert seen.used_at is None
    links.consume("invitation", issued.token)
    db.session.commit()
    assert _refusal("invitation", issued.token) is LinkProblem.USED


def test_only_the_digest_of_a_long_random_token_is_stored(app):
    tokens = {links.issue("x", lifetime=HOUR).token for _ in range(20)}
    db.session.commit()
    assert len(tokens) == 20
    assert min(len(t) for t in tokens) >= 43  # 256 bits in base64url
    stored = set(db.session.scalars(select(OneTimeLink.token_hash)))
    assert stored == {links.digest(t) for t in tokens}
    assert not stored & tokens
    assert all(row.expires_at > utcnow() for row in db.session.scalars(select(OneTimeLink)))


def test_of_eight_requests_at_once_exactly_one_uses_the_link(app):
    """Real concurrent connections, released together: one UPDATE wins, the rest are
    refused as used (SQLite serialises the writers; PostgreSQL locks the row)."""
    issued = links.issue("invitation", lifetime=HOUR, email="a@example.org")
    db.session.commit()
    start = threading.Barrier(8)
    outcomes: list[str] = []

    def attempt() -> None:
        with app.app_context():
            start.wait()
            try:
                links.consume("invitation", issued.token)
                db.session.commit()
                outcomes.append("won")
            except LinkRefused as refused:
                db.session.rollback()
                outcomes.append(refused.problem.value)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Counter(outcomes) == {"won": 1, "used": 7}
