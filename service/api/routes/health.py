"""GET /health (the process answers) and GET /ready (the store answers too)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool

from service.api.deps import store_of
from service.api.errors import ApiError
from service.api.models import ErrorEnvelope, Health, Ready
from service.store import Store
from service.store.engine import display_url

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, summary="Liveness: the process answers")
async def health() -> Health:  # answered on the event loop: no thread hop for a liveness probe
    return Health(status="ok")


@router.get(
    "/ready",
    response_model=Ready,
    summary="Readiness: the store answers a query",
    responses={503: {"model": ErrorEnvelope, "description": "The store cannot be reached"}},
)
async def ready(store: Store = Depends(store_of)) -> Ready:
    if not await run_in_threadpool(store.ping):
        raise ApiError(503, f"the store at {display_url(store.engine.url)} does not answer", code="store_unreachable")
    return Ready(status="ready", store=display_url(store.engine.url))
