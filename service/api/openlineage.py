"""Checks an OpenLineage RunEvent against the required fields of the spec (OpenLineage.json).

Pure: a dict in, a list of problems out, each naming the event, the JSON path and a stable code
(``missing``, ``type``, ``format``, ``enum``). The API answers 422 with them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from urllib.parse import urlparse

__all__ = ["EVENT_TYPES", "event_problems"]

EVENT_TYPES = ("START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER")


def _problem(index: int, path: str, code: str, message: str) -> dict[str, Any]:
    return {"event": index, "path": path, "code": code, "message": message}


def _is_time(value: str) -> bool:
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _is_uri(value: str) -> bool:
    parsed = urlparse(value)
    return bool(parsed.scheme) and bool(parsed.netloc or parsed.path)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _string(event: dict[str, Any], key: str, index: int, path: str, out: list[dict[str, Any]]) -> str | None:
    if key not in event:
        out.append(_problem(index, path, "missing", f"{path} is required"))
        return None
    value = event[key]
    if not isinstance(value, str) or not value:
        out.append(_problem(index, path, "type", f"{path} must be a non-empty string"))
        return None
    return value


def _object(event: dict[str, Any], key: str, index: int, out: list[dict[str, Any]]) -> dict[str, Any] | None:
    if key not in event:
        out.append(_problem(index, key, "missing", f"{key} is required"))
        return None
    if not isinstance(event[key], dict):
        out.append(_problem(index, key, "type", f"{key} must be an object"))
        return None
    value: dict[str, Any] = event[key]
    return value


def event_problems(event: Any, index: int = 0) -> list[dict[str, Any]]:
    """Every way ``event`` falls short of a RunEvent's required fields (empty when it is fine)."""
    out: list[dict[str, Any]] = []
    if not isinstance(event, dict):
        return [_problem(index, "", "type", "an event must be a JSON object")]
    stamp = _string(event, "eventTime", index, "eventTime", out)
    if stamp is not None and not _is_time(stamp):
        out.append(_problem(index, "eventTime", "format", "eventTime must be an ISO 8601 date-time"))
    for key in ("producer", "schemaURL"):
        value = _string(event, key, index, key, out)
        if value is not None and not _is_uri(value):
            out.append(_problem(index, key, "format", f"{key} must be a URI"))
    if "eventType" in event and event["eventType"] not in EVENT_TYPES:
        out.append(_problem(index, "eventType", "enum", f"eventType must be one of {', '.join(EVENT_TYPES)}"))
    run = _object(event, "run", index, out)
    if run is not None:
        run_id = _string(run, "runId", index, "run.runId", out)
        if run_id is not None and not _is_uuid(run_id):
            out.append(_problem(index, "run.runId", "format", "run.runId must be a UUID"))
    job = _object(event, "job", index, out)
    if job is not None:
        _string(job, "namespace", index, "job.namespace", out)
        _string(job, "name", index, "job.name", out)
    for side in ("inputs", "outputs"):
        if side not in event:
            continue
        datasets = event[side]
        if not isinstance(datasets, list):
            out.append(_problem(index, side, "type", f"{side} must be an array"))
            continue
        for j, ds in enumerate(datasets):
            path = f"{side}[{j}]"
            if not isinstance(ds, dict):
                out.append(_problem(index, path, "type", f"{path} must be an object"))
                continue
            _string(ds, "namespace", index, f"{path}.namespace", out)
            _string(ds, "name", index, f"{path}.name", out)
    return out
