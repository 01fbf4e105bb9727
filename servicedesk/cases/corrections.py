"""Corrections: the one-time notice, and the firm's answers to it or to a deficiency.

A returned case carries ONE notice naming every missing or defective material; a
later notice may only name what an earlier one named or what the firm changed since.
Materials owed after an acceptance with deficiency arrive by supplement.
"""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from servicedesk.accounts.service import Principal
from servicedesk.cases.clock import close_pauses
from servicedesk.cases.machine import S, transition
from servicedesk.cases.materials import known_codes, missing
from servicedesk.cases.models import Case, CaseEvent, Notice
from servicedesk.cases.service import CaseView, load_for_action, view
from servicedesk.errors import Conflict, InvalidInput
from servicedesk.timeutil import now


async def issue_notice(
    case: Case, items: list[dict[str, str]], *, actor: str
) -> list[dict[str, str]]:
    """Store the notice for ``items`` plus every missing core material; its items."""
    listed = _notice_items(case, items)
    await _check_one_time_rule(case, [i["material_code"] for i in listed])
    if not listed:
        raise InvalidInput(
            "nothing to return: every material is present; name each defective material in items",
            extra={"field": "items"},
        )
    await Notice.create(
        case=case,
        issued_at=now(),
        issued_by=actor,
        items=listed,
        materials_seen=list(case.materials),
    )
    return listed


def _notice_items(case: Case, items: list[dict[str, str]]) -> list[dict[str, str]]:
    codes = known_codes(case.matter, [i["material_code"] for i in items], field="items")
    problems = {i["material_code"]: i["problem"].strip() for i in items}
    listed = [{"material_code": c, "problem": problems[c] or "defective"} for c in codes]
    for code in missing(case, core=True):
        if code not in problems:
            listed.append({"material_code": code, "problem": "missing"})
    return listed


async def _check_one_time_rule(case: Case, codes: list[str]) -> None:
    """A later notice may only name what the firm changed since, or named before."""
    notices = await Notice.filter(case=case)
    if not notices:
        return
    named = {i["material_code"] for n in notices for i in n.items}
    last = notices[-1]
    resubmits = await CaseEvent.filter(
        case=case, action__in=["resubmit", "supplement"], at__gte=last.issued_at
    )
    changed = {code for e in resubmits for code in e.data.get("materials", [])}
    late = sorted(set(codes) - named - changed)
    if late:
        raise Conflict(
            f"one-time notice: {', '.join(late)} could have been named in the first "
            "notice and may not be raised now",
            extra={"materials": late},
        )


async def resubmit(case_no: str, *, principal: Principal, materials: list[str]) -> CaseView:
    """The firm answers a notice: the listed materials are now provided."""
    async with in_transaction():
        case = await load_for_action(case_no, principal, "resubmit")
        codes = known_codes(case.matter, materials, field="materials")
        if not codes:
            raise InvalidInput(
                "materials: name the materials provided in answer to the notice",
                extra={"field": "materials"},
            )
        merged = list(dict.fromkeys([*case.materials, *codes]))
        changes: dict[str, Any] = {"materials": merged, "resume_status": None}
        if case.accepted_on is None:
            to = S.SUBMITTED
            changes["received_at"] = now()  # the 5-day acceptance period restarts
        else:
            to = S(case.resume_status or S.UNDER_REVIEW.value)
        await Notice.filter(case=case, answered_at__isnull=True).update(answered_at=now())
        await transition(
            case,
            to,
            actor=principal.label,
            action="resubmit",
            data={"materials": codes},
            changes=changes,
        )
        await close_pauses(case, "correction")
    return await view(case)


async def supplement(case_no: str, *, principal: Principal, materials: list[str]) -> CaseView:
    """The firm delivers materials it promised when accepted with deficiency."""
    async with in_transaction():
        case = await load_for_action(case_no, principal, "supplement")
        codes = known_codes(case.matter, materials, field="materials")
        if not case.owed_materials:
            raise Conflict("this case owes no supplement")
        stray = sorted(set(codes) - set(case.owed_materials))
        if stray or not codes:
            raise InvalidInput(
                f"materials: the case owes {', '.join(case.owed_materials)}"
                + (f", not {', '.join(stray)}" if stray else ""),
                extra={"field": "materials"},
            )
        owed = [c for c in case.owed_materials if c not in codes]
        to = case.status
        if not owed and case.status is S.ACCEPTED_WITH_DEFICIENCY:
            to = S.ACCEPTED
        changes: dict[str, Any] = {
            "materials": list(dict.fromkeys([*case.materials, *codes])),
            "owed_materials": owed,
        }
        if not owed:
            changes["supplement_overdue"] = False
        await transition(
            case,
            to,
            actor=principal.label,
            action="supplement",
            data={"materials": codes, "still_owed": owed},
            changes=changes,
        )
        if not owed:
            await close_pauses(case, "supplement")
    return await view(case)
