"""Rate limits and login lockouts, counted in the database so that every worker (and
every host on one PostgreSQL) sees the same numbers.

No rate-limiting library is used: the maintained ones (``limits``, ``slowapi``) share
counters across processes only through Redis or Memcached, which this service does not
run. One upsert per attempt is cheap next to what the attempt itself costs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from tortoise import connections

from servicedesk.errors import TooManyRequests
from servicedesk.throttle.models import Throttle

# ``?1`` (SQLite) and ``$1`` (PostgreSQL) both number their parameters, so one list serves.
_COUNT = (
    "INSERT INTO throttles (key, hits, window_start, blocked_until) VALUES ({1}, 1, {2}, 0) "
    "ON CONFLICT (key) DO UPDATE SET "
    "hits = CASE WHEN throttles.window_start <= {3} THEN 1 ELSE throttles.hits + 1 END, "
    "window_start = CASE WHEN throttles.window_start <= {3} THEN {2} ELSE %s END "
    "RETURNING hits, window_start, blocked_until"
)
_BLOCK = "UPDATE throttles SET blocked_until = {2} WHERE key = {1} AND blocked_until < {2}"


def _sql(template: str, dialect: str) -> str:
    mark = "$" if dialect == "postgres" else "?"
    return template.format(*(f"{mark}{i}" for i in range(10)))


@dataclass(frozen=True)
class Count:
    hits: int
    window_start: int
    blocked_until: int


async def _count(key: str, *, window: int, sliding: bool) -> Count:
    """One more hit on ``key``. A fixed window restarts ``window`` s after it began; a
    sliding one (``sliding``) is forgotten ``window`` s after the last hit."""
    conn = connections.get("default")
    now = int(time.time())
    template = _COUNT % ("{2}" if sliding else "throttles.window_start")
    sql = _sql(template, conn.capabilities.dialect)
    rows = await conn.execute_query_dict(sql, [key[:160], now, now - window])
    row = rows[0]
    return Count(int(row["hits"]), int(row["window_start"]), int(row["blocked_until"]))


async def limit(key: str, *, per: int, seconds: int, what: str) -> None:
    """Count one request under ``key``; past ``per`` in ``seconds``, 429 with Retry-After."""
    count = await _count(key, window=seconds, sliding=False)
    if count.hits > per:
        wait = count.window_start + seconds - int(time.time())
        raise TooManyRequests(
            f"too many {what} from this client; try again in {max(wait, 1)} s", retry_after=wait
        )


async def blocked_for(key: str) -> int:
    """Seconds ``key`` is still refused (0 when it is not)."""
    row = await Throttle.get_or_none(key=key[:160]).only("blocked_until")
    return max(0, row.blocked_until - int(time.time())) if row else 0


async def fail(key: str, *, free: int, lock_after: int, lock_seconds: int, memory: int) -> int:
    """Count a failure under ``key`` and refuse it for a while: nothing for the first
    ``free`` failures, then 1, 2, 4 … s, and ``lock_seconds`` from the ``lock_after``-th on.
    Failures are forgotten ``memory`` s after the last. Returns the seconds refused."""
    count = await _count(key, window=memory, sliding=True)
    now = int(time.time())
    locks_now = count.hits == lock_after or (count.hits > lock_after and count.blocked_until <= now)
    if locks_now:
        wait = lock_seconds
    elif count.blocked_until > now:  # already refused: the attempt counts, the end stays
        return count.blocked_until - now
    elif count.hits > free:
        wait = min(2 ** (count.hits - free - 1), lock_seconds)
    else:
        return 0
    conn = connections.get("default")
    await conn.execute_query(_sql(_BLOCK, conn.capabilities.dialect), [key[:160], now + wait])
    return wait


async def clear(key: str) -> bool:
    """Forget ``key`` (a successful login, an administrator's unlock)."""
    return bool(await Throttle.filter(key=key[:160]).delete())
