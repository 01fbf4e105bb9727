"""What a served app does once it has started."""

from __future__ import annotations

import gc
from pathlib import Path

from servicedesk.app import create_app
from servicedesk.cli import migrate_database
from servicedesk.settings import Settings


async def test_start_up_objects_are_kept_out_of_the_collectors_walks(tmp_path: Path) -> None:
    """A full collection walked every object of the process (~0.2 s with the credit
    model and templates loaded), every few seconds under load; start-up's objects now
    live in the permanent generation, and a full collection walks what requests leave."""
    url = f"sqlite://{tmp_path / 'started.sqlite3'}"
    settings = Settings(environment="test", database_url=url, worker_in_serve=False)
    await migrate_database(settings)
    app = create_app(settings)
    gc.unfreeze()
    try:
        async with app.router.lifespan_context(app):
            frozen = gc.get_freeze_count()
        assert frozen > 10_000  # the modules, models and routes built so far
    finally:
        gc.unfreeze()
