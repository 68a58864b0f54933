"""``pactline lineage``: add SQL / OpenLineage / contract lineage to the store, ask impact and root cause.

Exit codes: 0 done; 1 problems found (some SQL statements or events could not be read — the others were
added); 2 bad input or usage (missing file, unknown dialect, unknown field, bad time), one line on stderr.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

__all__ = ["lineage"]

STORE = click.option("--store", "store_url", envvar="PACTLINE_STORE", default=None, metavar="URL",
                     help="SQLAlchemy URL of the store (default: $PACTLINE_STORE, else .pactline/pactline.db).")


def _fail(message: str) -> NoReturn:
    click.echo(f"pactline: {message}", err=True)
    sys.exit(2)


def _open(store_url: str | None) -> Any:
    from service.store import StoreError, open_store

    try:
        return open_store(store_url)
    except StoreError as exc:
        _fail(str(exc))


def _contracts(directory: str | None) -> list[Any]:
    if directory is None:
        return []
    from contracts import ContractError, load_contract

    path = Path(directory)
    files = sorted([*path.glob("*.yaml"), *path.glob("*.yml")]) if path.is_dir() else [path]
    if not files or not all(f.is_file() for f in files):
        _fail(f"{directory}: no contract files (*.yaml) there")
    out = []
    for f in files:
        try:
            out.append(load_contract(f, name=str(f)))
        except ContractError as exc:
            first = exc.problems[0]
            _fail(f"{first}; run `pactline contract lint {f}`")
    return out


def _schema(path: str | None) -> dict[str, dict[str, str]] | None:
    if path is None:
        return None
    try:
        data = json.loads(Path(path).read_text())
    except OSError as exc:
        _fail(f"{path}: cannot read the schema file: {exc.strerror or exc}")
    except json.JSONDecodeError as exc:
        _fail(f"{path}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}")
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        _fail(f"{path}: a schema file is {{\"table\": {{\"column\": \"type\"}}}}")
    return {str(t): {str(c): str(ty) for c, ty in cols.items()} for t, cols in data.items()}


def _time(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    from lineage import to_epoch

    try:
        to_epoch(value)
    except (ValueError, TypeError):
        _fail(f"{option} {value!r} is not an ISO 8601 time such as 2026-07-01 or 2026-07-01T00:00:00Z")
    return value


@click.group("lineage")
def lineage() -> None:
    """Column-level lineage with time: build it from SQL, OpenLineage events and contracts; ask impact.

    \b
    Examples:
      pactline lineage add-sql examples/sql/pipeline.sql --dialect duckdb --contracts examples/contracts
      pactline lineage ingest events.jsonl
      pactline lineage impact raw.orders.amount --since 2026-07-01 --until 2026-09-30
      pactline lineage upstream features.customer_spend.total_spend_eur_30d --format json
      pactline lineage show features.customer_spend --format mermaid
    """


@lineage.command("add-sql")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--dialect", default="duckdb", show_default=True,
              help="sqlglot dialect: duckdb, postgres, snowflake, bigquery, spark, mysql, ...")
@click.option("--contracts", "contracts_dir", default=None, metavar="DIR",
              help="Contracts whose schemas resolve *, t.* and unqualified columns (and give owners, features).")
@click.option("--schema", "schema_file", default=None, metavar="FILE",
              help='A JSON schema file {"raw.orders": {"amount": "double"}} (wins over the contracts).')
@click.option("--job", default=None, help="Job name for every statement (default: sql:<target table>).")
@click.option("--as-of", "as_of", default=None, metavar="TIMESTAMP",
              help="When this SQL version took effect (default: now). Edges its job no longer makes are "
                   "retired at this time.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@STORE
def add_sql(files: tuple[str, ...], dialect: str, contracts_dir: str | None, schema_file: str | None,
            job: str | None, as_of: str | None, fmt: str, store_url: str | None) -> None:
    """Add the column lineage of SQL files (statements separated by ';').

    Statements that cannot be resolved are listed as file:line:col: message [code]; the others are
    added. Exit codes: 0 every statement loaded, 1 some could not be resolved, 2 bad input.
    """
    from lineage import check_dialect
    from service import lineage_ops

    try:
        check_dialect(dialect)
    except ValueError as exc:
        _fail(str(exc))
    texts = []
    for f in files:
        try:
            texts.append((f, Path(f).read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            _fail(f"{f}: cannot read the SQL file: {getattr(exc, 'strerror', None) or exc}")
    contracts = _contracts(contracts_dir)
    schema = _schema(schema_file)
    _time(as_of, "--as-of")
    store = _open(store_url)
    results = []
    try:
        for name, text in texts:
            results.append((name, lineage_ops.add_sql(store, text, dialect=dialect, schema=schema,
                                                      contracts=contracts, job=job, as_of=as_of, file=name)))
    finally:
        store.close()
    problems = [p for _, r in results for p in r.problems]
    if fmt == "json":
        click.echo(json.dumps({"files": [{"file": n, **r.to_dict()} for n, r in results]}, indent=2))
    else:
        for p in problems:
            click.echo(str(p))
        for name, r in results:
            click.echo(f"{name}: {r.statements} statement(s), {r.edges_added} new edge(s) "
                       f"({r.edges_seen} seen, {r.retired} retired), {len(r.problems)} problem(s)", err=True)
    sys.exit(1 if problems else 0)


@lineage.command("add-contracts")
@click.argument("directory", metavar="DIR|FILE")
@click.option("--as-of", "as_of", default=None, metavar="TIMESTAMP")
@STORE
def add_contracts(directory: str, as_of: str | None, store_url: str | None) -> None:
    """Datasets, owners, feature sets and transformSourceObjects/transformLogic lineage of contracts."""
    from service import lineage_ops

    contracts = _contracts(directory)
    _time(as_of, "--as-of")
    store = _open(store_url)
    try:
        r = lineage_ops.add_contracts_lineage(store, contracts, as_of=as_of)
    finally:
        store.close()
    for p in r.problems:
        click.echo(str(p))
    click.echo(f"{len(contracts)} contract(s): {r.edges_added} new edge(s), {len(r.problems)} problem(s)", err=True)
    sys.exit(1 if r.problems else 0)


@lineage.command("ingest")
@click.argument("path", metavar="EVENTS.json|EVENTS.jsonl")
@STORE
def ingest(path: str, store_url: str | None) -> None:
    """Add OpenLineage run events (a JSON event, a JSON array, or one event per line).

    Exit codes: 0 all events read, 1 some events could not be used, 2 the file cannot be read.
    """
    from service import lineage_ops

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"{path}: cannot read the events: {getattr(exc, 'strerror', None) or exc}")
    events: list[Any] = []
    try:
        if path.endswith(".jsonl"):
            for n, line in enumerate(text.splitlines(), 1):
                if line.strip():
                    try:
                        events.append(json.loads(line))
                    except json.JSONDecodeError as exc:
                        _fail(f"{path}:{n}:{exc.colno}: not JSON: {exc.msg}")
        else:
            data = json.loads(text)
            events = data if isinstance(data, list) else [data]
    except json.JSONDecodeError as exc:
        _fail(f"{path}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}")
    store = _open(store_url)
    try:
        r = lineage_ops.ingest_events(store, events)
    finally:
        store.close()
    for p in r.problems:
        click.echo(f"{path}: event {p.statement}: {p.message} [{p.code}]")
    click.echo(f"{r.events} event(s), {r.runs} run(s), {r.edges_added} new edge(s), "
               f"{len(r.failed_assertions)} failed assertion(s)", err=True)
    sys.exit(1 if r.problems else 0)


def _query_options(f: Any) -> Any:
    for opt in reversed([
        click.option("--since", default=None, metavar="TIME", help="Only edges that held at or after this time."),
        click.option("--until", default=None, metavar="TIME", help="Only edges that held at or before this time."),
        click.option("--depth", type=click.IntRange(min=1), default=None, help="Most hops to follow."),
        click.option("--kind", "kinds", type=click.Choice(["value", "filter"]), multiple=True,
                     help="Edge kinds (repeatable; default both)."),
        click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True),
        STORE,
    ]):
        f = opt(f)
    return f


def _run_query(field: str, direction: str, since: str | None, until: str | None, depth: int | None,
               kinds: Sequence[str], fmt: str, store_url: str | None) -> None:
    from lineage import UnknownField
    from service import lineage_ops

    _time(since, "--since")
    _time(until, "--until")
    store = _open(store_url)
    try:
        result = lineage_ops.impact(store, field, since=since, until=until, depth=depth,
                                    kinds=tuple(kinds) or ("value", "filter"), direction=direction)
    except UnknownField as exc:
        _fail(str(exc))
    except ValueError as exc:
        _fail(str(exc))
    finally:
        store.close()
    if fmt == "json":
        click.echo(json.dumps(result, indent=2))
    else:
        click.echo(render_text(result))
    sys.exit(0)


@lineage.command("impact")
@click.argument("field", metavar="DATASET.COLUMN")
@_query_options
def impact(field: str, since: str | None, until: str | None, depth: int | None, kinds: tuple[str, ...],
           fmt: str, store_url: str | None) -> None:
    """Every downstream column, table and feature that used FIELD, with paths, owners and failed runs.

    JSON output is the shape documented in docs/lineage.md. Exit 2 for an unknown field (near matches named).
    """
    _run_query(field, "downstream", since, until, depth, kinds, fmt, store_url)


@lineage.command("upstream")
@click.argument("field", metavar="DATASET.COLUMN")
@_query_options
def upstream(field: str, since: str | None, until: str | None, depth: int | None, kinds: tuple[str, ...],
             fmt: str, store_url: str | None) -> None:
    """Root-cause candidates of FIELD: every column it was computed from (value) or filtered by (filter)."""
    _run_query(field, "upstream", since, until, depth, kinds, fmt, store_url)


@lineage.command("show")
@click.argument("dataset")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "mermaid"]), default="text", show_default=True)
@STORE
def show(dataset: str, fmt: str, store_url: str | None) -> None:
    """A dataset's columns with their inputs and outputs."""
    from service import lineage_ops

    store = _open(store_url)
    try:
        try:
            data = lineage_ops.dataset_lineage(store, dataset)
        except KeyError:
            _fail(f"no lineage is known for dataset {dataset!r}; add SQL, events or contracts first")
    finally:
        store.close()
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
    elif fmt == "mermaid":
        click.echo(render_mermaid(data))
    else:
        click.echo(render_dataset_text(data))


