"""Lineage: OpenLineage ingest (as Marquez's POST /api/v1/lineage), SQL lineage, impact and upstream queries.

Thin routers over ``service.lineage_ops`` -- the functions ``pactline lineage`` calls too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

import service.lineage_ops as lineage_ops
from lineage.query import UnknownField
from service.api.deps import caller, denied, settings_of, store_of
from service.api.errors import ApiError
from service.api.openlineage import event_problems
from service.api.registry import registered_contracts
from service.api.settings import ApiSettings
from service.auth import Denied, Principal
from service.store import Store


def _fast_dumps() -> Callable[[Any], bytes] | None:
    """orjson's encoder when installed: it encodes a page of hits several times faster than the standard one."""
    try:
        import orjson
    except ImportError:  # pragma: no cover - the standard encoder gives the same JSON
        return None
    return orjson.dumps


_DUMPS = _fast_dumps()

router = APIRouter(tags=["lineage"])

KINDS = ("value", "filter")


class SqlLineageIn(BaseModel):
    sql: str = Field(..., min_length=1, description="One or more SQL statements (INSERT/CREATE ... AS SELECT/MERGE).")
    dialect: str | None = Field(None, max_length=64, description="sqlglot dialect, e.g. postgres, snowflake, duckdb.")
    job: str | None = Field(None, max_length=512, description="The job that runs this SQL.")
    as_of: dt.datetime | None = Field(None, description="When this SQL ran (the edges' observation time); default now.")


