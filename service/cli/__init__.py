"""The ``pactline`` command. Each command group lives in its own module and is added here.

Exit codes, everywhere: 0 passed / clean, 1 blocked by the contract (or problems found),
2 bad input or usage.

``main(argv)`` runs a command and returns its exit code (for tests and other Python callers);
``run()`` is the process entry. A short-lived command (``_SHORT_LIVED``) calls ``started()`` once
its imports and inputs are loaded, which lets ``run()`` keep the garbage collector out of start-up.
"""

from __future__ import annotations

import gc
import importlib
import sys
from typing import NoReturn

import click

__all__ = ["main", "run", "started"]

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


# Commands that run as a short-lived process (the pipeline hook, once per batch) and close everything
# they open before they return (validate disposes of its store and renames its quarantine into place).
_SHORT_LIVED = frozenset({"validate"})
_own_process = False  # set by run(): this process is the command, not a Python caller of main()


def started() -> None:
    """A command's imports and inputs are loaded; its work (reading the data) begins.

    In its own process (``run()``), a short-lived command starts with the collector paused: start-up
    makes ~300 000 long-lived objects (modules, classes, schemas) and no garbage worth a collection,
    yet the collector walked them all some 120 times (a 10-row validate: ~28 ms of its ~330).
    Here they are frozen out of the collector, which resumes for the work ahead. For in-process
    callers of ``main()`` this does nothing.
    """
    if _own_process and not gc.isenabled():
        gc.freeze()
        gc.enable()


def run() -> NoReturn:
    """The process entry (``python -m service``): ``main()`` on ``sys.argv``, then exit with its code.

    For one of ``_SHORT_LIVED``, the collector is paused until the command calls ``started()``, and
    at the end the objects still alive are frozen out of it: the interpreter's exit would otherwise
    walk every object of numpy, pyarrow and pydantic again to find cycles nothing needs collected
    (a 10-row validate: ~40 ms). atexit handlers, thread joins and the flushing of stdout and stderr
    run as always. Not for in-process callers: a frozen object is never collected.
    """
    global _own_process
    _own_process = True
    short_lived = len(sys.argv) > 1 and sys.argv[1] in _SHORT_LIVED
    if short_lived:
        gc.disable()
    code = main()
    if short_lived:
        gc.freeze()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
