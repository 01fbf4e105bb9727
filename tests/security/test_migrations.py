"""The security migrations on a database that already holds data."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from servicedesk.cases.service import QUERY_CODE_ALPHABET
from tests.cli.test_cli import _sql, run, tortoise_cli
from tests.conftest import server_database_url

BEFORE_QUERY_CODE = (
    "INSERT INTO service_points (id, code, name, name_en, district, address, focus_industries)"
    " VALUES (1, 'P', 'p', 'p', '', '', '[]')",
    "INSERT INTO matters (id, code, name, name_en, department, department_en, legal_basis,"
    " statutory_days, promised_days, inspection_applies, inspection_waivable, industries,"
    " pinyin_initials) VALUES (1, 'M', 'm', 'm', '', '', '', 20, 10, false, false, '[]', '')",
    "INSERT INTO firms (id, uscc, name, created_at)"
    " VALUES (1, '91110108MA00000019', 'f', '2026-11-27 01:00:00+00:00')",
    "INSERT INTO cases (id, case_no, service_point_id, matter_id, firm_id, status, materials,"
    " received_at, deemed_accepted, owed_materials, decision_reason, inspection_reasons,"
    " updated_at) VALUES"
    " (1, 'P-20261127-0001', 1, 1, 1, 'submitted', '[]', '2026-11-27 01:00:00+00:00', false,"
    " '[]', '', '[]', '2026-11-27 01:00:00+00:00'),"
    " (2, 'P-20261127-0002', 1, 1, 1, 'submitted', '[]', '2026-11-27 01:00:00+00:00', false,"
    " '[]', '', '[]', '2026-11-27 01:00:00+00:00')",
    "INSERT INTO waiver_policies (id, version, waiver_grades, spot_check_rates,"
    " quota_per_period, waivable_matters, graduate_window_days, recommendation_valid_days,"
    " draw_seed, note, created_by, created_at) VALUES (1, 1, '[\"A\"]', '{}', 5, '[]', 365,"
    " 90, 'seed', '', 'official:li', '2026-11-27 01:00:00+00:00')",
)


def test_data_stored_before_the_security_migrations_upgrades(tmp_path: Path) -> None:
    url = server_database_url(tmp_path, prefix="qc")
    env = {**os.environ, "SERVICEDESK_DATABASE_URL": url}
    first = tortoise_cli(["migrate", "models", "0002_ticket_seq"], env)
    assert first.returncode == 0, first.stderr
    asyncio.run(_sql(url, (*BEFORE_QUERY_CODE, "SELECT 1")))
    migrated = run(["migrate"], url)
    assert migrated.returncode == 0, migrated.stderr
    rows = asyncio.run(_sql(url, ("SELECT query_code FROM cases ORDER BY id",)))
    codes = [str(r["query_code"]) for r in rows]
    assert all(len(c) == 8 and set(c) <= set(QUERY_CODE_ALPHABET) for c in codes)
    assert codes[0] != codes[1]
    # The policy in force before four eyes stays in force: confirmed, not proposed.
    policies = asyncio.run(_sql(url, ("SELECT status FROM waiver_policies",)))
    assert [str(p["status"]) for p in policies] == ["confirmed"]
