"""Benchmark: ingest validation of an orders-like Parquet file, pactline against its peers.

One command: ``.venv/bin/python bench/validate.py [--rows 5000000] [--scale 10] [--repeat 3] [--skip gx,...]``

It writes ``bench/.data/orders_<rows>.parquet`` (~12 columns, a fixed number of injected
violations per rule) and an ODCS contract for it, then runs the same rules, each tool as a whole
separate process (wall time, CPU time of the child, peak RSS of the child):

- ``pactline``: ``pactline validate --no-store --format json`` as a user installs it
  (``pip install pactline``: base dependencies only, in its own venv under bench/.data/). Nothing
  keeps the run, so no profile is built and only the columns a rule reads are decoded, as the
  DuckDB query reads only the columns it names;
- ``pactline+store``: the same command recording into a SQLite store (the default; the store is
  created by a run before the measured ones): the run, its results and its column profile kept;
- ``pactline+pandas``: the same command from this (benchmark) venv, where pandas is installed for
  the peers: pyarrow then imports pandas on first use (~0.2 s of start-up pactline does not need);
- ``floor``: a streaming pyarrow read of every column (``iter_batches``, doing nothing);
- ``duckdb``: one hand-written aggregate query over the file computing every rule's count;
- ``duckdb+profile``: that query plus what pactline's profile keeps of every column (counts, nulls,
  min/max, mean/variance, distinct-count sketch, quantiles, value counts): the same work;
- ``pandera-polars`` and ``pandera-pandas``: the rules as a pandera schema, ``lazy=True``;
- ``gx``: Great Expectations 1.x on pandas (may run on fewer rows: ``--gx-rows``);
- ``datacontract``: ``datacontract test`` on the same ODCS contract, from a separate venv under
  bench/.data/ (skipped with a note when it cannot be installed).

Every peer's violation counts are compared with pactline's; the table prints wall, CPU and peak
memory and their ratios against pactline. ``--scale N`` also validates a file N times larger with
pactline and reports its peak memory (flat memory: bounded by the batch size, plus the exact key
set of the unique column).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / ".data"
PY = sys.executable

# rule -> injected violations per million rows (at least one in a smaller file)
INJECT = {
    "order_id.unique": 20,
    "customer_id.required": 30,
    "amount.minimum": 40,
    "amount.maximum": 10,
    "currency_valid": 50,
    "status_valid": 25,
    "country.pattern": 15,
    "quantity.exclusiveMinimum": 35,
    "discount.maximum": 12,
    "sku.maxLength": 8,
}

CONTRACT = """\
apiVersion: v3.1.0
kind: DataContract
id: bench-orders
version: 1.0.0
status: active
schema:
  - name: orders
    physicalName: orders
    properties:
      - {name: order_id, logicalType: integer, required: true, unique: true}
      - {name: customer_id, logicalType: integer, required: true}
      - {name: order_ts, logicalType: timestamp}
      - name: amount
        logicalType: number
        logicalTypeOptions: {minimum: 0, maximum: 50000}
      - name: currency
        logicalType: string
        quality:
          - {id: currency_valid, metric: invalidValues, arguments: {validValues: [EUR, USD, GBP, CHF]}, mustBe: 0}
      - name: status
        logicalType: string
        quality:
          - id: status_valid
            metric: invalidValues
            arguments: {validValues: [placed, paid, shipped, cancelled, refunded]}
            mustBe: 0
      - name: country
        logicalType: string
        logicalTypeOptions: {pattern: "^[A-Z]{2}$"}
      - name: quantity
        logicalType: integer
        logicalTypeOptions: {exclusiveMinimum: 0}
      - name: discount
        logicalType: number
        logicalTypeOptions: {minimum: 0, maximum: 1}
      - name: sku
        logicalType: string
        logicalTypeOptions: {maxLength: 12}
      - {name: channel, logicalType: string}
      - {name: is_gift, logicalType: boolean}
