"""The composition root: ``create_app(settings)`` wires API, pages, static files, errors."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import swagger_ui_bundle
from asyncpg.exceptions import DataError
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from tortoise.contrib.fastapi import RegisterTortoise
from tortoise.exceptions import OperationalError

from servicedesk import wiring
from servicedesk.accounts.endpoints import router as accounts_router
from servicedesk.admin.endpoints import router as admin_router
from servicedesk.cases.endpoints import router as cases_router
from servicedesk.catalogue.endpoints import router as catalogue_router
from servicedesk.db import tortoise_config
from servicedesk.errors import ServiceDeskError
from servicedesk.evaluations.endpoints import follow_ups as follow_ups_router
from servicedesk.evaluations.endpoints import router as evaluations_router
from servicedesk.exemptions.endpoints import router as exemptions_router
from servicedesk.exemptions.endpoints import spot_checks_router
from servicedesk.incubators.endpoints import router as incubators_router
from servicedesk.notifications.endpoints import router as notifications_router
from servicedesk.policy.endpoints import router as policy_router
from servicedesk.queue.endpoints import hot_router as queue_hot_router
from servicedesk.queue.endpoints import router as queue_router
from servicedesk.ratings.endpoints import published_router
from servicedesk.ratings.endpoints import router as ratings_router
from servicedesk.settings import Settings, get_settings
from servicedesk.statistics.endpoints import router as statistics_router

logger = logging.getLogger("servicedesk")
API_PREFIX = "/api/v1"
SWAGGER_DIR = Path(swagger_ui_bundle.swagger_ui_path)


def api_router() -> APIRouter:
    api = APIRouter(prefix=API_PREFIX)
    for router in (accounts_router, catalogue_router, cases_router, queue_router):
        api.include_router(router)
    for router in (
        published_router,
        incubators_router,
        ratings_router,
        policy_router,
        exemptions_router,
        spot_checks_router,
        admin_router,
        notifications_router,
        evaluations_router,
        follow_ups_router,
        statistics_router,
    ):
        api.include_router(router)
    return api


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith(API_PREFIX) and "text/html" in request.headers.get(
        "accept", ""
    )


async def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ServiceDeskError)
    if _wants_html(request):
        from kiosk_ui.routes import render_error

        return render_error(request, exc)
    return JSONResponse(exc.to_dict(), status_code=exc.status_code)


def _field_name(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc if p not in ("body", "query", "path", "header"))


async def _validation_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    fields = [{"field": _field_name(tuple(e["loc"])), "message": e["msg"]} for e in exc.errors()]
    detail = "; ".join(f"{f['field'] or 'body'}: {f['message']}" for f in fields)
    return JSONResponse(
        {"error": "ValidationError", "detail": detail, "fields": fields}, status_code=422
    )


async def _http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    names = {404: "NotFound", 405: "MethodNotAllowed", 401: "NotAuthenticated"}
    return JSONResponse(
        {"error": names.get(exc.status_code, "HTTPError"), "detail": str(exc.detail)},
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


async def _unstorable_value(_request: Request, exc: Exception) -> Response:
    """A value the database cannot hold (an id beyond its integer range, a NUL byte)."""
    if isinstance(exc, OperationalError) and not isinstance(exc.__cause__, DataError):
        return await _internal_error(_request, exc)
    return JSONResponse(
        {
            "error": "InvalidValue",
            "detail": "a value is out of range or holds a character that cannot be stored",
        },
        status_code=422,
    )


async def _internal_error(_request: Request, exc: Exception) -> Response:
    # Still an {"error", "detail"} answer; the traceback goes to the log.
    logger.exception("unhandled error", exc_info=exc)
    return JSONResponse(
        {"error": "InternalError", "detail": "internal error; it has been logged"},
        status_code=500,
    )


@asynccontextmanager
async def _worker_in_process(settings: Settings) -> AsyncIterator[None]:
    """On SQLite the server runs the one worker itself, so `make run` stays one command."""
    wanted = settings.worker_in_serve
    if not (wanted if wanted is not None else not settings.is_postgres):
        yield
        return
    from servicedesk.worker import Worker

    stop = asyncio.Event()
    task = asyncio.create_task(Worker(settings).run(stop))
    try:
        yield
    finally:
        stop.set()
        await task


def create_app(settings: Settings | None = None, *, init_db: bool = True) -> FastAPI:
    """Build the service; tests pass ``init_db=False`` and manage the database."""
    settings = settings or get_settings()
    wiring.install()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not init_db:
            yield
            return
        async with RegisterTortoise(app, config=tortoise_config(settings.database_url)):
            async with _worker_in_process(settings):
                yield

    app = FastAPI(
        title="One-window service desk",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=f"{API_PREFIX}/openapi.json",
    )
    app.state.settings = settings
    app.add_exception_handler(ServiceDeskError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(OperationalError, _unstorable_value)
    app.add_exception_handler(OverflowError, _unstorable_value)
    app.add_exception_handler(Exception, _internal_error)
    # Routes are tried in order: the hall's hot paths (take a number, call-next, start,
    # complete) first, at the top level, so they do not wait on every other match.
    app.include_router(queue_hot_router, prefix=API_PREFIX)
    app.include_router(api_router())
    app.mount("/static/swagger", StaticFiles(directory=SWAGGER_DIR), name="swagger")

    @app.get(f"{API_PREFIX}/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "",
            title="Service desk API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon-32x32.png",
        )

    from kiosk_ui.routes import mount_pages

    mount_pages(app)
    return app
