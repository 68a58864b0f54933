"""The placeholders a ``type: sql`` rule's query may use, read the same way by the linter and the engine.

- The dataset being checked: ``${object}`` (ODCS's examples), ``${table}`` (the example in the ODCS
  JSON Schema), ``${dataset}``, and the bare ``{object}``.
- The rule's column, for a rule under a property: ``${property}``, ``${column}``, and the bare
  ``{property}``.

Spaces inside ``${ }`` are allowed. Any other ``${name}`` is an unknown placeholder (a lint problem).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["COLUMN_NAMES", "DATASET_NAMES", "Placeholder", "fill", "placeholders"]

DATASET_NAMES = ("object", "table", "dataset")
COLUMN_NAMES = ("property", "column")
_PATTERN = re.compile(r"\$\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}|\{(object|property)\}")


@dataclass(frozen=True)
class Placeholder:
    text: str  # as written, e.g. "${ table }"
    name: str  # "table"
    start: int  # offset in the query
    kind: str | None  # "dataset", "column", or None for an unknown name

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def placeholders(query: str) -> list[Placeholder]:
    """Every placeholder of ``query``, in order."""
    out = []
    for m in _PATTERN.finditer(query):
        name = m.group(1) or m.group(2)
        kind = "dataset" if name in DATASET_NAMES else "column" if name in COLUMN_NAMES else None
        out.append(Placeholder(m.group(0), name, m.start(), kind))
    return out


def fill(query: str, dataset: str, column: str | None) -> str:
    """``query`` with the dataset placeholders replaced by ``dataset`` and, when the rule has one, the
    column placeholders by ``column`` (both as given: quote them first); others stay as written."""

    def sub(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(2)
        if name in DATASET_NAMES:
            return dataset
        if name in COLUMN_NAMES and column is not None:
            return column
        return m.group(0)

    return _PATTERN.sub(sub, query)
