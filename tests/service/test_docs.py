"""Docs that are tests: the CLI reference is generated from the real --help, and the README's
quickstart (the demo) runs.

Regenerate the CLI reference with ``python -m tests.service.test_docs``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from service.cli import cli

ROOT = Path(__file__).resolve().parents[2]
CLI_DOC = ROOT / "docs" / "cli.md"


def _walk(ctx: click.Context, path: list[str]) -> list[tuple[list[str], click.Context]]:
    """Every command with the context it really runs in (settings inherited from its parents)."""
    out = [(path, ctx)]
    cmd = ctx.command
    if isinstance(cmd, click.Group):
        for name in cmd.list_commands(ctx):
            sub = cmd.get_command(ctx, name)
            assert sub is not None, f"{' '.join(path)} lists {name} but cannot load it"
            child = sub.context_class(sub, info_name=name, parent=ctx, **sub.context_settings)
            out.extend(_walk(child, [*path, name]))
    return out


def _commands() -> list[tuple[list[str], click.Context]]:
    root = cli.context_class(cli, info_name="pactline", terminal_width=100, **cli.context_settings)
    return _walk(root, ["pactline"])


def render_cli_reference() -> str:
    parts = [
        "# pactline command reference",
        "",
        "Generated from the real `--help` of every command by `python -m tests.service.test_docs`;",
        "a test fails when it is out of date.",
        "",
    ]
    for path, ctx in _commands():
        text = ctx.command.get_help(ctx)
        parts += [f"## `{' '.join(path)}`", "", "```text", text.rstrip(), "```", ""]
    return "\n".join(parts)


def test_cli_reference_is_current() -> None:
    assert CLI_DOC.exists(), "docs/cli.md is missing: run python -m tests.service.test_docs"
    assert CLI_DOC.read_text(encoding="utf-8") == render_cli_reference(), (
        "docs/cli.md is out of date: run python -m tests.service.test_docs"
    )


def test_every_command_has_help() -> None:
    for path, ctx in _commands():
        assert (ctx.command.help or "").strip(), f"{' '.join(path)} has no help text"


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^bash (scripts/\w+)", readme, flags=re.M)
    assert commands[:2] == ["scripts/demo", "scripts/test"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash scripts/test" in ci
    for doc in re.findall(r"\]\((docs/[\w.]+)\)", readme):
        assert (ROOT / doc).exists(), f"README links to a missing {doc}"


@pytest.mark.slow
def test_readme_quickstart_demo_runs(tmp_path: Path) -> None:
    """What ``bash scripts/demo`` runs after installing: every step ends as it should."""
    env = dict(os.environ)
    env.pop("PACTLINE_STORE", None)
    proc = subprocess.run(
        [sys.executable, "-m", "service", "demo", "--workdir", str(tmp_path / "demo")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    assert "every step behaved as it should" in proc.stdout
    assert (tmp_path / "demo" / "drift.html").exists()
    reports = list((tmp_path / "demo" / "quarantine").rglob("report.json"))
    assert len(reports) == 1


if __name__ == "__main__":
    CLI_DOC.write_text(render_cli_reference(), encoding="utf-8")
    print(f"wrote {CLI_DOC.relative_to(ROOT)}")
