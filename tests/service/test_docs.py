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


def _walk(cmd: click.Command, path: list[str]) -> list[tuple[list[str], click.Command]]:
    out = [(path, cmd)]
    if isinstance(cmd, click.Group):
        ctx = click.Context(cmd, info_name=path[-1])
        for name in cmd.list_commands(ctx):
            sub = cmd.get_command(ctx, name)
            assert sub is not None, f"{' '.join(path)} lists {name} but cannot load it"
            out.extend(_walk(sub, [*path, name]))
    return out


def render_cli_reference() -> str:
    parts = [
        "# pactline command reference",
        "",
        "Generated from the real `--help` of every command by `python -m tests.service.test_docs`;",
        "a test fails when it is out of date.",
        "",
    ]
    for path, cmd in _walk(cli, ["pactline"]):
        ctx = click.Context(cmd, info_name=" ".join(path), terminal_width=100, max_content_width=100)
        text = cmd.get_help(ctx)
        parts += [f"## `{' '.join(path)}`", "", "```text", text.rstrip(), "```", ""]
    return "\n".join(parts)


def test_cli_reference_is_current() -> None:
    assert CLI_DOC.exists(), "docs/cli.md is missing: run python -m tests.service.test_docs"
    assert CLI_DOC.read_text(encoding="utf-8") == render_cli_reference(), (
        "docs/cli.md is out of date: run python -m tests.service.test_docs"
    )


def test_every_command_has_help() -> None:
    for path, cmd in _walk(cli, ["pactline"]):
        assert (cmd.help or "").strip(), f"{' '.join(path)} has no help text"


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
