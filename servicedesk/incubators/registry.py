"""The incubation registry: which firms an incubator hosts, since when, until when.

Operators register their own firms (one by one or by CSV, all or nothing); officials
correct a record with a written reason and record violations and false reports.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from tortoise.transactions import in_transaction

from servicedesk.audit import service as audit
from servicedesk.errors import Conflict, Forbidden, InvalidInput, NotFound
from servicedesk.firms import service as firms
from servicedesk.firms.models import Firm
from servicedesk.incubators import periods
from servicedesk.incubators.models import CreditEvent, Incubation, Incubator
from servicedesk.incubators.models import IncubationStatus as IS
from servicedesk.timeutil import now, today

RECORD_KINDS = ("violation", "false_report")
CSV_COLUMNS = ("uscc", "name", "joined_on", "graduated_on", "left_on")
MAX_ROWS = 2000


def _day(raw: str | date | None, field: str) -> date | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInput(
            f"{field}: {raw!r} is not a date (YYYY-MM-DD)", extra={"field": field}
        ) from None


def parse_day(raw: str, field: str) -> date:
    """A required date from a form field, or a 422 naming the field."""
    day = _day(raw or "-", field)
    assert day is not None
    return day


def _check_dates(joined: date, graduated: date | None, left: date | None) -> None:
    if joined > today():
        raise InvalidInput(f"joined_on {joined} lies in the future", extra={"field": "joined_on"})
    for name, day in (("graduated_on", graduated), ("left_on", left)):
        if day is not None and not joined <= day <= today():
            raise InvalidInput(
                f"{name} {day} must lie between joined_on {joined} and today",
                extra={"field": name},
            )
    if graduated and left:
        raise InvalidInput(
            "a firm either graduates or leaves, not both", extra={"field": "left_on"}
        )


def _status(graduated: date | None, left: date | None) -> IS:
    return IS.GRADUATED if graduated else IS.LEFT if left else IS.INCUBATED


def snapshot(row: Incubation) -> dict[str, Any]:
    return {
        "status": row.status.value,
        "since": row.since.isoformat(),
        "graduated_on": row.graduated_on.isoformat() if row.graduated_on else None,
        "left_on": row.left_on.isoformat() if row.left_on else None,
    }


async def _register_one(
    incubator: Incubator,
    *,
    uscc: str,
    name: str,
    joined: date,
    graduated: date | None = None,
    left: date | None = None,
) -> Incubation:
    code = firms.validate_uscc(uscc)
    if not name.strip():
        raise InvalidInput("name must not be empty", extra={"field": "name"})
    _check_dates(joined, graduated, left)
    firm = await firms.get_or_register(code, name=name, update_name=True)
    if await Incubation.exists(incubator=incubator, firm=firm):
        raise Conflict(
            f"firm {code} is already registered at {incubator.code}", extra={"field": "uscc"}
        )
    return await Incubation.create(
        incubator=incubator,
        firm=firm,
        status=_status(graduated, left),
        since=joined,
        graduated_on=graduated,
        left_on=left,
    )


async def register(
    incubator: Incubator, *, uscc: str, name: str, joined_on: date, actor: str
) -> Incubation:
    """Register one firm as incubated here since ``joined_on``."""
    async with in_transaction():
        row = await _register_one(incubator, uscc=uscc, name=name, joined=joined_on)
        await audit.record(
            "incubation.register",
            actor=actor,
            entity="incubation",
            entity_id=row.id,
            after={"incubator": incubator.code, "uscc": firms.validate_uscc(uscc), **snapshot(row)},
        )
    return await get(incubator, uscc)


def parse_csv(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in CSV_COLUMNS[:3] if c not in header]
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if missing or unknown:
        raise InvalidInput(
            f"the CSV header must be {','.join(CSV_COLUMNS)} (the last two optional); "
            + (f"missing {', '.join(missing)}" if missing else f"unknown {', '.join(unknown)}"),
            extra={"rows": []},
        )
    return [{(k or "").strip(): (v or "").strip() for k, v in row.items() if k} for row in reader]


async def _check_row(
    incubator: Incubator, row: dict[str, str], seen: set[str]
) -> tuple[str, str, date, date | None, date | None]:
    code = firms.validate_uscc(row.get("uscc", ""))
    if code in seen:
        raise InvalidInput(f"USCC {code} appears twice in the file")
    seen.add(code)
    name = row.get("name", "").strip()
    if not name:
        raise InvalidInput("name must not be empty")
    joined = _day(row.get("joined_on") or "-", "joined_on")
    assert joined is not None
    graduated, left = (
        _day(row.get("graduated_on"), "graduated_on"),
        _day(row.get("left_on"), "left_on"),
    )
    _check_dates(joined, graduated, left)
    if await Incubation.exists(incubator=incubator, firm__uscc=code):
        raise Conflict(f"firm {code} is already registered at {incubator.code}")
    return code, name, joined, graduated, left


async def import_rows(incubator: Incubator, rows: list[dict[str, str]], *, actor: str) -> int:
    """Register every row, or none: each bad row is named with what is wrong."""
    if not rows:
        raise InvalidInput("no rows to import", extra={"rows": []})
    if len(rows) > MAX_ROWS:
        raise InvalidInput(f"at most {MAX_ROWS} rows per upload", extra={"rows": []})
    errors: list[dict[str, Any]] = []
    clean = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        try:
            clean.append(await _check_row(incubator, row, seen))
        except (InvalidInput, Conflict) as exc:
            errors.append({"row": number, "problem": exc.detail})
    if errors:
        listing = "; ".join(f"row {e['row']}: {e['problem']}" for e in errors)
        raise InvalidInput(
            f"nothing imported, {len(errors)} bad row(s): {listing}", extra={"rows": errors}
        )
    async with in_transaction():
        for code, name, joined, graduated, left in clean:
            await _register_one(
                incubator, uscc=code, name=name, joined=joined, graduated=graduated, left=left
            )
        await audit.record(
            "incubation.import",
            actor=actor,
            entity="incubator",
            entity_id=incubator.code,
            after={"rows": len(rows), "usccs": [c[0] for c in clean]},
        )
    return len(rows)


async def get(incubator: Incubator, uscc: str) -> Incubation:
    firm = await Firm.get_or_none(uscc=firms.validate_uscc(uscc))
    row = (
        await Incubation.get_or_none(incubator=incubator, firm=firm).prefetch_related("firm")
        if firm
        else None
    )
    if row is None:
        raise NotFound(f"firm {uscc} is not registered at {incubator.code}")
    return row


async def end(incubator: Incubator, uscc: str, *, how: str, on: date, actor: str) -> Incubation:
    """The firm graduates or leaves on ``on``."""
    row = await get(incubator, uscc)
    if row.status is not IS.INCUBATED:
        raise Conflict(f"firm {uscc} has already {row.status.value} ({incubator.code})")
    graduated, left = (on, None) if how == "graduate" else (None, on)
    _check_dates(row.since, graduated, left)
    before = snapshot(row)
    async with in_transaction():
        await Incubation.filter(id=row.id).update(
            status=_status(graduated, left), graduated_on=graduated, left_on=left
        )
        row = await get(incubator, uscc)
        await audit.record(
            f"incubation.{how}",
            actor=actor,
            entity="incubation",
            entity_id=row.id,
            before=before,
            after=snapshot(row),
        )
    return row


async def correct(
    incubator: Incubator, uscc: str, *, changes: dict[str, Any], reason: str, actor: str
) -> Incubation:
    """An official corrects a record; the reason is kept with the before and after."""
    if not reason.strip():
        raise InvalidInput("a correction needs a reason", extra={"field": "reason"})
    row = await get(incubator, uscc)
    joined = _day(changes.get("joined_on"), "joined_on") or row.since
    graduated = (
        _day(changes["graduated_on"], "graduated_on")
        if "graduated_on" in changes
        else row.graduated_on
    )
    left = _day(changes["left_on"], "left_on") if "left_on" in changes else row.left_on
    _check_dates(joined, graduated, left)
    before = snapshot(row)
    async with in_transaction():
        await Incubation.filter(id=row.id).update(
            since=joined, graduated_on=graduated, left_on=left, status=_status(graduated, left)
        )
        row = await get(incubator, uscc)
        await audit.record(
            "incubation.correct",
            actor=actor,
            entity="incubation",
            entity_id=row.id,
            before=before,
            after={**snapshot(row), "reason": reason.strip()},
        )
    return row


async def add_record(
    incubator: Incubator, *, kind: str, on: date, note: str, actor: str
) -> CreditEvent:
    """A violation or false report against the incubator, with its evidence note."""
    if kind not in RECORD_KINDS:
        raise InvalidInput(
            f"kind must be one of {', '.join(RECORD_KINDS)}", extra={"field": "kind"}
        )
    if on > today():
        raise InvalidInput(f"date {on} lies in the future", extra={"field": "date"})
    if not note.strip():
        raise InvalidInput("note: say what the evidence is", extra={"field": "note"})
    async with in_transaction():
        event = await CreditEvent.create(
            incubator=incubator,
            period=periods.quarter_of(on),
            kind=kind,
            serious=True,
            occurred_on=on,
            notes=note.strip(),
            recorded_by=actor,
            recorded_at=now(),
        )
        await audit.record(
            f"incubator.{kind}",
            actor=actor,
            entity="incubator",
            entity_id=incubator.code,
            after={"record": event.id, "date": on.isoformat(), "note": note.strip()},
        )
    return event


async def records(incubator: Incubator) -> list[CreditEvent]:
    return await CreditEvent.filter(incubator=incubator).order_by("-recorded_at", "-id")


def check_operator_or_official(role: str, own_code: str | None, code: str) -> None:
    """Operators register their own firms; officials may act for any incubator."""
    if role in {"official", "admin"} or (role == "incubator" and own_code == code):
        return
    raise Forbidden(f"only officials and incubator {code} may change its registry")
