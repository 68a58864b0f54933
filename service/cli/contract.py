"""``pactline contract``: lint and show ODCS v3.1 contracts."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from contracts import ContractError, Problem, contract_to_dict, dump_contract, lint_contract, load_contract

__all__ = ["contract"]

# Problems that mean "this input could not be read at all" (exit 2), not "the contract is wrong" (exit 1).
UNREADABLE_CODES = frozenset({"unreadable", "encoding", "too-large"})


def _check(path: str) -> list[Problem]:
    return lint_contract(Path(path), name=path)


@click.group("contract")
def contract() -> None:
    """Lint and show ODCS v3.1 data contracts.

    \b
    Examples:
      pactline contract lint examples/contracts/*.odcs.yaml
      pactline contract lint --format json orders.odcs.yaml
      pactline contract show orders.odcs.yaml --format json
    """


@contract.command("lint", short_help="Check contracts: every problem with file:line:col and a fix.")
@click.argument("files", nargs=-1, required=True, metavar="FILE|DIR...")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: one line per problem, file:line:col path: message. "
                   "json: a list of {file, line, column, path, code, message}.")
def lint(files: tuple[str, ...], fmt: str) -> None:
    """Check contracts against ODCS v3.1 and pactline's semantic rules.

    Every problem is reported, each with file:line:col, the YAML path, what is wrong and how
    to fix it. A directory stands for its *.yaml / *.yml files. Problem codes are listed in
    docs/contracts.md.

    \b
    Exit codes: 0 no problems, 1 problems found, 2 a file cannot be read
    (missing, not UTF-8, too large).
    """
    problems: list[Problem] = []
    unreadable = 0
    files = _expand(files)
    for path in files:
        found = _check(path)
        for p in found:
            if p.code in UNREADABLE_CODES:
                unreadable += 1
                click.echo(f"pactline: {p.file}: {p.message}", err=True)
        problems.extend(found)
    if fmt == "json":
        click.echo(json.dumps([p.to_dict() for p in problems], indent=2))
    else:
        for p in problems:
            if p.code not in UNREADABLE_CODES:
                click.echo(str(p))
    bad_files = len({p.file for p in problems})
    if problems and not unreadable:
        click.echo(f"{len(problems)} problem(s) in {bad_files} of {len(files)} file(s)", err=True)
    if unreadable:
        sys.exit(2)
    sys.exit(1 if problems else 0)


def _expand(args: tuple[str, ...]) -> tuple[str, ...]:
    """A directory stands for the contracts in it (``*.yaml``, ``*.yml``, sorted)."""
    out: list[str] = []
    for arg in args:
        path = Path(arg)
        if path.is_dir():
            found = sorted(str(p) for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
            out.extend(found or [arg])  # an empty directory is reported as unreadable
        else:
            out.append(arg)
    return tuple(out)


@contract.command("show", short_help="Print the normalised contract as YAML or JSON.")
@click.argument("file", metavar="FILE")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True,
              help="yaml: ODCS YAML in ODCS key order. json: the same data as JSON.")
def show(file: str, fmt: str) -> None:
    """Print the normalised contract: ODCS key order, camelCase, only the keys that were set.

    \b
    Exit codes: 0 shown, 1 the contract has problems (listed on stderr, as by lint),
    2 the file cannot be read.
    """
    try:
        loaded = load_contract(Path(file), name=file)
    except ContractError as exc:
        for p in exc.problems:
            click.echo(str(p) if p.code not in UNREADABLE_CODES else f"pactline: {p.file}: {p.message}", err=True)
        sys.exit(2 if any(p.code in UNREADABLE_CODES for p in exc.problems) else 1)
    if fmt == "json":
        click.echo(json.dumps(contract_to_dict(loaded), indent=2))
    else:
        click.echo(dump_contract(loaded), nl=False)
