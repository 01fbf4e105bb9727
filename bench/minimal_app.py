"""The second baseline: a minimal FastAPI + Tortoise app with one insert endpoint.

No authentication, no dependencies, no middleware: ``POST /insert`` creates one row
and answers its id. ``bench/tickets.py`` serves it exactly as it serves the real app
(the same uvicorn options, the same database kind, a fresh database) so the ratio of
an endpoint to this app's rate says what the service desk costs over a bare insert.

    uvicorn minimal_app:create --factory --app-dir bench   (MINIMAL_DATABASE_URL=...)
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from tortoise import fields
from tortoise.contrib.fastapi import RegisterTortoise
from tortoise.models import Model


class Row(Model):
    id = fields.IntField(primary_key=True)
    at = fields.DatetimeField(auto_now_add=True)
    note = fields.CharField(max_length=64)

    class Meta:
        table = "rows"


def create() -> FastAPI:
    url = os.environ["MINIMAL_DATABASE_URL"]

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with RegisterTortoise(
            app,
            db_url=url,
            modules={"models": ["minimal_app"]},
            generate_schemas=True,
            use_tz=True,
        ):
            yield

    app = FastAPI(lifespan=lifespan)

    @app.post("/insert", status_code=201)
    async def insert() -> dict[str, int]:
        row = await Row.create(note="bench")
        return {"id": row.id}

    @app.get("/ready")
    async def ready() -> dict[str, bool]:
        return {"ready": True}

    return app
