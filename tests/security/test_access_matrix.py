"""The access-control matrix: every route and method, as every role, on records that are
and are not theirs.

The cells come from `app.url_map`, so a new route is in the matrix the moment it exists;
its expectations come from `access_table.TABLE`, so a route missing there fails by name.
For each actor (`world.ACTORS`) and each case:

- "own": the URL names trainee A's records (submitted evidence, her enrolment, ...);
- "draft": the same with A's draft evidence (routes taking an evidence id);
- "missing": every integer id in the URL names nothing (routes taking one),

the answer must be the expected one (let in: 200 or 302, not to the sign-in page;
403 for a role the route does not admit; 404 for a record that is not theirs, exactly
as for one that does not exist; sign-in for anonymous people, 401 from the API), and a
refused request must change nothing: no audit event, and after a POST every row of
every table and every stored file as before. No answer may carry words of A's records
that the actor may not see; every answer is marked no-store and nosniff under the CSP,
no page has inline script, and every form a page serves carries a CSRF token.

The self-supervision row is the self supervisor, who holds the trainee and supervisor
roles, on her own records (an enrolment recorded with her as her own supervisor): let in
where the owner is, and refused by every supervising route with 403 and the rule's words
(`SELF_SUPERVISION`), nothing written.

Size when written: 123 route-methods, 8 roles, 1 to 3 cases each (193 route-method-cases):
1,544 cells.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from werkzeug.routing import IntegerConverter, Rule

from app.permissions import allowed_roles_for
from app.services.supervision.access import SELF_SUPERVISION
from tests.security.access_table import AUTHENTICATED, PUBLIC, TABLE, Access
from tests.security.world import (
    ACTORS,
    MARKERS,
    World,
    audit_count,
    fingerprint,
    signed_in_client,
)

SKIP_ENDPOINTS = {"static"}
ROLES_OF = {
    "anonymous": frozenset(),
    "owner": frozenset({"trainee"}),
    "other_trainee": frozenset({"trainee"}),
    "assigned_supervisor": frozenset({"supervisor"}),
    "unassigned_supervisor": frozenset({"supervisor"}),
    "lead_inside": frozenset({"lead"}),
    "lead_outside": frozenset({"lead"}),
    "admin": frozenset({"admin"}),
    "self_supervisor": frozenset({"trainee", "supervisor"}),
}
MISSING_ID = 987_654
TEXT_TYPES = ("text/", "application/json")

ALLOWED, FORBIDDEN, NOT_FOUND, SIGN_IN = "let in", "403", "404", "sign in"
SELF_REFUSED = "403: nobody supervises themselves"
# Routes that end the actor's session when they are let in: tried last, and their answer
# is the sign-in page.
SIGN_OUTS = {"auth.logout", "account.sign_out_everywhere", "auth.two_factor_cancel"}


@dataclass(frozen=True)
class Cell:
    rule: Rule
    method: str
    case: str

    @property
    def endpoint(self) -> str:
        return self.rule.endpoint

    @property
    def is_api(self) -> bool:
        return self.rule.rule.startswith("/api/")


def routes(app: Flask) -> list[tuple[Rule, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP_ENDPOINTS:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule, method))
    return sorted(found, key=lambda pair: (pair[0].rule, pair[1]))


def _int_arguments(rule: Rule) -> list[str]:
    return [
        name
        for name, converter in rule._converters.items()
        if isinstance(converter, IntegerConverter)
    ]


def cases_for(rule: Rule) -> tuple[str, ...]:
    cases = ["own"]
    if "evidence_id" in rule.arguments:
        cases.append("draft")
    if _int_arguments(rule):
        cases.append("missing")
    return tuple(cases)


def cells(app: Flask) -> list[Cell]:
    return [Cell(rule, method, case) for rule, method in routes(app) for case in cases_for(rule)]


def matrix_size(app: Flask) -> tuple[int, int, int]:
    """(route-methods, roles, cells): the cells count every role in every case."""
    all_cells = cells(app)
    return len(routes(app)), len(ACTORS), len(all_cells) * len(ACTORS)


def expected(entry: Access, actor: str, case: str) -> str:
    if PUBLIC in entry.roles:
        return ALLOWED
    if actor == "anonymous":
        return SIGN_IN
    if AUTHENTICATED not in entry.roles and not ROLES_OF[actor] & entry.roles:
        return FORBIDDEN
    if case == "missing":
        return NOT_FOUND
    if case == "own" and actor == "self_supervisor" and entry.rule.supervises:
        return SELF_REFUSED
    admitted = entry.rule.drafts if case == "draft" else entry.rule.admits
    return ALLOWED if actor in admitted else NOT_FOUND


def url_for_cell(cell: Cell, world: World, actor: str = "") -> str:
    """The cell's URL over A's records, or over the self supervisor's own for her row."""
    args = dict(world.args_for(actor, draft=cell.case == "draft"))
    if cell.case == "missing":
        args = {**args, **dict.fromkeys(_int_arguments(cell.rule), MISSING_ID)}
    missing = [a for a in cell.rule.arguments if a not in args]
    assert not missing, f"add a sample value for {missing} (used by {cell.rule.rule}) to world.py"
    return cell.rule.build({a: args[a] for a in cell.rule.arguments}, append_unknown=False)[1]


