"""Turn result values into JSON the store (and PostgreSQL's JSONB) accepts."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import math
from collections.abc import Mapping
from typing import Any

__all__ = ["dumps", "json_safe"]


def json_safe(value: Any) -> Any:
    """A JSON-safe copy: times as ISO text, decimals as numbers, NaN/inf as text, bytes as base64."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(v) for v in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return json_safe(float(value))
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item):
        return json_safe(item())
    return str(value)


def dumps(value: Any) -> str:
    return json.dumps(json_safe(value), allow_nan=False, separators=(",", ":"))
