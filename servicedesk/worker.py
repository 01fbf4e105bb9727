"""The background worker: delivers the outbox and runs the rules that go by the clock.

``servicedesk worker`` runs one (any number of them share the work on PostgreSQL);
on SQLite ``servicedesk serve`` runs one inside the server process. The periodic
rules are scheduled by APScheduler; every rule is safe to run on several workers at
once (conditional updates, and messages keyed by their event), so no worker needs
to be the leader.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from servicedesk.audit import service as audit
from servicedesk.cases import reminders as case_reminders
from servicedesk.cases.deemed import sweep_deemed_acceptance
from servicedesk.idempotency import service as idempotency
from servicedesk.notifications.channels import Senders
from servicedesk.notifications.contacts import purge_ticket_contacts
from servicedesk.notifications.delivery import deliver_due
from servicedesk.queue import appointments
from servicedesk.queue import reminders as queue_reminders
from servicedesk.settings import Settings
from servicedesk.timeutil import BEIJING

logger = logging.getLogger("servicedesk.worker")


@dataclass(frozen=True)
class Rule:
    """A periodic rule: what it does, when, and whether it also runs at start-up."""

    name: str
    run: Callable[[Settings], Awaitable[int]]
    trigger: BaseTrigger
    at_start: bool = True


async def _purge(settings: Settings) -> int:
    keys = await idempotency.purge_expired(ttl_hours=settings.idempotency_ttl_hours)
    return keys + await purge_ticket_contacts()


def _office_hours(minute: str) -> CronTrigger:
    # Reminders go out in the daytime, Beijing time, never at night.
    return CronTrigger(hour="9-19", minute=minute, timezone=BEIJING)


def default_rules() -> list[Rule]:
    return [
        Rule("deemed_acceptance", lambda _s: sweep_deemed_acceptance(), IntervalTrigger(minutes=5)),
        Rule(
            "missed_appointments",
            lambda _s: appointments.release_missed(),
            IntervalTrigger(minutes=1),
        ),
        Rule(
            "close_to_call",
            lambda s: queue_reminders.close_to_call(s.notify_close_to_call),
            IntervalTrigger(seconds=15),
        ),
        Rule(
            "appointments_tomorrow",
            lambda _s: queue_reminders.appointments_tomorrow(),
            _office_hours("0,30"),
            at_start=False,
        ),
        Rule(
            "supplement_due",
            lambda _s: case_reminders.supplement_due(),
            _office_hours("5"),
            at_start=False,
        ),
        Rule("overdue", lambda _s: case_reminders.overdue(), _office_hours("10"), at_start=False),
        Rule("purge", _purge, IntervalTrigger(hours=1)),
        # The hot paths' audit rows join the hash chain within seconds.
        Rule("audit-seal", lambda _s: audit.seal(), IntervalTrigger(seconds=5)),
    ]


class Worker:
    """Delivery in a loop, the rules on their schedules, until ``stop`` is set."""

    def __init__(self, settings: Settings, *, rules: list[Rule] | None = None) -> None:
        self.settings = settings
        self.rules = default_rules() if rules is None else rules

    async def run_rule(self, rule: Rule) -> int:
        try:
            done = await rule.run(self.settings)
        except Exception:  # a failing rule is logged and runs again at its next time
            logger.exception("rule %s failed", rule.name)
            return 0
        if done:
            logger.info("rule %s: %d", rule.name, done)
        return done

    def _scheduler(self) -> AsyncIOScheduler:
        scheduler = AsyncIOScheduler(timezone=BEIJING)
        for rule in self.rules:
            extra = {"next_run_time": datetime.now(BEIJING)} if rule.at_start else {}
            scheduler.add_job(
                self.run_rule,
                rule.trigger,
                args=[rule],
                id=rule.name,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=60,
                **extra,
            )
        return scheduler

    async def deliver(self, stop: asyncio.Event) -> None:
        """Send due messages batch after batch; wait ``worker_poll_seconds`` when none is due."""
        async with Senders(self.settings) as senders:
            while not stop.is_set():
                try:
                    claimed = await deliver_due(senders, settings=self.settings)
                except Exception:  # the database went away for a moment: try again
                    logger.exception("delivery failed")
                    claimed = 0
                if not claimed:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), self.settings.worker_poll_seconds)

    async def run(self, stop: asyncio.Event) -> None:
        scheduler = self._scheduler()
        scheduler.start()
        try:
            await self.deliver(stop)
        finally:
            scheduler.shutdown(wait=False)
