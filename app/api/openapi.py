"""The OpenAPI 3 description of /api/v1, kept beside the views it describes."""

from __future__ import annotations

from typing import Any

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        }
    },
}

SIGN_OFF_RULE = {
    "type": "object",
    "properties": {
        "min_evidence": {"type": "integer"},
        "min_types": {"type": "integer"},
        "require_observed": {"type": "boolean"},
    },
}


def _errors(*codes: int) -> dict[str, Any]:
    text = {401: "No valid bearer token", 403: "Role not allowed", 404: "Not found or not yours"}
    return {
        str(code): {
            "description": text[code],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for code in codes
    }


def _ok(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {
        "200": {"description": description, "content": {"application/json": {"schema": schema}}}
    }


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "PCPT Portfolio API",
            "version": "1",
            "description": "Read and record portfolio data. Send `Authorization: Bearer <token>`; "
            "tokens are created with `flask --app wsgi tokens create`.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": ERROR,
                "Me": {
                    "type": "object",
                    "required": ["id", "email", "name", "roles"],
                    "properties": {
                        "id": {"type": "integer"},
                        "email": {"type": "string"},
                        "name": {"type": "string"},
                        "roles": {
                            "type": "array",
                            "items": {
                                "type": "string",
                                "enum": ["trainee", "supervisor", "lead", "admin"],
                            },
                        },
                    },
                },
                "FrameworkSummary": {
                    "type": "object",
                    "required": ["id", "version", "title", "status", "competency_count"],
                    "properties": {
                        "id": {"type": "string"},
                        "version": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "string", "enum": ["provisional", "published"]},
                        "competency_count": {"type": "integer"},
                    },
                },
                "Competency": {
                    "type": "object",
                    "required": ["id", "title", "description"],
                    "properties": {
                        "id": {"type": "string"},
                        "title": {"type": "string"},
                        "description": {"type": "string"},
                        "indicators": {"type": "array", "items": {"type": "string"}},
                        "standards": {"type": "array", "items": {"type": "string"}},
                        "sign_off": SIGN_OFF_RULE,
                        "replaces": {"type": "string", "nullable": True},
                    },
                },
                "FrameworkTree": {
                    "type": "object",
                    "required": ["id", "version", "title", "domains"],
                    "properties": {
                        "id": {"type": "string"},
                        "version": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "string"},
                        "sign_off": SIGN_OFF_RULE,
                        "domains": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["id", "title", "competencies"],
                                "properties": {
                                    "id": {"type": "string"},
                                    "title": {"type": "string"},
                                    "competencies": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Competency"},
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
        "paths": {
            "/me": {
                "get": {
                    "summary": "The signed-in user",
                    "responses": {**_ok({"$ref": "#/components/schemas/Me"}), **_errors(401)},
                }
            },
            "/frameworks": {
                "get": {
                    "summary": "Imported framework versions",
                    "responses": {
                        **_ok(
                            {
                                "type": "object",
                                "required": ["items"],
                                "properties": {
                                    "items": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/FrameworkSummary"},
                                    }
                                },
                            }
                        ),
                        **_errors(401),
                    },
                }
            },
            "/frameworks/{id}/versions/{version}": {
                "get": {
                    "summary": "One framework version with its domains and competencies",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "version",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                    ],
                    "responses": {
                        **_ok({"$ref": "#/components/schemas/FrameworkTree"}),
                        **_errors(401, 404),
                    },
                }
            },
        },
    }