# --- The table itself ------------------------------------------------------------------------


def test_every_route_has_a_line_in_the_access_table(app):
    missing = sorted({rule.endpoint for rule, _ in routes(app)} - set(TABLE))
    assert not missing, (
        "these routes have no line in tests/security/access_table.py, so nobody has said "
        f"who may use them: {missing}"
    )
    stale = sorted(set(TABLE) - {rule.endpoint for rule, _ in routes(app)})
    assert not stale, f"access_table.py names routes that no longer exist: {stale}"


def test_the_table_agrees_with_the_roles_each_view_declares(app):
    differ = {
        endpoint: (sorted(entry.roles), sorted(allowed_roles_for(endpoint)))
        for endpoint, entry in TABLE.items()
        if endpoint in app.view_functions and entry.roles != allowed_roles_for(endpoint)
    }
    assert not differ, f"table roles vs view roles: {differ}"


def test_matrix_size(app, capsys):
    route_methods, roles, total = matrix_size(app)
    per_case = {}
    for cell in cells(app):
        per_case[cell.case] = per_case.get(cell.case, 0) + 1
    with capsys.disabled():
        print(
            f"\naccess matrix: {route_methods} route-methods x {roles} roles, cases "
            f"{per_case} = {total} cells"
        )
    assert total >= route_methods * roles


# --- The matrix --------------------------------------------------------------------------


def _order(item: tuple[Cell, str]) -> tuple:
    """Refusals first (they must leave everything as it was), then what is let in: pages,
    then forms, deletions after the rest and signing out last of all."""
    cell, outcome = item
    return (
        outcome == ALLOWED,
        cell.endpoint in SIGN_OUTS,
        cell.method != "GET",
        "delete" in cell.endpoint or "withdraw" in cell.endpoint,
        cell.rule.rule,
        cell.case,
    )


def _check_answer(response, cell: Cell, outcome: str, entry: Access) -> str | None:
    status = response.status_code
    if outcome == ALLOWED:
        if status in (200, 201, 204, 302) or status in entry.also_ok:
            location = response.headers.get("Location", "")
            if status == 302 and "/auth/login" in location and cell.endpoint not in SIGN_OUTS:
                return "sent to sign in although let in"
            return None
        return f"let in expected, got {status}"
    if outcome == SIGN_IN:
        if cell.is_api:
            return None if status == 401 else f"401 expected, got {status}"
        if status == 302 and "/auth/login" in response.headers.get("Location", ""):
            return None
        return f"sign-in redirect expected, got {status}"
    if outcome == SELF_REFUSED:
        if status != 403:
            return f"403 expected, got {status}"
        body = response.get_data(as_text=True)
        if response.mimetype == "text/html":
            body = BeautifulSoup(body, "html.parser").get_text()
        if SELF_SUPERVISION not in body:
            return "refused without saying that nobody supervises themselves"
        return None
    wanted = 403 if outcome == FORBIDDEN else entry.not_theirs
    if status != wanted:
        return f"{wanted} expected, got {status}"
    if status == 302 and "/auth/login" in response.headers.get("Location", ""):
        return "sent to sign in instead of refused"
    return None


