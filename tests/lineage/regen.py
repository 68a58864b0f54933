"""Regenerate tests/lineage/golden/*.expected.json from the SQL builder: ``python -m tests.lineage.regen``.

Review the diff like code: each file's edges must also match the expectations written by hand in the
SQL comments (tests/lineage/test_golden.py checks both).
"""

from __future__ import annotations

import json

from tests.lineage.golden_support import build, expected_path, golden_files


def main() -> None:
    for path in golden_files():
        out = expected_path(path)
        out.write_text(json.dumps(build(path), indent=1) + "\n")
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
