"""The plain records lineage deals in: edges, problems, hits. Frozen, JSON-friendly, no sqlglot types.

Times are whole seconds since the epoch (UTC) inside the graph; ``iso()`` turns them into text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

__all__ = [
    "FILTER",
    "KINDS",
    "SOURCES",
    "VALUE",
    "ColumnEdge",
    "DatasetInfo",
    "LineageProblem",
    "iso",
    "node_name",
    "split_field",
    "to_epoch",
]

VALUE = "value"  # the output's values are computed from the input
FILTER = "filter"  # the input only decides which rows or groups appear
KINDS: tuple[str, ...] = (VALUE, FILTER)
SOURCES: tuple[str, ...] = ("sql", "openlineage", "contract")


@dataclass(frozen=True)
class ColumnEdge:
    """One column -> column edge found by a builder. ``column`` None on either side = dataset level."""

    source_dataset: str
    source_column: str | None
    target_dataset: str
    target_column: str | None
    kind: str = VALUE

    @property
    def source(self) -> str:
        return node_name(self.source_dataset, self.source_column)

    def sort_key(self) -> tuple[str, str, str, str, str]:
        return (self.source_dataset, self.source_column or "", self.target_dataset, self.target_column or "",
                self.kind)

    @property
    def target(self) -> str:
        return node_name(self.target_dataset, self.target_column)


@dataclass(frozen=True)
class LineageProblem:
    """Something a builder could not resolve: where (file:line:col), a stable code, and what to do."""

    code: str
    message: str
    line: int = 0
    col: int = 0
    file: str = ""
    statement: int | None = None  # 0-based index of the statement in its file, when there is one

    def __str__(self) -> str:
        where = f"{self.file or '<sql>'}:{self.line}:{self.col}"
        return f"{where}: {self.message} [{self.code}]"

    def to_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "col": self.col, "code": self.code,
                "message": self.message, "statement": self.statement}


@dataclass(frozen=True)
class DatasetInfo:
    """What the contracts say about a dataset that lineage reports: owners, feature set, its columns."""

    name: str
    owners: tuple[str, ...] = ()
    is_feature: bool = False
    contract_id: str | None = None
    columns: tuple[str, ...] = field(default=())


def node_name(dataset: str, column: str | None) -> str:
    return dataset if column is None else f"{dataset}.{column}"


def split_field(name: str) -> tuple[str, str]:
    """``raw.orders.amount`` -> (``raw.orders``, ``amount``): the column is the last dotted part."""
    if "." not in name:
        raise ValueError(f"{name!r} is not dataset.column")
    ds, _, col = name.rpartition(".")
    return ds, col


def to_epoch(value: dt.datetime | str | int | float | None) -> int | None:
    """A point in time as whole epoch seconds (UTC); naive datetimes are UTC; ISO text is parsed."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError("a time, not a bool")
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        value = dt.datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return int(value.timestamp())


def iso(epoch: int | None) -> str | None:
    if epoch is None:
        return None
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
