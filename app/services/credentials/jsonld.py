"""JSON-LD contexts from the package and RDF canonicalisation (RDFC-1.0) with PyLD.

`document_loader` answers only for the context URLs shipped in `contexts/` and refuses
any other URL: canonicalisation never touches the network, so a credential cannot make
the server fetch anything, and verification gives the same answer offline.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from pyld import jsonld

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
OB_V3P0_303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_V3P0_LEGACY = "https://purl.imsglobal.org/spec/ob/v3p0/context/ob_v3p0.jsonld"
DATA_INTEGRITY_V1 = "https://w3id.org/security/data-integrity/v1"

CONTEXT_FILES: dict[str, str] = {
    VC_V2: "credentials-v2.jsonld",
    VC_V1: "credentials-v1.jsonld",
    OB_V3P0_303: "ob-v3p0-context-3.0.3.json",
    OB_V3P0_LEGACY: "ob-v3p0-legacy.jsonld",
    DATA_INTEGRITY_V1: "data-integrity-v1.jsonld",
}


class UnknownContext(ValueError):
    """A document named a JSON-LD context this service does not ship."""

    def __init__(self, url: str) -> None:
        super().__init__(f"The context {url!r} is not one this service knows")
        self.url = url


@cache
def _context(url: str) -> dict[str, Any]:
    return json.loads((CONTEXTS_DIR / CONTEXT_FILES[url]).read_text(encoding="utf-8"))


def document_loader(url: str, options: dict | None = None) -> dict[str, Any]:
    """PyLD document loader: the shipped copy of a known context, never a fetch."""
    if url not in CONTEXT_FILES:
        raise jsonld.JsonLdError(
            f"Refused to load {url!r}: only contexts shipped with the service are used",
            "jsonld.LoadDocumentError",
            {"url": url},
            code="loading document failed",
        )
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": copy.deepcopy(_context(url)),
    }


def _unknown_context_in(error: BaseException) -> str | None:
    seen: BaseException | None = error
    while seen is not None:
        details = getattr(seen, "details", None)
        if isinstance(details, dict):
            url = details.get("url")
            if isinstance(url, str) and url not in CONTEXT_FILES:
                return url
            cause = details.get("cause")
            if isinstance(cause, BaseException):
                seen = cause
                continue
        seen = seen.__cause__ or seen.__context__
    return None


def canonicalize(document: dict[str, Any]) -> str:
    """The RDFC-1.0 (URDNA2015) canonical N-Quads of a JSON-LD document.

    Raises `UnknownContext` when the document names a context that is not shipped, and
    `ValueError` when it is not valid JSON-LD.
    """
    try:
        return jsonld.normalize(
            document,
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": document_loader,
            },
        )
    except jsonld.JsonLdError as error:
        url = _unknown_context_in(error)
        if url is not None:
            raise UnknownContext(url) from error
        raise ValueError(f"The document is not valid JSON-LD: {error.type}") from error
