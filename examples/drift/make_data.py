"""Regenerate the drift demo data for raw.orders (examples/contracts/raw_orders.odcs.yaml).

    .venv/bin/python examples/drift/make_data.py

reference.parquet: 10 000 orders as they usually look. current.parquet: 3 000 orders where
exactly one column has drifted: ``amount`` is half as large again (a price change, about
0.58 standard deviations of log-amount), which its drift rule (psi, threshold 0.2) catches.
Every other column is drawn from the same distribution in both files. Deterministic (fixed seed).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
CURRENCIES = (["EUR", "USD", "GBP", "CHF"], [0.55, 0.30, 0.10, 0.05])
STATUSES = (["placed", "paid", "shipped", "cancelled", "refunded"], [0.15, 0.35, 0.40, 0.06, 0.04])
COUNTRIES = (["DE", "FR", "NL", "AT", "US", "GB", "CH", "IT", "ES"], [0.3, 0.15, 0.1, 0.08, 0.12, 0.1, 0.05, 0.05, 0.05])


def orders(rng: np.random.Generator, n: int, first_id: int, start: dt.datetime, amount_factor: float) -> pa.Table:
    ts = start + np.sort(rng.uniform(0, 86_400, n)) * dt.timedelta(seconds=1)
    customer = rng.integers(1, 5_000, n)
    return pa.table(
        {
            "order_id": pa.array(np.arange(first_id, first_id + n), type=pa.int64()),
            "customer_id": pa.array(customer, type=pa.int64()),
            "order_ts": pa.array(list(ts), type=pa.timestamp("us", tz="UTC")),
            "amount": pa.array(np.round(rng.lognormal(3.6, 0.7, n) * amount_factor, 2)),
            "currency": pa.array(rng.choice(CURRENCIES[0], n, p=CURRENCIES[1]).tolist()),
            "status": pa.array(rng.choice(STATUSES[0], n, p=STATUSES[1]).tolist()),
            "country": pa.array(rng.choice(COUNTRIES[0], n, p=COUNTRIES[1]).tolist()),
            "email": pa.array([f"customer{c}@example.com" for c in customer]),
        }
    )


def main() -> None:
    rng = np.random.default_rng(20261124)
    reference = orders(rng, 10_000, 1, dt.datetime(2026, 10, 1, tzinfo=dt.UTC), 1.0)
    current = orders(rng, 3_000, 10_001, dt.datetime(2026, 11, 23, tzinfo=dt.UTC), 1.5)
    pq.write_table(reference, HERE / "reference.parquet")
    pq.write_table(current, HERE / "current.parquet")


if __name__ == "__main__":
    main()
