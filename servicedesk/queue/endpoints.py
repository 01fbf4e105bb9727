from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import date
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Request, Response
from fastapi.dependencies.utils import request_params_to_args
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.routing import BaseRoute
from tortoise.transactions import in_transaction

from servicedesk.accounts import service as accounts
from servicedesk.accounts.service import Principal
from servicedesk.catalogue import service as catalogue
from servicedesk.deps import (
    BookingLimit,
    CurrentClerk,
    KioskDevice,
    bearer_token,
    bounded_params,
    require_roles,
)
from servicedesk.errors import Forbidden, NotAuthenticated
from servicedesk.idempotency import service as idempotency
from servicedesk.notifications import contacts
from servicedesk.notifications.contacts import ticket_holder
from servicedesk.queue import appointments, calls, events, issuing, service, transitions
from servicedesk.queue.schemas import (
    AppointmentCreate,
    AppointmentRead,
    BoardRead,
    CallRead,
    QueueCounts,
    SlotCreate,
    SlotRead,
    TicketCreate,
    TicketCreated,
    TicketRead,
    TransferIn,
    appointment_read,
    call_read,
    slot_read,
    ticket_created,
    ticket_read,
)

# The hall's hot paths: a kiosk taking a number, a clerk calling, starting and
# completing. ``hot_router`` holds them and the app adds them to its own router ahead
# of every other (routes are tried in order; see :func:`hot_routes`), and each endpoint
# reads its caller and body itself instead of through FastAPI's dependency and body
# solving, which cost as much as the work here; the OpenAPI document still describes
# the body, the answer and the errors.


class HotRoute(APIRoute):
    """A hot path's route: FastAPI documents it from its signature as any other, but
    a request goes straight to the endpoint with the request and its path parameters
    (validated as FastAPI validates them, unless plain strings), without the dependency
    solving it has no use for (about a tenth of a take's CPU)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        call, params, solved = self.endpoint, self.dependant.path_params, self.dependant
        # Only the request and path parameters reach the endpoint: anything else in its
        # signature (a dependency, a query, header, cookie or body parameter) would be
        # silently skipped or fail per request, so it is refused when the app is built.
        extra = [
            name
            for name in ("dependencies", "query_params", "header_params", "cookie_params")
            if getattr(solved, name)
        ] + (["body_params"] if solved.body_params else [])
        if extra or self.dependencies:
            raise TypeError(f"hot route {self.path} takes only the request: {extra}")
        plain = all(p.field_info.annotation is str for p in params)

        async def handler(request: Request) -> Response:
            values: dict[str, Any] = request.path_params
            if not plain:
                values, errors = request_params_to_args(params, values)
                if errors:
                    raise RequestValidationError(errors)
            response: Response = await call(request=request, **values)
            return response

        return handler


router = APIRouter(tags=["queue"])
hot_router = APIRouter(tags=["queue"], route_class=HotRoute)


def hot_routes(prefix: str) -> list[BaseRoute]:
    """``hot_router``'s routes under ``prefix``, made for the app's own router rather
    than included: FastAPI matches an included router's routes through a wrapper of its
    own, about 25 us more per request than a route of the app itself."""
    own = APIRouter(prefix=prefix, route_class=HotRoute)
    for route in hot_router.routes:
        assert isinstance(route, HotRoute)
        own.add_api_route(
            route.path,
            route.endpoint,
            methods=sorted(route.methods or ()),
            status_code=route.status_code,
            response_model=route.response_model,
            responses=route.responses,
            tags=route.tags,
            summary=route.summary,
            description=route.description,
            name=route.name,
            openapi_extra=route.openapi_extra,
        )
    return own.routes


SlotManager = require_roles("clerk", "supervisor", "official", "admin")


async def _caller(request: Request, roles: tuple[str, ...]) -> Principal:
    """The bearer token's principal, if it has one of ``roles`` (401, 403 otherwise);
    path parameters bounded as every other route's (the API router's dependency)."""
    await bounded_params(request)
    token = bearer_token(request)
    if token is None:
        raise NotAuthenticated("send Authorization: Bearer <token>")
    principal = await accounts.resolve(token)
    if principal.role not in roles:
        raise Forbidden(f"this needs the role {' or '.join(roles)}, not {principal.role}")
    return principal


_Body = TypeVar("_Body", bound=BaseModel)


async def _body(request: Request, model: type[_Body]) -> _Body:
    """The JSON body as ``model``; a 422 like FastAPI's own when it does not fit."""
    try:
        return model.model_validate_json(await request.body())
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from None


