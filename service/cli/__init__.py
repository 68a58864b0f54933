"""The ``pactline`` command. Each command group lives in its own module and is added here.

Exit codes, everywhere: 0 passed / clean, 1 blocked by the contract (or problems found),
2 bad input or usage.
"""

from __future__ import annotations

import gc
import importlib
import sys
from typing import NoReturn

import click

__all__ = ["main", "run"]

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
    from importlib.metadata import PackageNotFoundError, version  # only for --version: ~40 ms to import

    try:
        return version("pactline")
    except PackageNotFoundError:  # running from a source tree
        return "0.0.0+local"


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(f"pactline, version {_version()}")
        ctx.exit()


class _LazyGroup(click.Group):
    """Imports a command's module only when that command runs (or when the full list is asked for).

    ``pactline validate`` then never pays for the HTTP service's imports.
    """

    def _load(self, module_name: str, attr: str) -> click.Command | None:
        module = importlib.import_module(module_name)  # a missing module is a packaging bug: say so
        command: click.Command = getattr(module, attr)
        self.add_command(command)
        return command

    def _load_all(self) -> None:
        for module_name, attr in COMMANDS:
            if attr not in self.commands:
                self._load(module_name, attr)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_all()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        for module_name, attr in COMMANDS:  # a command's attribute is its name: load just that module
            if attr == cmd_name:
                command = self._load(module_name, attr)
                if command is not None and command.name == cmd_name:
                    return command
        self._load_all()
        return self.commands.get(cmd_name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show the version and exit.")
def cli() -> None:
    """pactline: data contracts (ODCS v3.1), ingest validation and column lineage.

    \b
    Exit codes: 0 passed, 1 blocked by the contract (or problems found), 2 bad input or usage.
    The store is an embedded SQLite file (.pactline/pactline.db) unless --store or
    PACTLINE_STORE names another SQLAlchemy URL.
    """


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    try:
        cli.main(args=argv, prog_name="pactline", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    return 0


# Commands that close everything they open before they return (validate disposes of its store and
# renames its quarantine into place), so the process may end without a last garbage collection.
_NO_FINAL_COLLECTION = frozenset({"validate"})


def run() -> NoReturn:
    """The process entry (``python -m service``): ``main()`` on ``sys.argv``, then exit with its code.

    After one of ``_NO_FINAL_COLLECTION``, the objects still alive are frozen out of the collector:
    the interpreter's exit would otherwise walk every object of numpy, pyarrow and pydantic again to
    find cycles that nothing needs collected (a 10-row validate: 40 ms of its ~400). atexit handlers,
    thread joins and the flushing of stdout and stderr run as always. Not for in-process callers:
    a frozen object is never collected.
    """
    code = main()
    if sys.argv[1:2] and sys.argv[1] in _NO_FINAL_COLLECTION:
        gc.freeze()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
