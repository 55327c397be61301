"""The service's own address (BASE_URL): where every absolute link to it comes from.

E-mails, exports and API `Location` headers name pages through `absolute_url`, never from
the request's `Host` header, which the client chooses: a review sent with
`Host: evil.example` must not put evil.example in the e-mail its trainee trusts. Redirects
are paths, so they never name a host at all. In production, requests for any other host
than TRUSTED_HOSTS (by default BASE_URL's own) are refused with 400 before anything else
looks at them.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from flask import Flask, current_app, jsonify, redirect, request
from werkzeug.exceptions import SecurityError
from werkzeug.routing import RequestRedirect

EXAMPLE = "https://pcpt.example.nhs.uk"


def init_app(app: Flask) -> None:
    """Check BASE_URL (required in production), settle TRUSTED_HOSTS, install the hooks.

    Called before the extensions register theirs, so an untrusted host is refused before
    CSRF, rate limits or sign-in checks run (they would build pages for that host).
    """
    production = app.config.get("ENV_NAME") == "production"
    raw = (app.config.get("BASE_URL") or "").strip()
    if not raw:
        raise SystemExit(f"BASE_URL must be set to the service's address, e.g. {EXAMPLE}")
    app.config["BASE_URL"] = _checked(raw)
    if production and app.config.get("TRUSTED_HOSTS") is None:
        app.config["TRUSTED_HOSTS"] = [urlsplit(app.config["BASE_URL"]).hostname]
    app.before_request(_answer_from_routing)
    app.register_error_handler(SecurityError, _untrusted_host)


def _checked(raw: str) -> str:
    problem = f"BASE_URL must be a scheme and host such as {EXAMPLE}, not {raw!r}"
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise SystemExit(problem) from None
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.username
        or parts.password
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        raise SystemExit(problem)
    return urlunsplit((parts.scheme, parts.netloc.lower(), "", "", ""))


def absolute_url(path: str) -> str:
    """The full address of a page of this service, given its path (`/supervisor/`)."""
    if not path.startswith("/") or path.startswith("//"):
        raise ValueError(f"a path inside the service starts with one '/', not {path!r}")
    return current_app.config["BASE_URL"] + path


def _answer_from_routing():
    """before_request, first of all: refusals and redirects that routing decided."""
    # Flask has already compared the host with TRUSTED_HOSTS and kept the refusal for
    # routing; raising it here answers before any other hook runs.
    if isinstance(request.routing_exception, SecurityError):
        raise request.routing_exception
    # Werkzeug's own redirect (adding a missing trailing slash) is an absolute address
    # built from Host. Like the app's redirects it becomes a path, which the browser
    # resolves against the address it asked for itself.
    if isinstance(exc := request.routing_exception, RequestRedirect):
        parts = urlsplit(exc.new_url)
        return redirect(
            urlunsplit(("", "", "/" + parts.path.lstrip("/"), parts.query, "")), exc.code
        )
    return None


def _untrusted_host(error: SecurityError):
    """A bare answer: the usual page links to the service, which this host is not."""
    message = "This service does not answer for that host name."
    if request.path.startswith("/api/"):
        body = {"error": {"code": "untrusted_host", "message": message, "fields": {}}}
        return jsonify(body), 400
    return message + "\n", 400, {"Content-Type": "text/plain; charset=utf-8"}