"""


def generate(rows: int, path: Path, seed: int = 11) -> dict[str, int]:
    """Write the file a million rows at a time (bounded memory); returns the injected count per rule."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    expected = dict.fromkeys(INJECT, 0)
    chunk = 1_000_000
    rng = np.random.default_rng(seed)
    letters = list("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789")
    sku_pool = pa.array(["".join(rng.choice(letters, int(rng.integers(6, 13)))) for _ in range(5000)])
    long_skus = pa.array(["".join(rng.choice(letters, 20)) for _ in range(50)])
    tmp = path.with_suffix(".tmp")
    writer = None
    for start in range(0, rows, chunk):
        n = min(chunk, rows - start)
        per = {rule: max(1, rate * n // 1_000_000) for rule, rate in INJECT.items()}
        need = sum(per.values()) + per["order_id.unique"]
        taken = rng.permutation(n)[:need]
        spots: dict[str, Any] = {}
        at = 0
        for rule, k in per.items():
            spots[rule] = taken[at: at + k]
            at += k
        sources = taken[at: at + per["order_id.unique"]]  # distinct rows whose id each duplicate repeats

        order_id = np.arange(start + 1, start + n + 1, dtype=np.int64)
        order_id[spots["order_id.unique"]] = order_id[sources]
        customer_valid = np.ones(n, dtype=bool)
        customer_valid[spots["customer_id.required"]] = False
        amount = np.round(rng.gamma(2.0, 60.0, n), 2)
        amount[spots["amount.minimum"]] = -5.0
        amount[spots["amount.maximum"]] = 99999.0
        currency = rng.integers(0, 4, n)
        currency[spots["currency_valid"]] = 4
        status = rng.integers(0, 5, n)
        status[spots["status_valid"]] = 5
        country = rng.integers(0, 8, n)
        country[spots["country.pattern"]] = 8
        quantity = rng.integers(1, 10, n).astype(np.int64)
        quantity[spots["quantity.exclusiveMinimum"]] = 0
        discount = np.round(rng.uniform(0, 0.5, n), 3)
        discount[spots["discount.maximum"]] = 1.5
        sku = sku_pool.take(pa.array(rng.integers(0, len(sku_pool), n)))
        sku_long = np.zeros(n, dtype=bool)
        sku_long[spots["sku.maxLength"]] = True
        sku = pa.compute.if_else(pa.array(sku_long), long_skus.take(pa.array(rng.integers(0, 50, n))), sku)
        base = np.datetime64("2026-09-01T00:00:00", "us").astype(np.int64)
        ts = base + rng.integers(0, 30 * 86400, n) * 1_000_000

        def labels(values: list[str], idx: Any) -> Any:
            return pa.array(values).take(pa.array(idx))

        table = pa.table({
            "order_id": pa.array(order_id),
            "customer_id": pa.array(rng.integers(1, 200_000, n), mask=~customer_valid),
            "order_ts": pa.array(ts, pa.timestamp("us", tz="UTC")),
            "amount": pa.array(amount),
            "currency": labels(["EUR", "USD", "GBP", "CHF", "XXX"], currency),
            "status": labels(["placed", "paid", "shipped", "cancelled", "refunded", "lost"], status),
            "country": labels(["DE", "FR", "NL", "GB", "US", "ES", "IT", "CH", "de"], country),
            "quantity": pa.array(quantity),
            "discount": pa.array(discount),
            "sku": sku,
            "channel": labels(["web", "app", "store"], rng.integers(0, 3, n)),
            "is_gift": pa.array(rng.random(n) < 0.05),
        })
        if writer is None:
            writer = pq.ParquetWriter(tmp, table.schema, compression="snappy")
        writer.write_table(table, row_group_size=256 * 1024)
        for rule in INJECT:
            expected[rule] += len(spots[rule])
    assert writer is not None
    writer.close()
    os.replace(tmp, path)
    return expected


# ------------------------------------------------------------------------------------------ peers
# Each peer is a child process that prints {"counts": {rule: n}, "rows": n, "note": "..."} as JSON.

PACTLINE = "pactline"

FLOOR = """
import json, sys
import pyarrow.parquet as pq
pf = pq.ParquetFile(sys.argv[1])
rows = 0
for i in range(pf.num_row_groups):
    for batch in pf.iter_batches(batch_size=65536, row_groups=[i]):
        rows += batch.num_rows
print(json.dumps({"counts": {}, "rows": rows}))
"""

DUCKDB = """
import json, sys
import duckdb
extra = ""
if sys.argv[2:] == ["profile"]:
    # Also what pactline's profile keeps of every column: non-null count, nulls, min, max, mean,
    # variance, a distinct-count sketch, quantiles of the numbers and the counts of the categorical
    # values; one query, so DuckDB reads the file once, on every core. Quantiles from a reservoir
    # sample (8192 values, a rank error like pactline's sketch): approx_quantile's t-digest took 0.8 s longer.
    NUMERIC = ["order_id", "customer_id", "order_ts", "amount", "quantity", "discount"]
    CATEGORICAL = ["currency", "status", "country", "sku", "channel", "is_gift"]
    QS = "[0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99]"
    parts = []
    for c in NUMERIC + CATEGORICAL:
        v = f"epoch({c})" if c == "order_ts" else c  # as pactline profiles times: epoch seconds
        parts += [f"count({c})", f"count(*) - count({c})", f"min({v})", f"max({v})", f"approx_count_distinct({c})"]
        if c in NUMERIC:
            parts += [f"avg({v})", f"var_samp({v})", f"reservoir_quantile({v}, {QS})"]
        else:
            parts.append(f"histogram({c})")
    extra = ", " + ", ".join(parts)
con = duckdb.connect()
row = con.execute(\"\"\"
SELECT count(*) - count(DISTINCT order_id),
       count(*) FILTER (WHERE customer_id IS NULL),
       count(*) FILTER (WHERE amount < 0),
       count(*) FILTER (WHERE amount > 50000),
       count(*) FILTER (WHERE currency NOT IN ('EUR', 'USD', 'GBP', 'CHF')),
       count(*) FILTER (WHERE status NOT IN ('placed', 'paid', 'shipped', 'cancelled', 'refunded')),
       count(*) FILTER (WHERE NOT regexp_full_match(country, '[A-Z]{2}')),
       count(*) FILTER (WHERE quantity <= 0),
       count(*) FILTER (WHERE discount > 1),
       count(*) FILTER (WHERE length(sku) > 12),
       count(*)\"\"\" + extra + " FROM read_parquet(?)", [sys.argv[1]]).fetchone()
rules = ["order_id.unique", "customer_id.required", "amount.minimum", "amount.maximum", "currency_valid",
         "status_valid", "country.pattern", "quantity.exclusiveMinimum", "discount.maximum", "sku.maxLength"]
print(json.dumps({"counts": dict(zip(rules, row[:10])), "rows": row[10]}))
"""

PANDERA = """
import json, sys
backend = sys.argv[2]
if backend == "polars":
    import polars as pl
    import pandera.polars as pa
    frame = pl.read_parquet(sys.argv[1])
    Int, Float, Str = pl.Int64, pl.Float64, pl.Utf8
else:
    import pandas as pd
    import pandera.pandas as pa
    frame = pd.read_parquet(sys.argv[1])
    Int, Float, Str = "Int64", "float64", object
    frame["customer_id"] = frame["customer_id"].astype("Int64")
C, Check = pa.Column, pa.Check
schema = pa.DataFrameSchema({
    "order_id": C(Int, unique=True, report_duplicates="exclude_first"),
    "customer_id": C(Int, nullable=False),
    "amount": C(Float, [Check.greater_than_or_equal_to(0, name="amount.minimum"),
                        Check.less_than_or_equal_to(50000, name="amount.maximum")], nullable=True),
    "currency": C(Str, Check.isin(["EUR", "USD", "GBP", "CHF"], name="currency_valid")),
    "status": C(Str, Check.isin(["placed", "paid", "shipped", "cancelled", "refunded"], name="status_valid")),
    "country": C(Str, Check.str_matches("^[A-Z]{2}$", name="country.pattern")),
    "quantity": C(Int, Check.greater_than(0, name="quantity.exclusiveMinimum")),
    "discount": C(Float, [Check.greater_than_or_equal_to(0, name="discount.minimum"),
                          Check.less_than_or_equal_to(1, name="discount.maximum")]),
    "sku": C(Str, Check.str_length(max_value=12, name="sku.maxLength")),
})
RULES = [("order_id", "unique", "order_id.unique"), ("order_id", "field_uniqueness", "order_id.unique"),
         ("customer_id", "not_nullable", "customer_id.required"), ("amount", "greater", "amount.minimum"),
         ("amount", "less", "amount.maximum"), ("currency", "isin", "currency_valid"),
         ("status", "isin", "status_valid"), ("country", "str_matches", "country.pattern"),
         ("quantity", "greater", "quantity.exclusiveMinimum"), ("discount", "greater", "discount.minimum"),
         ("discount", "less", "discount.maximum"), ("sku", "str_length", "sku.maxLength")]
counts = {}
note = ""
try:
    schema.validate(frame, lazy=True)
except pa.errors.SchemaErrors as err:
    cases = err.failure_cases
    if backend == "polars":
        cases = cases.to_pandas()
    for (column, check), n in cases.groupby(["column", "check"]).size().items():
        rule = next((r for c, prefix, r in RULES if c == column and str(check).startswith(prefix)), None)
        if rule is None:
            note += f"unmapped {column}/{check}={n} "
            continue
        counts[rule] = counts.get(rule, 0) + int(n)
if backend == "polars":
    note += "pandera-polars lists every row of a repeated id (both occurrences): order_id compared with 2x"
print(json.dumps({"counts": counts, "rows": len(frame), "note": note}))
"""

GX = """
import json, sys, warnings
warnings.filterwarnings("ignore")
import pyarrow.parquet as pq
import great_expectations as gx
import great_expectations.expectations as gxe
rows = int(sys.argv[2])
pf = pq.ParquetFile(sys.argv[1])
parts, have = [], 0
for i in range(pf.num_row_groups):
    if have >= rows:
        break
    part = pf.read_row_group(i)
    parts.append(part)
    have += part.num_rows
import pyarrow as pa
frame = pa.concat_tables(parts).slice(0, rows).to_pandas()
context = gx.get_context(mode="ephemeral")
batch = context.data_sources.add_pandas("p").add_dataframe_asset("orders").add_batch_definition_whole_dataframe(
    "all").get_batch(batch_parameters={"dataframe": frame})
expectations = {
    "order_id.unique": gxe.ExpectColumnValuesToBeUnique(column="order_id"),
    "customer_id.required": gxe.ExpectColumnValuesToNotBeNull(column="customer_id"),
    "amount.minimum": gxe.ExpectColumnValuesToBeBetween(column="amount", min_value=0),
    "amount.maximum": gxe.ExpectColumnValuesToBeBetween(column="amount", max_value=50000),
    "currency_valid": gxe.ExpectColumnValuesToBeInSet(column="currency", value_set=["EUR", "USD", "GBP", "CHF"]),
    "status_valid": gxe.ExpectColumnValuesToBeInSet(column="status",
                                                   value_set=["placed", "paid", "shipped", "cancelled", "refunded"]),
    "country.pattern": gxe.ExpectColumnValuesToMatchRegex(column="country", regex="^[A-Z]{2}$"),
    "quantity.exclusiveMinimum": gxe.ExpectColumnValuesToBeBetween(column="quantity", min_value=0, strict_min=True),
    "discount.maximum": gxe.ExpectColumnValuesToBeBetween(column="discount", max_value=1),
    "sku.maxLength": gxe.ExpectColumnValueLengthsToBeBetween(column="sku", max_value=12),
}
suite = context.suites.add(gx.ExpectationSuite(name="orders"))
for e in expectations.values():
    suite.add_expectation(e)
result = batch.validate(suite, result_format="SUMMARY")
by_type = {}
for r in result.results:
    cfg = r.expectation_config
    by_type[(cfg.type, cfg.kwargs.get("column"), cfg.kwargs.get("min_value"), cfg.kwargs.get("max_value"))] = r
counts = {}
for rule, e in expectations.items():
    key = (e.expectation_type, e.column, getattr(e, "min_value", None), getattr(e, "max_value", None))
    r = by_type.get(key)
    counts[rule] = int(r.result.get("unexpected_count") or 0) if r is not None else None
print(json.dumps({"counts": counts, "rows": len(frame),
                  "note": "GX counts every row of a repeated id (both occurrences): order_id compared with 2x"}))
"""

DATACONTRACT = """
import json, sys
from datacontract.data_contract import DataContract
run = DataContract(data_contract_file=sys.argv[1]).test()
checks = [{"name": c.name, "result": str(c.result)} for c in run.checks]
failed = sum(1 for c in run.checks if "fail" in str(c.result).lower())
print(json.dumps({"counts": {}, "checks": checks, "failed_checks": failed,
                  "note": f"{len(checks)} checks, {failed} failed (datacontract reports pass/fail per check, "
                          "not row counts)"}))
"""


def run_child(argv: list[str], cwd: Path = ROOT) -> dict[str, Any]:
    """Run one tool as a whole process: wall time, CPU time and peak RSS of that child (``os.wait4``)."""
    out_path = DATA / ".child.out"
    err_path = DATA / ".child.err"
    start = time.perf_counter()
    with out_path.open("w") as out, err_path.open("w") as err:
        proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=err, env={**os.environ, "PYTHONPATH": str(ROOT)})
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024,
            "code": proc.returncode, "stdout": out_path.read_text(), "stderr": err_path.read_text()}


