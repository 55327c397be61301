"""What makes the service an installable app: its web app manifest and its service worker.

Both are public: a browser asks for them before anyone signs in. The service worker is a
file under /static; it is served from here, at the site's root, because a service
worker only controls the pages under its own address.
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import Response, current_app, render_template, send_from_directory, url_for

from app.main.blueprint import bp
from app.permissions import public

THEME_COLOUR = "#005eb8"  # NHS blue, as the header
BACKGROUND_COLOUR = "#f0f4f5"  # NHS pale grey, the page background
# NHS.UK frontend's own icons (app/static/nhsuk/images), at the sizes browsers install.
ICONS = (
    ("nhsuk/images/nhsuk-icon-192.png", "192x192", "image/png", "any"),
    ("nhsuk/images/nhsuk-icon-512.png", "512x512", "image/png", "any"),
    ("nhsuk/images/nhsuk-icon-192.png", "192x192", "image/png", "maskable"),
    ("nhsuk/images/nhsuk-icon-512.png", "512x512", "image/png", "maskable"),
    ("nhsuk/images/favicon.svg", "any", "image/svg+xml", "any"),
)


@bp.route("/manifest.webmanifest")
@public
def manifest():
    document = {
        "id": url_for("trainee.home"),
        "name": "PCPT Portfolio",
        "short_name": "PCPT Portfolio",
        "description": "Your pharmacy technician training portfolio",
        # Trainees are the people who install it: it opens on their portfolio.
        "start_url": url_for("trainee.home"),
        "scope": "/",
        "display": "standalone",
        "lang": "en-GB",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {
                "src": url_for("static", filename=src),
                "sizes": sizes,
                "type": kind,
                "purpose": purpose,
            }
            for src, sizes, kind, purpose in ICONS
        ],
    }
    return Response(json.dumps(document), mimetype="application/manifest+json")


@bp.route("/service-worker.js")
@public
def service_worker():
    folder = Path(current_app.static_folder or "") / "js"
    response = send_from_directory(folder, "service-worker.js", mimetype="text/javascript")
    # Always the newest: a browser checks for a new worker on every visit.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/offline")
@public
def offline():
    """The page the service worker shows offline for a page the device does not keep."""
    return render_template("main/offline.jinja", title="You are offline")