def _plain(value: Any) -> Any:
    """Results of lineage_ops as JSON: their ``to_dict()``, or their dataclass fields."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


def _admin(principal: Principal, action: str) -> None:
    try:
        principal.require_admin(action)
    except Denied as exc:
        raise denied(exc) from None


@router.post(
    "/lineage",
    status_code=201,
    summary="Ingest OpenLineage RunEvents (one event or a JSON array), as Marquez's endpoint does",
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {
        "oneOf": [{"type": "object"}, {"type": "array", "items": {"type": "object"}}]}}}}},
    responses={201: {"description": "The events were ingested"}},
)
async def post_lineage(
    request: Request,
    store: Store = Depends(store_of),
    settings: ApiSettings = Depends(settings_of),
    principal: Principal = Depends(caller),
) -> Any:
    _admin(principal, "posting lineage")
    try:
        payload = json.loads(await request.body())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"the body is not JSON: {exc}", code="invalid_json") from None
    events = payload if isinstance(payload, list) else [payload]
    if not events:
        raise ApiError(422, "no events in the body", code="invalid_event")
    if len(events) > settings.max_events:
        raise ApiError(413, f"{len(events)} events in one request; the limit is {settings.max_events}",
                       code="too_many_events")
    problems = [p for i, event in enumerate(events) for p in event_problems(event, i)]
    if problems:
        raise ApiError(422, f"{len(problems)} problem(s) in the OpenLineage event(s)", code="invalid_event",
                       details=problems)
    result = await run_in_threadpool(lineage_ops.ingest_events, store, events)
    return JSONResponse(_plain(result), status_code=201)


@router.post(
    "/lineage/sql",
    status_code=201,
    summary="Add the column lineage of SQL statements",
    responses={201: {"description": "The edges that were added"}},
)
async def post_sql(
    body: SqlLineageIn = Body(...),
    store: Store = Depends(store_of),
    settings: ApiSettings = Depends(settings_of),
    principal: Principal = Depends(caller),
) -> Any:
    _admin(principal, "posting SQL lineage")
    if len(body.sql) > settings.max_sql_chars:
        raise ApiError(413, f"the SQL is {len(body.sql)} characters; the limit is {settings.max_sql_chars}",
                       code="sql_too_long")
    contracts = await run_in_threadpool(registered_contracts, store)
    try:
        result = await run_in_threadpool(
            lambda: lineage_ops.add_sql(store, body.sql, dialect=body.dialect, contracts=contracts, job=body.job,
                                        as_of=body.as_of, file="request.sql", all_or_nothing=True)
        )
    except ValueError as exc:  # an unknown dialect and the like
        raise ApiError(422, str(exc), code="invalid_sql") from None
    out = _plain(result)
    problems = out.get("problems") if isinstance(out, dict) else None
    if problems:
        raise ApiError(422, f"{len(problems)} statement problem(s); nothing was added", code="sql_unresolved",
                       details=problems)
    return JSONResponse(out, status_code=201)


def _offset(cursor: str | None) -> int:
    """A page cursor is the ``next_cursor`` of the page before: the number of hits it skips."""
    if cursor is None:
        return 0
    if not cursor.isdigit() or len(cursor) > 12:
        raise ApiError(422, f"cursor {cursor!r} is not a next_cursor this endpoint gave", code="invalid_request")
    return int(cursor)


def _query(
    store: Store, field: str, since: dt.datetime | None, until: dt.datetime | None, depth: int | None,
    kind: list[str] | None, direction: str, limit: int, cursor: str | None = None,
) -> dict[str, Any]:
    kinds = tuple(kind) if kind else KINDS
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        raise ApiError(422, f"unknown edge kind(s) {', '.join(unknown)}; use value and/or filter", code="invalid_request")
    if since is not None and until is not None and since > until:
        raise ApiError(422, "since is after until", code="invalid_request")
    offset = _offset(cursor)
    try:
        # only the page is built: the walk counts every hit but makes dicts of ``limit`` of them
        result: dict[str, Any] = lineage_ops.impact(store, field, since=since, until=until, depth=depth, kinds=kinds,
                                                    direction=direction, limit=limit, offset=offset)
    except UnknownField as exc:
        raise ApiError(404, str(exc), code="field_not_found", details=[{"field": field, "near": list(exc.near)}]) from None
    except ValueError as exc:
        raise ApiError(422, str(exc), code="invalid_request") from None
    result["next_cursor"] = str(offset + len(result["hits"])) if result["truncated"] else None
    return result


FIELD = Query(..., min_length=3, max_length=1024, description="A column as dataset.column, e.g. raw.orders.amount.")
SINCE = Query(None, description="Only lineage observed at or after this time (ISO 8601).")
UNTIL = Query(None, description="Only lineage observed before this time.")
KIND = Query(None, description="Edge kinds to follow: value, filter (default both).")
LIMIT = Query(100, ge=1, le=1000, description="Most hits returned (nearest first); `truncated` says when more "
              "exist, `total` counts them all.")
CURSOR = Query(None, max_length=32, description="`next_cursor` of the previous page: the page after it.")


def _json(body: Any) -> Response:
    if _DUMPS is not None:
        try:
            return Response(_DUMPS(body), media_type="application/json")
        except TypeError:  # not plain JSON data (orjson.JSONEncodeError): the standard encoder says why
            pass
    return JSONResponse(body)


async def _answer(store: Store, *args: Any) -> Response:
    if lineage_ops.graph_loaded(store):
        # a few milliseconds of CPU that the GIL would serialise anyway: answered on the event loop, without
        # two thread hops and with one store connection instead of one per waiting thread
        return _json(_query(store, *args))
    # the first query of a worker loads the graph (seconds to a minute): off the event loop
    return _json(await run_in_threadpool(_query, store, *args))


@router.get("/lineage/impact", summary="Downstream impact of a field: columns, features, and failed runs in the window")
async def get_impact(
    request: Request,
    field: str = FIELD,
    since: dt.datetime | None = SINCE,
    until: dt.datetime | None = UNTIL,
    depth: int | None = Query(None, ge=1, le=50, description="Hops to follow (default: all, up to 50)."),
    kind: list[str] | None = KIND,
    limit: int = LIMIT,
    cursor: str | None = CURSOR,
) -> Any:
    return await _answer(request.app.state.store, field, since, until, depth or 50, kind, "downstream", limit, cursor)


@router.get("/lineage/upstream", summary="Upstream root cause of a field: the columns it was derived from")
async def get_upstream(
    request: Request,
    field: str = FIELD,
    since: dt.datetime | None = SINCE,
    until: dt.datetime | None = UNTIL,
    depth: int | None = Query(None, ge=1, le=50),
    kind: list[str] | None = KIND,
    limit: int = LIMIT,
    cursor: str | None = CURSOR,
) -> Any:
    return await _answer(request.app.state.store, field, since, until, depth or 50, kind, "upstream", limit, cursor)


@router.get("/lineage/datasets/{dataset}", summary="A dataset's lineage: its columns' inputs and outputs")
def get_dataset_lineage(dataset: str = Path(..., max_length=512), store: Store = Depends(store_of)) -> Any:
    try:
        return _json(lineage_ops.dataset_lineage(store, dataset))
    except KeyError:
        raise ApiError(404, f"no lineage is known for dataset {dataset!r}", code="dataset_not_found") from None
