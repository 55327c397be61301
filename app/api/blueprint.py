"""The API's flask-smorest objects: the OpenAPI document is built from the views and
schemas registered here, so it cannot drift from the code.

Errors are not flask-smorest's: `app.errors` answers every API error in the CONTRACT's
shape (`{"error": {"code", "message", "fields"}}`), so the default handler is left out.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app
from flask_smorest import Api, Blueprint
from marshmallow import RAISE, Schema
from marshmallow import fields as f

from app.request_input import DepthCheckedParser

DESCRIPTION = """Read portfolios and record evidence and reviews.

Send `Authorization: Bearer <token>` with every request. Make a token on your account
page (Account > API tokens) or with `flask --app wsgi tokens create --email E`; tokens
expire and can be revoked. Each call obeys the same rules as the pages: another
person's record answers 404, a role that may not use an endpoint answers 403.

Errors are JSON: `{"error": {"code": "...", "message": "...", "fields": {"field": "why"}}}`.
Request bodies are JSON (`Content-Type: application/json`); fields the schema does not
list are refused. Sign-offs are made in the pages, with a declaration and the
supervisor's password; the API reads them."""


class PortfolioApi(Api):
    def _register_error_handlers(self) -> None:
        """app.errors handles every error, in the CONTRACT's shape."""


bp = Blueprint(
    "api",
    __name__,
    url_prefix="/api/v1",
    description="PCPT Portfolio JSON API, version 1",
)
# Before any view declares its arguments: bodies nested too deeply are a 400.
bp.ARGUMENTS_PARSER = DepthCheckedParser()


def register_api(app: Flask) -> PortfolioApi:
    """One Api (and OpenAPI document) per application, holding this blueprint."""
    api = PortfolioApi(
        app,
        spec_kwargs={
            "info": {"description": DESCRIPTION},
            "security": [{"bearer": []}],
        },
    )
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "description": "pcpt_... token"}
    )
    api.register_blueprint(bp)
    return api


def openapi_document() -> dict:
    api = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    return api.spec.to_dict()


class ErrorDetail(Schema):
    code = f.String(required=True, metadata={"description": "e.g. not_found"})
    message = f.String(required=True, metadata={"description": "What went wrong, in words"})
    # "fields" would shadow Schema.fields, so the attribute has another name.
    field_errors = f.Dict(
        keys=f.String(),
        values=f.String(),
        required=True,
        data_key="fields",
        metadata={"description": "Field name -> what is wrong with it"},
    )


class ErrorOut(Schema):
    error = f.Nested(ErrorDetail, required=True)


PortfolioApi.ERROR_SCHEMA = ErrorOut  # the default error response, as documented


ERROR_TEXT = {
    400: "The request is malformed (bad JSON or query string)",
    401: "No valid bearer token",
    403: "Your role may not use this endpoint",
    404: "Not found, or not yours to see",
    409: "The record's state does not allow this, or someone changed it first",
    413: "The body is larger than the API accepts",
    415: "The body is not JSON",
    422: "Fields are missing, unknown or not valid (see fields)",
    429: "Too many requests: wait for Retry-After seconds",
}


def errors(*codes: int) -> Callable:
    """Document the error answers an endpoint gives, all in the CONTRACT's shape."""

    def decorate(view: Callable) -> Callable:
        for code in (*codes, 429):
            view = bp.alt_response(code, schema=ErrorOut, description=ERROR_TEXT[code])(view)
        return view

    return decorate


def query_args(schema: type[Schema]) -> Callable:
    """Parse the query string with `schema`: a bad or unknown parameter is a 400."""
    return bp.arguments(
        schema, location="query", error_status_code=400, as_kwargs=True, unknown=RAISE
    )
