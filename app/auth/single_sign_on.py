"""Single sign-on with one OpenID Connect provider (NHSmail/Entra ID, NHS CIS2 or any
standard one), through Authlib.

The authorization code flow: the sign-in page's button posts to `sso_start`, which sends
the browser to the provider with a fresh `state`, `nonce` and PKCE challenge (kept in
the signed session cookie); the provider sends it back to `sso_callback`, which checks
`state`, exchanges the code and verifies the ID token (signature by the provider's
published keys, issuer, audience, expiry, nonce) before the accounts service decides
who the person is. Off, and every route here 404, while OIDC_DISCOVERY_URL is empty.
"""

from __future__ import annotations

import time

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from joserfc.errors import JoseError
from requests import RequestException

from app.auth.blueprint import bp
from app.auth.current import me
from app.auth.sessions import mark_fresh
from app.auth.sign_in import finish_sign_in, safe_next
from app.auth.sso_forms import ConfirmWithProviderAndCodeForm, ConfirmWithProviderForm
from app.base_url import absolute_url
from app.extensions import db, limiter
from app.permissions import public, signed_in
from app.services.accounts import single_sign_on, two_factor
from app.services.accounts.sign_in_policy import provider_label

CLIENT = "sso"
NEXT = "sso_next"
CONFIRMING = "sso_confirming"
# Seconds to wait for the provider (discovery, keys, token) before saying it is not answering.
PROVIDER_TIMEOUT = 10


def init_app(app: Flask) -> None:
    """Register the provider when OIDC_DISCOVERY_URL is set; refuse to start half-configured."""
    url = app.config.get("OIDC_DISCOVERY_URL")
    if not url:
        return
    if not (app.config.get("OIDC_CLIENT_ID") and app.config.get("OIDC_CLIENT_SECRET")):
        raise SystemExit(
            "OIDC_DISCOVERY_URL is set, so OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be too"
        )
    if not url.startswith("https://") and not app.config.get("OIDC_ALLOW_HTTP"):
        raise SystemExit(f"OIDC_DISCOVERY_URL must be an https:// address, not {url!r}")
    if "openid" not in app.config["OIDC_SCOPES"].split():
        raise SystemExit("OIDC_SCOPES must include openid (and usually email and profile)")
    oauth = OAuth(app)
    oauth.register(
        CLIENT,
        server_metadata_url=url,
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        client_kwargs={
            "scope": app.config["OIDC_SCOPES"],
            "code_challenge_method": "S256",
            "default_timeout": PROVIDER_TIMEOUT,
        },
    )


def _client():
    """The registered provider, or 404 while single sign-on is off."""
    oauth = current_app.extensions.get("authlib.integrations.flask_client")
    client = oauth.create_client(CLIENT) if oauth is not None else None
    if client is None:
        abort(404)
    return client


def _claims_options(client) -> dict | None:
    """What the ID token must say: issued by the provider the discovery document names
    (https, unless a test's provider) for this service's client id. None when the
    provider's issuer is unusable."""
    issuer = str(client.load_server_metadata().get("issuer") or "")
    if not issuer.startswith("https://") and not current_app.config.get("OIDC_ALLOW_HTTP"):
        return None
    return {
        "iss": {"essential": True, "value": issuer},
        "aud": {"essential": True, "value": current_app.config["OIDC_CLIENT_ID"]},
    }


def _refused(reason: str, user=None, status: int = 403):
    """The refusal page, the failure audited (and kept: the commit is for the audit)."""
    refusal = single_sign_on.record_refusal(reason, user)
    db.session.commit()
    return _refusal_page(refusal, status)


def _refusal_page(refusal: single_sign_on.SignOnRefused, status: int):
    label = provider_label()
    return (
        render_template(
            "auth/sso_refused.jinja",
            title=f"You could not sign in with {label}",
            message=refusal.message_for(label),
        ),
        status,
    )


def _unavailable():
    label = provider_label()
    return (
        render_template(
            "auth/sso_refused.jinja",
            title=f"{label} is not answering",
            message=f"We could not reach {label} to sign you in. Try again in a few minutes, "
            "or ask your administrator if it keeps happening.",
        ),
        503,
    )


@bp.route("/sso/start", methods=["POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"])
def sso_start():
    client = _client()
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    next_url = request.args.get("next")
    try:
        response = client.authorize_redirect(absolute_url(url_for(".sso_callback")))
    except (RequestException, AuthlibBaseError, ValueError):
        current_app.logger.warning("single sign-on: the provider's discovery document failed")
        return _unavailable()
    session[NEXT] = safe_next(next_url)
    return response


