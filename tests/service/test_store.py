"""The store on SQLite and PostgreSQL: runs (one transaction each), pagination, contracts registry."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from checks.results import Report, RuleResult
from contracts import load_contract
from service.store import InvalidCursorError, RunExistsError, Store, StoreError, open_store, schema
from service.store.migrate import HEAD, alembic_config, head_revisions

T0 = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)

CONTRACT = """\
apiVersion: v3.1.0
kind: DataContract
id: orders
version: {version}
status: active
schema:
  - name: orders
    physicalName: raw.orders
    properties:
      - name: order_id
        logicalType: integer
        required: true
      - name: amount
        logicalType: {amount_type}
"""


class FakeProfile:
    """Stands in for checks.profile.DatasetProfile on the write path: the store only calls to_dict()."""

    def __init__(self, rows: int) -> None:
        self.rows = rows

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "columns": {"amount": {"count": self.rows, "nulls": 0, "mean": float("nan")}}}


def make_report(
    run_id: str,
    *,
    dataset: str = "raw.orders",
    passed: bool = True,
    started: dt.datetime = T0,
    profile: Any = None,
    extra: dict[str, Any] | None = None,
) -> Report:
    results = (
        RuleResult("orders.order_id.required", "required", "completeness", "order_id", "error", True,
                   observed=0, threshold=0),
        RuleResult("orders.amount.quality[0]", "null_values", "completeness", "amount", "error", passed,
                   observed=0 if passed else 3, threshold=0, failed_rows=0 if passed else 3,
                   samples=() if passed else ({"order_id": 7, "amount": None, "at": T0},)),
        RuleResult("orders.amount.drift", "drift_psi", "drift", "amount", "warning", False, observed=0.31,
                   threshold=0.2),
    )
    return Report(
        run_id=run_id, dataset=dataset, contract_id="orders", contract_version="1.0.0", rows=10,
        started_at=started, finished_at=started + dt.timedelta(seconds=2), results=results,
        profile=profile, source="batch.parquet", extra=extra or {},
    )


@pytest.fixture
def store(store_url: str) -> Store:
    s = open_store(store_url)
    yield s
    s.close()


def count(store: Store, table: sa.Table) -> int:
    with store.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


# -- runs -------------------------------------------------------------------------------------

def test_record_and_get_run_round_trips_report_results_and_profile(store: Store) -> None:
    report = make_report("r1", passed=False, profile=FakeProfile(10), extra={"quarantine": Path("/q/r1")})
    store.record_run(report)

    got = store.get_run("r1")
    assert got is not None
    expected = report.to_dict()
    expected["results"][1]["samples"] = [{"order_id": 7, "amount": None, "at": T0.isoformat()}]
    for key, value in expected.items():
        assert got[key] == value, key
    assert got["passed"] is False
    assert got["source"] == "batch.parquet"
    assert got["extra"] == {"quarantine": "/q/r1"}
    assert got["profile"] == {"rows": 10, "columns": {"amount": {"count": 10, "nulls": 0, "mean": "nan"}}}
    assert (count(store, schema.runs), count(store, schema.run_results), count(store, schema.run_profiles)) == (1, 3, 1)
    assert store.get_run("nope") is None


def test_run_without_profile_has_none(store: Store) -> None:
    store.record_run(make_report("r1"))
    got = store.get_run("r1")
    assert got is not None and got["profile"] is None
    assert count(store, schema.run_profiles) == 0


def test_failure_between_inserts_leaves_no_partial_run(store: Store) -> None:
    def explode(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO RUN_RESULTS"):
            raise RuntimeError("disk on fire")

    sa.event.listen(store.engine, "before_cursor_execute", explode)
    try:
        with pytest.raises(RuntimeError):
            store.record_run(make_report("r1", profile=FakeProfile(10)))
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", explode)
    assert store.get_run("r1") is None
    assert (count(store, schema.runs), count(store, schema.run_results), count(store, schema.run_profiles)) == (0, 0, 0)

    store.record_run(make_report("r1", profile=FakeProfile(10)))  # the same run goes in cleanly afterwards
    assert (count(store, schema.runs), count(store, schema.run_results), count(store, schema.run_profiles)) == (1, 3, 1)


def test_failure_on_profile_insert_rolls_back_run_and_results(store: Store) -> None:
    def explode(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO RUN_PROFILES"):
            raise RuntimeError("disk on fire")

    sa.event.listen(store.engine, "before_cursor_execute", explode)
    try:
        with pytest.raises(RuntimeError):
            store.record_run(make_report("r1", profile=FakeProfile(10)))
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", explode)
    assert (count(store, schema.runs), count(store, schema.run_results), count(store, schema.run_profiles)) == (0, 0, 0)


def test_a_run_is_recorded_once(store: Store) -> None:
    store.record_run(make_report("r1", passed=True))
    with pytest.raises(RunExistsError):
        store.record_run(make_report("r1", passed=False))
    got = store.get_run("r1")
    assert got is not None and got["passed"] is True
    assert count(store, schema.run_results) == 3


def fill(store: Store) -> list[str]:
    ids = []
    for i in range(7):
        run_id = f"run-{i:02d}"
        ids.append(run_id)
        store.record_run(make_report(run_id, passed=i % 3 != 0, started=T0 + dt.timedelta(days=i),
                                     dataset="raw.orders" if i < 6 else "raw.customers"))
    return ids


def test_list_runs_pages_newest_first_without_gaps_or_repeats(store: Store) -> None:
    ids = fill(store)
    seen: list[str] = []
    cursor = None
    pages = []
    while True:
        page, cursor = store.list_runs(limit=3, cursor=cursor)
        pages.append(len(page))
        seen.extend(r["run_id"] for r in page)
        if cursor is None:
            break
    assert pages == [3, 3, 1]
    assert seen == list(reversed(ids))


def test_list_runs_pages_through_equal_start_times(store: Store) -> None:
    for i in range(5):
        store.record_run(make_report(f"same-{i}", started=T0))
    first, cursor = store.list_runs(limit=2)
    second, cursor2 = store.list_runs(limit=2, cursor=cursor)
    third, cursor3 = store.list_runs(limit=2, cursor=cursor2)
    assert [r["run_id"] for r in first + second + third] == ["same-4", "same-3", "same-2", "same-1", "same-0"]
    assert cursor3 is None


def test_list_runs_filters(store: Store) -> None:
    fill(store)
    by_dataset, _ = store.list_runs(dataset="raw.customers")
    assert [r["run_id"] for r in by_dataset] == ["run-06"]
    failed, _ = store.list_runs(passed=False)
    assert [r["run_id"] for r in failed] == ["run-06", "run-03", "run-00"]
    window, _ = store.list_runs(since=T0 + dt.timedelta(days=2), until=T0 + dt.timedelta(days=4))
    assert [r["run_id"] for r in window] == ["run-03", "run-02"]
    summary = window[0]
    assert summary == {
        "run_id": "run-03", "dataset": "raw.orders", "contract": {"id": "orders", "version": "1.0.0"},
        "passed": False, "rows": 10, "blocking": 1, "fail_on": "error",
        "started_at": (T0 + dt.timedelta(days=3)).isoformat(),
        "finished_at": (T0 + dt.timedelta(days=3, seconds=2)).isoformat(),
        "recorded_at": summary["recorded_at"], "source": "batch.parquet",
    }
    assert dt.datetime.fromisoformat(summary["recorded_at"]).tzinfo is not None
    # a naive bound is read as UTC; an aware one in another zone is converted
    cet = dt.timezone(dt.timedelta(hours=2))
    aware, _ = store.list_runs(since=(T0 + dt.timedelta(days=5)).astimezone(cet))
    naive, _ = store.list_runs(since=(T0 + dt.timedelta(days=5)).replace(tzinfo=None))
    assert [r["run_id"] for r in aware] == [r["run_id"] for r in naive] == ["run-06", "run-05"]


def test_list_runs_rejects_bad_cursor_and_limit(store: Store) -> None:
    with pytest.raises(InvalidCursorError):
        store.list_runs(cursor="not-a-cursor")
    with pytest.raises(ValueError):
        store.list_runs(limit=0)
    with pytest.raises(ValueError):
        store.list_runs(limit=1001)


def test_failed_runs_in_window_oldest_first(store: Store) -> None:
    fill(store)
    assert [r["run_id"] for r in store.failed_runs("raw.orders")] == ["run-00", "run-03"]
    assert [r["run_id"] for r in store.failed_runs("raw.orders", T0 + dt.timedelta(days=1), None)] == ["run-03"]
    assert store.failed_runs("raw.orders", T0 + dt.timedelta(days=1), T0 + dt.timedelta(days=3)) == []
    assert store.count_runs() == 7 and store.count_runs("raw.orders") == 6


def test_profiles_come_back_as_dataset_profiles(store: Store) -> None:
    profile_mod = pytest.importorskip("checks.profile", reason="checks/profile.py has not landed")
    import pyarrow as pa

    prof = profile_mod.DatasetProfile()
    prof.update(pa.record_batch({"amount": pa.array([1.0, 2.0, None])}))
    for i, passed in enumerate([True, False, True]):
        store.record_run(make_report(f"p{i}", passed=passed, started=T0 + dt.timedelta(days=i), profile=prof))
    got = store.profiles("raw.orders")
    assert [(run_id, started) for run_id, started, _ in got] == [("p0", T0), ("p2", T0 + dt.timedelta(days=2))]
    assert got[0][2].rows == 3
    assert [r for r, _, _ in store.profiles("raw.orders", passed=None)] == ["p0", "p1", "p2"]
    assert [r for r, _, _ in store.profiles("raw.orders", since=T0 + dt.timedelta(days=1))] == ["p2"]


# -- contracts registry -----------------------------------------------------------------------

def put(store: Store, version: str, amount_type: str = "number", text: str | None = None) -> tuple[str, str]:
    text = text or CONTRACT.format(version=version, amount_type=amount_type)
    return store.put_contract(load_contract(text), text)


def test_put_contract_created_unchanged_conflict(store: Store) -> None:
    assert put(store, "1.0.0") == ("created", "1.0.0")
    assert put(store, "1.0.0") == ("unchanged", "1.0.0")
    # reformatted text, same contract: unchanged
    as_json = json.dumps(load_contract(CONTRACT.format(version="1.0.0", amount_type="number")).model_dump(
        mode="json", by_alias=True, exclude_none=True))
    assert put(store, "1.0.0", text=as_json) == ("unchanged", "1.0.0")
    assert put(store, "1.0.0", amount_type="integer") == ("conflict", "1.0.0")
    assert put(store, "1.10.0", amount_type="integer") == ("created", "1.10.0")
    assert put(store, "1.9.0") == ("created", "1.9.0")
    assert count(store, schema.contracts) == 3


def test_get_and_list_contracts(store: Store) -> None:
    put(store, "1.0.0")
    put(store, "1.10.0", amount_type="integer")
    put(store, "1.9.0")
    latest = store.get_contract("orders")
    assert latest is not None
    assert (latest["id"], latest["version"], latest["format"], latest["datasets"]) == (
        "orders", "1.10.0", "yaml", ["raw.orders"])
    assert latest["versions"] == ["1.0.0", "1.9.0", "1.10.0"]
    assert "logicalType: integer" in latest["content"].split("amount")[1]
    assert len(latest["sha256"]) == 64
    old = store.get_contract("orders", "1.0.0")
    assert old is not None and old["version"] == "1.0.0" and old["sha256"] != latest["sha256"]
    assert store.get_contract("orders", "2.0.0") is None
    assert store.get_contract("nope") is None
    assert [v["version"] for v in store.contract_versions("orders")] == ["1.0.0", "1.9.0", "1.10.0"]
    assert store.contract_versions("nope") == []
    listed = store.list_contracts()
    assert [(c["id"], c["version"], c["datasets"], c["versions"]) for c in listed] == [
        ("orders", "1.10.0", ["raw.orders"], ["1.0.0", "1.9.0", "1.10.0"])]


def test_contract_for_dataset_by_qualified_or_plain_name(store: Store) -> None:
    assert store.contract_for_dataset("raw.orders") is None
    put(store, "1.0.0")
    put(store, "2.0.0")
    for name in ("raw.orders", "orders"):
        found = store.contract_for_dataset(name)
        assert found is not None and (found["id"], found["version"]) == ("orders", "2.0.0")
    assert store.contract_for_dataset("raw.customers") is None


# -- opening ----------------------------------------------------------------------------------

def test_reopening_keeps_data_and_schema(store_url: str) -> None:
    first = open_store(store_url)
    first.record_run(make_report("r1"))
    first.close()
    second = open_store(store_url)
    assert second.get_run("r1") is not None
    with second.read() as conn:
        versions = set(conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars())
    assert versions == head_revisions()
    second.close()


def test_known_head_is_the_head_of_the_migration_scripts() -> None:
    # a store at HEAD opens without Alembic; a new migration must move HEAD with it
    assert head_revisions() == HEAD


def test_store_at_an_older_revision_is_migrated_on_open(tmp_path: Path) -> None:
    from alembic import command

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        command.upgrade(alembic_config(conn), "0001")
        conn.commit()
    with engine.connect() as conn:
        assert set(conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars()) == {"0001"}
        assert not sa.inspect(conn).has_table("lineage_edges")
    engine.dispose()
    store = open_store(url)
    try:
        store.record_run(make_report("r1"))
        with store.read() as conn:
            assert set(conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars()) == HEAD
            assert sa.inspect(conn).has_table("lineage_edges")
        assert store.get_run("r1") is not None
    finally:
        store.close()


def test_opening_a_sqlite_store_at_head_loads_neither_alembic_nor_the_postgresql_dialect(tmp_path: Path) -> None:
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'head.db'}"
    open_store(url).close()  # created and migrated here
    probe = ("import sys; from service.store import open_store; s = open_store(sys.argv[1]); s.close(); "
             "print(sorted(m for m in sys.modules if m.startswith(('alembic', 'sqlalchemy.dialects.postgresql'))))")
    out = subprocess.run([sys.executable, "-c", probe, url], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == "[]"


def test_default_store_comes_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PACTLINE_STORE", raising=False)
    default = open_store()
    assert (tmp_path / ".pactline" / "pactline.db").is_file()
    default.close()
    monkeypatch.setenv("PACTLINE_STORE", str(tmp_path / "elsewhere" / "x.db"))
    by_env = open_store()
    assert (tmp_path / "elsewhere" / "x.db").is_file()
    assert by_env.engine.url.database == str(tmp_path / "elsewhere" / "x.db")
    by_env.close()


def test_sqlite_store_runs_in_wal_mode(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'w.db'}")
    with store.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    store.close()


def test_bad_urls_raise_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError):
        open_store("mysql://x@localhost/db")
    with pytest.raises(StoreError):
        open_store("postgresql+psycopg://nobody:secret@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(StoreError) as info:
        open_store("postgresql+psycopg://nobody:secret@127.0.0.1:1/none?connect_timeout=2")
    assert "secret" not in str(info.value)


def test_concurrent_writers_and_readers(store_url: str) -> None:
    """Threads with their own store objects write and read at once: every run lands, nothing fails."""
    open_store(store_url).close()
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        store = open_store(store_url)
        try:
            for i in range(10):
                store.record_run(make_report(f"w{worker}-{i}", profile=FakeProfile(i)))
                store.list_runs(limit=5)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            store.close()

    threads = [threading.Thread(target=work, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    store = open_store(store_url)
    assert store.count_runs() == 60
    assert count(store, schema.run_results) == 180
    store.close()
