"""The nightly drift report as one self-contained HTML file.

No CDN, no external file, no JavaScript library: styles are inline, plots are SVG paths drawn
here. A few lines of inline script only count the drawn plots into ``data-drawn`` on
``<body>`` (what the browser test reads); the page is complete without it.

Layout: a summary (datasets checked, columns drifted, worst first, each linked to its
section), then per dataset its owners and every column's verdict, and per column with a
finding a plot of reference vs current distribution, the trend of its score over the last
days against its threshold, and every statistic.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from typing import Any

__all__ = ["render_drift_report"]

REF_COLOUR = "#4c78a8"
CUR_COLOUR = "#f58518"
BAD_COLOUR = "#d62728"

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#1d232a;background:#f7f8fa}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px} h2{font-size:19px;margin:32px 0 8px;border-bottom:2px solid #dde1e6;padding-bottom:4px}
h3{font-size:16px;margin:20px 0 6px}
.meta{color:#5b6570;margin:0 0 16px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0 20px}
.card{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:10px 16px;min-width:140px}
.card b{display:block;font-size:22px}
table{border-collapse:collapse;background:#fff;width:100%;margin:6px 0 12px}
th,td{border:1px solid #e3e6ea;padding:4px 8px;text-align:left;font-variant-numeric:tabular-nums}
th{background:#eef1f4;font-weight:600}
tr.drifted td{background:#fff3f0}
.sev-error{color:#b00020;font-weight:600}.sev-warning{color:#9a5b00;font-weight:600}.sev-info{color:#5b6570}
.column{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:12px 16px;margin:14px 0}
.plots{display:flex;gap:16px;flex-wrap:wrap}
.plots figure{margin:0}
figcaption{color:#5b6570;font-size:12px}
.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px;vertical-align:middle}
a{color:#1f5fa8} .ok{color:#2c7a3f}
.top{font-size:12px;margin-left:8px}
"""

_SCRIPT = """
(function(){var n=0;document.querySelectorAll('svg path.series').forEach(function(p){
var b=p.getBBox();if(b.width>0&&b.height>0){n++;}});document.body.setAttribute('data-drawn',String(n));})();
"""


def _e(v: Any) -> str:
    return html.escape(str(v), quote=True)


def _slug(*parts: str) -> str:
    return "c-" + re.sub(r"[^A-Za-z0-9_-]+", "-", "--".join(parts)).strip("-")