def pactline_counts(stdout: str) -> dict[str, int]:
    body = json.loads(stdout)
    return {r["rule"]: r["failed_rows"] for r in body["results"] if r["rule"] in INJECT}


def targets(base: dict[str, Any], peers: dict[str, tuple[int, dict[str, Any]]], rows: int) -> list[str]:
    """The issue's targets, each with its measured figure: met or not."""
    out = []

    def per_row(name: str) -> float | None:
        got = peers.get(name)
        return got[1]["wall"] * rows / got[0] if got and got[0] else None

    checks = [
        ("duckdb", 1.0, "no slower than the hand-written DuckDB query"),
        ("gx", 10.0, ">= 10x faster than Great Expectations (per row)"),
        ("pandera-polars", 2.0, ">= 2x faster than pandera-polars"),
    ]
    for name, factor, text in checks:
        wall = per_row(name)
        if wall is None:
            continue
        speedup = wall / base["wall"]
        out.append(f"target {text}: {speedup:.2f}x -> {'met' if speedup >= factor else 'NOT met'}")
    kept = peers.get("pactline+store")
    if kept is not None:
        ratios = [f"{name} {wall / kept[1]['wall']:.2f}x" for name in ("duckdb", "pandera-polars", "duckdb+profile")
                  if (wall := per_row(name)) is not None]
        out.append(f"recording the run and its profile (pactline+store, {kept[1]['wall']:.2f} s): " + ", ".join(ratios))
    heavier = [n for n, (_, r) in peers.items() if not n.startswith(PACTLINE) and n != "floor" and r["peak_mb"] <= base["peak_mb"]]
    out.append(f"target lower peak memory than every peer but the read floor: {base['peak_mb']:.0f} MiB -> "
               + ("met" if not heavier else f"NOT met ({', '.join(heavier)} use less)"))
    return out


