"""``Store``: validation runs (with results and profiles) and the contracts registry.

Every method returns plain JSON-ready dicts (times as ISO 8601 text, UTC), except ``profiles``,
which hands back real ``DatasetProfile`` objects and datetimes for drift.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from service.store import schema
from service.store.engine import WRITE, StoreError, display_url
from service.store.jsonsafe import json_safe

if TYPE_CHECKING:
    from checks.results import Report
    from contracts import Contract

__all__ = ["MAX_LIMIT", "InvalidCursorError", "RunExistsError", "Store", "version_key"]

MAX_LIMIT = 1000


class RunExistsError(ValueError):
    """A run with this id is already recorded (runs are written once)."""


class InvalidCursorError(ValueError):
    """A pagination cursor that this store did not hand out."""


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None or value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC) if value is not None else None
    return value.astimezone(dt.UTC)


def _iso(value: dt.datetime | None) -> str | None:
    return _utc(value).isoformat() if value is not None else None  # type: ignore[union-attr]


def version_key(version: str) -> tuple[tuple[int, int, str], ...]:
    """Order versions the way people read them: ``1.10.0`` after ``1.9.2``; text parts after numbers."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[.\-+_]", version) if p)


def contract_digest(contract: Contract) -> str:
    """sha256 of the contract's canonical form: reformatting the YAML does not change it."""
    canonical = contract.model_dump(mode="json", by_alias=True, exclude_none=True)
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _encode_cursor(started_at: dt.datetime, run_id: str) -> str:
    raw = json.dumps([_iso(started_at), run_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[dt.datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        stamp, run_id = json.loads(raw)
        return _utc(dt.datetime.fromisoformat(stamp)), str(run_id)  # type: ignore[return-value]
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise InvalidCursorError(f"invalid cursor {cursor[:40]!r}: pass the next_cursor of a previous page") from None


class Store:
    """Runs and contracts on one SQLAlchemy engine. Open it with ``service.store.open_store``."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    # -- connections ---------------------------------------------------------------------
    @contextlib.contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """One write transaction (on SQLite it takes the write lock at BEGIN); commits or rolls back."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(**{WRITE: True})
            with conn.begin():
                yield conn

    @contextlib.contextmanager
    def read(self) -> Iterator[sa.Connection]:
        with self.engine.connect() as conn:
            yield conn

    def ping(self) -> bool:
        """True when the store answers a query."""
        try:
            with self.read() as conn:
                conn.execute(sa.text("SELECT 1"))
            return True
        except sa.exc.SQLAlchemyError:
            return False

    def close(self) -> None:
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"Store({display_url(self.engine.url)!r})"

    # -- runs ----------------------------------------------------------------------------
    def record_run(self, report: Report) -> None:
        """Write the run, its results and its profile in one transaction (all or nothing)."""
        summary = report.to_dict()
        summary.pop("results", None)
        blocking = sum(1 for r in report.results if report.blocks(r))
        run_row = {
            "run_id": report.run_id,
            "dataset": report.dataset,
            "contract_id": report.contract_id,
            "contract_version": report.contract_version,
            "passed": report.passed,
            "rows": int(report.rows),
            "blocking": blocking,
            "fail_on": report.fail_on,
            "started_at": report.started_at,
            "finished_at": report.finished_at,
            "recorded_at": dt.datetime.now(dt.UTC),
            "source": report.source,
            "report": json_safe(summary),
            "extra": json_safe(report.extra) if report.extra else None,
        }
        result_rows = [
            {
                "run_id": report.run_id,
                "position": i,
                "rule": r.rule,
                "reason": r.reason,
                "kind": r.kind,
                "column": r.column,
                "severity": r.severity,
                "passed": r.passed,
                "failed_rows": int(r.failed_rows),
                "detail": json_safe(
                    {"observed": r.observed, "threshold": r.threshold, "samples": list(r.samples), "message": r.message}
                ),
            }
            for i, r in enumerate(report.results)
        ]
        profile = json_safe(report.profile.to_dict()) if report.profile is not None else None
        try:
            with self.write() as conn:
                conn.execute(schema.runs.insert(), run_row)
                if result_rows:
                    conn.execute(schema.run_results.insert(), result_rows)
                if profile is not None:
                    conn.execute(schema.run_profiles.insert(), {"run_id": report.run_id, "profile": profile})
        except sa.exc.IntegrityError as exc:
            if self._run_exists(report.run_id):
                raise RunExistsError(f"run {report.run_id} is already recorded") from None
            raise StoreError(f"could not record run {report.run_id}: {exc.orig}") from exc

    def _run_exists(self, run_id: str) -> bool:
        with self.read() as conn:
            return conn.execute(sa.select(schema.runs.c.run_id).where(schema.runs.c.run_id == run_id)).first() is not None

    @staticmethod
    def _summary(row: sa.Row[Any]) -> dict[str, Any]:
        return {
            "run_id": row.run_id,
            "dataset": row.dataset,
            "contract": {"id": row.contract_id, "version": row.contract_version},
            "passed": bool(row.passed),
            "rows": int(row.rows),
            "blocking": int(row.blocking),
            "fail_on": row.fail_on,
            "started_at": _iso(row.started_at),
            "finished_at": _iso(row.finished_at),
            "recorded_at": _iso(row.recorded_at),
            "source": row.source,
        }

    _SUMMARY_COLUMNS = (
        "run_id", "dataset", "contract_id", "contract_version", "passed", "rows", "blocking", "fail_on",
        "started_at", "finished_at", "recorded_at", "source",
    )

    def _summary_select(self) -> sa.Select[Any]:
        return sa.select(*(schema.runs.c[name] for name in self._SUMMARY_COLUMNS))

    def get_run(self, run_id: str) -> dict[str, Any] | None:
        """The run as ``Report.to_dict()`` gives it, plus source, recorded_at, extra and profile (dict or None)."""
        runs, results, profiles = schema.runs, schema.run_results, schema.run_profiles
        with self.read() as conn:
            row = conn.execute(sa.select(runs).where(runs.c.run_id == run_id)).first()
            if row is None:
                return None
            result_rows = conn.execute(
                sa.select(results).where(results.c.run_id == run_id).order_by(results.c.position)
            ).all()
            profile = conn.execute(sa.select(profiles.c.profile).where(profiles.c.run_id == run_id)).scalar()
        out = dict(row.report)
        out["results"] = [
            {
                "rule": r.rule, "reason": r.reason, "kind": r.kind, "column": r.column, "severity": r.severity,
                "passed": bool(r.passed), "observed": r.detail.get("observed"), "threshold": r.detail.get("threshold"),
                "failed_rows": int(r.failed_rows), "samples": r.detail.get("samples", []),
                "message": r.detail.get("message", ""),
            }
            for r in result_rows
        ]
        out["source"] = row.source
        out["recorded_at"] = _iso(row.recorded_at)
        out["extra"] = row.extra or {}
        out["profile"] = profile
        return out

    def _filtered(
        self,
        query: sa.Select[Any],
        dataset: str | None,
        passed: bool | None,
        since: dt.datetime | None,
        until: dt.datetime | None,
    ) -> sa.Select[Any]:
        runs = schema.runs
        if dataset is not None:
            query = query.where(runs.c.dataset == dataset)
        if passed is not None:
            query = query.where(runs.c.passed == passed)
        if since is not None:
            query = query.where(runs.c.started_at >= _utc(since))
        if until is not None:
            query = query.where(runs.c.started_at < _utc(until))
        return query

    def list_runs(
        self,
        dataset: str | None = None,
        passed: bool | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        limit: int = 100,
        cursor: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Run summaries, newest first (by ``started_at``, in ``[since, until)``); the next page's cursor or None."""
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
        runs = schema.runs
        query = self._filtered(self._summary_select(), dataset, passed, since, until)
        if cursor:
            stamp, run_id = _decode_cursor(cursor)
            stamp_db = stamp.astimezone(dt.UTC).replace(tzinfo=None)
            query = query.where(
                sa.or_(runs.c.started_at < stamp_db, sa.and_(runs.c.started_at == stamp_db, runs.c.run_id < run_id))
            )
        query = query.order_by(runs.c.started_at.desc(), runs.c.run_id.desc()).limit(limit + 1)
        with self.read() as conn:
            rows = conn.execute(query).all()
        page = rows[:limit]
        next_cursor = _encode_cursor(page[-1].started_at, page[-1].run_id) if len(rows) > limit else None
        return [self._summary(r) for r in page], next_cursor

    def count_runs(self, dataset: str | None = None) -> int:
        query = sa.select(sa.func.count()).select_from(schema.runs)
        if dataset is not None:
            query = query.where(schema.runs.c.dataset == dataset)
        with self.read() as conn:
            return int(conn.execute(query).scalar_one())

    def failed_runs(
        self, dataset: str, since: dt.datetime | None = None, until: dt.datetime | None = None
    ) -> list[dict[str, Any]]:
        """Summaries of the dataset's blocked runs that started in ``[since, until)``, oldest first."""
        query = self._filtered(self._summary_select(), dataset, False, since, until)
        query = query.order_by(schema.runs.c.started_at, schema.runs.c.run_id)
        with self.read() as conn:
            return [self._summary(r) for r in conn.execute(query).all()]

    def datasets_with_failed_runs(self) -> frozenset[str]:
        """Every dataset with at least one blocked run (one query: impact asks it once per store change)."""
        runs = schema.runs
        query = sa.select(runs.c.dataset).where(runs.c.passed == False).distinct()  # noqa: E712 (SQL, not Python)
        with self.read() as conn:
            return frozenset(conn.execute(query).scalars())

    def profiles(
        self,
        dataset: str,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        passed: bool | None = True,
    ) -> list[tuple[str, dt.datetime, Any]]:
        """``(run_id, started_at, DatasetProfile)`` of the dataset's runs in ``[since, until)``, oldest first."""
        from checks.profile import DatasetProfile  # the checks layer, loaded only when profiles are read

        runs, profiles = schema.runs, schema.run_profiles
        query = sa.select(runs.c.run_id, runs.c.started_at, profiles.c.profile).join(
            profiles, profiles.c.run_id == runs.c.run_id
        )
        query = self._filtered(query, dataset, passed, since, until).order_by(runs.c.started_at, runs.c.run_id)
        with self.read() as conn:
            rows = conn.execute(query).all()
        return [(r.run_id, _utc(r.started_at), DatasetProfile.from_dict(r.profile)) for r in rows]  # type: ignore[misc]

    # -- contracts registry ----------------------------------------------------------------
    def put_contract(self, contract: Contract, text: str) -> tuple[str, str]:
        """Register ``contract`` (loaded from ``text``): ``("created"|"unchanged"|"conflict", version)``.

        ``unchanged`` when this id and version already hold the same contract (compared on the
        canonical model, so formatting does not matter); ``conflict`` when they hold another one.
        """
        digest = contract_digest(contract)
        version = contract.version
        existing = self._contract_row(contract.id, version)
        if existing is not None:
            return ("unchanged" if existing.sha256 == digest else "conflict"), version
        fmt = "json" if text.lstrip().startswith(("{", "[")) else "yaml"
        names: dict[str, str] = {}
        for obj in contract.datasets:
            names.setdefault(obj.qualified_name, obj.name)
        try:
            with self.write() as conn:
                pk = conn.execute(
                    schema.contracts.insert().returning(schema.contracts.c.pk),
                    {
                        "contract_id": contract.id, "version": version, "content": text, "format": fmt,
                        "sha256": digest, "created_at": dt.datetime.now(dt.UTC),
                    },
                ).scalar_one()
                if names:
                    conn.execute(
                        schema.contract_datasets.insert(),
                        [{"contract_pk": pk, "dataset": q, "name": n} for q, n in names.items()],
                    )
        except sa.exc.IntegrityError:  # registered concurrently by someone else
            existing = self._contract_row(contract.id, version)
            if existing is None:
                raise
            return ("unchanged" if existing.sha256 == digest else "conflict"), version
        return "created", version

    def _contract_row(self, contract_id: str, version: str) -> sa.Row[Any] | None:
        c = schema.contracts
        with self.read() as conn:
            return conn.execute(sa.select(c).where(c.c.contract_id == contract_id, c.c.version == version)).first()

    def _datasets_of(self, conn: sa.Connection, pks: list[int]) -> dict[int, list[str]]:
        cd = schema.contract_datasets
        out: dict[int, list[str]] = {pk: [] for pk in pks}
        if pks:
            for row in conn.execute(sa.select(cd.c.contract_pk, cd.c.dataset).where(cd.c.contract_pk.in_(pks))):
                out[row.contract_pk].append(row.dataset)
        return {pk: sorted(v) for pk, v in out.items()}

    @staticmethod
    def _latest(rows: Sequence[Any]) -> Any:
        return max(rows, key=lambda r: (version_key(r.version), r.pk))

    def get_contract(self, contract_id: str, version: str | None = None) -> dict[str, Any] | None:
        """One version (the latest when ``version`` is None): id, version, format, sha256, created_at,
        datasets, content (the registered text) and versions (every registered version, oldest first)."""
        c = schema.contracts
        with self.read() as conn:
            rows = conn.execute(sa.select(c).where(c.c.contract_id == contract_id)).all()
            if not rows:
                return None
            if version is None:
                row = self._latest(rows)
            else:
                matching = [r for r in rows if r.version == version]
                if not matching:
                    return None
                row = matching[0]
            datasets = self._datasets_of(conn, [row.pk])[row.pk]
        return {
            "id": row.contract_id,
            "version": row.version,
            "format": row.format,
            "sha256": row.sha256,
            "created_at": _iso(row.created_at),
            "datasets": datasets,
            "content": row.content,
            "versions": [v["version"] for v in self._versions(rows)],
        }

    @staticmethod
    def _versions(rows: Sequence[Any]) -> list[dict[str, Any]]:
        ordered = sorted(rows, key=lambda r: (version_key(r.version), r.pk))
        return [{"version": r.version, "sha256": r.sha256, "created_at": _iso(r.created_at)} for r in ordered]

    def contract_versions(self, contract_id: str) -> list[dict[str, Any]]:
        """Every version of a contract, oldest first: ``{"version", "sha256", "created_at"}``."""
        c = schema.contracts
        with self.read() as conn:
            rows = conn.execute(sa.select(c.c.pk, c.c.version, c.c.sha256, c.c.created_at).where(
                c.c.contract_id == contract_id)).all()
        return self._versions(rows)

    def list_contracts(self) -> list[dict[str, Any]]:
        """Each registered contract's latest version: id, version, sha256, created_at, datasets, versions."""
        c = schema.contracts
        with self.read() as conn:
            rows = conn.execute(sa.select(c.c.pk, c.c.contract_id, c.c.version, c.c.sha256, c.c.created_at)).all()
            by_id: dict[str, list[Any]] = {}
            for r in rows:
                by_id.setdefault(r.contract_id, []).append(r)
            latest = {cid: self._latest(group) for cid, group in by_id.items()}
            datasets = self._datasets_of(conn, [r.pk for r in latest.values()])
        return [
            {
                "id": cid,
                "version": row.version,
                "sha256": row.sha256,
                "created_at": _iso(row.created_at),
                "datasets": datasets[row.pk],
                "versions": [v["version"] for v in self._versions(by_id[cid])],
            }
            for cid, row in sorted(latest.items())
        ]

    def contract_for_dataset(self, dataset: str) -> dict[str, Any] | None:
        """The latest registered contract naming ``dataset`` (qualified name, else plain name), as get_contract."""
        c, cd = schema.contracts, schema.contract_datasets
        with self.read() as conn:
            for column in (cd.c.dataset, cd.c.name):
                rows = conn.execute(
                    sa.select(c.c.pk, c.c.contract_id, c.c.version).join(cd, cd.c.contract_pk == c.c.pk).where(column == dataset)
                ).all()
                if rows:
                    break
            else:
                return None
        newest_id = max(rows, key=lambda r: r.pk).contract_id
        row = self._latest([r for r in rows if r.contract_id == newest_id])
        return self.get_contract(row.contract_id, row.version)
