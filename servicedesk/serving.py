"""How ``servicedesk serve`` runs uvicorn: the environment it serves as, the settings it
refuses in production, the per-request log and uvicorn's options (the bench serves alike)."""

from __future__ import annotations

import copy
import json
import logging
import os
import time
from typing import Any

from servicedesk.settings import Settings, get_settings


def access_log_mode(settings: Settings) -> str:
    """The per-request log ``serve`` writes: "auto" resolves by environment."""
    if settings.access_log == "auto":
        return "text" if settings.environment == "development" else "off"
    return settings.access_log


class JsonAccessLog:
    """ASGI middleware: one JSON line per request on the logger ``servicedesk.access``
    (an event stream is logged when it closes, its duration the time it was open)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.log = logging.getLogger("servicedesk.access")

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 0

        async def sending(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            client = scope.get("client")
            self.log.info(
                json.dumps(
                    {
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status or 500,
                        "ms": round((time.perf_counter() - started) * 1000, 2),
                        "client": client[0] if client else None,
                    },
                    separators=(",", ":"),
                )
            )


def served_app() -> Any:
    """The app as ``serve`` runs it (uvicorn factory): the JSON access log when asked."""
    from servicedesk.app import create_app

    settings = get_settings()
    app = create_app(settings)
    return JsonAccessLog(app) if access_log_mode(settings) == "json" else app


def uvicorn_options(settings: Settings, *, workers: int = 1) -> dict[str, Any]:
    """uvicorn.run's options for ``serve`` (and the bench, which serves alike)."""
    mode = access_log_mode(settings)
    log_config = copy.deepcopy(uvicorn_logging())
    log_config["formatters"]["plain"] = {"format": "%(message)s"}
    log_config["handlers"]["structured"] = {
        "class": "logging.StreamHandler",
        "formatter": "plain",
        "stream": "ext://sys.stdout",
    }
    log_config["loggers"]["servicedesk.access"] = {
        "handlers": ["structured"],
        "level": "INFO",
        "propagate": False,
    }
    return {
        "factory": True,
        "workers": workers,
        "log_level": "info",
        "log_config": log_config,
        "access_log": mode == "text",
        # Client addresses (login throttling) from X-Forwarded-For, only from these proxies.
        "proxy_headers": True,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
        "server_header": False,
        # Display boards hold event streams open for good; don't wait on them forever.
        "timeout_graceful_shutdown": 5,
    }


def uvicorn_logging() -> dict[str, Any]:
    from uvicorn.config import LOGGING_CONFIG

    return LOGGING_CONFIG


def serving_settings(demo: bool, settings: Settings) -> Settings:
    """``serve`` runs as production unless ``--demo`` or SERVICEDESK_ENVIRONMENT says not."""
    if "SERVICEDESK_ENVIRONMENT" in os.environ:
        return settings
    environment = "development" if demo else "production"
    os.environ["SERVICEDESK_ENVIRONMENT"] = environment  # for the server's worker processes
    get_settings.cache_clear()
    return settings.model_copy(update={"environment": environment})


def refuse(problems: list[str]) -> None:
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        raise SystemExit(f"serve: refusing to start in production:\n{lines}")


def refuse_unsafe_settings(settings: Settings, *, demo: bool) -> None:
    """Exit non-zero, naming each setting, when production would start unsafely."""
    from servicedesk.seed import production

    problems = production.setting_problems(settings)
    if settings.environment == "production" and demo:
        problems.append("--demo seeds accounts with a published password: not in production")
    refuse(problems)
