"""One door in: ``load_contract(path | text | mapping) -> Contract``.

Every input form is normalised here, once: read, parse YAML with positions, validate the
structure against the model, then run the semantic checks. All problems are collected and
raised together as one ``ContractError``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from contracts.model import Contract
from contracts.problems import ContractError, Problem
from contracts.yamlsrc import MAX_BYTES, Positions, YamlProblem, parse_yaml

__all__ = ["ContractSource", "lint_contract", "load_contract", "read_contract_source"]

ContractSource = str | os.PathLike[str] | Mapping[str, Any]


def read_contract_source(source: ContractSource, name: str | None = None) -> tuple[Any, Positions, str]:
    """Turn a path, YAML/JSON text or mapping into plain data, positions and a display name."""
    if isinstance(source, Mapping):
        return dict(source), Positions(), name or "<mapping>"
    if isinstance(source, os.PathLike) or (isinstance(source, str) and _looks_like_path(source)):
        path = Path(source)
        display = name or str(source)
        try:
            if path.stat().st_size > MAX_BYTES:
                raise ContractError([Problem(display, 1, 1, "", "too-large",
                                             f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB; "
                                             "split the contract")])
            raw = path.read_bytes()
        except OSError as exc:
            raise ContractError([Problem(display, 1, 1, "", "unreadable", f"cannot read the file: {exc.strerror or exc}")]) from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ContractError([Problem(display, 1, 1, "", "encoding",
                                         f"the file is not UTF-8 (byte {exc.start}); save it as UTF-8")]) from None
    else:
        text = str(source)
        display = name or "<text>"
    try:
        data, pos = parse_yaml(text)
    except YamlProblem as exc:
        raise ContractError([Problem(display, exc.line, exc.column, "", exc.code, exc.message)]) from None
    return data, pos, display


def _looks_like_path(text: str) -> bool:
    return "\n" not in text and len(text) < 4096 and (text.endswith((".yaml", ".yml", ".json")) or os.path.exists(text))


def load_contract(source: ContractSource, *, name: str | None = None) -> Contract:
    """Load and check a contract; raise ``ContractError`` listing every problem found."""
    data, pos, display = read_contract_source(source, name)
    if not isinstance(data, dict):
        raise ContractError([Problem(display, 1, 1, "", "not-a-mapping",
                                     "a contract must be a YAML mapping with apiVersion, kind, id, version and status")])
    # Imported here: lint builds on the model and on this module's helpers.
    from contracts.lint import semantic_problems, structural_problems

    problems = structural_problems(data, pos, display) + semantic_problems(None, data, pos, display)
    if problems:
        raise ContractError(problems)
    try:
        contract = Contract.model_validate(data)
    except ValidationError as exc:  # pragma: no cover - structural_problems reports these first
        raise ContractError(pydantic_problems(exc, pos, display, Contract)) from None
    return contract


def lint_contract(source: ContractSource, *, name: str | None = None) -> list[Problem]:
    """Every problem of a contract, in file order; an empty list when it is clean. Never raises."""
    try:
        load_contract(source, name=name)
    except ContractError as exc:
        return exc.problems
    return []


def format_path(path: tuple[str | int, ...]) -> str:
    """``('schema', 0, 'properties', 2)`` -> ``schema[0].properties[2]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """`` Did you mean 'x'?`` for the closest choice, or an empty string."""
    import difflib  # only a contract with a problem gets here: a clean load never pays for it

    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not match:
        lowered = {c.lower(): c for c in choices}
        if word.lower() in lowered:
            match = [lowered[word.lower()]]
    return f" Did you mean '{match[0]}'?" if match else ""


def model_keys(model: type[BaseModel]) -> list[str]:
    """The YAML (alias) names a model accepts."""
    return [f.alias or n for n, f in model.model_fields.items()]


def pydantic_problems(exc: ValidationError, pos: Positions, display: str, model: type[BaseModel]) -> list[Problem]:
    """Translate pydantic errors into problems (used as a fallback by lint)."""
    out: list[Problem] = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        line, col = pos.key(loc)
        out.append(Problem(display, line, col, format_path(loc), err["type"].replace("_", "-"), err["msg"]))
    return out
