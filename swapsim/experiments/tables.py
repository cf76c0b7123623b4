"""The sweep's tables, (re)built from the run records in a sweep directory.

:func:`build_tables` reads ``sweep.json`` and ``runs/<point>-<replication>.json`` and writes
(see ``results/README.md``):

==================  ============================================================================
``runs.csv``        one row per run: ``point``, the factor columns, ``replication``, ``seed``, every
                    KPI of ``summary.json`` flattened with dots, ``wall_time_s``
``points.csv``      one row per point: ``point``, the factor columns, ``n`` (replications), then
                    ``<kpi>.mean``, ``<kpi>.sd``, ``<kpi>.ci95`` (Student-t 95 % half-width,
                    :func:`swapsim.experiments.stats.mean_ci`)
``failures.csv``    runs that raised an exception in the model, with their parameters (if any)
``*.parquet``       the same tables, when pyarrow is installed (the ``parquet`` extra)
==================  ============================================================================

A KPI whose name equals a factor's path (``fleet.robots``) is not repeated: the factor column holds it.
Every file is written atomically and claimed for the directory's manifest.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from swapsim.experiments.stats import mean_ci, target_met
from swapsim.experiments.sweep_files import read_meta, run_file
from swapsim.results.reader import read_json

__all__ = ["build_tables"]

# Tables


def _cell_value(value: Any) -> Any:
    return json.dumps(value, sort_keys=True) if isinstance(value, (dict, list)) else value


def _atomic_csv(path: Path, columns: dict[str, list[Any]]) -> None:
    from swapsim.results import owned_file, write_csv

    with owned_file(path) as tmp:  # entered in the manifest first; never over a user's file
        write_csv(tmp, columns)


def _write_parquet(path: Path, columns: dict[str, list[Any]]) -> Path | None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        return None
    arrays = {}
    for name, values in columns.items():
        try:
            arrays[name] = pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arrays[name] = pa.array([None if v is None else str(v) for v in values])
    from swapsim.results import owned_file

    with owned_file(path) as tmp:
        pq.write_table(pa.table(arrays), tmp)
    return path


def build_tables(
    out_dir: str | Path, counts: dict[int, int] | None = None, failures: list[dict[str, Any]] | None = None
) -> list[Path]:
    """(Re)build ``runs.csv``, ``points.csv`` (and Parquet, ``failures.csv``) from ``out_dir/runs/``.

    Args:
        counts: replications per point to include (default: the sweep's ``replications`` everywhere).
        failures: failed-run records to list in ``failures.csv`` (none: the file is removed).
    Returns the paths written.
    """
    out_dir = Path(out_dir)
    meta = read_meta(out_dir)
    factors = list(meta["factors"])
    points = meta["points"]
    counts = counts or {p["point"]: meta["replications"] for p in points}
    from swapsim.results import nan_for_null

    records = []
    for p in points:
        for r in range(counts.get(p["point"], 0)):
            path = run_file(out_dir / "runs", p["point"], r)
            if os.path.lexists(path):
                rec = read_json(path, out_dir)
                rec["kpis"] = nan_for_null(rec["kpis"])
                records.append(rec)
    records.sort(key=lambda rec: (rec["point"], rec["replication"]))
    kpis: list[str] = []
    seen: set[str] = set(factors)
    for rec in records:
        for k in rec["kpis"]:
            if k not in seen:
                seen.add(k)
                kpis.append(k)
    runs: dict[str, list[Any]] = {
        "point": [],
        **{f: [] for f in factors},
        "replication": [],
        "seed": [],
        **{k: [] for k in kpis},
        "wall_time_s": [],
    }
    for rec in records:
        runs["point"].append(rec["point"])
        for f in factors:
            runs[f].append(_cell_value(rec["factors"].get(f)))
        runs["replication"].append(rec["replication"])
        runs["seed"].append(rec["seed"])
        for k in kpis:
            runs[k].append(rec["kpis"].get(k))
        runs["wall_time_s"].append(rec["wall_time_s"])
    by_point: dict[int, list[dict[str, Any]]] = {}
    for rec in records:
        by_point.setdefault(rec["point"], []).append(rec)
    target = meta.get("target_ci") or {}
    pts: dict[str, list[Any]] = {"point": [], **{f: [] for f in factors}, "n": []}
    if target:
        pts["target_ci_met"] = []
    for k in kpis:
        pts[f"{k}.mean"], pts[f"{k}.sd"], pts[f"{k}.ci95"] = [], [], []
    for p in points:
        recs = by_point.get(p["point"], [])
        pts["point"].append(p["point"])
        for f in factors:
            pts[f].append(_cell_value(p["factors"].get(f)))
        pts["n"].append(len(recs))
        if target:
            pts["target_ci_met"].append(
                all(target_met([r["kpis"].get(k) for r in recs], rel) for k, rel in target.items())
            )
        for k in kpis:
            mean, sd, half = mean_ci(r["kpis"].get(k) for r in recs)
            pts[f"{k}.mean"].append(mean)
            pts[f"{k}.sd"].append(sd)
            pts[f"{k}.ci95"].append(half)
    written = []
    for stem, table in (("runs", runs), ("points", pts)):
        path = out_dir / f"{stem}.csv"
        _atomic_csv(path, table)
        written.append(path)
        pq = _write_parquet(out_dir / f"{stem}.parquet", table)
        if pq is not None:
            written.append(pq)
    fail_path = out_dir / "failures.csv"
    if failures:
        fails: dict[str, list[Any]] = {
            "point": [],
            **{f: [] for f in factors},
            "replication": [],
            "seed": [],
            "error": [],
        }
        for rec in sorted(failures, key=lambda r: (r["point"], r["replication"])):
            fails["point"].append(rec["point"])
            for f in factors:
                fails[f].append(_cell_value(rec["factors"].get(f)))
            fails["replication"].append(rec["replication"])
            fails["seed"].append(rec["seed"])
            fails["error"].append(rec["error"])
        _atomic_csv(fail_path, fails)
        written.append(fail_path)
    else:
        from swapsim.results.outdir import remove_owned

        remove_owned(out_dir, "failures.csv")  # an old failures.csv of swapsim's; a user's file of that name stays
    return written
