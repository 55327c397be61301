"""Pages every signed-in person shares: the home redirect, the framework browser; and
health (liveness) and readiness for a load balancer."""

from __future__ import annotations

from flask import abort, jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text

from app.extensions import db
from app.main.blueprint import bp
from app.permissions import public, signed_in
from app.services.frameworks import catalogue as framework_service
from app.services.health.readiness import check_readiness
from app.services.portfolio import sufficiency

# Where each role lands after signing in, in order of precedence.
ROLE_HOMES = (
    ("trainee", "trainee.home"),
    ("supervisor", "supervisor.home"),
    ("lead", "lead.home"),
    ("admin", "admin.home"),
)


@bp.route("/")
@signed_in
def home():
    for role, endpoint in ROLE_HOMES:
        if current_user.has_role(role):
            return redirect(url_for(endpoint))
    return render_template("main/no_role.jinja", title="No role yet")


@bp.route("/healthz")
@public
def healthz():
    db.session.execute(text("SELECT 1"))
    return jsonify({"status": "ok"})


@bp.route("/readyz")
@public
def readyz():
    """For a load balancer: 200 while the database, storage and Redis answer; else 503."""
    readiness = check_readiness()
    if readiness.ready:
        response = jsonify({"status": "ready", "checks": readiness.checks})
    else:
        body = {"status": "not ready", "failed": readiness.failed, "checks": readiness.checks}
        response = jsonify(body)
        response.status_code = 503
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/frameworks")
@signed_in
def frameworks():
    return render_template(
        "frameworks/list.jinja",
        title="Competency frameworks",
        frameworks=framework_service.framework_summaries(),
    )


@bp.route("/frameworks/<code>/versions/<version>")
@signed_in
def framework(code: str, version: str):
    found = framework_service.find_framework(code, version) or abort(404)
    tree = framework_service.load_framework_tree(found.id)
    # The sentence for each competency whose rule is its own (an override or an
    # observation rule); the rest follow the default shown at the top.
    own_rules = {
        c.id: sufficiency.describe_rule(sufficiency.Rule.of(c))
        for d in tree.domains
        for c in d.competencies
        if c.rule_overridden or c.observation_min_items is not None
    }
    return render_template(
        "frameworks/detail.jinja", title=tree.title, framework=tree, own_rules=own_rules
    )


@bp.route("/accessibility")
@public
def accessibility():
    return render_template("main/accessibility.jinja", title="Accessibility statement")


@bp.route("/privacy")
@public
def privacy():
    return render_template("main/privacy.jinja", title="Privacy and who can see your records")
