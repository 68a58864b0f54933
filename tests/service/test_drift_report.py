"""``pactline drift report``: the nightly job over the store, its JSON, and the HTML it writes."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from checks.profile import profile_table
from checks.results import Report
from contracts import load_contract
from service.baselines import BaselineError, load_baseline, parse_window, resolve_baseline
from service.cli import main
from service.reports.drift_html import render_drift_report
from service.store import open_store

NOW = dt.datetime(2026, 11, 24, 6, 0, tzinfo=dt.UTC)
CONTRACT = """
apiVersion: v3.1.0
kind: DataContract
id: shop-orders
version: 1.0.0
status: active
team:
  name: checkout
  members:
    - username: ana.silva
      role: Owner
schema:
  - name: orders
    physicalName: raw.orders
    properties:
      - name: order_id
        logicalType: integer
        unique: true
      - name: amount
        logicalType: number
        quality:
          - id: amount_drift
            type: custom
            engine: pactline
            severity: error
            implementation: {check: drift, method: psi, threshold: 0.1, baseline: 28d}
      - name: status
        logicalType: string
        quality:
          - id: status_drift
            type: custom
            engine: pactline
            severity: warning
            implementation: {check: drift}
      - name: country
        logicalType: string
"""


def _batch(rng: np.random.Generator, n: int, *, amount_shift: float = 0.0, new_status: bool = False) -> pa.Table:
    statuses = ["placed", "paid", "shipped"] + (["lost"] if new_status else [])
    p = [0.3, 0.3, 0.4] if not new_status else [0.27, 0.27, 0.36, 0.10]
    return pa.table(
        {
            "order_id": pa.array(rng.permutation(n), type=pa.int64()),
            "amount": rng.lognormal(3.0 + amount_shift, 0.5, n),
            "status": pa.array(rng.choice(statuses, n, p=p).tolist()),
            "country": pa.array(rng.choice(["DE", "FR", "US"], n).tolist()),
        }
    )


def _record(store, table: pa.Table, started: dt.datetime, *, dataset: str = "raw.orders", passed: bool = True) -> str:
    run_id = uuid.uuid4().hex
    from checks.results import RuleResult

    results = () if passed else (RuleResult("r", "null_values", "completeness", "amount", "error", False),)
    store.record_run(Report(run_id=run_id, dataset=dataset, contract_id="shop-orders", contract_version="1.0.0",
                            rows=table.num_rows, started_at=started, finished_at=started + dt.timedelta(minutes=1),
                            results=results, profile=profile_table(table)))
    return run_id


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store' / 'pactline.db'}"


def _fill(store_url: str, *, today_shift: float, new_status: bool = False, days: int = 35) -> None:
    rng = np.random.default_rng(9)
    store = open_store(store_url)
    contract = load_contract(CONTRACT)
    store.put_contract(contract, CONTRACT)
    for k in range(days, 0, -1):  # one stable batch a day, at 02:00
        _record(store, _batch(rng, 2_000), NOW - dt.timedelta(days=k) + dt.timedelta(hours=-4))
    _record(store, _batch(rng, 2_000, amount_shift=5.0), NOW - dt.timedelta(days=3), passed=False)  # blocked: ignored
    _record(store, _batch(rng, 2_000, amount_shift=today_shift, new_status=new_status), NOW - dt.timedelta(hours=3))
    store.close()


def _report(store_url: str, tmp_path: Path, *extra: str) -> tuple[int, dict, str]:
    out, js = tmp_path / "drift.html", tmp_path / "drift.json"
    code = main(["drift", "report", "--store", store_url, "--now", NOW.isoformat(), "--out", str(out),
                 "--json", str(js), *extra])
    doc = json.loads(js.read_text()) if js.exists() else {}
    return code, doc, out.read_text() if out.exists() else ""


def test_nightly_report_flags_the_drifted_column_and_exits_1(store_url: str, tmp_path: Path) -> None:
    _fill(store_url, today_shift=0.4, new_status=True)
    code, doc, page = _report(store_url, tmp_path)
    assert code == 1
    [ds] = doc["datasets"]
    assert ds["dataset"] == "raw.orders"
    assert ds["owners"] == ["checkout", "ana.silva"]
    assert ds["current_runs"] == 1 and ds["baseline_runs"] == 28  # the blocked run is not in the baseline
    assert ds["reference_rows"] == 28 * 2_000 and ds["current_rows"] == 2_000
    cols = {c["column"]: c for c in ds["columns"]}
    assert set(cols) == {"amount", "status", "country"}  # order_id is unique: an identifier
    assert cols["amount"]["findings"] == ["drift_detected"] and cols["amount"]["severity"] == "error"
    assert set(cols["status"]["findings"]) == {"drift_detected", "new_category"}
    assert cols["status"]["new_categories"][0]["value"] == "lost"
    assert cols["country"]["findings"] == [] and cols["country"]["severity"] == "info"
    history = cols["amount"]["history"]
    assert len(history) == 14 and history[-1]["day"] == "2026-11-24" and history[-1]["drifted"] is True
    assert all(h["score"] is not None and not h["drifted"] for h in history[:-1] if h["day"] != "2026-11-21")
    assert "plot" not in cols["amount"]  # plots are for the HTML only
    assert page.startswith("<!DOCTYPE html>") and 'id="c-raw-orders--amount"' in page
    assert "https://" not in page and "http://cdn" not in page  # self-contained


def test_stable_data_exits_0_and_narrow_window_finds_nothing(store_url: str, tmp_path: Path) -> None:
    _fill(store_url, today_shift=0.0)
    code, doc, page = _report(store_url, tmp_path)
    assert code == 0
    assert [c["column"] for d in doc["datasets"] for c in d["columns"] if c["findings"]] == []
    assert "No column drifted." in page
    code, doc, _ = _report(store_url, tmp_path, "--since", "1h")
    assert code == 0 and doc["datasets"] == []


def test_dataset_filter_and_bad_input(store_url: str, tmp_path: Path) -> None:
    _fill(store_url, today_shift=0.4, days=5)
    code, doc, _ = _report(store_url, tmp_path, "--dataset", "raw.customers")
    assert code == 0 and doc["datasets"] == []
    store = open_store(store_url)
    _record(store, _batch(np.random.default_rng(2), 500), NOW - dt.timedelta(hours=1), dataset="raw.newcomer")
    store.close()
    code, doc, page = _report(store_url, tmp_path, "--dataset", "raw.newcomer")
    assert code == 0 and [(d["dataset"], d["reason"], d["columns"]) for d in doc["datasets"]] == [
        ("raw.newcomer", "no_baseline", [])
    ]
    assert "No baseline yet" in page
    code, doc, _ = _report(store_url, tmp_path, "--dataset", "raw.orders", "--dataset", "orders", "--baseline", "3d")
    assert code == 1 and [d["dataset"] for d in doc["datasets"]] == ["raw.orders"]  # plain name = same dataset
    assert doc["datasets"][0]["baseline_runs"] == 3
    assert _report(store_url, tmp_path, "--since", "yesterday")[0] == 2
    assert _report(store_url, tmp_path, "--baseline", "4 weeks")[0] == 2
    assert _report(store_url, tmp_path, "--now", "tomorrow")[0] == 2
    assert _report(store_url, tmp_path, "--baseline", "run:nope")[0] == 2
    assert main(["drift", "report", "--store", store_url, "--out", str(tmp_path / "no" / "such" / "dir.html")]) == 2


def test_baselines_windows_and_pinned_runs(store_url: str, tmp_path: Path) -> None:
    _fill(store_url, today_shift=0.0, days=10)
    store = open_store(store_url)
    contract = load_contract(CONTRACT)
    obj = contract.dataset("raw.orders")
    try:
        found = load_baseline(store, contract, obj, NOW)
        assert found is not None and found.runs == 11 and found.profile.rows == 22_000  # 10 days + today, passed only
        assert resolve_baseline(store, contract, obj, NOW - dt.timedelta(days=60)) is None
        pinned = load_baseline(store, contract, obj, NOW, spec=f"run:{found.run_ids[0]}")
        assert pinned is not None and pinned.runs == 1 and pinned.profile.rows == 2_000
        path = tmp_path / "ref.parquet"
        import pyarrow.parquet as pq

        pq.write_table(_batch(np.random.default_rng(1), 500), path)
        from_file = load_baseline(store, contract, obj, NOW, spec=f"file:{path}")
        assert from_file is not None and from_file.runs is None and from_file.profile.rows == 500
        with pytest.raises(BaselineError):
            load_baseline(store, contract, obj, NOW, spec="file:/nonexistent.parquet")
        with pytest.raises(BaselineError):
            load_baseline(store, contract, obj, NOW, spec="run:missing")
    finally:
        store.close()
    assert parse_window("24h") == dt.timedelta(hours=24) and parse_window("2w") == dt.timedelta(days=14)
    with pytest.raises(BaselineError):
        parse_window("0d")


def _synthetic_report(columns: int) -> dict:
    rng = np.random.default_rng(3)
    cols = []
    for i in range(columns):
        numeric = i % 2 == 0
        plot = ({"type": "bins", "edges": list(np.linspace(0, 100, 11)), "reference": [0.1] * 10,
                 "current": list(rng.dirichlet(np.ones(10)))} if numeric else
                {"type": "bars", "labels": [f"cat{j}" for j in range(21)], "reference": list(rng.dirichlet(np.ones(21))),
                 "current": list(rng.dirichlet(np.ones(21)))})
        cols.append({
            "column": f"col_{i:02d}<&>", "kind": "numeric" if numeric else "categorical", "method": "psi",
            "score": 0.2 + i / 100, "threshold": 0.1, "drifted": True, "severity": "error" if i % 3 else "warning",
            "reason": "drift_detected", "findings": ["drift_detected"], "rule": f"r{i}",
            "statistics": {"psi": 0.2, "js_distance": 0.1, "ks_statistic": 0.1, "chi2_pvalue": 1e-9},
            "reference_rows": 1000, "current_rows": 100, "reference_values": 1000, "current_values": 100,
            "null_share_reference": 0.0, "null_share_current": 0.01,
            "new_categories": [{"value": "x", "share": 0.02, "count": 2}], "vanished_categories": [],
            "plot": plot,
            "history": [{"day": f"2026-11-{d:02d}", "score": float(rng.random() * 0.3), "drifted": d == 24}
                        for d in range(11, 25)],
        })
    return {"now": NOW.isoformat(), "since": "24h", "baseline": "28d", "generated_at": NOW.isoformat(),
            "datasets": [{"dataset": "raw.wide", "owners": ["team <a>"], "contract": {"id": "w", "version": "1"},
                          "reference_rows": 1000, "current_rows": 100, "baseline_runs": 28, "current_runs": 1,
                          "row_count_changed": False, "columns": cols}]}


def test_report_for_50_drifted_columns_is_small_and_escaped() -> None:
    page = render_drift_report(_synthetic_report(50))
    assert len(page.encode()) < 2_000_000
    assert page.count('class="plot-dist"') == 50 and page.count('class="plot-trend"') == 50
    assert "col_07&lt;&amp;&gt;" in page and "<&>" not in page and "team &lt;a&gt;" in page
    # every drifted column is linked from the summary, worst first (errors before warnings)
    links = re.findall(r'<td><a href="#(c-raw-wide--col_\d\d[^"]*)">', page)
    assert len(links) == 100 and all(f'id="{link}"' in page for link in links)  # summary + dataset table
    summary = links[:50]
    assert summary[0] == "c-raw-wide--col_49" and summary[33] == "c-raw-wide--col_48"  # 33 errors, then warnings


@pytest.mark.browser
def test_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    if os.environ.get("PACTLINE_SKIP_BROWSER") == "1":
        pytest.skip("PACTLINE_SKIP_BROWSER=1")
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    assert Path(chromium).exists(), "chromium is missing: run scripts/install-chromium.sh (or set PACTLINE_SKIP_BROWSER=1)"
    page = tmp_path / "report.html"
    page.write_text(render_drift_report(_synthetic_report(6)), encoding="utf-8")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--virtual-time-budget=2000"]

    def run(*extra: str) -> subprocess.CompletedProcess[str]:
        profile = tmp_path / f"chrome-{len(list(tmp_path.iterdir()))}"
        return subprocess.run([chromium, *flags, f"--user-data-dir={profile}", *extra, page.as_uri()],
                              capture_output=True, text=True, timeout=120, check=False)

    dom = run("--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    # 6 columns x (2 distribution series + 1 trend line), each with a non-empty box as laid out by the browser
    assert re.search(r'<body[^>]*data-drawn="18"', dom.stdout), dom.stdout[:500]
    assert dom.stdout.count("<path") >= 6 * 4
    shot = tmp_path / "report.png"
    result = run(f"--screenshot={shot}", "--window-size=1200,1600")
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    keep = os.environ.get("PACTLINE_KEEP_SCREENSHOT")
    if keep:
        shutil.copy(shot, keep)
