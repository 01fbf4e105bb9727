"""The hot routes' own route class passes the endpoint the request and its path
parameters alone, so it refuses, when the app is built, an endpoint that would need
anything else (a dependency, a query or body parameter) rather than skip it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import APIRouter, Depends, Request, Response

from servicedesk.queue.endpoints import HotRoute


def _nothing() -> None:
    return None


async def with_query(request: Request, window: str, limit: int = 3) -> Response:
    del request, window, limit
    return Response()


async def with_dependency(request: Request, window: str, _: None = Depends(_nothing)) -> Response:
    del request, window
    return Response()


async def plain(request: Request, ticket_id: int) -> Response:
    del request, ticket_id
    return Response()


@pytest.mark.parametrize("endpoint", [with_query, with_dependency])
def test_an_endpoint_needing_more_than_the_request_is_refused(
    endpoint: Callable[..., Any],
) -> None:
    router = APIRouter(route_class=HotRoute)
    with pytest.raises(TypeError, match="takes only the request"):
        router.add_api_route("/windows/{window}/x", endpoint, methods=["POST"])


def test_route_dependencies_are_refused_too() -> None:
    router = APIRouter(route_class=HotRoute)
    with pytest.raises(TypeError, match="takes only the request"):
        router.add_api_route(
            "/tickets/{ticket_id}/x", plain, methods=["POST"], dependencies=[Depends(_nothing)]
        )


def test_path_parameters_alone_are_accepted() -> None:
    router = APIRouter(route_class=HotRoute)
    router.add_api_route("/tickets/{ticket_id}/x", plain, methods=["POST"])
    assert [r.path for r in router.routes] == ["/tickets/{ticket_id}/x"]
