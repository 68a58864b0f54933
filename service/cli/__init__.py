"""The ``pactline`` command. Each command group lives in its own module and is added here.

Exit codes, everywhere: 0 passed / clean, 1 blocked by the contract (or problems found),
2 bad input or usage.
"""

from __future__ import annotations

import importlib
import sys
from importlib.metadata import PackageNotFoundError, version

import click

__all__ = ["main"]

# (module, attribute) of every command; a module owns its command and nothing else.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("service.cli.contract", "contract"),
    ("service.cli.validate", "validate"),
    ("service.cli.lineage", "lineage"),
    ("service.cli.drift", "drift"),
    ("service.cli.serve", "serve"),
    ("service.cli.token", "token"),
    ("service.cli.demo", "demo"),
)


def _version() -> str:
    try:
        return version("pactline")
    except PackageNotFoundError:  # running from a source tree
        return "0.0.0+local"


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(_version(), "--version", prog_name="pactline")
def cli() -> None:
    """pactline: data contracts (ODCS v3.1), ingest validation and column lineage.

    \b
    Exit codes: 0 passed, 1 blocked by the contract (or problems found), 2 bad input or usage.
    The store is an embedded SQLite file (.pactline/pactline.db) unless --store or
    PACTLINE_STORE names another SQLAlchemy URL.
    """


def _register() -> None:
    for module_name, attr in COMMANDS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue  # that command is not built yet
            raise
        cli.add_command(getattr(module, attr))


_register()


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    try:
        cli.main(args=argv, prog_name="pactline", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
