from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from servicedesk.bounds import (
    Body,
    Code,
    Codes,
    DbId,
    Name,
    Note,
    QueryCode,
    UsccText,
    check_line,
    check_text,
)
from servicedesk.cases.service import CaseView
from servicedesk.notifications.schemas import ContactIn


class FirmIn(Body):
    uscc: UsccText
    name: Name


class FirmRef(Body):
    uscc: UsccText
    name: Annotated[str, StringConstraints(max_length=200), AfterValidator(check_line)] = ""


class CaseCreate(Body):
    service_point: Code
    matter_code: Code
    firm: FirmRef
    materials: Codes = Field(default_factory=list)
    recommendation_id: DbId | None = None
    recommendation_code: Code | None = None
    contact: ContactIn | None = None


class AcceptIn(Body):
    with_deficiency: bool | None = None
    supplement_due: date | None = None


class ExtendIn(Body):
    supplement_due: date


class NoticeItem(Body):
    material_code: Code
    problem: Annotated[str, StringConstraints(max_length=500), AfterValidator(check_text)] = ""


class ReturnIn(Body):
    items: Annotated[list[NoticeItem], Field(max_length=100)] = Field(default_factory=list)


class ReasonIn(Body):
    reason: Note = ""


class MaterialsIn(Body):
    materials: Codes
    uscc: UsccText | None = None
    query_code: QueryCode | None = None


class WithdrawIn(Body):
    reason: Note = ""
    uscc: UsccText | None = None
    query_code: QueryCode | None = None


class ConsentWithdrawIn(Body):
    query_code: QueryCode


class ConsentRead(BaseModel):
    withdrawn: bool


class NoticeRead(BaseModel):
    items: list[NoticeItem]
    issued_at: datetime


class EventRead(BaseModel):
    at: datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str
    reason: str
    data: dict[str, Any]


class CaseRead(BaseModel):
    case_no: str
    status: str
    service_point: str
    matter_code: str
    matter_name: str
    matter_name_en: str
    firm: FirmIn
    materials: list[str]
    missing_core: list[str]
    missing_optional: list[str]
    received_at: datetime
    acceptance_due: date | None
    accepted_on: date | None
    deemed_accepted: bool
    deadline: date | None
    elapsed_days: int
    clock_paused: bool
    warning: str
    owed_materials: list[str]
    supplement_due: date | None
    supplement_overdue: bool
    supplement_extended: bool
    notice: NoticeRead | None
    decision_reason: str
    inspection: str | None
    inspection_reasons: list[dict[str, Any]]
    recommendation_id: int | None
    spot_check_id: int | None
    timeline: list[EventRead]
    query_code: str | None = None


def _timeline(view: CaseView, *, public: bool) -> list[EventRead]:
    return [
        EventRead(
            at=e.at,
            actor=e.actor.split(":", 1)[0] if public else e.actor,
            action=e.action,
            from_status=e.from_status,
            to_status=e.to_status,
            reason=e.reason,
            data=e.data,
        )
        for e in view.events
    ]


def case_read(view: CaseView, *, public: bool = False, with_query_code: bool = False) -> CaseRead:
    """The API shape of a case; the public query hides staff names. The query code
    goes only to whoever submitted the case (it prints the firm's receipt)."""
    case = view.case
    notice = None
    if view.notice is not None:
        items = [NoticeItem(**i) for i in view.notice.items]
        notice = NoticeRead(items=items, issued_at=view.notice.issued_at)
    return CaseRead(
        case_no=case.case_no,
        status=case.status.value,
        service_point=case.service_point.code,
        matter_code=case.matter.code,
        matter_name=case.matter.name,
        matter_name_en=case.matter.name_en,
        firm=FirmIn(uscc=case.firm.uscc, name=case.firm.name),
        materials=list(case.materials),
        missing_core=view.missing_core,
        missing_optional=view.missing_optional,
        received_at=case.received_at,
        acceptance_due=view.acceptance_due,
        accepted_on=case.accepted_on,
        deemed_accepted=case.deemed_accepted,
        deadline=view.clock.deadline,
        elapsed_days=view.clock.elapsed_days,
        clock_paused=view.clock.paused,
        warning=view.clock.warning,
        owed_materials=list(case.owed_materials),
        supplement_due=case.supplement_due,
        supplement_overdue=case.supplement_overdue,
        supplement_extended=case.supplement_extended,
        notice=notice,
        decision_reason=case.decision_reason,
        inspection=case.inspection,
        inspection_reasons=list(case.inspection_reasons),
        recommendation_id=case.recommendation_id,
        spot_check_id=case.spot_check_id,
        timeline=_timeline(view, public=public),
        query_code=case.query_code if with_query_code else None,
    )
