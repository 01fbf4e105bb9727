"""The waiver policy: a built-in default, then versions that are never edited."""

from __future__ import annotations

from typing import Any

import pytest
from tortoise.context import TortoiseContext

from servicedesk.audit.models import AuditEntry
from servicedesk.catalogue.models import Matter
from servicedesk.errors import Conflict, FourEyesRequired, InvalidInput
from servicedesk.policy import service as policy
from tests.factories import make_catalogue


def _fields(**changes: Any) -> dict[str, Any]:
    return {
        "waiver_grades": ["A"],
        "spot_check_rates": {"A": 0.05},
        "quota_per_period": 20,
        "waivable_matters": ["HTE-CERT"],
        **changes,
    }


async def test_default_before_any_version_waives_grade_a_for_waivable_matters(
    db: TortoiseContext,  # noqa: ARG001
) -> None:
    await make_catalogue()
    rules = await policy.current()
    assert rules.version == 0
    assert rules.waiver_grades == ["A"]
    assert rules.spot_check_rates == {"A": 0.05, "B": 0.20, "C": 0.60, "D": 1.0}
    waivable = await Matter.filter(inspection_waivable=True).values_list("code", flat=True)
    assert rules.waivable_matters == sorted(waivable)
    assert "HTE-CERT" in rules.waivable_matters
    assert "TECH-SME" not in rules.waivable_matters  # the catalogue bars waiving it
    assert await policy.history() == []


async def test_each_save_is_a_new_version_and_earlier_ones_stay(
    db: TortoiseContext,  # noqa: ARG001
) -> None:
    await make_catalogue()
    first = await policy.save(actor="official:li", **_fields(note="  start  "))
    assert first.status == "proposed"
    assert (await policy.current()).version == 0  # proposed is not in force
    first = await policy.confirm(first.version, actor="official:wang")
    second = await policy.save(
        actor="official:wang", **_fields(waiver_grades=["B", "A", "B"], quota_per_period=5)
    )
    second = await policy.confirm(second.version, actor="official:li")
    assert (first.version, second.version) == (1, 2)
    assert first.note == "start"
    assert second.waiver_grades == ["A", "B"]  # grade order, each once
    assert second.spot_check_rates == {"A": 0.05, "B": 0.20, "C": 0.60, "D": 1.0}
    assert await policy.current() == second
    assert [v.version for v in await policy.history()] == [2, 1]
    assert (await policy.history())[1] == first
    entry = await AuditEntry.filter(action="policy.propose", entity_id="2").get()
    assert entry.actor == "official:wang"
    assert entry.before == {"in_force": 1}
    assert entry.after is not None
    assert entry.after["quota_per_period"] == 5
    confirmed = await AuditEntry.filter(action="policy.confirm", entity_id="2").get()
    assert (confirmed.actor, confirmed.after) == (
        "official:li",
        {"in_force": 2, "proposed_by": "official:wang"},
    )


async def test_one_official_alone_cannot_change_the_policy(
    db: TortoiseContext,  # noqa: ARG001
) -> None:
    await make_catalogue()
    lax = await policy.save(
        actor="official:li",
        **_fields(waiver_grades=["A", "B", "C", "D"], spot_check_rates=dict.fromkeys("ABCD", 0)),
    )
    with pytest.raises(FourEyesRequired):
        await policy.confirm(lax.version, actor="official:li")
    assert (await policy.current()).version == 0
    older = await policy.save(actor="official:li", **_fields(note="older"))
    newer = await policy.save(actor="official:li", **_fields(note="newer"))
    await policy.confirm(newer.version, actor="official:wang")
    with pytest.raises(Conflict):  # older proposals lapse once a newer one is in force
        await policy.confirm(older.version, actor="official:wang")
    assert [v.status for v in await policy.history()] == ["confirmed", "withdrawn", "withdrawn"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"waiver_grades": ["A", "E"]}, "waiver_grades", "not E"),
        ({"spot_check_rates": {"X": 0.1}}, "waiver_grades", "not X"),
        ({"spot_check_rates": {"B": 1.5}}, "spot_check_rates", r"between 0 and 1 \(B\)"),
        ({"spot_check_rates": {"C": -0.1}}, "spot_check_rates", r"between 0 and 1 \(C\)"),
        ({"quota_per_period": -1}, "quota", "must not be negative"),
        ({"graduate_window_days": -1}, "quota", "must not be negative"),
        ({"recommendation_valid_days": 0}, "quota", "must not be negative"),
        ({"waivable_matters": ["HTE-CERT", "NOPE"]}, "waivable_matters", "unknown matter.*NOPE"),
        ({"waivable_matters": ["TECH-SME"]}, "waivable_matters", "does not allow.*TECH-SME"),
    ],
)
async def test_invalid_policy_is_refused_and_nothing_stored(
    db: TortoiseContext,  # noqa: ARG001
    changes: dict[str, Any],
    field: str,
    message: str,
) -> None:
    await make_catalogue()
    with pytest.raises(InvalidInput, match=message) as caught:
        await policy.save(actor="official:li", **_fields(**changes))
    assert caught.value.extra == {"field": field}
    assert await policy.history() == []
    assert (await policy.current()).version == 0