def _documented_body(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` describing a JSON request body of ``model`` (inlined)."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return inline(defs[ref.removeprefix("#/$defs/")])
            return {k: inline(v) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    content = {"application/json": {"schema": inline(schema)}}
    return {"requestBody": {"required": True, "content": content}}


_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no bearer token, or an unknown one"},
    403: {"description": "a token of another role or service point"},
    404: {"description": "no such ticket, window, point or matter"},
    409: {"description": "the ticket's or window's state does not allow it"},
    422: {"description": "the body does not fit"},
}


def _json(view: service.TicketView, status_code: int = 200) -> Response:
    body = TicketRead.__pydantic_serializer__.to_json(ticket_read(view))
    return Response(body, status_code=status_code, media_type="application/json")


def _created(view: service.TicketView) -> Response:
    """A new number's answer: the ticket and the receipt's secret code."""
    body = TicketCreated.__pydantic_serializer__.to_json(ticket_created(view))
    return Response(body, status_code=201, media_type="application/json")


@hot_router.post(
    "/service-points/{sp}/tickets",
    status_code=201,
    response_model=TicketCreated,
    responses=_ERRORS,
    openapi_extra=_documented_body(TicketCreate),
)
async def take_ticket(sp: str, request: Request) -> Response:
    """Take a number for a matter (kiosk token); retries with the same Idempotency-Key
    get the same one."""
    kiosk = await _caller(request, ("kiosk",))
    body = await _body(request, TicketCreate)
    key = request.headers.get("idempotency-key")

    async def issue() -> service.TicketView:
        view = await issuing.take(
            principal=kiosk, service_point=sp, matter_code=body.matter_code, priority=body.priority
        )
        await contacts.remember(ticket_holder(view.ticket.id), body.contact, actor=kiosk.label)
        return view

    if key is None and body.contact is None:  # one statement issues the number atomically
        return _created(await issue())
    if key is None:  # the number and the firm's contact commit together
        async with in_transaction():
            return _created(await issue())

    async def handler() -> tuple[int, Any]:
        return 201, ticket_created(await issue()).model_dump(mode="json")

    status, payload = await idempotency.run(
        settings=request.app.state.settings,
        caller=kiosk.label,
        operation=f"POST /service-points/{sp}/tickets",
        key=key,
        body=body.model_dump(mode="json"),
        handler=handler,
    )
    return JSONResponse(payload, status_code=status)


_CLERK = ("clerk", "supervisor", "admin")


@hot_router.post(
    "/windows/{window}/call-next",
    response_model=TicketRead,
    responses={204: {"description": "nothing waits"}, **_ERRORS},
)
async def call_next(window: str, request: Request) -> Response:
    """Claim the next ticket for the window (clerk token); 204 when nobody waits."""
    view = await calls.call_next(window, principal=await _caller(request, _CLERK))
    if view is None:
        return Response(status_code=204)
    return _json(view)


@hot_router.post("/tickets/{ticket_id}/start", response_model=TicketRead, responses=_ERRORS)
async def start(ticket_id: int, request: Request) -> Response:
    """The firm is at the window: serving starts (clerk token)."""
    clerk = await _caller(request, _CLERK)
    return _json(await transitions.start(ticket_id, principal=clerk))


@hot_router.post("/tickets/{ticket_id}/complete", response_model=TicketRead, responses=_ERRORS)
async def complete(ticket_id: int, request: Request) -> Response:
    """The matter was handled (clerk token)."""
    clerk = await _caller(request, _CLERK)
    return _json(await transitions.complete(ticket_id, principal=clerk))


@router.get("/service-points/{sp}/board", response_model=BoardRead)
async def board(sp: str) -> BoardRead:
    """The last ten calls and the number each window is calling, for the hall's display."""
    point = await catalogue.get_point(sp)
    calling = [
        CallRead(
            ticket_no=t.ticket_no,
            window=t.window.code,
            window_name=t.window.name or t.window.code,
            called_at=t.called_at or t.taken_at,
        )
        for t in await service.now_calling(point)
        if t.window
    ]
    return BoardRead(
        recent_calls=[call_read(c) for c in await service.recent_calls(point)], now_calling=calling
    )


@router.get("/service-points/{sp}/events")
async def live_events(sp: str) -> StreamingResponse:
    """Server-Sent Events: calls, new tickets and changes at the service point."""
    point = await catalogue.get_point(sp)
    return StreamingResponse(
        events.stream(point.code),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/service-points/{sp}/queues", response_model=QueueCounts)
async def queue_counts(sp: str, clerk: CurrentClerk) -> QueueCounts:
    """Waiting tickets per queue letter."""
    point = await catalogue.get_point(sp)
    service.check_point(clerk, point.id)
    return QueueCounts(waiting=await service.waiting_counts(point))


@router.post("/tickets/{ticket_id}/recall", response_model=TicketRead)
async def recall(ticket_id: int, clerk: CurrentClerk) -> TicketRead:
    """Call the same number again."""
    return ticket_read(await calls.recall(ticket_id, principal=clerk))


@router.post("/tickets/{ticket_id}/no-show", response_model=TicketRead)
async def no_show(ticket_id: int, clerk: CurrentClerk) -> TicketRead:
    """The firm did not come after the allowed recalls."""
    return ticket_read(await transitions.no_show(ticket_id, principal=clerk))


@router.post("/tickets/{ticket_id}/transfer", response_model=TicketRead)
async def transfer(ticket_id: int, body: TransferIn, clerk: CurrentClerk) -> TicketRead:
    """Send the firm to another queue, keeping its number and time taken."""
    return ticket_read(await transitions.transfer(ticket_id, queue=body.queue, principal=clerk))


@router.post("/tickets/{ticket_id}/void", response_model=TicketRead)
async def void(ticket_id: int, kiosk: KioskDevice) -> TicketRead:
    """The kiosk voids a ticket whose receipt did not print, before it is called."""
    return ticket_read(await issuing.void(ticket_id, principal=kiosk))


@router.get("/tickets/status/{code}", response_model=TicketRead)
async def ticket_status(code: str) -> TicketRead:
    """A ticket's status from its receipt's QR code."""
    return ticket_read(await service.by_code(code))


@router.get("/service-points/{sp}/appointment-slots", response_model=list[SlotRead])
async def list_slots(sp: str, day: date | None = None, queue: str | None = None) -> list[SlotRead]:
    """Bookable slots of a day with their free places."""
    return [slot_read(s) for s in await appointments.slots(sp, day=day, queue=queue)]


SlotManagerDep = Annotated[Principal, SlotManager]


@router.post("/service-points/{sp}/appointment-slots", status_code=201, response_model=SlotRead)
async def create_slot(sp: str, body: SlotCreate, manager: SlotManagerDep) -> SlotRead:
    """Open a bookable slot for a queue (a clerk: at their own service point only)."""
    slot = await appointments.create_slot(
        sp,
        queue=body.queue,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        capacity=body.capacity,
        principal=None if manager.role == "official" else manager,
    )
    await slot.fetch_related("queue")
    return slot_read(slot)


@router.post(
    "/appointments",
    status_code=201,
    response_model=AppointmentRead,
    dependencies=[BookingLimit],
)
async def book(body: AppointmentCreate) -> AppointmentRead:
    """Book a place in a slot; the code is what the firm types at the kiosk."""
    booking = await appointments.book(
        body.slot_id,
        uscc=body.firm.uscc,
        firm_name=body.firm.name,
        matter_code=body.matter_code,
        contact=body.contact,
    )
    await booking.fetch_related("slot__queue")
    return appointment_read(booking)


@router.post("/appointments/cancel/{token}", response_model=AppointmentRead)
async def cancel_booking(token: str) -> AppointmentRead:
    """Cancel a booking with the secret of its confirmation; the place is freed."""
    return appointment_read(await appointments.cancel(token))


@router.post(
    "/service-points/{sp}/appointments/{code}/check-in",
    status_code=201,
    response_model=TicketCreated,
)
async def check_in(sp: str, code: str, kiosk: KioskDevice) -> TicketCreated:
    """Check a booked firm in at the kiosk: a ticket with appointment priority."""
    return ticket_created(await appointments.check_in(sp, code, principal=kiosk))