def _leaks(response, actor: str) -> list[str]:
    if not response.mimetype.startswith(TEXT_TYPES):
        return []
    body = response.get_data(as_text=True)
    return [word for word, who in MARKERS.items() if actor not in who and word in body]


def _header_problems(response) -> list[str]:
    """Every answer: never cached, never sniffed, under the CSP."""
    problems = []
    if "no-store" not in response.headers.get("Cache-Control", ""):
        problems.append("no Cache-Control: no-store")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if "frame-ancestors 'none'" not in response.headers.get("Content-Security-Policy", ""):
        problems.append("no Content-Security-Policy")
    return problems


def _inline_script(response) -> list[str]:
    """What the CSP would block: script elements without src, on* handlers, javascript: links."""
    if response.status_code != 200 or response.mimetype != "text/html":
        return []
    page = BeautifulSoup(response.data, "html.parser")
    found = [f"<script> {s.get_text()[:40]!r}" for s in page.find_all("script") if not s.get("src")]
    for tag in page.find_all(True):
        found += [f"{tag.name} {name}=" for name in tag.attrs if name.lower().startswith("on")]
        if str(tag.get("href", "")).strip().lower().startswith("javascript:"):
            found.append(f"{tag.name} href=javascript:")
    return found


def _forms_without_csrf_token(response) -> list[str]:
    if response.status_code != 200 or response.mimetype != "text/html":
        return []
    page = BeautifulSoup(response.data, "html.parser")
    return [
        form.get("action", "(this page)")
        for form in page.find_all("form")
        if (form.get("method") or "get").lower() == "post"
        and form.find("input", attrs={"name": "csrf_token", "type": "hidden"}) is None
    ]


@pytest.mark.parametrize("actor", ACTORS)
def test_access_matrix(app, world, login, actor):
    user = world.users.get(actor)
    client = signed_in_client(app, login, user)
    plan = sorted(
        ((cell, expected(TABLE[cell.endpoint], actor, cell.case)) for cell in cells(app)),
        key=_order,
    )
    baseline = fingerprint(app)
    problems: list[str] = []
    for cell, outcome in plan:
        entry = TABLE[cell.endpoint]
        url = url_for_cell(cell, world, actor)
        where = f"{actor} {cell.method} {url} [{cell.case}]"
        data = entry.data(world) if entry.data and cell.method == "POST" else {}
        before = audit_count()
        # Pages are fetched with CSRF on, so their forms show whether they carry a token.
        app.config["WTF_CSRF_ENABLED"] = cell.method == "GET"
        try:
            if cell.is_api:
                response = client.open(url, method=cell.method, json=data or None)
            else:
                response = client.open(url, method=cell.method, data=data)
        finally:
            app.config["WTF_CSRF_ENABLED"] = False
        if problem := _check_answer(response, cell, outcome, entry):
            problems.append(f"{where}: {problem}")
        if leaked := _leaks(response, actor):
            problems.append(f"{where}: shows {leaked}")
        if cell.method == "GET" and (bare := _forms_without_csrf_token(response)):
            problems.append(f"{where}: forms without a CSRF token posting to {bare}")
        if headers := _header_problems(response):
            problems.append(f"{where}: {headers}")
        if inline := _inline_script(response):
            problems.append(f"{where}: inline script the CSP would block: {inline}")
        if outcome != ALLOWED:
            if audit_count() != before:
                problems.append(f"{where}: refused but wrote an audit event")
            if cell.method != "GET" and fingerprint(app) != baseline:
                problems.append(f"{where}: refused but changed stored records")
                baseline = fingerprint(app)
    assert not problems, "\n".join(problems)
