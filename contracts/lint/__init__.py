"""Checking a contract: structure (what the ODCS JSON Schema says) and semantics (what it cannot).

Both work on the plain data from the YAML (so they run, and report, even when the other finds
problems) and return ``Problem`` objects with file:line:col, the YAML path, a stable ``code`` and
a fix. Every code is listed in ``CODES`` and documented in docs/contracts.md.

- ``structural_problems``: the model (pydantic) plus what the JSON Schema expresses with
  if/then, oneOf and patterns: keys per rule type, one operator per rule, logicalTypeOptions
  per logical type, relationships per level, server fields per server type.
- ``semantic_problems``: duplicate names, keys and references to missing columns, operators that
  do not fit their metric, SQL that does not parse, invalid regexes, SLA units, pactline settings.

Layout: ``codes`` (every code), ``vocabulary`` (what ODCS allows where), ``walk`` (walking the
data, the problem collector), ``structure`` and ``semantics`` (the passes, in order).

To add a check: a small function ``_check_x(ctx)`` appended to ``structure.STRUCTURAL`` or
``semantics.SEMANTIC``, a code in ``codes.CODES``, a row in docs/contracts.md and a broken
golden contract.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contracts.lint.codes import CODES
from contracts.lint.semantics import SEMANTIC
from contracts.lint.structure import STRUCTURAL
from contracts.lint.walk import Ctx
from contracts.model import Contract
from contracts.problems import Problem
from contracts.yamlsrc import Positions

__all__ = ["CODES", "semantic_problems", "structural_problems"]


def _run(passes: tuple[Callable[[Ctx], None], ...], data: dict[str, Any], pos: Positions,
         display: str) -> list[Problem]:
    ctx = Ctx(data, pos, display)
    for check in passes:
        check(ctx)
    seen: set[tuple[str, str]] = set()
    out: list[Problem] = []
    for p in ctx.out:
        if (p.path, p.code) not in seen:
            seen.add((p.path, p.code))
            out.append(p)
    return out


def structural_problems(data: dict[str, Any], pos: Positions, display: str) -> list[Problem]:
    """Every problem of ``data`` that the ODCS JSON Schema also finds."""
    return _run(STRUCTURAL, data, pos, display)


def semantic_problems(contract: Contract | None, data: dict[str, Any], pos: Positions, display: str) -> list[Problem]:
    """Every problem the JSON Schema cannot see; runs on the plain data, so ``contract`` may be None."""
    return _run(SEMANTIC, data, pos, display)

