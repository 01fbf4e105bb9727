"""Kiosk pages: matters by relevance, the full checklist, take a number, submit a case,
check in an appointment, query progress.

A kiosk browser holds its device token in an HttpOnly cookie. It is enrolled once at
``/kiosk/{sp}/enrol`` with the one-time code ``servicedesk kiosk create`` (or ``kiosk
enrol-code ID``) prints, so no token ever travels in a URL. In development, a point
seeded with the demo kiosk is enrolled without a code, so ``servicedesk serve --demo``
gives a working kiosk at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

import segno
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kiosk_ui.pages.query import waiver_grade
from kiosk_ui.web import KioskNotEnrolled, PageForm, form_int, render, settings_of
from servicedesk.accounts import service as accounts
from servicedesk.accounts.kiosks import demo_kiosk_token
from servicedesk.accounts.service import Principal
from servicedesk.cases import service as cases
from servicedesk.cases.service import CaseView
from servicedesk.catalogue import service as catalogue
from servicedesk.errors import Forbidden, NotAuthenticated, NotFound, ServiceDeskError
from servicedesk.idempotency import service as idempotency
from servicedesk.notifications import contacts
from servicedesk.notifications.contacts import ticket_holder
from servicedesk.queue import appointments, issuing
from servicedesk.queue import service as queue
from servicedesk.queue.models import Priority
from servicedesk.throttle import service as throttle

router = APIRouter()
KIOSK_COOKIE = "sd_kiosk"
USCC_LENGTH = 18
IDLE_SECONDS = 60


# ---------------------------------------------------------------- device and forms


async def kiosk_device(request: Request, sp: str) -> tuple[Principal, str | None]:
    """The kiosk principal at ``sp``, and a new cookie value when it was just enrolled
    (the demo kiosk, in development). An unenrolled browser goes to the enrolment page."""
    token = request.cookies.get(KIOSK_COOKIE)
    fresh = None
    if not token and settings_of(request).environment == "development":
        token = fresh = demo_kiosk_token(sp, settings_of(request).secret_key)
    if not token:
        raise KioskNotEnrolled(sp)
    try:
        principal = await accounts.resolve(token)
    except NotAuthenticated:
        raise KioskNotEnrolled(sp) from None
    point = await catalogue.get_point(sp)
    if principal.kiosk is None or principal.service_point_id != point.id:
        raise Forbidden(f"this device is not a kiosk of service point {sp}")
    return principal, fresh


def kiosk_csrf(request: Request, device: str | None = None) -> str:
    """A form token bound to the kiosk's device token (the one just enrolled, if any)."""
    key = settings_of(request).secret_key.encode()
    device = device or request.cookies.get(KIOSK_COOKIE) or ""
    return hmac.new(key, b"kiosk-csrf:" + device.encode(), hashlib.sha256).hexdigest()[:40]


async def kiosk_form(request: Request) -> dict[str, Any]:
    form = await request.form()
    if not hmac.compare_digest(str(form.get("csrf_token", "")), kiosk_csrf(request)):
        raise Forbidden("the form expired; start again from the kiosk's home page")
    page = PageForm(form)  # the same bounds and control-character checks as every form
    return {k: (page.texts(k) if k == "materials" else page.text(k)) for k in form}


def _idle(request: Request) -> int:
    raw = request.query_params.get("idle", "")
    return int(raw) if raw.isdigit() and 2 <= int(raw) <= 600 else IDLE_SECONDS


async def _page(
    request: Request, sp: str, template: str, *, status_code: int = 200, **context: Any
) -> Response:
    principal, fresh = await kiosk_device(request, sp)
    point = await catalogue.get_point(sp)
    response = render(
        request,
        template,
        status_code=status_code,
        point=point,
        kiosk_csrf=kiosk_csrf(request, fresh),
        idle_seconds=_idle(request),
        form_key=secrets.token_urlsafe(12),
        principal=principal,
        **context,
    )
    return remember_device(request, response, fresh)


def remember_device(request: Request, response: Response, fresh: str | None) -> Response:
    """Keep a just-enrolled device token (the demo kiosk's) in the kiosk's cookie."""
    if fresh is not None:
        set_kiosk_cookie(request, response, fresh)
    return response


def set_kiosk_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        KIOSK_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=settings_of(request).cookie_secure,
        max_age=3650 * 86400,
    )


def _redirect(url: str) -> Response:
    return Response(status_code=303, headers={"location": url})


def qr_svg(url: str) -> str:
    """An inline SVG QR code, rendered here so nothing is fetched from elsewhere."""
    return str(segno.make_qr(url, error="m").svg_inline(scale=4, dark="#000", light="#fff"))


def _absolute(request: Request, path: str) -> str:
    return str(request.base_url).rstrip("/") + path


