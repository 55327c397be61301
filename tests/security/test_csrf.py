"""CSRF: every state-changing form is refused without its token, and changes nothing.

The POST routes come from `app.url_map`; each is posted as someone the access table lets
in, with the form the matrix sends, but no CSRF token. The pages' side (every POST form
carries a hidden `csrf_token`) is checked by the access matrix, which fetches every
page as every role with CSRF switched on.

The API is exempt from CSRF tokens because it ignores cookies: a browser's cookie alone
gets 401 there, so a forged cross-site request cannot act as the user.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tests.security.access_table import TABLE
from tests.security.test_access_matrix import ALLOWED, Cell, expected, routes, url_for_cell
from tests.security.world import ACTORS, audit_count, fingerprint, signed_in_client


def _post_cells(app, *, api: bool) -> list[Cell]:
    return [
        Cell(rule, method, "own")
        for rule, method in routes(app)
        if method == "POST" and rule.rule.startswith("/api/") == api
    ]


def _allowed_actor(cell: Cell) -> str:
    for actor in ACTORS:
        if actor != "anonymous" and expected(TABLE[cell.endpoint], actor, "own") == ALLOWED:
            return actor
    pytest.fail(f"nobody may use {cell.rule.rule}, so it cannot be checked")


def test_every_form_post_without_a_csrf_token_is_refused_and_changes_nothing(app, world, login):
    cells = _post_cells(app, api=False)
    # Sign everyone in first: signing in is itself a form that needs the token.
    clients = {
        actor: signed_in_client(app, login, world.users.get(actor))
        for actor in {_allowed_actor(cell) for cell in cells}
    }
    app.config["WTF_CSRF_ENABLED"] = True
    baseline, events = fingerprint(app), audit_count()
    problems = []
    for cell in cells:
        entry = TABLE[cell.endpoint]
        actor = _allowed_actor(cell)
        url = url_for_cell(cell, world)
        response = clients[actor].post(url, data=entry.data(world) if entry.data else {})
        page = BeautifulSoup(response.data, "html.parser")
        heading = page.select_one("h1")
        if response.status_code != 400:
            problems.append(f"{actor} POST {url}: 400 expected, got {response.status_code}")
        elif heading is None or heading.get_text() != "There is a problem with your request":
            problems.append(f"{actor} POST {url}: not the NHS-style 400 page")
        elif not page.select_one("header.nhsuk-header") or "quote reference" not in page.text:
            problems.append(f"{actor} POST {url}: 400 page without the header or a reference")
        if fingerprint(app) != baseline or audit_count() != events:
            problems.append(f"{actor} POST {url}: changed stored records without a token")
            baseline, events = fingerprint(app), audit_count()
    assert len(cells) > 30
    assert not problems, "\n".join(problems)


def test_the_api_takes_no_cookies_so_a_cross_site_post_is_refused(app, world, login):
    # A public endpoint (checking a credential) reads no identity: a cookie forges nothing.
    cells = [c for c in _post_cells(app, api=True) if "public" not in TABLE[c.endpoint].roles]
    browsers = {}
    for actor in {_allowed_actor(cell) for cell in cells}:
        browsers[actor] = app.test_client()
        login(browsers[actor], world.users[actor])  # a session cookie, but no bearer token
    baseline = fingerprint(app)
    problems = []
    for cell in cells:
        actor = _allowed_actor(cell)
        browser = browsers[actor]
        entry = TABLE[cell.endpoint]
        url = url_for_cell(cell, world)
        response = browser.post(url, json=entry.data(world) if entry.data else {})
        if response.status_code != 401:
            problems.append(f"{actor} POST {url} with a cookie only: got {response.status_code}")
    assert cells, "the API has POST routes"
    assert not problems, "\n".join(problems)
    assert fingerprint(app) == baseline
