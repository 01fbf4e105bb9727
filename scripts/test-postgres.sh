#!/usr/bin/env bash
# The PostgreSQL pass of the suite. In CI an unreachable server fails the
# run; on a developer machine without PostgreSQL it is reported and skipped.
set -uo pipefail
url="$1"
if .venv/bin/python - "$url" <<'PY'
import asyncio, sys
import asyncpg

async def main(url: str) -> None:
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1), timeout=5)
    await conn.close()

asyncio.run(main(sys.argv[1]))
PY
then
  SERVICEDESK_TEST_DATABASE_URL="$url" exec .venv/bin/python -m pytest
fi
if [ -n "${CI:-}" ]; then
  echo "PostgreSQL at $url is not reachable: the PostgreSQL pass cannot be skipped in CI" >&2
  exit 1
fi
echo "WARNING: PostgreSQL at $url is not reachable; skipping the PostgreSQL pass" >&2
exit 0
