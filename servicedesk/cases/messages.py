"""Messages to the firm at a case's events, written in the event's own transaction.

Material names go into the message in words (both languages; the recipient's is
picked), never as codes. Each event's key is its timeline entry, so a retried or
replayed request, or a sweep run by two workers, never queues a message twice.
"""

from __future__ import annotations

from typing import Any

from servicedesk.calendar.service import load_calendar
from servicedesk.cases.models import Case, CaseEvent, CaseStatus
from servicedesk.catalogue.models import MaterialRequirement
from servicedesk.notifications import outbox
from servicedesk.notifications.contacts import firm_holder
from servicedesk.settings import get_settings
from servicedesk.timeutil import beijing_date

S = CaseStatus
TEMPLATE_OF_ACTION = {
    "accept": "accepted",
    "deemed_accept": "accepted",
    "return": "returned",
    "approve": "approved",
    "deny": "denied",
    "reject": "rejected",
    "issue_result": "result_issued",
}
PROBLEM_WORDS = {
    "missing": {"zh": "未提交", "en": "missing"},
    "defective": {"zh": "需更正", "en": "to be corrected"},
}


def base_params(case: Case) -> dict[str, Any]:
    """What every case message names: the case, the firm, the matter and the point."""
    return {
        "case_no": case.case_no,
        "firm": case.firm.name,
        "matter": {"zh": case.matter.name, "en": case.matter.name_en},
        "point": {"zh": case.service_point.name, "en": case.service_point.name_en},
    }


async def material_names(case: Case, codes: list[str]) -> list[dict[str, str]]:
    """The materials' names in both languages, in the order given."""
    known = {m.code: m for m in await MaterialRequirement.filter(matter_id=case.matter_id)}
    return [
        {"zh": known[c].name, "en": known[c].name_en} if c in known else {"zh": c, "en": c}
        for c in codes
    ]


async def send(case: Case, template: str, *, event_key: str, params: dict[str, Any]) -> None:
    """Queue ``template`` to the case's firm, if it consented to messages."""
    await outbox.enqueue(
        firm_holder(case.firm.uscc),
        template=template,
        event_key=event_key,
        params={**base_params(case), **params},
        case_no=case.case_no,
        service_point_id=case.service_point_id,
    )


async def on_submit(case: Case) -> None:
    """The application was received: when the acceptance decision is due."""
    if not await outbox.wants(firm_holder(case.firm.uscc)):
        return
    due = (await load_calendar()).add_working_days(
        beijing_date(case.received_at), get_settings().deemed_acceptance_days
    )
    await send(
        case,
        "received",
        event_key=f"case:{case.case_no}:received",
        params={"acceptance_due": due.isoformat()},
    )


async def on_transition(case: Case, event: CaseEvent) -> None:
    """The message a step of the case sends to the firm, if any."""
    template = TEMPLATE_OF_ACTION.get(event.action)
    if template is None or not await outbox.wants(firm_holder(case.firm.uscc)):
        return
    if case.status is S.ACCEPTED_WITH_DEFICIENCY and event.action == "accept":
        template = "accepted_with_deficiency"
    await send(
        case,
        template,
        event_key=f"case-event:{event.id}",
        params=await _params(case, template, event),
    )


async def _params(case: Case, template: str, event: CaseEvent) -> dict[str, Any]:
    if template == "returned":
        items = event.data.get("items", [])
        names = await material_names(case, [i["material_code"] for i in items])
        return {
            "items": [
                {"name": name, "problem": PROBLEM_WORDS.get(i["problem"], i["problem"])}
                for name, i in zip(names, items, strict=True)
            ],
            "paused": case.accepted_on is not None,
        }
    if template in {"accepted", "accepted_with_deficiency"} and case.accepted_on:
        cal = await load_calendar()
        return {
            "accepted_on": case.accepted_on.isoformat(),
            "deemed": event.action == "deemed_accept",
            "deadline": cal.add_working_days(case.accepted_on, case.matter.promised_days),
            "owed": await material_names(case, list(case.owed_materials)),
            "due": case.supplement_due.isoformat() if case.supplement_due else "",
        }
    if template in {"denied", "rejected"}:
        return {"reason": event.reason or case.decision_reason}
    return {}
