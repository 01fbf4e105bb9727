"""The composition root: ``create_app(settings)`` wires API, pages, static files, errors."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import swagger_ui_bundle
from fastapi import APIRouter, Depends, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from tortoise.contrib.fastapi import RegisterTortoise

from servicedesk import handlers, headers, openapi, wiring
from servicedesk.accounts.endpoints import admin_router as accounts_admin_router
from servicedesk.accounts.endpoints import router as accounts_router
from servicedesk.admin.endpoints import router as admin_router
from servicedesk.cases.endpoints import router as cases_router
from servicedesk.catalogue.endpoints import router as catalogue_router
from servicedesk.db import tortoise_config
from servicedesk.deps import bounded_params
from servicedesk.evaluations.endpoints import follow_ups as follow_ups_router
from servicedesk.evaluations.endpoints import router as evaluations_router
from servicedesk.exemptions.endpoints import router as exemptions_router
from servicedesk.exemptions.endpoints import spot_checks_router
from servicedesk.incubators.endpoints import router as incubators_router
from servicedesk.notifications.endpoints import router as notifications_router
from servicedesk.policy.endpoints import router as policy_router
from servicedesk.queue.endpoints import hot_routes as queue_hot_routes
from servicedesk.queue.endpoints import router as queue_router
from servicedesk.ratings.endpoints import published_router
from servicedesk.ratings.endpoints import router as ratings_router
from servicedesk.seed import production
from servicedesk.settings import Settings, get_settings
from servicedesk.statistics.endpoints import router as statistics_router

API_PREFIX = "/api/v1"
SWAGGER_DIR = Path(swagger_ui_bundle.swagger_ui_path)


def api_router() -> APIRouter:
    # Every path and query parameter is bounded and free of control characters.
    api = APIRouter(prefix=API_PREFIX, dependencies=[Depends(bounded_params)])
    for router in (
        accounts_router,
        accounts_admin_router,
        catalogue_router,
        cases_router,
        queue_router,
    ):
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


def _mount_docs(app: FastAPI) -> None:
    """The API documentation, served from the package (no CDN), its one inline script
    allowed by its hash."""
    app.mount("/static/swagger", StaticFiles(directory=SWAGGER_DIR), name="swagger")

    @app.get(f"{API_PREFIX}/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url=app.openapi_url or "",
            title="Service desk API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon-32x32.png",
        )
        page.headers["content-security-policy"] = headers.docs_policy(bytes(page.body))
        return page


def create_app(settings: Settings | None = None, *, init_db: bool = True) -> FastAPI:
    """Build the service; tests pass ``init_db=False`` and manage the database."""
    settings = settings or get_settings()
    problems = production.setting_problems(settings)
    if problems:  # uvicorn started by hand, without `servicedesk serve`
        raise RuntimeError("refusing to start in production: " + "; ".join(problems))
    wiring.install()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not init_db:
            yield
            return
        async with RegisterTortoise(app, config=tortoise_config(settings.database_url)):
            async with _worker_in_process(settings):
                # What start-up built (modules, models, templates, the credit model) lives
                # as long as the process: out of the collector's sight, a full collection
                # walks only what requests leave behind (a full walk of everything took
                # ~0.2 s, every few seconds under load, stalling every request meanwhile).
                gc.collect()  # start-up's own garbage goes first, not into the freeze
                gc.freeze()
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
    handlers.install(app)
    app.add_middleware(
        handlers.BodyLimit, default=settings.max_body_bytes, uploads=settings.upload_max_bytes
    )
    app.add_middleware(headers.SecurityHeaders, hsts=settings.cookie_secure)
    # Routes are tried in order: the hall's hot paths (take a number, call-next, start,
    # complete) first, as the app's own routes, so they do not wait on every other match.
    app.router.routes.extend(queue_hot_routes(API_PREFIX))
    app.include_router(api_router())
    openapi.install(app)
    app.mount("/static/swagger", StaticFiles(directory=SWAGGER_DIR), name="swagger")

    _mount_docs(app)

    from kiosk_ui.routes import mount_pages

    mount_pages(app)
    return app
