"""Validation runs: a paginated list with filters, and one run with its results and profile summary."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from fastapi import APIRouter, Depends, Path, Query

from service.api.deps import store_of
from service.api.errors import ApiError
from service.api.models import RunDetail, RunsPage
from service.store import MAX_LIMIT, InvalidCursorError, Store

router = APIRouter(tags=["runs"])
log = logging.getLogger("pactline.api")


@router.get("/runs", response_model=RunsPage, summary="Validation runs, newest first, paginated")
def list_runs(
    dataset: str | None = Query(None, max_length=512, description="Only this dataset (qualified name)."),
    passed: bool | None = Query(None, description="Only passed (true) or blocked (false) runs."),
    since: dt.datetime | None = Query(None, description="Runs started at or after this time (ISO 8601; UTC if no zone)."),
    until: dt.datetime | None = Query(None, description="Runs started before this time."),
    limit: int = Query(100, ge=1, le=MAX_LIMIT, description="Page size."),
    cursor: str | None = Query(None, max_length=512, description="`next_cursor` of the previous page."),
    store: Store = Depends(store_of),
) -> RunsPage:
    try:
        runs, next_cursor = store.list_runs(dataset, passed, since, until, limit, cursor)
    except InvalidCursorError as exc:
        raise ApiError(400, str(exc), code="invalid_cursor") from None
    return RunsPage(runs=runs, next_cursor=next_cursor, truncated=next_cursor is not None)  # type: ignore[arg-type]


def profile_summary(profile: dict[str, Any] | None) -> dict[str, Any] | None:
    """The profile's small per-column summary (``DatasetProfile.summary()``)."""
    if profile is None:
        return None
    try:
        from checks.profile import DatasetProfile
    except ImportError:  # pragma: no cover - the checks layer without profiles
        return profile
    try:
        summary: dict[str, Any] = DatasetProfile.from_dict(profile).summary()
    except (KeyError, TypeError, ValueError) as exc:
        log.warning("stored profile cannot be summarised: %s", exc)
        return {"rows": profile.get("rows")}
    return summary


@router.get("/runs/{run_id}", response_model=RunDetail, summary="One run: its report, results and profile summary")
def get_run(run_id: str = Path(..., max_length=64), store: Store = Depends(store_of)) -> RunDetail:
    found = store.get_run(run_id)
    if found is None:
        raise ApiError(404, f"no run {run_id!r} (GET /api/v1/runs lists them)", code="run_not_found")
    found["profile"] = profile_summary(found.get("profile"))
    return RunDetail(**found)