# --- renderings -------------------------------------------------------------------------------------------


def _hit_label(hit: dict[str, Any]) -> str:
    tags = [hit["kind"]]
    if hit["is_feature"]:
        tags.append("feature")
    if hit["column"] is None:
        tags.append("column unknown")
    job = hit["path"][-1]["job"] if hit["path"] else ""
    owners = f"  owners: {', '.join(hit['owners'])}" if hit["owners"] else ""
    return f"{hit['node']}  [{', '.join(tags)}]  via {job}{owners}"


def render_text(result: dict[str, Any]) -> str:
    """The answer as a tree: each hit under the node its shortest path came from."""
    arrow = "downstream" if result["direction"] == "downstream" else "upstream"
    window = result["window"]
    span = f"{window['since'] or 'beginning'} .. {window['until'] or 'now'}"
    lines = [f"{result['field']}  ({arrow}, window {span})"]
    hits = result["hits"]
    value = [h for h in hits if h["kind"] == "value"]
    filt = [h for h in hits if h["kind"] == "filter"]
    children: dict[str, list[dict[str, Any]]] = {}
    shown = {h["node"] for h in value}
    for h in value:
        end = "source" if result["direction"] == "downstream" else "target"
        parent = h["path"][-1][end] if h["path"] else result["field"]
        children.setdefault(parent if parent in shown else result["field"], []).append(h)

    def walk(node: str, prefix: str) -> None:
        kids = children.get(node, [])
        for i, h in enumerate(kids):
            last = i == len(kids) - 1
            lines.append(f"{prefix}{'└─ ' if last else '├─ '}{_hit_label(h)}")
            walk(h["node"], prefix + ("   " if last else "│  "))

    walk(result["field"], "")
    if not value:
        lines.append("   (no value impact)")
    if filt:
        lines.append("")
        lines.append("filter impact (every path passes a filter edge: it decides which rows, not values):")
        for h in filt:
            chain = " -> ".join([h["path"][0]["source"], *(f"{e['target']} ({e['kind']})" for e in h["path"])])
            lines.append(f"   {_hit_label(h)}")
            lines.append(f"      path: {chain}")
    if result.get("failed_runs"):
        lines.append("")
        lines.append("failed validation runs in the window:")
        lines.extend(f"   {r['run_id']}  {r['dataset']}  finished {r['finished_at']}" for r in result["failed_runs"])
    if result.get("affected_runs"):
        lines.append("runs that read after a failed batch landed:")
        lines.extend(f"   {r['run_id']}  {r['job']}  at {r['time']}  read {', '.join(r['read'])}  "
                     f"(after {r['after_failed_run']})" for r in result["affected_runs"])
    if result.get("failed_assertions"):
        lines.append("failed OpenLineage assertions on the dataset:")
        lines.extend(f"   {a['assertion']} on {a['dataset']}.{a['column']}  run {a['run_id']}  at {a['time']}"
                     for a in result["failed_assertions"])
    lines.append("")
    lines.append(f"{len(value)} value hit(s), {len(filt)} filter hit(s), "
                 f"{sum(1 for h in hits if h['is_feature'])} in feature sets")
    return "\n".join(lines)


