"""POST /datasets/{dataset}/batches: validate an uploaded batch against the dataset's registered contract.

The body is streamed to a spool file (never held whole in memory), then handed to
``service.validation.run_validation`` -- the same function ``pactline validate`` calls -- which
records the run and keeps a blocked batch in quarantine. 200 with the report when it passes,
422 with the report when it is blocked.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from checks.errors import DataError, DatasetError
from contracts import Contract
from service.api.deps import caller, denied, settings_of, store_of
from service.api.errors import ApiError
from service.api.models import ErrorEnvelope, ReportOut
from service.api.registry import contract_model
from service.api.settings import ApiSettings
from service.auth import Denied, Principal
from service.store import Store
from service.validation import run_validation

router = APIRouter(tags=["batches"])

# Content-Type -> the file suffix the readers recognise.
MEDIA_TYPES: dict[str, str] = {
    "application/vnd.apache.parquet": ".parquet",
    "application/x-parquet": ".parquet",
    "text/csv": ".csv",
    "application/x-ndjson": ".ndjson",
    "application/ndjson": ".ndjson",
    "application/jsonl": ".ndjson",
    "application/vnd.apache.arrow.stream": ".arrows",
}
DOCUMENTED = ("application/vnd.apache.parquet", "text/csv", "application/x-ndjson", "application/vnd.apache.arrow.stream")
CHUNK_FLUSH = 1 << 20


async def _spool(request: Request, suffix: str, directory: str | None) -> Path:
    fd, name = tempfile.mkstemp(prefix="pactline-batch-", suffix=suffix, dir=directory)
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            pending: list[bytes] = []
            size = 0
            async for chunk in request.stream():
                pending.append(chunk)
                size += len(chunk)
                if size >= CHUNK_FLUSH:
                    await run_in_threadpool(handle.writelines, pending)
                    pending, size = [], 0
            handle.writelines(pending)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def _validate(
    contract: Contract, path: Path, dataset: str, store: Store, quarantine: Path, now: dt.datetime | None
) -> Any:
    return run_validation(contract, str(path), dataset=dataset, store=store, quarantine=quarantine, move=True, now=now)


@router.post(
    "/datasets/{dataset}/batches",
    response_model=ReportOut,
    summary="Validate a batch (Parquet, CSV, NDJSON or Arrow IPC stream) against the dataset's contract",
    responses={
        200: {"model": ReportOut, "description": "The batch passed; the run is recorded"},
        422: {
            "description": "The batch is blocked by the contract (the report; the batch is kept in quarantine), "
            "or the request is invalid (the error envelope)",
            "content": {"application/json": {"schema": {"anyOf": [
                {"$ref": "#/components/schemas/ReportOut"}, {"$ref": "#/components/schemas/ErrorEnvelope"}]}}},
        },
        400: {"model": ErrorEnvelope, "description": "The body cannot be read as the declared format"},
        415: {"model": ErrorEnvelope, "description": "Unknown Content-Type"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {media: {"schema": {"type": "string", "format": "binary"}} for media in DOCUMENTED},
        }
    },
)
async def submit_batch(
    request: Request,
    dataset: str = PathParam(..., min_length=1, max_length=512, description="The dataset (qualified or plain name)."),
    now: dt.datetime | None = Query(None, description="The time freshness and latency SLAs are judged at "
                                    "(default: now)."),
    store: Store = Depends(store_of),
    settings: ApiSettings = Depends(settings_of),
    principal: Principal = Depends(caller),
) -> Any:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    suffix = MEDIA_TYPES.get(media)
    if suffix is None:
        raise ApiError(415, f"unsupported batch type {media or '(none)'}; send one of {', '.join(DOCUMENTED)}",
                       code="unsupported_media_type", details=[{"accepted": list(DOCUMENTED)}])
    found = await run_in_threadpool(store.contract_for_dataset, dataset)
    if found is None:
        raise ApiError(404, f"no registered contract describes dataset {dataset!r}; register one with "
                            "PUT /api/v1/contracts/{id}", code="contract_not_found")
    contract = contract_model(found)
    obj = contract.dataset(dataset)
    qualified = obj.qualified_name if obj is not None else dataset
    try:
        principal.require_datasets([qualified], f"submitting a batch of {qualified}")
    except Denied as exc:
        raise denied(exc) from None
    quarantine = Path(settings.quarantine_dir or ".pactline/quarantine")
    path = await _spool(request, suffix, settings.spool_dir)
    try:
        report = await run_in_threadpool(_validate, contract, path, qualified, store, quarantine, now)
    except DataError as exc:
        raise ApiError(400, f"the body cannot be read as {media}: {exc}", code="unreadable_data") from None
    except DatasetError as exc:
        raise ApiError(422, str(exc), code="dataset_not_in_contract") from None
    finally:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
    body = report.to_dict()
    return JSONResponse(body, status_code=200 if report.passed else 422)