@bp.route("/sso/callback")
@public
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"])
def sso_callback():
    """Where the provider sends the browser back. A GET by the protocol: the `state`
    bound to this browser's session, not a CSRF token, is what proves it was started here."""
    client = _client()
    if current_user.is_authenticated and CONFIRMING not in session:
        return redirect(url_for("main.home"))
    verified, refusal = _verified_claims(client)
    if refusal is not None:
        return refusal
    issuer, claims = verified
    if current_user.is_authenticated:
        return _confirmed(issuer, claims, session.pop(CONFIRMING))
    try:
        user = single_sign_on.sign_on(issuer, claims)
    except single_sign_on.SignOnRefused as refusal:
        db.session.commit()  # the audit event of the refusal
        return _refusal_page(refusal, 403)
    db.session.commit()
    # Signed in now, or first asked for a two-factor code (or to set it up).
    return finish_sign_in(user, session.pop(NEXT, None), method="sso")


def _verified_claims(client):
    """((issuer, claims), None) from the provider's answer once its `state` and ID token
    are checked; or (None, the refusal page)."""
    try:
        options = _claims_options(client)
        if options is None:
            current_app.logger.error("single sign-on: the provider's issuer is not https")
            return None, _refused("id_token", status=400)
        token = client.authorize_access_token(claims_options=options)
    except MismatchingStateError:
        return None, _refused("state", status=400)
    except OAuthError as error:
        # The provider's own refusal (the person cancelled: access_denied) or a code it
        # would not exchange.
        current_app.logger.info("single sign-on: the provider said %s", error.error)
        return None, _refused("provider", status=400)
    except JoseError as error:
        current_app.logger.warning("single sign-on: ID token refused (%s)", error.error)
        return None, _refused("id_token", status=400)
    except (RequestException, AuthlibBaseError, ValueError):
        current_app.logger.warning("single sign-on: the provider did not answer")
        return None, _unavailable()
    claims = token.get("userinfo")
    if not claims:
        return None, _refused("id_token", status=400)
    return (options["iss"]["value"], claims), None


# Confirming it is you (before a sign-off, or making an API token) through the provider:
# for people who sign in with it and may have no password to re-enter.


@bp.route("/sso/confirm", methods=["GET", "POST"])
@signed_in
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    methods=["POST"],
    key_func=lambda: f"confirm:{current_user.id}",
)
def sso_confirm():
    client = _client()
    person = me()
    label = single_sign_on.confirm_label(person)
    if label is None:
        abort(404)
    needs_code = two_factor.is_enabled(person)
    form = ConfirmWithProviderAndCodeForm() if needs_code else ConfirmWithProviderForm()
    if form.validate_on_submit():
        if needs_code and not two_factor.check_second_factor(person, form.code.data or ""):
            db.session.commit()  # keep the audit event of the failure
            form.code.errors.append(
                "The security code is not correct. Enter the code your authenticator app "
                "shows now, or a recovery code you have not used before"
            )
        else:
            db.session.commit()
            return _confirm_at_provider(client, person)
    return render_template(
        "auth/sso_confirm.jinja", title=f"Confirm it is you with {label}", form=form, label=label
    )


def _confirm_at_provider(client, person):
    """To the provider, asked to sign the person in afresh (not from its own session)."""
    try:
        response = client.authorize_redirect(
            absolute_url(url_for(".sso_callback")), prompt="login", max_age=0
        )
    except (RequestException, AuthlibBaseError, ValueError):
        current_app.logger.warning("single sign-on: the provider's discovery document failed")
        return _unavailable()
    session[CONFIRMING] = {
        "user": person.id,
        "at": time.time(),
        "next": safe_next(request.args.get("next")),
    }
    return response


def _confirmed(issuer: str, claims, pending):
    person = me()
    started_here = (
        isinstance(pending, dict)
        and pending.get("user") == person.id
        and time.time() - float(pending.get("at", 0)) <= single_sign_on.CONFIRM_SECONDS
    )
    if started_here and single_sign_on.confirm_identity(person, issuer, claims):
        db.session.commit()
        mark_fresh()
        return redirect(safe_next(pending.get("next")) or url_for("main.home"))
    db.session.commit()  # the audit event of the failure
    label = provider_label()
    return (
        render_template(
            "auth/sso_refused.jinja",
            title=f"We could not confirm it is you with {label}",
            message=f"The {label} account you signed in with is not the one linked to your "
            "PCPT Portfolio account, or the sign-in took too long. Nothing was signed.",
        ),
        403,
    )
