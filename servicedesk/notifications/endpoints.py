from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from servicedesk.accounts.service import Principal
from servicedesk.deps import CurrentOfficial, SettingsDep, require_roles
from servicedesk.notifications import service
from servicedesk.notifications.schemas import MessageRead, MessageSummary

router = APIRouter(prefix="/messages", tags=["notifications"])
MessageReader = Annotated[Principal, require_roles("clerk", "supervisor", "official", "admin")]


@router.get("", response_model=list[MessageRead])
async def list_messages(
    principal: MessageReader,
    case_no: Annotated[str | None, Query(min_length=1, max_length=48)] = None,
    status: Annotated[list[str] | None, Query()] = None,
) -> list[MessageRead]:
    """Messages to firms: of one case, or of the clerk's point (all points for officials)."""
    return [
        service.read(m) for m in await service.listing(principal, case_no=case_no, statuses=status)
    ]


@router.get("/summary", response_model=MessageSummary)
async def summary(_official: CurrentOfficial, settings: SettingsDep) -> MessageSummary:
    """Per channel: configured or off, messages per status, delivery rate."""
    return MessageSummary(channels=await service.summary(settings))


@router.post("/{message_id}/retry", response_model=MessageRead)
async def retry(message_id: int, official: CurrentOfficial) -> MessageRead:
    """Queue a dead or channel-off message again."""
    return service.read(await service.retry(message_id, actor=official.label))
