"""Regenerate the golden files: ``.venv/bin/python -m tests.contracts.regen``.

Writes ``NN-name.expected.json`` next to every broken contract (its kind, the JSON Schema's
verdict and pactline's problem list) and ``name.expected.json`` next to every valid contract
(the model dump). Review the diff like code before committing it.
"""

from __future__ import annotations

from tests.contracts.golden_lib import BROKEN, VALID, broken_expected, expected_path, render, valid_expected


def main() -> None:
    written = 0
    for path in sorted(BROKEN.glob("*.odcs.yaml")):
        expected_path(path).write_text(render(broken_expected(path)), encoding="utf-8")
        written += 1
    for path in sorted(VALID.glob("*.odcs.yaml")):
        expected_path(path).write_text(render(valid_expected(path)), encoding="utf-8")
        written += 1
    print(f"wrote {written} golden files under {BROKEN.parent}")


if __name__ == "__main__":
    main()
