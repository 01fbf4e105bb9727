"""What the administration services share: snapshots for the audit log, unique codes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.models import Model

from servicedesk.audit import service as audit
from servicedesk.errors import Conflict


def snapshot(row: Model, names: Iterable[str]) -> dict[str, Any]:
    """The named fields of ``row`` as the audit log stores them."""
    out: dict[str, Any] = {}
    for name in names:
        value = getattr(row, name)
        out[name] = value.isoformat() if isinstance(value, date) else value
    return out


async def record(
    action: str,
    *,
    actor: str,
    entity: str,
    entity_id: str | int,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    await audit.record(
        f"admin.{action}",
        actor=actor,
        entity=entity,
        entity_id=entity_id,
        before=before,
        after=after,
    )


def duplicate(what: str, code: str) -> Conflict:
    return Conflict(f"{what} {code!r} already exists", extra={"field": "code"})


class Unique:
    """Turns the database's unique-constraint refusal (a concurrent create) into a 409."""

    def __init__(self, what: str, code: str) -> None:
        self.what, self.code = what, code

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, _tb: Any
    ) -> bool:
        if isinstance(exc, IntegrityError):
            raise duplicate(self.what, self.code) from None
        return False


def changes(body: dict[str, Any]) -> dict[str, Any]:
    """The fields a PATCH body sets (those not left out)."""
    return {k: v for k, v in body.items() if v is not None}
