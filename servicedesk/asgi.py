"""ASGI entry point for uvicorn workers: ``servicedesk.asgi:app``."""

from servicedesk.app import create_app

app = create_app()