def _query_url(request: Request, case_no: str, query_code: str) -> str:
    """The receipt's QR: the progress query, where the firm also rates the service."""
    return _absolute(request, f"/query?case_no={case_no}&query_code={query_code}")


# ---------------------------------------------------------------- pages


@router.get("/kiosk/{sp}", response_class=HTMLResponse)
async def home(request: Request, sp: str) -> Response:
    """The kiosk's home: matters, most relevant here first, with search."""
    entries = await catalogue.catalogue(sp)
    point = await catalogue.get_point(sp)
    return await _page(
        request, sp, "kiosk_home.html", entries=entries, waiting=await queue.waiting_counts(point)
    )


@router.get("/kiosk/{sp}/matters/{code}", response_class=HTMLResponse)
async def matter(request: Request, sp: str, code: str) -> Response:
    """Everything the matter needs, in one notice, before anyone queues."""
    point = await catalogue.get_point(sp)
    offering = await catalogue.offering(point, code)
    return await _page(
        request,
        sp,
        "kiosk_matter.html",
        offering=offering,
        waiting=(await queue.waiting_counts(point)).get(offering.queue.code, 0),
    )


@router.post("/kiosk/{sp}/tickets", response_class=HTMLResponse)
async def take_ticket(request: Request, sp: str) -> Response:
    """Take a number; a double tap returns the same ticket (the form's idempotency key)."""
    principal, _ = await kiosk_device(request, sp)
    form = await kiosk_form(request)
    try:
        priority = Priority(form.get("priority") or "normal")
    except ValueError:
        raise NotFound("unknown priority") from None
    if priority is Priority.APPOINTMENT:
        raise Forbidden("appointment tickets come from checking in an appointment")
    contact = contacts.parse_form(form)
    body = {
        "matter_code": form.get("matter_code", ""),
        "priority": priority.value,
        "case_no": (str(form.get("case_no") or "")[:48]) or None,
        "contact": contact.model_dump() if contact else None,
    }

    async def handler() -> tuple[int, Any]:
        view = await issuing.take(
            principal=principal,
            service_point=sp,
            matter_code=body["matter_code"] or "",
            priority=priority,
            case_no=body["case_no"],
        )
        await contacts.remember(ticket_holder(view.ticket.id), contact, actor=principal.label)
        return 201, {"id": view.ticket.id}

    _, payload = await idempotency.run(
        settings=settings_of(request),
        caller=principal.label,
        operation="kiosk-ticket",
        key=form.get("form_key") or None,
        body=body,
        handler=handler,
    )
    return await _receipt(request, sp, int(payload["id"]))


async def _receipt(request: Request, sp: str, ticket_id: int) -> Response:
    view = await queue.receipt(ticket_id)
    status_url = _absolute(request, f"/ticket/{view.ticket.code}")
    return await _page(
        request,
        sp,
        "kiosk_receipt.html",
        view=view,
        matter=view.ticket.matter,
        qr=qr_svg(status_url),
        status_url=status_url,
    )


@router.post("/kiosk/{sp}/void", response_class=HTMLResponse)
async def void_ticket(request: Request, sp: str) -> Response:
    """The receipt did not print: void the number so no ghost number is called."""
    principal, _ = await kiosk_device(request, sp)
    form = await kiosk_form(request)
    await issuing.void(form_int(form.get("ticket_id"), field="ticket_id"), principal=principal)
    return await _page(request, sp, "kiosk_message.html", message="voided")


@router.get("/kiosk/{sp}/matters/{code}/apply", response_class=HTMLResponse)
async def apply_form(request: Request, sp: str, code: str) -> Response:
    """Submit a case: tick the materials brought, give the firm's code and name."""
    point = await catalogue.get_point(sp)
    offering = await catalogue.offering(point, code)
    return await _page(request, sp, "kiosk_apply.html", offering=offering, error=None, values={})


@router.post("/kiosk/{sp}/cases", response_class=HTMLResponse)
async def submit_case(request: Request, sp: str) -> Response:
    """Submit through the cases service; the receipt carries the case number and a QR code."""
    principal, _ = await kiosk_device(request, sp)
    form = await kiosk_form(request)
    materials = [str(m) for m in form.get("materials", [])]
    body = _case_body(form, materials)

    async def handler() -> tuple[int, Any]:
        view = await cases.submit(
            principal=principal,
            service_point=sp,
            matter_code=str(body["matter_code"]),
            uscc=str(body["uscc"]),
            firm_name=str(body["name"]),
            materials=materials,
            recommendation_code=str(body["recommendation_code"]) or None,
            contact=contacts.parse_form(body),
        )
        return 201, {"case_no": view.case.case_no}

    try:
        _, payload = await idempotency.run(
            settings=settings_of(request),
            caller=principal.label,
            operation="kiosk-case",
            key=form.get("form_key") or None,
            body=body,
            handler=handler,
        )
    except ServiceDeskError as exc:
        point = await catalogue.get_point(sp)
        offering = await catalogue.offering(point, str(body["matter_code"]))
        return await _page(
            request,
            sp,
            "kiosk_apply.html",
            status_code=exc.status_code,
            offering=offering,
            error=exc.detail,
            values=body,
        )
    view = await cases.get_for_staff(payload["case_no"], principal)
    query_url = _query_url(request, view.case.case_no, view.case.query_code)
    return await _page(
        request, sp, "kiosk_case_receipt.html", view=view, qr=qr_svg(query_url), query_url=query_url
    )


