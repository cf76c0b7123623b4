"""The on-disk results format of a run, written atomically, and read back for figures and reports.

A run directory holds (layout documented in ``results/README.md``):

=========================  ===========================================================================
``summary.json``           ``manifest`` (version, scenario, seed, horizon, warm-up, wall time) and KPIs
``scenario.resolved.yaml`` the scenario with every default filled in; loads back to the same scenario
``timeseries.csv``         fixed-width bins: robots by state, busy positions, queue, green packs per station
``robots.csv``             per robot: hours and share of time in each state, swaps, strandings
``packs.csv``              per pack at the horizon: location, charge, health, cycles
``swap_waits.csv``         histogram of swap waits (minutes; non-empty bins; first row: exact zeros)
``alerts.csv``             pack health alerts: time, pack, station, kind, estimated and true health
``health.csv``             snapshots of the health of the packs in service, and packs out of service
``monthly.csv``            per 30-day month (runs longer than a month): utilisation, swaps, health, crew
``*.png``                  figures drawn from the files above (see :mod:`swapsim.output`)
=========================  ===========================================================================

Everything is first written into a hidden sibling directory whose files go into the target only when
complete, so an interrupted or failed run never leaves results that look finished; swapsim writes
only into a new, empty or swapsim-owned directory and replaces only its own files
(:mod:`swapsim.results.outdir`, the one atomic writer, re-exported here).
"""

from __future__ import annotations

import csv
import json
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from swapsim.results.outdir import OutputError, atomic_dir, atomic_file, atomic_write_text, claim
from swapsim.results.reader import (
    ResultsError,
    parse_cell,
    read_json,
    read_rows,
    read_table,
    read_text,
    read_yaml,
    regular_file,
)
from swapsim.scenario import dump_scenario

if TYPE_CHECKING:
    from swapsim.engine import RunResult

__all__ = [
    "write_run",
    "read_run",
    "write_csv",
    "read_csv",
    "atomic_dir",
    "write_json",
    "strict_json",
    "nan_for_null",
    "flatten",
    "json_default",
    "ResultsError",
    "results_kind",
    "check_results_dir",
    "atomic_file",
    "atomic_write_text",
    "claim",
    "OutputError",
]


def _cell(value: Any) -> str:
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, (np.integer,)):
        return str(int(value))
    if value is None:
        return ""
    return str(value)


def write_csv(path: Path, rows: Sequence[Mapping[str, Any]] | Mapping[str, Sequence[Any] | np.ndarray]) -> None:
    """Write a table given as a list of row dicts or as a dict of equal-length columns."""
    if isinstance(rows, Mapping):
        columns = list(rows)
        n = len(next(iter(rows.values()))) if rows else 0
        data = ([rows[c][i] for c in columns] for i in range(n))
    else:
        columns = list(rows[0]) if rows else []
        data = ([row.get(c) for c in columns] for row in rows)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        for values in data:
            writer.writerow([_cell(v) for v in values])


_parse_cell = parse_cell


def read_csv(path: Path, root: Path | None = None) -> dict[str, list[Any]]:
    """Read a results CSV into a dict of columns, numbers parsed, through the guarded reader
    (:mod:`swapsim.results.reader`; ``root``: the results folder, default the file's folder)."""
    return read_table(Path(path), root)


def write_json(path: Path, data: Any) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(strict_json(data, indent=2) + "\n")


NULL_NOTES = "null_notes"
"""Key added to a JSON object whose numbers included NaN or an infinity, written as null: dotted path -> why."""


def nan_for_null(kpis: dict[str, Any]) -> dict[str, Any]:
    """A run record's KPIs as computed: the nulls :func:`strict_json` wrote for NaN read back as NaN."""
    return {k: math.nan if v is None else v for k, v in kpis.items()}