def pactline_venv() -> Path:
    """A venv with pactline as ``pip install`` gives it (base dependencies, editable so it runs this
    tree), under bench/.data/pactline-venv; this interpreter when it cannot be built (with a note)."""
    venv = DATA / "pactline-venv"
    py = venv / "bin" / "python"
    probe = [str(py), "-c", "import service, pyarrow, duckdb"]
    if py.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return py
    print("building bench/.data/pactline-venv (pip install -e . with base dependencies) ...", flush=True)
    log = DATA / "pactline-venv.log"
    with log.open("w") as out:
        ok = subprocess.run([PY, "-m", "venv", "--clear", str(venv)], stdout=out, stderr=out).returncode == 0 and \
            subprocess.run([str(py), "-m", "pip", "install", "-q", "-e", str(ROOT)], stdout=out, stderr=out,
                           cwd=ROOT).returncode == 0
    if ok and subprocess.run(probe, capture_output=True).returncode == 0:
        return py
    print(f"note: could not build bench/.data/pactline-venv (see {log}); pactline runs from this venv")
    return Path(PY)


def compile_sources(py: Path) -> None:
    """Write the project's bytecode, as a regular ``pip install`` does for every package (the peers' are
    compiled at install). Without it, under ``PYTHONDONTWRITEBYTECODE`` every run of this editable tree
    would compile its modules again (~50 ms per process) and the figure would not be a user's."""
    subprocess.run([str(py), "-m", "compileall", "-q", *PACKAGES], cwd=ROOT, check=True, capture_output=True,
                   env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"})


PACKAGES = ("contracts", "checks", "lineage", "service")


def main() -> int:
    parser = argparse.ArgumentParser(description="pactline validate against its peers on one Parquet file")
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--gx-rows", type=int, default=1_000_000, help="GX runs on the first N rows (it is slow)")
    parser.add_argument("--scale", type=int, default=10, help="also validate a file N times larger (0: skip)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run each tool N times and keep its median run (this machine is shared: noisy)")
    parser.add_argument("--skip", default="", help="comma-separated tools to skip (e.g. gx,pandera-pandas)")
    parser.add_argument("--generate", metavar="PATH", help=argparse.SUPPRESS)  # child mode: write one file
    args = parser.parse_args()
    if args.generate:
        print(json.dumps(generate(args.rows, Path(args.generate))))
        return 0
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    DATA.mkdir(parents=True, exist_ok=True)
    contract = DATA / "orders.odcs.yaml"
    contract.write_text(CONTRACT)

    def data_file(rows: int) -> tuple[Path, dict[str, int]]:
        path = DATA / f"orders_{rows}.parquet"
        expected_path = path.with_suffix(".expected.json")
        if not (path.exists() and expected_path.exists()):
            t = time.perf_counter()
            # generated in a child so this process stays small: a forked child's peak RSS starts at ours
            out = subprocess.run([PY, __file__, "--rows", str(rows), "--generate", str(path)], check=True,
                                 capture_output=True, text=True).stdout
            expected = json.loads(out.strip().splitlines()[-1])
            expected_path.write_text(json.dumps(expected))
            print(f"generated {path.name} ({rows:,} rows) in {time.perf_counter() - t:.1f} s", flush=True)
        return path, json.loads(expected_path.read_text())

    path, expected = data_file(args.rows)
    print(f"file: {path.name}, {path.stat().st_size / 2**20:.0f} MiB, {args.rows:,} rows, 12 columns; "
          f"injected violations: {expected}")
    results: list[tuple[str, int, dict[str, Any], str]] = []

    def peer_json(stdout: str) -> tuple[dict[str, int], str]:
        body = json.loads(stdout.strip().splitlines()[-1])
        return body["counts"], body.get("note", "")

    def child(name: str, argv: list[str], rows: int, parse: Any = peer_json) -> None:
        if name in skip:
            return
        print(f"running {name} ...", flush=True)
        runs = [run_child(argv) for _ in range(args.repeat)]
        r = sorted(runs, key=lambda run: run["wall"])[len(runs) // 2]  # the median run by wall time
        if r["code"] not in (0, 1):
            print(f"  {name} failed (exit {r['code']}): {r['stderr'].strip()[-600:]}")
            return
        try:
            counts, note = parse(r["stdout"])
        except (ValueError, KeyError, IndexError) as exc:
            print(f"  {name}: unreadable output ({exc}): {r['stdout'][:300]} {r['stderr'][-300:]}")
            return
        r["counts"] = counts
        results.append((name, rows, r, note))

    own_py = pactline_venv()
    compile_sources(own_py)
    pactline_cmd = [str(own_py), "-m", "service", "validate", str(contract)]
    child(PACTLINE, [*pactline_cmd, str(path), "--no-store", "--format", "json"],
          args.rows, lambda out: (pactline_counts(out), "CLI process, base install, --no-store: no profile"))
    store_db = DATA / "bench-store.db"
    for leftover in DATA.glob("bench-store.db*"):
        leftover.unlink()
    store_cmd = [*pactline_cmd, str(path), "--store", f"sqlite:///{store_db}", "--format", "json"]
    if "pactline+store" not in skip:
        run_child(store_cmd)  # creates the store: the measured runs record into an existing one, as a pipeline's do
    child("pactline+store", store_cmd, args.rows,
          lambda out: (pactline_counts(out), "the same, recording the run and its column profile in SQLite"))
    if own_py != Path(PY):
        child("pactline+pandas", [PY, "-m", "service", "validate", str(contract), str(path), "--no-store", "--format",
                                  "json"],
              args.rows, lambda out: (pactline_counts(out), "same command, this venv: pyarrow imports pandas"))
    child("floor", [PY, "-c", FLOOR, str(path)], args.rows, lambda out: ({}, "read every column, check nothing"))
    child("duckdb", [PY, "-c", DUCKDB, str(path)], args.rows)
    child("duckdb+profile", [PY, "-c", DUCKDB, str(path), "profile"], args.rows,
          lambda out: (peer_json(out)[0], "the same query plus the column profile pactline keeps"))
    child("pandera-polars", [PY, "-c", PANDERA, str(path), "polars"], args.rows)
    child("pandera-pandas", [PY, "-c", PANDERA, str(path), "pandas"], args.rows)
    gx_rows = min(args.gx_rows, args.rows)
    child("gx", [PY, "-c", GX, str(path), str(gx_rows)], gx_rows)
    venv_py = DATA / "dc-venv" / "bin" / "python"
    if "datacontract" not in skip:
        if venv_py.exists() and subprocess.run([str(venv_py), "-c", "import datacontract"],
                                               capture_output=True).returncode == 0:
            dc_contract = DATA / "orders.datacontract.odcs.yaml"
            dc_contract.write_text(CONTRACT + textwrap.dedent(f"""\
                servers:
                  - server: local
                    type: local
                    path: {path}
                    format: parquet
                """))
            child("datacontract", [str(venv_py), "-c", DATACONTRACT, str(dc_contract)], args.rows)
        else:
            print("note: datacontract-cli skipped: it could not be installed into bench/.data/dc-venv "
                  "(python3 -m venv bench/.data/dc-venv && bench/.data/dc-venv/bin/pip install "
                  "'datacontract-cli[parquet,duckdb]')")

    base = next((r for name, _, r, _ in results if name == PACTLINE), None)
    print()
    print(f"{'tool':<16}{'rows':>11}{'wall s':>9}{'cpu s':>9}{'peak MiB':>10}{'wall x':>9}{'cpu x':>8}{'mem x':>8}"
          "  violation counts")
    for name, rows, r, note in results:
        scale = args.rows / rows if rows else 1.0

        def ratio(key: str, r: dict[str, Any] = r, scale: float = scale) -> str:
            return f"{r[key] * scale / base[key]:.2f}" if base and base[key] else "-"

        if name in ("floor", "datacontract"):
            verdict = "-"
        else:
            want = dict(expected)
            if name in ("gx", "pandera-polars"):
                want["order_id.unique"] *= 2
            if rows != args.rows:
                verdict = f"on the first {rows:,} rows: " + json.dumps(r["counts"])
            else:
                diff = {k: (want[k], r["counts"].get(k)) for k in want if r["counts"].get(k) != want[k]}
                verdict = "same" if not diff else f"DIFFERENT (want, got): {diff}"
        mem = f"{r['peak_mb'] / base['peak_mb']:.2f}" if base else "-"
        print(f"{name:<16}{rows:>11,}{r['wall']:>9.2f}{r['cpu']:>9.2f}{r['peak_mb']:>10.0f}{ratio('wall'):>9}"
              f"{ratio('cpu'):>8}{mem:>8}  {verdict}{'  (' + note + ')' if note else ''}")
    print("ratios are the tool's figure over pactline's (time scaled to the same row count when a tool ran on fewer rows)")
    if base:
        print()
        for line in targets(base, {name: (rows, r) for name, rows, r, _ in results}, args.rows):
            print(line)

    if args.scale and PACTLINE not in skip and base:
        big_rows = args.rows * args.scale
        big, big_expected = data_file(big_rows)
        print(f"running pactline on {big_rows:,} rows ...", flush=True)
        r = run_child([*pactline_cmd, str(big), "--no-store", "--format", "json"])
        counts = pactline_counts(r["stdout"]) if r["code"] in (0, 1) else {}
        same = "same" if counts == big_expected else f"DIFFERENT {counts} vs {big_expected}"
        print(f"\nscale x{args.scale}: {big_rows:,} rows, {big.stat().st_size / 2**20:.0f} MiB: wall {r['wall']:.1f} s, "
              f"cpu {r['cpu']:.1f} s, peak {r['peak_mb']:.0f} MiB (x{r['peak_mb'] / base['peak_mb']:.2f} of the "
              f"{args.rows:,}-row run); counts {same}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