def _fmt(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        if not math.isfinite(v):
            return "–"
        if v != 0 and (abs(v) < 1e-3 or abs(v) >= 1e6):
            return f"{v:.3g}"
        return f"{v:.4f}".rstrip("0").rstrip(".") if abs(v) < 100 else f"{v:,.1f}"
    return str(v)


def _short(v: Any) -> str:
    """A bin edge in 4 significant digits."""
    return f"{float(v):.4g}" if isinstance(v, int | float) and math.isfinite(v) else "–"


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{v * 100:.2f} %"


# ---------------------------------------------------------------------------- plots
def _bars_svg(plot: dict[str, Any], title: str) -> str:
    """Grouped bars, reference vs current share per bin or category, as two SVG paths."""
    ref = [float(x) for x in plot.get("reference", [])]
    cur = [float(x) for x in plot.get("current", [])]
    if plot.get("type") == "bins":
        edges = plot.get("edges", [])
        labels = [f"≤{_short(edges[i + 1])}" if i < len(edges) - 1 else "" for i in range(len(ref))]
        if labels:
            labels[-1] = f">{_short(edges[-2])}" if len(edges) >= 2 else ""
    else:
        labels = [str(x) for x in plot.get("labels", [])]
    n = max(len(ref), 1)
    width, height, left, bottom, top = 520, 220, 44, 46, 12
    inner_w, inner_h = width - left - 10, height - bottom - top
    peak = max([*ref, *cur, 1e-9])
    slot = inner_w / n
    bar = max(slot * 0.38, 1.0)

    def path(values: list[float], offset: float) -> str:
        parts = []
        for i, v in enumerate(values):
            h = inner_h * v / peak
            x = left + i * slot + offset
            y = top + inner_h - h
            parts.append(f"M{x:.1f} {top + inner_h:.1f}V{y:.1f}H{x + bar:.1f}V{top + inner_h:.1f}Z")
        return "".join(parts) or f"M{left} {top + inner_h}h0"

    ticks = []
    for frac in (0.0, 0.5, 1.0):
        y = top + inner_h - inner_h * frac
        ticks.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e6ea"/>'
                     f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="10">{_pct(peak * frac)}</text>')
    text_labels = []
    for i, label in enumerate(labels):
        x = left + i * slot + slot / 2
        short = label if len(label) <= 12 else label[:11] + "…"
        text_labels.append(
            f'<text x="{x:.1f}" y="{top + inner_h + 12}" font-size="10" text-anchor="end" '
            f'transform="rotate(-35 {x:.1f} {top + inner_h + 12})">{_e(short)}</text>'
        )
    gap = (slot - 2 * bar) / 2
    return (
        f'<svg class="plot-dist" role="img" aria-label="{_e(title)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
        + "".join(ticks)
        + f'<path class="series ref" fill="{REF_COLOUR}" d="{path(ref, gap)}"/>'
        + f'<path class="series cur" fill="{CUR_COLOUR}" d="{path(cur, gap + bar)}"/>'
        + "".join(text_labels)
        + "</svg>"
    )


def _trend_svg(history: Sequence[dict[str, Any]], threshold: float | None, title: str) -> str:
    """The score per day as a line, the threshold as a dashed line, drifted days as red dots."""
    width, height, left, bottom, top = 380, 220, 44, 40, 12
    inner_w, inner_h = width - left - 12, height - bottom - top
    points = [(h["day"], h.get("score")) for h in history]
    scores = [s for _, s in points if isinstance(s, int | float) and math.isfinite(s)]
    peak = max([*scores, threshold or 0.0, 1e-9]) * 1.15
    n = len(points)

    def xy(i: int, s: float) -> tuple[float, float]:
        x = left + (inner_w * i / (n - 1) if n > 1 else inner_w / 2)
        return x, top + inner_h - inner_h * s / peak

    segs: list[str] = []
    pen_up = True
    for i, (_, s) in enumerate(points):
        if not isinstance(s, int | float) or not math.isfinite(s):
            pen_up = True
            continue
        x, y = xy(i, float(s))
        segs.append(f"{'M' if pen_up else 'L'}{x:.1f} {y:.1f}")
        pen_up = False
    line = "".join(segs) or f"M{left} {top + inner_h}h0"
    dots = "".join(
        f'<circle cx="{xy(i, float(s))[0]:.1f}" cy="{xy(i, float(s))[1]:.1f}" r="3.5" '
        f'fill="{BAD_COLOUR if h.get("drifted") else REF_COLOUR}"><title>{_e(h["day"])}: {_fmt(s)}</title></circle>'
        for i, (h, (_, s)) in enumerate(zip(history, points, strict=True))
        if isinstance(s, int | float) and math.isfinite(s)
    )
    thr = ""
    if threshold is not None:
        ty = top + inner_h - inner_h * threshold / peak
        thr = (f'<path class="threshold" d="M{left} {ty:.1f}H{width - 12}" stroke="{BAD_COLOUR}" '
               f'stroke-dasharray="5 4" fill="none"/><text x="{width - 12}" y="{ty - 4:.1f}" font-size="10" '
               f'text-anchor="end" fill="{BAD_COLOUR}">threshold {_fmt(threshold)}</text>')
    axis = (f'<line x1="{left}" x2="{width - 12}" y1="{top + inner_h}" y2="{top + inner_h}" stroke="#9aa3ad"/>'
            f'<text x="{left - 4}" y="{top + inner_h + 4}" text-anchor="end" font-size="10">0</text>'
            f'<text x="{left - 4}" y="{top + 10}" text-anchor="end" font-size="10">{_fmt(peak)}</text>')
    days = ""
    if n:
        first, last = points[0][0], points[-1][0]
        days = (f'<text x="{left}" y="{height - 14}" font-size="10">{_e(first)}</text>'
                f'<text x="{width - 12}" y="{height - 14}" font-size="10" text-anchor="end">{_e(last)}</text>')
    return (
        f'<svg class="plot-trend" role="img" aria-label="{_e(title)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">{axis}{thr}'
        f'<path class="series trend" d="{line}" stroke="{REF_COLOUR}" stroke-width="2" fill="none"/>{dots}{days}</svg>'
    )


# ---------------------------------------------------------------------------- sections
def _worst_first(report: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    rank = {"error": 0, "warning": 1, "info": 2}
    found = [(d, c) for d in report.get("datasets", []) for c in d.get("columns", []) if c.get("findings")]

    def key(item: tuple[dict[str, Any], dict[str, Any]]) -> tuple[int, float]:
        _, c = item
        score, thr = c.get("score"), c.get("threshold") or 0
        ratio = (score / thr) if isinstance(score, int | float) and thr else 0.0
        return rank.get(c.get("severity", "info"), 3), -ratio

    return sorted(found, key=key)


def _summary(report: dict[str, Any]) -> str:
    datasets = report.get("datasets", [])
    columns = sum(len(d.get("columns", [])) for d in datasets)
    worst = _worst_first(report)
    blocking = sum(1 for _, c in worst if c.get("severity") == "error")
    cards = (
        f'<div class="cards"><div class="card">datasets checked<b>{len(datasets)}</b></div>'
        f'<div class="card">columns checked<b>{columns}</b></div>'
        f'<div class="card">columns with findings<b>{len(worst)}</b></div>'
        f'<div class="card">at error severity<b class="{"sev-error" if blocking else "ok"}">{blocking}</b></div></div>'
    )
    if not worst:
        return cards + '<p class="ok">No column drifted.</p>'
    rows = "".join(
        f'<tr class="drifted"><td><a href="#{_slug(d["dataset"])}">{_e(d["dataset"])}</a></td>'
        f'<td><a href="#{_slug(d["dataset"], c["column"])}">{_e(c["column"])}</a></td>'
        f'<td>{_e(", ".join(c.get("findings", [])))}</td><td>{_e(c.get("method"))}</td><td>{_fmt(c.get("score"))}</td>'
        f'<td>{_fmt(c.get("threshold"))}</td><td class="sev-{_e(c.get("severity"))}">{_e(c.get("severity"))}</td></tr>'
        for d, c in worst
    )
    return cards + (
        "<table><thead><tr><th>dataset</th><th>column</th><th>findings</th><th>method</th><th>score</th>"
        f"<th>threshold</th><th>severity</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _column_table(d: dict[str, Any]) -> str:
    rows = []
    for c in d.get("columns", []):
        name = _e(c["column"])
        if c.get("findings"):
            name = f'<a href="#{_slug(d["dataset"], c["column"])}">{name}</a>'
        rows.append(
            f'<tr class="{"drifted" if c.get("findings") else ""}"><td>{name}</td><td>{_e(c.get("kind"))}</td>'
            f'<td>{_e(c.get("method"))}</td><td>{_fmt(c.get("score"))}</td><td>{_fmt(c.get("threshold"))}</td>'
            f'<td>{_e(c.get("reason"))}</td><td>{_pct(c.get("null_share_reference"))} → {_pct(c.get("null_share_current"))}</td>'
            f'<td class="sev-{_e(c.get("severity"))}">{_e(c.get("severity"))}</td></tr>'
        )
    return (
        "<table><thead><tr><th>column</th><th>kind</th><th>method</th><th>score</th><th>threshold</th>"
        f"<th>verdict</th><th>null share</th><th>severity</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _column_section(d: dict[str, Any], c: dict[str, Any]) -> str:
    title = f'{d["dataset"]}.{c["column"]}'
    plots = []
    if c.get("plot"):
        dist_title = f"{title}: reference vs current"
        plots.append(
            f"<figure>{_bars_svg(c['plot'], dist_title)}"
            f'<figcaption class="legend">share of values <span style="background:{REF_COLOUR}"></span>reference'
            f'<span style="background:{CUR_COLOUR}"></span>current</figcaption></figure>'
        )
    history = c.get("history") or []
    if history:
        trend_title = f"{title}: {c.get('method')} by day"
        plots.append(
            f"<figure>{_trend_svg(history, c.get('threshold'), trend_title)}"
            f"<figcaption>{_e(c.get('method'))} by day, last {len(history)} days</figcaption></figure>"
        )
    stats = "".join(f"<tr><th>{_e(k)}</th><td>{_fmt(v)}</td></tr>" for k, v in (c.get("statistics") or {}).items())
    extra = [
        ("reference rows", c.get("reference_rows")), ("current rows", c.get("current_rows")),
        ("reference values", c.get("reference_values")), ("current values", c.get("current_values")),
        ("null share", f'{_pct(c.get("null_share_reference"))} → {_pct(c.get("null_share_current"))}'),
    ]
    stats += "".join(f"<tr><th>{_e(k)}</th><td>{_e(_fmt(v))}</td></tr>" for k, v in extra)
    cats = ""
    for label, key in (("new categories", "new_categories"), ("vanished categories", "vanished_categories")):
        items = c.get(key) or []
        if items:
            cats += f"<p><b>{label}:</b> " + ", ".join(
                f"{_e(i['value'])} ({_pct(i['share'])})" for i in items) + "</p>"
    return (
        f'<section class="column" id="{_slug(d["dataset"], c["column"])}"><h3>{_e(title)} '
        f'<span class="sev-{_e(c.get("severity"))}">{_e(", ".join(c.get("findings", [])))}</span>'
        f'<a class="top" href="#{_slug(d["dataset"])}">↑ {_e(d["dataset"])}</a> <a class="top" href="#summary">↑ summary</a></h3>'
        f'<p>{_e(c.get("method"))} = <b>{_fmt(c.get("score"))}</b> against threshold {_fmt(c.get("threshold"))} '
        f'(severity {_e(c.get("severity"))}{", rule " + _e(c["rule"]) if c.get("rule") else ""})</p>'
        f'<div class="plots">{"".join(plots)}</div>{cats}'
        f"<details><summary>every statistic</summary><table>{stats}</table></details></section>"
    )


def _dataset_section(d: dict[str, Any]) -> str:
    owners = ", ".join(d.get("owners") or []) or "no owner named in the contract"
    contract = d.get("contract") or {}
    contract_text = f'{_e(contract.get("id"))} {_e(contract.get("version"))}' if contract else "no registered contract"
    runs = ""
    if d.get("baseline_runs") is not None or d.get("current_runs") is not None:
        runs = f' · runs: {_fmt(d.get("baseline_runs"))} in the baseline, {_fmt(d.get("current_runs"))} current'
    row_note = ' · <span class="sev-warning">row count changed</span>' if d.get("row_count_changed") else ""
    sections = "".join(_column_section(d, c) for c in d.get("columns", []) if c.get("findings"))
    if d.get("reason") == "no_baseline":
        sections = ('<p class="meta">No baseline yet: no passed run in the baseline window before the current one. '
                    "Drift is judged once there is one.</p>") + sections
    return (
        f'<h2 id="{_slug(d["dataset"])}">{_e(d["dataset"])} <a class="top" href="#summary">↑ summary</a></h2>'
        f'<p class="meta">owners: <b>{_e(owners)}</b> · contract: {contract_text} · rows: '
        f'{_fmt(d.get("reference_rows"))} baseline, {_fmt(d.get("current_rows"))} current{runs}{row_note}</p>'
        f"{_column_table(d)}{sections}"
    )


def render_drift_report(report: dict[str, Any]) -> str:
    """The report (the JSON shape of docs/drift.md, with each column's ``plot`` and ``history``) as HTML."""
    base = report.get("baseline")
    if not base or str(base).startswith("per contract"):
        base_text = "each contract's baseline setting (default: the 28d before that)"
    elif str(base).startswith("run:"):
        base_text = f"the pinned run {_e(str(base)[4:])}"
    elif str(base).startswith("file:"):
        base_text = f"the pinned file {_e(str(base)[5:])}"
    else:
        base_text = f"the {_e(base)} before that"
    window = f'current: last {_e(report.get("since", "?"))} before {_e(report.get("now", "?"))} · baseline: {base_text}'

    body = "".join(_dataset_section(d) for d in report.get("datasets", []))
    if not report.get("datasets"):
        body = "<p>No dataset had runs in the window.</p>"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>pactline drift report {_e(report.get('now', ''))}</title><style>{_CSS}</style></head>"
        f'<body><main><h1 id="summary">Drift report</h1><p class="meta">{window} · generated '
        f'{_e(report.get("generated_at", ""))}</p>{_summary(report)}{body}</main>'
        f"<script>{_SCRIPT}</script></body></html>"
    )
