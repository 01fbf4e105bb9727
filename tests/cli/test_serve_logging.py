"""`servicedesk serve` logs no line per request in production unless asked, and
structured access lines (one JSON object per request) when asked."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest

from servicedesk.cli import build_parser
from servicedesk.serving import JsonAccessLog, access_log_mode, uvicorn_options
from servicedesk.settings import Settings

SECRET = "a-production-secret-of-enough-length"


@pytest.mark.parametrize(
    ("environment", "setting", "mode"),
    [
        ("development", "auto", "text"),
        ("production", "auto", "off"),
        ("test", "auto", "off"),
        ("production", "json", "json"),
        ("production", "text", "text"),
        ("development", "off", "off"),
    ],
)
def test_access_log_follows_the_setting(environment: str, setting: str, mode: str) -> None:
    settings = Settings(environment=environment, secret_key=SECRET, access_log=setting)
    assert access_log_mode(settings) == mode
    options = uvicorn_options(settings)
    assert options["access_log"] is (mode == "text")  # uvicorn's own line only for "text"


def test_serve_takes_the_access_log_option() -> None:
    args = build_parser().parse_args(["serve", "--access-log", "json"])
    assert args.access_log == "json"
    assert build_parser().parse_args(["serve"]).access_log is None


async def test_json_access_log_writes_one_line_per_request(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        del receive
        status = 404 if scope["path"] == "/missing" else 200
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    transport = httpx.ASGITransport(app=JsonAccessLog(app))
    with caplog.at_level(logging.INFO, logger="servicedesk.access"):
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            await client.get("/api/v1/service-points")
            await client.post("/missing")
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "servicedesk.access"]
    assert [(x["method"], x["path"], x["status"]) for x in lines] == [
        ("GET", "/api/v1/service-points", 200),
        ("POST", "/missing", 404),
    ]
    assert all(x["ms"] >= 0 and "client" in x for x in lines)
