"""Typed domain errors, rendered by one handler as ``{"error", "detail"}``."""

from __future__ import annotations

from typing import Any


class ServiceDeskError(Exception):
    """Base of every error the service reports to a client."""

    status_code = 400
    headers: dict[str, str] | None = None

    def __init__(self, detail: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra or {}

    def to_dict(self) -> dict[str, Any]:
        return {"error": type(self).__name__, "detail": self.detail, **self.extra}


class BadRequest(ServiceDeskError):
    status_code = 400


class InvalidInput(ServiceDeskError):
    """A value is well-formed JSON but wrong for the domain (e.g. a bad USCC)."""

    status_code = 422


class NotAuthenticated(ServiceDeskError):
    status_code = 401


class Forbidden(ServiceDeskError):
    status_code = 403


class NotFound(ServiceDeskError):
    status_code = 404


class Conflict(ServiceDeskError):
    """The request is valid but the current state does not allow it."""

    status_code = 409


class IllegalTransition(Conflict):
    pass


class IdempotencyConflict(Conflict):
    """The same Idempotency-Key is still being processed."""


class IdempotencyMismatch(ServiceDeskError):
    """The same Idempotency-Key came with another body."""

    status_code = 422


class WindowBusy(Conflict):
    """The window still has a called or serving ticket."""


class PrivilegeSuspended(Conflict):
    """The incubator's recommendation privilege is suspended pending review."""


class QuotaExceeded(Conflict):
    """The incubator has used its recommendation quota for the period."""


class FourEyesRequired(Forbidden):
    """A second, different official must take this step."""


class TooManyRequests(ServiceDeskError):
    """Too many attempts from one account or client: try again after ``retry_after`` s."""

    status_code = 429

    def __init__(self, detail: str, *, retry_after: int) -> None:
        retry_after = max(1, int(retry_after))
        super().__init__(detail, extra={"retry_after": retry_after})
        self.headers = {"Retry-After": str(retry_after)}


class PayloadTooLarge(ServiceDeskError):
    """The request body is larger than this endpoint takes."""

    status_code = 413