def _case_body(form: dict[str, Any], materials: list[str]) -> dict[str, Any]:
    """What the case form submitted (the idempotency key's fingerprint covers it all)."""
    return {
        "matter_code": form.get("matter_code", ""),
        "uscc": form.get("uscc", ""),
        "name": form.get("firm_name", ""),
        "materials": materials,
        "recommendation_code": str(form.get("recommendation_code") or "").strip()[:32],
        **{k: v for k, v in form.items() if k.startswith("contact_")},
    }


@router.get("/kiosk/{sp}/check-in", response_class=HTMLResponse)
async def check_in_form(request: Request, sp: str) -> Response:
    """Appointment check-in: type the booking code."""
    return await _page(request, sp, "kiosk_checkin.html", error=None)


@router.post("/kiosk/{sp}/check-in", response_class=HTMLResponse)
async def check_in(request: Request, sp: str) -> Response:
    """A booked firm gets a priority ticket."""
    principal, _ = await kiosk_device(request, sp)
    form = await kiosk_form(request)
    try:
        view = await appointments.check_in(sp, form.get("code", ""), principal=principal)
    except ServiceDeskError as exc:
        return await _page(
            request, sp, "kiosk_checkin.html", status_code=exc.status_code, error=exc.detail
        )
    return await _receipt(request, sp, view.ticket.id)


@router.get("/kiosk/{sp}/query", response_class=HTMLResponse)
async def query_form(request: Request, sp: str) -> Response:
    """Progress query by case number and query code (or USCC), by touch or QR scan."""
    return await _page(request, sp, "kiosk_query.html", view=None, not_found=False, values={})


async def _lookup_case(values: dict[str, str], principal: Principal) -> CaseView:
    """By the receipt's query code when given; else by the firm's USCC, which opens only
    a case of this kiosk's own point (the firm stands here)."""
    if values["query_code"]:
        return await cases.get_public(values["case_no"], query_code=values["query_code"])
    return await cases.get_at_kiosk(values["case_no"], uscc=values["uscc"], principal=principal)


def _query_values(form: dict[str, Any]) -> dict[str, str]:
    """Case number, query code and USCC as typed (a single ``code`` field is either)."""
    values = {
        k: str(form.get(k, "")).strip().upper()[:48] for k in ("case_no", "query_code", "uscc")
    }
    code = str(form.get("code", "")).strip().upper()[:32]
    if code and not (values["query_code"] or values["uscc"]):
        values["uscc" if len(code) == USCC_LENGTH else "query_code"] = code
    return values


@router.post("/kiosk/{sp}/query", response_class=HTMLResponse)
async def query(request: Request, sp: str) -> Response:
    """The case's status, deadline and timeline; nothing stays in the address bar.

    The receipt's query code opens any case; the firm's USCC only a case of this point.
    """
    principal, _ = await kiosk_device(request, sp)
    values = _query_values(await kiosk_form(request))
    await _limit_queries(request, principal)
    try:
        view = await _lookup_case(values, principal)
    except NotFound:
        return await _page(
            request,
            sp,
            "kiosk_query.html",
            status_code=404,
            view=None,
            not_found=True,
            values=values,
        )
    return await _page(
        request,
        sp,
        "kiosk_query.html",
        view=view,
        waiver_grade=await waiver_grade(view),
        not_found=False,
        values=values,
    )


async def _limit_queries(request: Request, principal: Principal) -> None:
    """Looking a case up at a kiosk (to show it or print its notice) is limited per kiosk
    like the public query: the USCC opens a case of this point here."""
    await throttle.limit(
        f"query:{principal.label}",
        per=settings_of(request).public_queries_per_minute,
        seconds=60,
        what="progress queries",
    )


@router.post("/kiosk/{sp}/notice", response_class=HTMLResponse)
async def notice(request: Request, sp: str) -> Response:
    """The one-time notice of the case just queried, as an A4 sheet to print."""
    principal, _ = await kiosk_device(request, sp)
    values = _query_values(await kiosk_form(request))
    await _limit_queries(request, principal)
    view = await _lookup_case(values, principal)
    if view.notice is None:
        raise NotFound(f"case {view.case.case_no} has no open one-time notice")
    back = f"/kiosk/{sp}/query"
    return await _page(request, sp, "notice_print.html", view=view, back=back, kiosk=True)