def strict_json(data: Any, indent: int | None = None) -> str:
    """JSON text that strict parsers read: NaN and infinities become null (never ``NaN``/``Infinity``),
    and an object gains :data:`NULL_NOTES` saying which values were nulled and why. NumPy values as in
    :func:`json_default`."""
    notes: dict[str, str] = {}

    def clean(value: Any, path: str) -> Any:
        if isinstance(value, (np.generic, np.ndarray)):
            value = json_default(value)
        if isinstance(value, float) and not math.isfinite(value):
            notes[path or "(top level)"] = "NaN (no value)" if math.isnan(value) else f"{value} (unbounded)"
            return None
        if isinstance(value, dict):
            return {k: clean(v, f"{path}.{k}" if path else str(k)) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [clean(v, f"{path}[{i}]") for i, v in enumerate(value)]
        return value

    out = clean(data, "")
    if notes and isinstance(out, dict):
        out[NULL_NOTES] = {k: f"{why} written as null" for k, why in notes.items()}
    return json.dumps(out, indent=indent, sort_keys=False, default=json_default, allow_nan=False)


def json_default(value: Any) -> Any:
    """``json.dump(..., default=json_default)``: NumPy scalars and arrays as plain numbers and lists."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested dicts to dotted keys; lists of dicts with a ``name`` use it (``stations.A.swaps``)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, path + "."))
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            for i, item in enumerate(value):
                label = item.get("name", i)
                out.update(flatten({k: v for k, v in item.items() if k != "name"}, f"{path}.{label}."))
        else:
            out[path] = value
    return out


def write_run(result: "RunResult", out_dir: Path) -> Path:  # noqa: F821
    """Write a run's files to ``out_dir`` atomically; returns ``out_dir``. Figures are drawn by the caller
    from the files written (:func:`swapsim.output.plot_run`), never here."""
    out_dir = Path(out_dir)
    with atomic_dir(out_dir, "run") as tmp:
        write_json(tmp / "summary.json", result.kpis())
        (tmp / "scenario.resolved.yaml").write_text(dump_scenario(result.scenario), encoding="utf-8")
        write_csv(tmp / "timeseries.csv", result.timeseries)
        write_csv(tmp / "robots.csv", result.robots)
        write_csv(tmp / "packs.csv", result.packs)
        write_csv(tmp / "swap_waits.csv", result.swap_wait_table())
        _write_battery_tables(tmp, result)
    return out_dir


def read_run(run_dir: Path) -> dict[str, Any]:
    """Read a run directory back: summary, resolved scenario text and tables (dicts of columns)."""
    run_dir = Path(run_dir)
    data: dict[str, Any] = {
        "dir": run_dir,
        "summary": read_json(run_dir / "summary.json"),
        "scenario_yaml": read_text(run_dir / "scenario.resolved.yaml"),
    }
    for name in ("timeseries", "robots", "packs", "swap_waits", "alerts", "health", "monthly"):
        path = run_dir / f"{name}.csv"
        if os.path.lexists(path):
            data[name] = read_csv(path)
    return data


# -- telling what a results directory holds (for `swapsim plot` and `swapsim report`) ------------------


RESULTS_KINDS: dict[str, tuple[str, ...]] = {
    "run": ("summary.json",),
    "sweep": ("sweep.json", "points.csv"),
    "compare": ("compare.json", "compare.csv"),
}
"""The files that tell each kind of results directory (all must be present)."""

REQUIRED_FILES: dict[str, tuple[str, ...]] = {
    "run": ("summary.json", "timeseries.csv", "robots.csv"),
    "sweep": ("sweep.json", "points.csv"),
    "compare": ("compare.json", "compare.csv"),
}
"""The files figures and reports need in each kind of directory."""

_KIND_WORDS = {"run": "a run", "sweep": "a sweep", "compare": "a comparison"}


def results_kind(results_dir: Path) -> str:
    """``"run"``, ``"sweep"`` or ``"compare"``, told by the files in ``results_dir``.

    Raises:
        ResultsError: the directory does not exist, is a file, or holds none of the marker files.
    """
    results_dir = Path(results_dir)
    if not results_dir.exists():
        raise ResultsError(f"{results_dir}: no such directory")
    if not results_dir.is_dir():
        raise ResultsError(f"{results_dir}: is a file, not a results directory")
    for marker in dict.fromkeys(m for ms in RESULTS_KINDS.values() for m in ms):
        path = results_dir / marker
        if os.path.lexists(path) and not regular_file(path):
            raise ResultsError(
                f"{path}: is not a regular file (a FIFO, device, socket, folder or link); "
                f"swapsim reads only regular files in a results folder"
            )
    for kind, markers in RESULTS_KINDS.items():
        if all((results_dir / m).is_file() for m in markers):
            return kind
    for kind, markers in RESULTS_KINDS.items():
        found = [m for m in markers if (results_dir / m).is_file()]
        if found:
            missing = [m for m in markers if m not in found]
            raise ResultsError(
                f"{results_dir}: looks like {_KIND_WORDS[kind]} directory ({', '.join(found)}) "
                f"but {', '.join(missing)} is missing: was it written completely?"
            )
    expected = "; ".join(f"{' + '.join(m)} ({_KIND_WORDS[k]})" for k, m in RESULTS_KINDS.items())
    from swapsim.results.outdir import folder_kind

    try:
        other = folder_kind(results_dir)
    except OutputError:
        other = None
    if other is not None:
        raise ResultsError(
            f"{results_dir}: holds a swapsim {other} result; plot reads a run, sweep or comparison, "
            f"report those and a sizing ({expected}; size.json + size.csv)"
        )
    raise ResultsError(f"{results_dir}: not a swapsim results directory (expected {expected})")


_TEXT_COLUMNS = frozenset(
    {"robot", "pack", "location", "status", "quarantine_reason", "station", "kind", "strategy", "month"}
)
"""CSV columns of a run or comparison that hold text; every other column holds numbers (or is empty)."""

_TABLES: dict[str, dict[str, tuple[str, ...]]] = {
    "run": {
        "timeseries.csv": ("time_h",),
        "robots.csv": ("robot", "utilisation"),
        "swap_waits.csv": ("wait_min_low", "wait_min_high", "count"),
        "packs.csv": ("pack",),
        "alerts.csv": ("time_h", "kind"),
        "health.csv": ("time_h",),
        "monthly.csv": ("month",),
    },
    "sweep": {"points.csv": ("point", "n")},
    "compare": {"compare.csv": ("strategy", "utilisation")},
}
"""The CSV tables of each kind (checked when present) and the columns each must have."""

_SUMMARY_SECTIONS = {"manifest": dict, "fleet": dict, "swaps": dict, "stations": list}


def _regular(path: Path) -> None:
    """Results are read from regular files only: not a link (it could point anywhere), not a device."""
    if os.path.islink(path):
        raise ResultsError(f"{path}: is a symbolic link; swapsim reads only regular files in a results directory")
    if os.path.lexists(path) and not path.is_file():
        raise ResultsError(f"{path}: is not a regular file")


def read_json_file(path: Path) -> dict[str, Any]:
    """A results JSON file as a dict; :class:`ResultsError` naming the file when it cannot be."""
    return dict(read_json(Path(path)))


def check_table(
    path: Path, required: Sequence[str] = (), text_columns: frozenset[str] = _TEXT_COLUMNS, numeric: bool = True
) -> dict[str, list[Any]]:
    """Read a results CSV and check it: a header, ``required`` columns, rows as long as the header and,
    with ``numeric``, numbers in every column not in ``text_columns``. Raises ResultsError naming the file."""
    rows = read_rows(Path(path))
    if not rows or not any(rows[0]):
        raise ResultsError(f"{path}: damaged: empty file, no header row")
    header = rows[0]
    missing = [c for c in required if c not in header]
    if missing or len(set(header)) != len(header):
        what = f"no column {', '.join(missing)}" if missing else "repeated column names"
        raise ResultsError(f"{path}: damaged: {what}")
    for i, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise ResultsError(f"{path}: damaged: line {i} has {len(row)} cells, the header {len(header)}")
    cols = {h: [_parse_cell(r[j]) for r in rows[1:]] for j, h in enumerate(header)}
    if numeric:
        for h, values in cols.items():
            if h not in text_columns and any(isinstance(v, str) for v in values):
                raise ResultsError(f"{path}: damaged: column {h} holds text where numbers belong")
    return cols


def check_results_dir(results_dir: Path) -> str:
    """Like :func:`results_kind`, and also check every file figures and reports read (regular files,
    JSON objects with their sections, CSV tables with their columns and numbers); returns the kind.

    Raises:
        ResultsError: naming the file at fault and what is wrong with it.
    """
    from swapsim.results.outdir import folder_kind

    results_dir = Path(results_dir)
    kind = results_kind(results_dir)
    try:
        recorded = folder_kind(results_dir)
    except OutputError as exc:
        raise ResultsError(str(exc)) from None
    if recorded not in (None, kind):
        raise ResultsError(
            f"{results_dir}: swapsim's manifest says it holds a {recorded} result, but its files look like "
            f"{_KIND_WORDS[kind]}; swapsim does not write into it"
        )
    missing = [f for f in REQUIRED_FILES[kind] if not (results_dir / f).is_file()]
    if missing:
        raise ResultsError(f"{results_dir}: {_KIND_WORDS[kind]} directory without {', '.join(missing)}")
    if kind == "run":
        _check_run(results_dir)
    elif kind == "compare":
        meta = read_json_file(results_dir / "compare.json")
        table = check_table(results_dir / "compare.csv", _TABLES["compare"]["compare.csv"])
        if not isinstance(meta.get("strategies", []), list) or not table["strategy"]:
            raise ResultsError(f"{results_dir / 'compare.csv'}: damaged: no strategy rows")
        for name in table["strategy"]:
            if not isinstance(name, str) or name in (".", "..") or "/" in name or "\\" in name:
                raise ResultsError(
                    f"{results_dir / 'compare.csv'}: damaged: strategy {str(name)[:40]!r} is not a plain name"
                )
            sub = results_dir / name
            if sub.is_symlink():
                raise ResultsError(f"{sub}: is a symbolic link; swapsim reads only regular files and folders")
            if sub.is_dir() and (sub / "summary.json").exists():
                _check_run(sub)
    else:
        meta = read_json_file(results_dir / "sweep.json")
        if not isinstance(meta.get("factors", {}), dict) or not isinstance(meta.get("points", []), list):
            raise ResultsError(f"{results_dir / 'sweep.json'}: damaged: factors or points of the wrong type")
        pts = check_table(results_dir / "points.csv", ("point", "n"), numeric=False)
        for h, values in pts.items():
            if (h in ("point", "n") or h.endswith((".mean", ".sd", ".ci95"))) and any(
                isinstance(v, str) for v in values
            ):
                raise ResultsError(f"{results_dir / 'points.csv'}: damaged: column {h} holds text where numbers belong")
    return kind


def _check_run(run_dir: Path) -> None:
    summary = read_json_file(run_dir / "summary.json")
    if "manifest" not in summary:
        raise ResultsError(f"{run_dir / 'summary.json'}: no manifest: not written by swapsim run")
    for key, typ in _SUMMARY_SECTIONS.items():
        if not isinstance(summary.get(key), typ):
            raise ResultsError(f"{run_dir / 'summary.json'}: damaged: {key} is missing or of the wrong type")
    for name, required in _TABLES["run"].items():
        path = run_dir / name
        if name in REQUIRED_FILES["run"] or os.path.lexists(path):
            check_table(path, required, numeric=name not in ("packs.csv", "alerts.csv"))
    scenario = run_dir / "scenario.resolved.yaml"
    if os.path.lexists(scenario):
        data = read_yaml(scenario)
        if not isinstance(data, dict):
            raise ResultsError(f"{scenario}: damaged: expected a mapping")


ALERT_COLUMNS = ("time_h", "pack", "station", "kind", "estimated_health", "true_health")
"""Columns of ``alerts.csv`` (written with its header even when there are no alerts)."""


def _write_battery_tables(out: Path, result: "RunResult") -> None:  # noqa: F821
    """alerts.csv always; health.csv when snapshots exist; monthly.csv for runs longer than a month."""
    alerts = getattr(result, "alerts", None) or []
    write_csv(out / "alerts.csv", alerts if alerts else {c: [] for c in ALERT_COLUMNS})
    health = getattr(result, "health", None)
    if health and len(health.get("time_h", [])):
        write_csv(out / "health.csv", {k: np.asarray(v).tolist() for k, v in health.items()})
    monthly = getattr(result, "monthly", None)
    if monthly:
        write_csv(out / "monthly.csv", monthly)
