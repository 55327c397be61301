from __future__ import annotations

from flask import Blueprint

# No url_prefix: the DID document must be at /.well-known/did.json.
bp = Blueprint("credentials", __name__)
