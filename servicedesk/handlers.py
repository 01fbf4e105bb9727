"""Every error as ``{"error", "detail"}``: domain errors, validation, and what the storage
layer refuses (a value too long for its column, a duplicate, a byte it cannot hold), so
that no input reaches a 500."""

from __future__ import annotations

import logging
import re
from typing import Any

from asyncpg.exceptions import (
    DataError,
    ForeignKeyViolationError,
    IntegrityConstraintViolationError,
    NotNullViolationError,
    UniqueViolationError,
)
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.exceptions import ValidationError as StorageValidationError

from servicedesk.errors import PayloadTooLarge, ServiceDeskError

logger = logging.getLogger("servicedesk")
API_PREFIX = "/api/v1"
HTTP_NAMES = {
    401: "NotAuthenticated",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    413: "PayloadTooLarge",
    429: "TooManyRequests",
}
_SQLITE_COLUMNS = re.compile(r"constraint failed: (.+)$")


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith(API_PREFIX) and "text/html" in request.headers.get(
        "accept", ""
    )


def _json(status: int, error: str, detail: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": error, "detail": detail, **extra}, status_code=status)


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ServiceDeskError)
    if _wants_html(request):
        from kiosk_ui.routes import render_error

        return render_error(request, exc)
    headers = exc.headers if hasattr(exc, "headers") else None
    return JSONResponse(exc.to_dict(), status_code=exc.status_code, headers=headers)


def _field_name(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc if p not in ("body", "query", "path", "header"))


async def validation_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    fields = [{"field": _field_name(tuple(e["loc"])), "message": e["msg"]} for e in exc.errors()]
    detail = "; ".join(f"{f['field'] or 'body'}: {f['message']}" for f in fields)
    return _json(422, "ValidationError", detail[:2000], fields=fields[:50])


async def http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400:  # a body the framework could not parse (not UTF-8, say)
        return _json(422, "ValidationError", f"the request body is not valid: {exc.detail}")
    return JSONResponse(
        {"error": HTTP_NAMES.get(exc.status_code, "HTTPError"), "detail": str(exc.detail)},
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


async def storage_validation(_request: Request, exc: Exception) -> Response:
    """A value the model refuses (longer than its column, out of its range)."""
    field, _, message = str(exc).partition(":")
    field = field.strip() if message else ""
    detail = f"{field}: the value is too long or out of range" if field else str(exc)[:200]
    return _json(422, "InvalidInput", detail, field=field or None)


def _constraint_columns(exc: Exception) -> str:
    cause = exc.__cause__
    if isinstance(cause, IntegrityConstraintViolationError):
        column = getattr(cause, "column_name", None)
        if column:
            return str(column)
        found = re.search(r"Key \(([^)]+)\)", str(getattr(cause, "detail", "") or ""))
        return found.group(1) if found else str(getattr(cause, "constraint_name", "") or "")
    found = _SQLITE_COLUMNS.search(str(exc))
    if not found:
        return ""
    return ", ".join(part.split(".")[-1] for part in found.group(1).split(", "))


async def integrity_error(_request: Request, exc: Exception) -> Response:
    """A duplicate is a conflict with what exists (409); a missing or dangling value 422."""
    columns = _constraint_columns(exc)
    cause = exc.__cause__
    if isinstance(cause, UniqueViolationError) or "UNIQUE" in str(exc):
        return _json(409, "Conflict", f"a record with the same {columns or 'key'} exists")
    if isinstance(cause, NotNullViolationError | ForeignKeyViolationError):
        return _json(422, "InvalidInput", f"{columns}: missing or unknown", field=columns)
    return _json(422, "InvalidInput", f"{columns or 'a value'} is not acceptable", field=columns)


async def unstorable_value(request: Request, exc: Exception) -> Response:
    """A value the database cannot hold (an id beyond its integer range, a NUL byte)."""
    if isinstance(exc, IntegrityError):
        return await integrity_error(request, exc)
    if isinstance(exc, OperationalError) and not isinstance(exc.__cause__, DataError):
        return await internal_error(request, exc)
    return _json(
        422, "InvalidValue", "a value is out of range or holds a character that cannot be stored"
    )


async def internal_error(_request: Request, exc: Exception) -> Response:
    # Still an {"error", "detail"} answer; the traceback goes to the log.
    logger.exception("unhandled error", exc_info=exc)
    return _json(500, "InternalError", "internal error; it has been logged")


# Uploads (indicator CSV files) may be larger than any other request body.
UPLOADS = re.compile(r"^(/api/v1/incubators/[^/]+/indicators\.csv|/incubator/indicators/upload)$")


class BodyLimit:
    """Refuse a request body over its limit while it is read (413), before anything is
    parsed or spooled: at once from Content-Length, else as the bytes arrive."""

    def __init__(self, app: ASGIApp, *, default: int, uploads: int) -> None:
        self.app, self.default, self.uploads = app, default, uploads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.uploads if UPLOADS.match(scope["path"]) else self.default
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > limit:
            response = _json(413, "PayloadTooLarge", f"the request body exceeds {limit} bytes")
            await response(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise PayloadTooLarge(f"the request body exceeds {limit} bytes")
            return message

        await self.app(scope, counted, send)


def install(app: FastAPI) -> None:
    app.add_exception_handler(ServiceDeskError, domain_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(StorageValidationError, storage_validation)
    app.add_exception_handler(OperationalError, unstorable_value)
    app.add_exception_handler(OverflowError, unstorable_value)
    app.add_exception_handler(Exception, internal_error)