def render_dataset_text(data: dict[str, Any]) -> str:
    head = data["dataset"] + ("  [feature set]" if data["is_feature"] else "")
    if data["owners"]:
        head += f"  owners: {', '.join(data['owners'])}"
    lines = [head]
    for c in data["columns"]:
        lines.append(f"├─ {c['column']}")
        lines.extend(f"│    <- {e['source']} ({e['kind']}, {e['job']})" for e in c["inputs"])
        lines.extend(f"│    -> {e['target']} ({e['kind']}, {e['job']})" for e in c["outputs"])
    for e in data["dataset_inputs"]:
        lines.append(f"<- {e['source']} (column unknown, {e['job']})")
    for e in data["dataset_outputs"]:
        lines.append(f"-> {e['target']} (column unknown, {e['job']})")
    return "\n".join(lines)


def render_mermaid(data: dict[str, Any]) -> str:
    ids: dict[str, str] = {}

    def node(name: str) -> str:
        if name not in ids:
            ids[name] = f"n{len(ids)}"
        return ids[name]

    edges = []
    for c in data["columns"]:
        for e in [*c["inputs"], *c["outputs"]]:
            arrow = "-->" if e["kind"] == "value" else "-.->"
            edges.append(f"  {node(e['source'])} {arrow}|{e['kind']}| {node(e['target'])}")
    for e in [*data["dataset_inputs"], *data["dataset_outputs"]]:
        edges.append(f"  {node(e['source'])} -->|dataset| {node(e['target'])}")
    lines = ["graph LR"]
    lines.extend(f'  {i}["{name}"]' for name, i in ids.items())
    lines.extend(dict.fromkeys(edges))
    return "\n".join(lines)
