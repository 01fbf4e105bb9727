"""A generated service history: tickets, cases, ratings and follow-ups over a span of
days at given service points, reproducible from a seed.

The demo seeds a month of it so the statistics and the annual report have something to
show; the statistics test checks the aggregates against figures it computes from these
rows itself; ``bench/statistics.py`` generates a city's year with it. Rows go in with
explicit ids in large batches (the sequences are moved on afterwards on PostgreSQL).
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from tortoise import connections
from tortoise.models import Model

from servicedesk.accounts.models import User
from servicedesk.calendar.service import WorkCalendar
from servicedesk.cases.models import Case, CaseStatus
from servicedesk.catalogue.models import ServicePoint, ServicePointMatter, Window
from servicedesk.evaluations.models import Channel, Evaluation, FollowUp, FollowUpStatus, ReplyKind
from servicedesk.firms.models import Firm
from servicedesk.queue.models import Ticket, TicketStatus
from servicedesk.timeutil import BEIJING, beijing_date

BATCH = 2000
LEVEL_WEIGHTS = {5: 60, 4: 24, 3: 8, 2: 5, 1: 3}
T = TicketStatus


@dataclass
class Point:
    """What the generator needs of one service point."""

    point: ServicePoint
    windows: list[Window]
    clerks: list[int]
    offers: list[ServicePointMatter]
    promised: dict[int, tuple[int, int]]  # matter id -> (promised, statutory) days


@dataclass
class Counts:
    tickets: int = 0
    cases: int = 0
    evaluations: int = 0
    follow_ups: int = 0


async def load_points(codes: list[str] | None = None) -> list[Point]:
    query = ServicePoint.all().order_by("code")
    if codes:
        query = query.filter(code__in=codes)
    out = []
    for point in await query:
        offers = await ServicePointMatter.filter(service_point=point).prefetch_related(
            "matter", "queue"
        )
        out.append(
            Point(
                point=point,
                windows=await Window.filter(service_point=point).order_by("code"),
                clerks=[u.id for u in await User.filter(service_point=point).only("id")],
                offers=list(offers),
                promised={
                    o.matter_id: (o.matter.promised_days, o.matter.statutory_days) for o in offers
                },
            )
        )
    return [p for p in out if p.windows and p.offers]


async def _next_id(model: type[Model]) -> int:
    table = model._meta.db_table
    rows = await connections.get("default").execute_query_dict(
        f"SELECT COALESCE(MAX(id), 0) AS m FROM {table}"
    )
    return int(rows[0]["m"]) + 1


PARENTS: dict[type[Model], tuple[type[Model], ...]] = {
    Case: (Firm,),
    Evaluation: (Ticket, Case),
    FollowUp: (Evaluation,),
}


class Writer:
    """Batches rows per model and writes them with explicit ids."""

    def __init__(self) -> None:
        self.pending: dict[type[Model], list[Model]] = {}
        self.ids: dict[type[Model], int] = {}

    async def next_id(self, model: type[Model]) -> int:
        if model not in self.ids:
            self.ids[model] = await _next_id(model)
        value = self.ids[model]
        self.ids[model] = value + 1
        return value

    async def add(self, row: Model) -> None:
        rows = self.pending.setdefault(type(row), [])
        rows.append(row)
        if len(rows) >= BATCH:
            await self.flush(type(row))

    async def flush(self, model: type[Model]) -> None:
        """Write the pending rows of ``model``, those of the rows it points at first."""
        for parent in PARENTS.get(model, ()):
            await self.flush(parent)
        rows = self.pending.get(model) or []
        if rows:
            await model.bulk_create(rows)
        self.pending[model] = []

    async def finish(self) -> None:
        await self.flush(FollowUp)  # and, before them, every row they point at
        conn = connections.get("default")
        if conn.capabilities.dialect == "postgres":
            for kind in self.ids:
                table = kind._meta.db_table
                await conn.execute_query(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )


def _at(day: date, minute: float) -> datetime:
    """Beijing ``day`` at ``minute`` past midnight, to the whole second, in UTC (as the
    service stores instants; later ones are derived from it and stay in UTC)."""
    moment = datetime.combine(day, time(0), tzinfo=BEIJING) + timedelta(seconds=int(minute * 60))
    return moment.astimezone(UTC)


class History:
    """One generation run; the random stream is the seed's alone."""

    def __init__(
        self,
        *,
        seed: int,
        cal: WorkCalendar,
        rating_share: float = 0.3,
        level_weights: dict[int, int] | None = None,
    ) -> None:
        self.rng = random.Random(seed)
        self.cal = cal
        self.rating_share = rating_share
        self.level_weights = level_weights or LEVEL_WEIGHTS
        self.writer = Writer()
        self.counts = Counts()
        self.seq: dict[tuple[int, date], int] = {}
        self.firms: list[int] = []

    async def make_firms(self, count: int) -> None:
        for n in range(count):
            firm_id = await self.writer.next_id(Firm)
            uscc = f"91110{self.rng.randrange(10**8):08d}{n:05d}"[:18]
            await self.writer.add(Firm(id=firm_id, uscc=uscc, name=f"生成企业{n:05d}"))
            self.firms.append(firm_id)
        await self.writer.flush(Firm)

    async def day(self, point: Point, day: date, *, tickets: int, cases: int) -> None:
        for _ in range(tickets):
            await self._ticket(point, day)
        for n in range(cases):
            await self._case(point, day, n + 1)

    async def _ticket(self, point: Point, day: date) -> None:
        rng = self.rng
        offer = rng.choice(point.offers)
        key = (offer.queue_id, day)
        self.seq[key] = self.seq.get(key, 0) + 1
        taken = _at(day, rng.uniform(8.5 * 60, 16.5 * 60))
        roll = rng.random()
        status = T.DONE if roll < 0.88 else T.NO_SHOW if roll < 0.94 else T.CANCELLED
        ticket = Ticket(
            id=await self.writer.next_id(Ticket),
            service_point_id=point.point.id,
            queue_id=offer.queue_id,
            matter_id=offer.matter_id,
            day=day,
            ticket_no=f"{offer.queue.code}{self.seq[key]:03d}",
            seq=self.seq[key],
            status=status,
            taken_at=taken,
            code=secrets.token_urlsafe(12),
            recalls=0,
        )
        if status is not T.CANCELLED:
            ticket.called_at = taken + timedelta(seconds=int(rng.expovariate(1 / 720)))
            ticket.window_id = rng.choice(point.windows).id
            ticket.clerk_id = rng.choice(point.clerks) if point.clerks else None
            ticket.finished_at = ticket.called_at + timedelta(
                seconds=int(60 + rng.expovariate(1 / 420)) if status is T.DONE else 180
            )
        else:
            ticket.finished_at = taken + timedelta(minutes=5)
        await self.writer.add(ticket)
        self.counts.tickets += 1
        if status is T.DONE and rng.random() < self.rating_share:
            await self._rating(point, ticket=ticket, served=beijing_date(ticket.finished_at))

    async def _case(self, point: Point, day: date, number: int) -> None:
        rng = self.rng
        offer = rng.choice(point.offers)
        promised, statutory = point.promised[offer.matter_id]
        received = _at(day, rng.uniform(9 * 60, 16 * 60))
        case = Case(
            id=await self.writer.next_id(Case),
            case_no=f"{point.point.code}-{day:%Y%m%d}-{number:04d}",
            query_code=secrets.token_hex(4).upper(),
            service_point_id=point.point.id,
            matter_id=offer.matter_id,
            firm_id=rng.choice(self.firms),
            status=CaseStatus.SUBMITTED,
            materials=[],
            received_at=received,
            notice_issued=rng.random() < 0.15,
        )
        if rng.random() < 0.06:
            case.status, case.decided_on = CaseStatus.REJECTED, day + timedelta(days=2)
        else:
            self._accept_and_decide(case, day, promised=promised, statutory=statutory)
        await self.writer.add(case)
        self.counts.cases += 1
        if case.decided_on is not None and rng.random() < self.rating_share:
            await self._rating(point, case=case, served=case.decided_on)

    def _accept_and_decide(self, case: Case, day: date, *, promised: int, statutory: int) -> None:
        rng = self.rng
        case.accepted_on = self.cal.add_working_days(day, rng.choice((0, 0, 1, 2)))
        case.accepted_deficient = rng.random() < 0.2
        case.status = CaseStatus.ACCEPTED
        case.deadline_on = self.cal.add_working_days(case.accepted_on, promised)
        case.statutory_deadline_on = self.cal.add_working_days(case.accepted_on, statutory)
        took = max(1, int(rng.gauss(promised * 0.8, promised * 0.3)))
        case.decided_on = self.cal.add_working_days(case.accepted_on, took)
        case.status = CaseStatus.APPROVED if rng.random() < 0.9 else CaseStatus.DENIED

    async def _rating(
        self, point: Point, *, served: date, ticket: Ticket | None = None, case: Case | None = None
    ) -> None:
        rng = self.rng
        weights = self.level_weights
        level = rng.choices(list(weights), weights=list(weights.values()))[0]
        rated_on = served + timedelta(days=rng.choice((0, 0, 0, 1, 2)))
        evaluation = Evaluation(
            id=await self.writer.next_id(Evaluation),
            ticket_id=ticket.id if ticket else None,
            case_id=case.id if case else None,
            service_point_id=point.point.id,
            window_id=ticket.window_id if ticket else None,
            clerk_id=ticket.clerk_id if ticket else None,
            matter_id=ticket.matter_id if ticket else case.matter_id if case else None,
            level=level,
            tags=[],
            comment="",
            channel=Channel.WINDOW if ticket else Channel.QUERY,
            service_day=served,
            day=rated_on,
            created_at=_at(rated_on, 17 * 60),
        )
        await self.writer.add(evaluation)
        self.counts.evaluations += 1
        if level <= 2:
            await self._follow_up(evaluation, point)

    async def _follow_up(self, evaluation: Evaluation, point: Point) -> None:
        rng = self.rng
        due = self.cal.add_working_days(evaluation.day, 15)
        roll = rng.random()
        fields: dict[str, Any] = {}
        if roll < 0.75:
            kind = ReplyKind.RECTIFIED if roll < 0.6 else ReplyKind.EXPLAINED
            closed = self.cal.add_working_days(evaluation.day, rng.randint(1, 18))
            fields = {
                "status": FollowUpStatus.CLOSED,
                "reply_kind": kind,
                "reply_text": "已核实处理",
                "replied_by": "supervisor:generated",
                "closed_on": closed,
                "closed_at": _at(closed, 16 * 60),
            }
        await self.writer.add(
            FollowUp(
                id=await self.writer.next_id(FollowUp),
                evaluation_id=evaluation.id,
                service_point_id=point.point.id,
                opened_on=evaluation.day,
                due=due,
                **fields,
            )
        )
        self.counts.follow_ups += 1


async def generate(
    points: list[Point],
    *,
    start: date,
    days: int,
    tickets_per_day: int,
    cases_per_day: int,
    seed: int = 2026,
    cal: WorkCalendar | None = None,
    rating_share: float = 0.3,
    level_weights: dict[int, int] | None = None,
) -> Counts:
    """``days`` days from ``start`` at each point (working days only)."""
    cal = cal or WorkCalendar()
    history = History(seed=seed, cal=cal, rating_share=rating_share, level_weights=level_weights)
    await history.make_firms(max(20, cases_per_day * len(points)))
    for offset in range(days):
        day = start + timedelta(days=offset)
        if not cal.is_working(day):
            continue
        for point in points:
            await history.day(point, day, tickets=tickets_per_day, cases=cases_per_day)
    await history.writer.finish()
    return history.counts
