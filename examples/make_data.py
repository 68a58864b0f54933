"""Write the example data under examples/data/, the same bytes on every run (fixed seed).

    .venv/bin/python examples/make_data.py [OUT_DIR]

raw_orders_good.* passes every rule of examples/contracts/raw_orders.odcs.yaml;
raw_orders_bad.* is the good batch with a known set of rows broken, one defect per row, so
every failing rule fails on an exact number of rows (written to expected_bad.json and
described in EXPECTED.md). raw_customers.csv and raw_fx_rates.csv are the other two inputs of
examples/sql/pipeline.sql.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

SEED = 20260930
N_ORDERS = 1200
N_CUSTOMERS = 200
FIRST_DAY = dt.date(2026, 9, 1)  # orders: September 2026
DAYS = 30
FX_FIRST_DAY = dt.date(2026, 7, 1)  # rates: July to September 2026
FX_DAYS = 92
CURRENCIES = {"EUR": 1.0, "USD": 0.92, "GBP": 1.17, "CHF": 1.05}
CURRENCY_WEIGHTS = {"EUR": 55, "USD": 20, "GBP": 15, "CHF": 10}
COUNTRIES = {"EUR": ["DE", "FR", "NL", "ES", "IT", "AT"], "USD": ["US"], "GBP": ["GB"], "CHF": ["CH"]}
STATUS_WEIGHTS = {"placed": 10, "paid": 40, "shipped": 40, "cancelled": 6, "refunded": 4}
SEGMENT_WEIGHTS = {"consumer": 70, "smb": 22, "enterprise": 8}
FIRST_NAMES = ["ana", "ben", "chen", "dara", "eli", "fatima", "gus", "hana", "ivan", "jo", "kim", "lea"]
LAST_NAMES = ["meyer", "novak", "okafor", "perez", "quinn", "rossi", "sato", "tran", "ulrich", "vega"]

ORDERS_SCHEMA = pa.schema([
    ("order_id", pa.int64()),
    ("customer_id", pa.int64()),
    ("order_ts", pa.timestamp("us", tz="UTC")),
    ("amount", pa.float64()),
    ("currency", pa.string()),
    ("status", pa.string()),
    ("country", pa.string()),
    ("email", pa.string()),
])

# The defects of the bad batch: how many rows each breaks, and which rules they break.
# Keys of "breaks" are quality rule ids, or "<column>.<constraint>" for property constraints.
DEFECTS: list[dict[str, Any]] = [
    {"defect": "null amount", "rows": 3, "severity": "error",
     "breaks": ["orders_amount_not_null", "amount.required"]},
    {"defect": "negative amount", "rows": 2, "severity": "error", "breaks": ["amount.minimum"]},
    {"defect": "order_id of an earlier order", "rows": 4, "severity": "error",
     "breaks": ["orders_order_id_unique", "order_id.unique", "order_id.primaryKey"]},
    {"defect": "currency outside EUR, USD, GBP, CHF", "rows": 5, "severity": "error",
     "breaks": ["orders_currency_valid"]},
    {"defect": "lower-case country code", "rows": 1, "severity": "error", "breaks": ["country.pattern"]},
    {"defect": "malformed e-mail", "rows": 2, "severity": "error",
     "breaks": ["orders_email_well_formed", "email.format"]},
    {"defect": "amount above 50,000", "rows": 1, "severity": "warning", "breaks": ["orders_large_amounts"]},
    {"defect": "unknown status", "rows": 2, "severity": "warning", "breaks": ["orders_status_valid"]},
]


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()), k=1)[0]


def customers(rng: random.Random) -> list[dict[str, Any]]:
    rows = []
    for i in range(N_CUSTOMERS):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        signup = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(0, 2800))
        rows.append({
            "customer_id": 1001 + i,
            "email": f"{first}.{last}{i}@example.{rng.choice(['com', 'org', 'net'])}",
            "signup_date": signup.isoformat(),
            "segment": _weighted(rng, SEGMENT_WEIGHTS),
        })
    return rows


def fx_rates(rng: random.Random) -> list[dict[str, Any]]:
    rows = []
    level = dict(CURRENCIES)
    for d in range(FX_DAYS):
        day = FX_FIRST_DAY + dt.timedelta(days=d)
        for cur in CURRENCIES:
            if cur != "EUR":
                level[cur] *= 1 + rng.uniform(-0.004, 0.004)
            rows.append({"rate_date": day.isoformat(), "currency": cur, "rate_to_eur": round(level[cur], 6)})
    return rows


def good_orders(rng: random.Random, custs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    start = dt.datetime(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day, tzinfo=dt.UTC)
    stamps = sorted(start + dt.timedelta(seconds=rng.randrange(0, DAYS * 86400)) for _ in range(N_ORDERS))
    rows = []
    for i, ts in enumerate(stamps):
        cust = rng.choice(custs)
        cur = _weighted(rng, CURRENCY_WEIGHTS)
        amount = round(min(rng.lognormvariate(4.2, 0.8), 4999.0) + 1.0, 2)
        rows.append({
            "order_id": 500001 + i,
            "customer_id": cust["customer_id"],
            "order_ts": ts,
            "amount": amount,
            "currency": cur,
            "status": _weighted(rng, STATUS_WEIGHTS),
            "country": rng.choice(COUNTRIES[cur]),
            "email": cust["email"],
        })
    return rows


def bad_orders(rng: random.Random, good: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = [dict(r) for r in good]
    n_defects = sum(d["rows"] for d in DEFECTS)
    picked = rng.sample(range(len(rows)), n_defects + 4)  # + 4 untouched rows whose ids get copied
    targets, id_sources = picked[:n_defects], picked[n_defects:]
    it = iter(targets)
    for _ in range(3):
        rows[next(it)]["amount"] = None
    for _ in range(2):
        row = rows[next(it)]
        row["amount"] = -row["amount"]
    for src in id_sources:
        rows[next(it)]["order_id"] = rows[src]["order_id"]
    for bad in ("usd", "EURO", "JPY", "XXX", "BTC"):
        rows[next(it)]["currency"] = bad
    rows[next(it)]["country"] = "de"
    for bad in ("alice.example.com", "bob@"):
        rows[next(it)]["email"] = bad
    rows[next(it)]["amount"] = 75000.0
    for _ in range(2):
        rows[next(it)]["status"] = "lost"
    return rows


def _csv(rows: list[dict[str, Any]], columns: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row[c]) for c in columns])
    return out.getvalue().encode("utf-8")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _parquet(rows: list[dict[str, Any]], path: Path) -> None:
    table = pa.Table.from_pylist(rows, schema=ORDERS_SCHEMA)
    pq.write_table(table, path, compression="zstd")


def expected(bad_rows: int) -> dict[str, Any]:
    failed: dict[str, int] = {}
    for d in DEFECTS:
        for rule in d["breaks"]:
            failed[rule] = d["rows"]
    return {
        "contract": "examples/contracts/raw_orders.odcs.yaml",
        "dataset": "raw.orders",
        "file": "raw_orders_bad.csv",
        "rows": bad_rows,
        "failed_rows": failed,
        "duplicate_note": "order_id: 4 ids appear twice; failed_rows counts the 4 repeats (rows - distinct), "
                          "8 rows share a repeated id",
        "defects": DEFECTS,
        "passing": [
            "orders_row_count", "orders_status_present", "customer_id.required", "order_ts.required",
            "currency.required", "status.required", "country.required", "email.required",
            "country.minLength", "country.maxLength",
        ],
    }


def main(out_dir: Path) -> list[Path]:
    """Write every example data file into ``out_dir``; return their paths."""
    rng = random.Random(SEED)
    custs = customers(rng)
    rates = fx_rates(rng)
    good = good_orders(rng, custs)
    bad = bad_orders(rng, good)
    out_dir.mkdir(parents=True, exist_ok=True)
    order_cols = ORDERS_SCHEMA.names
    files = {
        "raw_customers.csv": _csv(custs, ["customer_id", "email", "signup_date", "segment"]),
        "raw_fx_rates.csv": _csv(rates, ["rate_date", "currency", "rate_to_eur"]),
        "raw_orders_good.csv": _csv(good, order_cols),
        "raw_orders_bad.csv": _csv(bad, order_cols),
        "expected_bad.json": (json.dumps(expected(len(bad)), indent=2) + "\n").encode("utf-8"),
    }
    written = []
    for name, data in files.items():
        (out_dir / name).write_bytes(data)
        written.append(out_dir / name)
    for name, rows in (("raw_orders_good.parquet", good), ("raw_orders_bad.parquet", bad)):
        _parquet(rows, out_dir / name)
        written.append(out_dir / name)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "data"
    for path in main(target):
        print(path)
