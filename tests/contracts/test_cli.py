"""``pactline contract lint`` / ``show``: output shape and exit codes, in-process and as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from contracts import load_contract
from service.cli import cli
from tests.contracts.golden_lib import BROKEN
from tests.contracts.test_loader import LINE_31

ROOT = Path(__file__).resolve().parents[2]
GOOD = ROOT / "examples" / "contracts" / "raw_orders.odcs.yaml"


@pytest.fixture()
def misspelt(tmp_path: Path) -> Path:
    path = tmp_path / "orders.odcs.yaml"
    path.write_text(LINE_31, encoding="utf-8")
    return path


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_lint_clean_contract_exits_0() -> None:
    code, out, _ = _run("contract", "lint", str(GOOD))
    assert (code, out) == (0, "")


def test_lint_text_names_the_line_and_the_fix(misspelt: Path) -> None:
    code, out, _ = _run("contract", "lint", str(misspelt))
    assert code == 1
    assert out.splitlines() == [
        f"{misspelt}:31:21 schema[0].properties[3].quality[0].metric: unknown metric 'nullValue'. "
        "Did you mean 'nullValues'?"
    ]


def test_lint_json_lists_every_problem_of_every_file(misspelt: Path) -> None:
    broken = BROKEN / "02-misspelt-operator.odcs.yaml"
    code, out, _ = _run("contract", "lint", "--format", "json", str(misspelt), str(GOOD), str(broken))
    assert code == 1
    problems = json.loads(out)
    assert [sorted(p) for p in problems] == [["code", "column", "file", "line", "message", "path"]] * 3
    assert [(Path(p["file"]).name, p["line"], p["code"]) for p in problems] == [
        ("orders.odcs.yaml", 31, "unknown-metric"),
        ("02-misspelt-operator.odcs.yaml", 26, "missing-operator"),
        ("02-misspelt-operator.odcs.yaml", 27, "unknown-key"),
    ]


def test_lint_unreadable_file_exits_2(tmp_path: Path, misspelt: Path) -> None:
    code, out, err = _run("contract", "lint", str(misspelt), str(tmp_path / "missing.yaml"))
    assert code == 2
    assert "missing.yaml" in err and len(out.splitlines()) == 1
    latin = tmp_path / "latin.odcs.yaml"
    latin.write_bytes(b"id: caf\xe9\n")
    assert _run("contract", "lint", str(latin))[0] == 2


def test_lint_a_directory_checks_its_contracts(tmp_path: Path, misspelt: Path) -> None:
    assert _run("contract", "lint", str(ROOT / "examples" / "contracts"))[:2] == (0, "")
    code, out, _ = _run("contract", "lint", "--format", "json", str(misspelt.parent))
    assert code == 1 and [p["code"] for p in json.loads(out)] == ["unknown-metric"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _run("contract", "lint", str(empty))[0] == 2


def test_lint_without_files_is_a_usage_error() -> None:
    assert _run("contract", "lint")[0] == 2


def test_show_yaml_and_json_are_the_normalised_contract() -> None:
    code, out, _ = _run("contract", "show", str(GOOD))
    assert code == 0 and load_contract(out) == load_contract(GOOD)
    code, out, _ = _run("contract", "show", str(GOOD), "--format", "json")
    assert code == 0 and load_contract(json.loads(out)) == load_contract(GOOD)
    assert list(json.loads(out))[:6] == ["apiVersion", "kind", "id", "name", "version", "status"]


def test_show_broken_contract_exits_1(misspelt: Path, tmp_path: Path) -> None:
    code, out, err = _run("contract", "show", str(misspelt))
    assert (code, out) == (1, "") and ":31:21 " in err
    assert _run("contract", "show", str(tmp_path / "missing.yaml"))[0] == 2


def test_help_explains_exit_codes() -> None:
    code, out, _ = _run("contract", "lint", "--help")
    assert code == 0 and "Exit codes: 0 no problems, 1 problems found, 2 a file cannot be read" in " ".join(out.split())


def test_lint_exit_codes_in_a_real_process(misspelt: Path, tmp_path: Path) -> None:
    def run(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "service", "contract", "lint", *files],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)

    clean, problems, unreadable = run(str(GOOD)), run(str(misspelt)), run(str(tmp_path / "missing.yaml"))
    assert (clean.returncode, problems.returncode, unreadable.returncode) == (0, 1, 2)
    assert problems.stdout.startswith(f"{misspelt}:31:21 ")
    assert "missing.yaml" in unreadable.stderr
