"""Benchmark: exact uniqueness of one integer key column, the direct-address window against the general path.

One command: ``.venv/bin/python bench/keys.py [--cases dense-5m,dense-50m,shuffled-5m,sparse-5m] [--repeat 1]``

Each case feeds a ``KeyTracker`` batches of 64 Ki int64 keys, generated batch by batch (no copy of
the whole column is held), with 20 repeats of earlier keys per million rows injected:

- ``dense-5m`` / ``dense-50m``: ids 1..N in row order (like an ``order_id`` column);
- ``shuffled-5m``: the same ids in random order;
- ``seconds-5m``: ascending whole seconds as microsecond timestamps (keys 10^6 apart);
- ``sparse-5m``: random 64-bit keys (too sparse for a window: both paths are the general one).

``old`` is ``KeyTracker(window_bytes=0)`` (keys kept, spilled to hash partitions past 256 Ki rows,
each sorted at the end); ``new`` is the default tracker (window of up to 64 MiB), as the engine
makes it; ``hint`` also passes the row count (``expected_rows``). Every run is a
separate process: the time of the pass (``add``) and of ``finish()``, CPU time, and the peak memory
the tracker added (peak RSS over the RSS before the first batch). Both paths must find the same rows.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BATCH = 65_536
CASES = {"dense-5m": ("dense", 5_000_000), "dense-50m": ("dense", 50_000_000),
         "shuffled-5m": ("shuffled", 5_000_000), "seconds-5m": ("seconds", 5_000_000),
         "sparse-5m": ("sparse", 5_000_000)}


def _rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def _reset_peak() -> None:
    """Start the peak RSS (VmHWM) over from the current RSS: what came before is not the tracker's."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def _peak_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(case: str, path: str) -> dict[str, object]:
    sys.path.insert(0, str(ROOT))
    import numpy as np
    import pyarrow as pa

    from checks.keys import KeyTracker

    kind, n = CASES[case]
    rng = np.random.default_rng(11)
    repeats = max(1, n // 50_000)
    at = np.unique(rng.integers(n // 10, n, repeats))  # rows that repeat an earlier key
    order = None
    if kind == "shuffled":
        order = rng.permutation(n)
        order += 1
    salt = np.uint64(0x9E3779B97F4A7C15)

    def key(rows: np.ndarray) -> np.ndarray:
        if kind == "sparse":  # a bijective scramble of the row number: distinct, spread over all of int64
            x = rows.astype(np.uint64) * salt
            return (x ^ (x >> np.uint64(29))).view(np.int64)
        if kind == "seconds":
            return (rows + 1_790_000_000) * 1_000_000
        return order[rows] if order is not None else rows + 1

    def batches() -> Iterator[np.ndarray]:  # the key of row r, except the chosen rows, which take the key of a row r // 3
        for s in range(0, n, BATCH):
            rows = np.arange(s, min(s + BATCH, n), dtype=np.int64)
            hit = at[(at >= s) & (at < s + BATCH)]
            if len(hit):
                rows[hit - s] = hit // 3
            yield key(rows)

    import gc

    for warm in (KeyTracker(("w",), spill_rows=4, window_bytes=0), KeyTracker(("w",))):  # imports, kernels
        for _ in range(3):
            warm.add([pa.array(np.arange(10, dtype=np.int64))], 10)
        warm.finish()
    gc.collect()
    _reset_peak()
    before = _rss_mib()
    tracker = {"old": lambda: KeyTracker(("id",), window_bytes=0), "new": lambda: KeyTracker(("id",)),
               "hint": lambda: KeyTracker(("id",), expected_rows=n)}[path]()
    gen_s = gen_c = 0.0  # time spent making the keys, left out of the figures
    t0, c0 = time.perf_counter(), time.process_time()
    it = batches()
    while True:
        g, gc_ = time.perf_counter(), time.process_time()
        keys = next(it, None)
        gen_s, gen_c = gen_s + time.perf_counter() - g, gen_c + time.process_time() - gc_
        if keys is None:
            break
        tracker.add([pa.array(keys)], len(keys))
    t1 = time.perf_counter()
    window = tracker.window
    out = tracker.finish()
    t2, c2 = time.perf_counter(), time.process_time()
    peak = _peak_mib()
    return {"pass_s": t1 - t0 - gen_s, "finish_s": t2 - t1, "cpu_s": c2 - c0 - gen_c, "peak_mib": peak - before,
            "dups": len(out.duplicate_rows), "dup_hash": int(np.bitwise_xor.reduce(out.duplicate_rows * 2654435761))
            if len(out.duplicate_rows) else 0, "window": window}


def run(case: str, path: str) -> dict[str, object]:
    proc = subprocess.run([sys.executable, __file__, "--child", case, path], capture_output=True, text=True,
                          check=False, cwd=ROOT)
    if proc.returncode:
        raise SystemExit(f"{case}/{path} failed:\n{proc.stderr}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def main() -> None:
    ap = argparse.ArgumentParser(description="exact integer key uniqueness: window vs general path")
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--repeat", type=int, default=1, help="runs per case and path; the median run is kept")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    print(f"{'case':<13} {'path':<5} {'pass s':>7} {'finish s':>9} {'total s':>8} {'cpu s':>7} {'peak MiB':>9} "
          f"{'total x':>8} {'peak x':>7}  duplicates  window")
    for case in args.cases.split(","):
        results = {}
        for path in ("old", "new", "hint"):
            runs = sorted((run(case, path) for _ in range(args.repeat)),
                          key=lambda r: float(r["pass_s"]) + float(r["finish_s"]))  # type: ignore[arg-type]
            results[path] = runs[len(runs) // 2]
        old = results["old"]
        for path, r in results.items():
            total = float(r["pass_s"]) + float(r["finish_s"])  # type: ignore[arg-type]
            old_total = float(old["pass_s"]) + float(old["finish_s"])  # type: ignore[arg-type]
            same = "same" if (r["dups"], r["dup_hash"]) == (old["dups"], old["dup_hash"]) else "DIFFERENT"
            print(f"{case:<13} {path:<5} {r['pass_s']:>7.2f} {r['finish_s']:>9.2f} {total:>8.2f} {r['cpu_s']:>7.2f} "
                  f"{r['peak_mib']:>9.1f} {total / old_total:>8.2f} "
                  f"{float(r['peak_mib']) / max(float(old['peak_mib']), 0.1):>7.2f}  "  # type: ignore[arg-type]
                  f"{r['dups']:>10,} {same}  {r['window']}")
    print("ratios are the path's figure over the old path's in the same run; peak: RSS added over the RSS "
          "before the first batch")


if __name__ == "__main__":
    main()
