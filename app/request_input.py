"""What a request may carry before any view reads it: limits on the address and on JSON.

- The address: a control character in the path or the query string (`%00`, `%0B`...)
  answers 400. It can name nothing, and PostgreSQL refuses NUL in any query it would
  reach (a framework code, a search). Form fields and API bodies meet the same rule,
  with a message on the field (`app.services.control_characters`).
- JSON bodies: Python's JSON parser goes one level deeper in the stack for every `[` or
  `{`, so a body of 20,000 of them ran out of stack and answered 500. Nothing this
  service accepts nests more than a few levels; deeper than MAX_JSON_DEPTH is a 400. Both
  parsers that read a request's JSON check first, with the same function: Flask's
  (`request.get_json`, which Flask-WTF uses when a page's form arrives as JSON) through
  the app's JSON provider, and the API's (webargs) through its parser. The check never
  recurses.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.exceptions import BadRequest

from app.services.control_characters import CONTROL_CHARACTER

MAX_JSON_DEPTH = 32
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


def init_app(app: Flask) -> None:
    """Install the JSON provider and the address check (early: before the extensions'
    hooks, which may read the address)."""
    app.json = DepthCheckedJSONProvider(app)
    app.before_request(refuse_control_characters_in_address)


# --- The address ---------------------------------------------------------------------


class ExplainedBadRequest(BadRequest):
    """A 400 whose description the error page shows as it is (it says what to change)."""

    explained = True


class ControlCharacterInAddress(ExplainedBadRequest):
    description = "The web address contains a hidden control character: check the link"


def refuse_control_characters_in_address() -> None:
    pairs = request.args.items(multi=True)
    address = [request.path, *(part for pair in pairs for part in pair)]
    if any(CONTROL_CHARACTER.search(part) for part in address):
        raise ControlCharacterInAddress()


# --- JSON bodies ---------------------------------------------------------------------


class TooDeeplyNested(ExplainedBadRequest):
    description = (
        f"The JSON body is nested too deeply: at most {MAX_JSON_DEPTH} levels of "
        "objects and arrays are accepted"
    )


def check_depth(body: bytes | str) -> None:
    """Raise TooDeeplyNested (400) when arrays and objects nest beyond MAX_JSON_DEPTH."""
    raw = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    if raw.count(b"[") + raw.count(b"{") <= MAX_JSON_DEPTH:
        return  # cannot be too deep: the usual case, decided without a scan
    depth = 0
    # Brackets inside strings are text; the rest open and close levels.
    for bracket in _BRACKET.finditer(_STRING.sub(b"", raw)):
        if bracket.group() in (b"[", b"{"):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise TooDeeplyNested()
        else:
            depth -= 1


class DepthCheckedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing request bodies nested beyond MAX_JSON_DEPTH."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        check_depth(s)
        return super().loads(s, **kwargs)


class DepthCheckedParser(FlaskParser):
    """webargs' parser for the API, refusing bodies nested beyond MAX_JSON_DEPTH."""

    def _raw_load_json(self, req):
        if is_json_request(req):
            check_depth(req.get_data(cache=True))
        return super()._raw_load_json(req)
