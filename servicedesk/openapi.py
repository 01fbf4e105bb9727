"""The OpenAPI schema as the server really answers: the ``{error, detail}`` body of every
4xx, the 401/403/404/409/429 answers each route can give (from ``servicedesk.access``),
and the bearer scheme."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from servicedesk.access import Rule, rule_for

ERROR_REF = {"$ref": "#/components/schemas/Error"}
ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "description": "Every error: its class name, a human text, and for some the fields at fault.",
    "required": ["error", "detail"],
    "properties": {
        "error": {"type": "string", "examples": ["InvalidInput"]},
        "detail": {"type": "string"},
        "field": {"type": ["string", "null"]},
        "fields": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
        "retry_after": {"type": "integer", "minimum": 1},
    },
    "additionalProperties": True,
}
BEARER = {
    "type": "http",
    "scheme": "bearer",
    "description": "a staff token from POST /auth/token, or a kiosk token from "
    "`servicedesk kiosk create`",
}
WRITES = {"post", "put", "patch", "delete"}
RETRY_AFTER = {
    "Retry-After": {"description": "seconds to wait", "schema": {"type": "integer", "minimum": 1}}
}


def _error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": ERROR_REF}},
    }
    if headers:
        answer["headers"] = headers
    return answer


def _errors(method: str, path: str, rule: Rule) -> dict[str, dict[str, Any]]:
    out = {"422": _error("invalid input: a field, a parameter, or a value too long to store")}
    if not rule.public or rule.reads_token or rule.credentials:
        out["401"] = _error("no token, or an unknown, expired or revoked one; a wrong password")
    if not rule.public:
        out["403"] = _error("this caller may not do this")
    if "{" in path or method in WRITES or rule.finds:
        out["404"] = _error("no such thing (or not one this caller may see)")
    if method in WRITES:
        out["409"] = _error("the current state does not allow it, or it exists already")
    if rule.limited:
        out["429"] = _error("too many attempts; wait Retry-After seconds", RETRY_AFTER)
    if rule.too_large:
        out["413"] = _error("the upload is larger than allowed")
    return out


def document(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the error answers and security of every operation to ``schema`` (in place)."""
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    components["securitySchemes"] = {"bearer": BEARER}
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            rule = rule_for(method.upper(), path)
            if rule is None:
                continue
            responses = operation.setdefault("responses", {})
            responses.update(_errors(method, path, rule))
            if not rule.public:
                operation["security"] = [{"bearer": []}]
            elif rule.reads_token:
                operation["security"] = [{}, {"bearer": []}]
    return schema


def install(app: FastAPI) -> None:
    """Replace ``app.openapi`` by one that documents errors and security."""
    plain = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(plain())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
