"""Power strategies compared with replications: paired differences with confidence intervals.

``swapsim compare`` runs each strategy once; one run cannot tell a difference from noise. Here each
strategy runs ``replications`` times, replication r with the same seed (``replication_seed(root, r)``)
for every strategy, so the runs of one replication see the same tasks, durations and faults (common
random numbers) and the difference of a KPI between two strategies is estimated from the
per-replication differences: a paired Student-t interval (:func:`swapsim.experiments.sizing.rs.paired`). A
difference is *significant* when its interval excludes zero.

The plug-in strategy does not swap: its charges per robot per day (``charging.per_robot_per_day``)
have their own column, and its swaps column is empty rather than 0.

Outputs (:func:`write_paired`): ``compare_paired.csv`` (one row per strategy and KPI: mean and
half-width; one row per strategy pair and KPI: paired difference, interval, significant),
``compare_paired.json`` and ``compare_paired.png`` (the differences against the first strategy with
their intervals; filled markers for significant ones). Runs go to the executors of ``swapsim sweep``.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from swapsim.experiments.executors import make_executor
from swapsim.experiments.runner import RunTask, execute_run
from swapsim.experiments.sizing import rs
from swapsim.experiments.stats import mean_ci
from swapsim.experiments.sweep import replication_seed
from swapsim.scenario import Scenario, scenario_to_dict

__all__ = ["KPIS", "run_replicated", "paired_rows", "format_paired", "write_paired"]

KPIS: tuple[tuple[str, str, float], ...] = (
    ("fleet.utilisation", "utilisation", 100.0),
    ("swaps.per_robot_per_day", "swaps/robot/d", 1.0),
    ("charging.per_robot_per_day", "charges/robot/d", 1.0),
    ("station_wait_min", "station wait (min)", 1.0),
    ("tasks.wait_min.p95", "task wait p95 (min)", 1.0),
    ("energy.grid_kwh", "grid energy (kWh)", 1.0),
)
"""(KPI, label, display scale): utilisation is shown in percent. ``station_wait_min`` is the swap wait,
or for plug_in the wait for a dock."""


def _station_wait(kpis: dict[str, Any]) -> float:
    return float(kpis.get("charging.wait_min.mean", kpis.get("swaps.wait_min.mean", math.nan)))


def _value(kpis: dict[str, Any], strategy: str, kpi: str) -> float | None:
    if kpi == "station_wait_min":
        return _station_wait(kpis)
    if kpi == "swaps.per_robot_per_day" and strategy == "plug_in":
        return None  # plug-in robots do not swap: the charges column says what they do
    v = kpis.get(kpi)
    return None if v is None else float(v)


def run_replicated(
    scenario: Scenario,
    strategies: Sequence[str],
    replications: int = 10,
    seed: int | None = None,
    *,
    executor: str = "local",
    jobs: int | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Flat KPIs of every (strategy, replication), replication r seeded alike for every strategy.

    Returns ``{strategy: [kpis of replication 0, 1, ...]}``. Raises RuntimeError if a run fails.
    """
    from swapsim.experiments.compare import with_strategy

    root = scenario.seed if seed is None else int(seed)
    tasks = []
    for i, kind in enumerate(strategies):
        data = scenario_to_dict(with_strategy(scenario, kind))
        for r in range(replications):
            tasks.append(RunTask(i, r, replication_seed(root, r), {"strategy.kind": kind}, data))
    out: dict[str, list[dict[str, Any] | None]] = {k: [None] * replications for k in strategies}
    ex = make_executor(executor, jobs)
    try:
        for task, rec in ex.map_unordered(execute_run, tasks):
            if isinstance(rec, BaseException) or rec["status"] != "ok":
                raise RuntimeError(
                    f"strategy {strategies[task.point]}, replication {task.replication} failed: "
                    f"{rec if isinstance(rec, BaseException) else rec['error']}"
                )
            out[strategies[task.point]][task.replication] = rec["kpis"]
    finally:
        ex.close()
    return out  # type: ignore[return-value]


def paired_rows(runs: dict[str, list[dict[str, Any]]], confidence: float = 0.95) -> list[dict[str, Any]]:
    """One row per (strategy, KPI) (``kind: "mean"``) and per (strategy vs the first strategy, KPI)
    (``kind: "difference"``, with ``significant``)."""
    strategies = list(runs)
    base = strategies[0]
    rows: list[dict[str, Any]] = []
    for kpi, label, _scale in KPIS:
        values = {k: [_value(x, k, kpi) for x in runs[k]] for k in strategies}
        if all(all(v is None for v in vs) for vs in values.values()):
            continue
        for k in strategies:
            vs = [v for v in values[k] if v is not None]
            if not vs:
                continue
            mean, _sd, half = mean_ci(vs, confidence)
            rows.append(
                {
                    "kind": "mean",
                    "kpi": kpi,
                    "label": label,
                    "strategy": k,
                    "vs": None,
                    "n": len(vs),
                    "mean": mean,
                    "half_width": half,
                    "significant": None,
                }
            )
        for k in strategies[1:]:
            pairs = [(a, b) for a, b in zip(values[k], values[base]) if a is not None and b is not None]
            if not pairs:
                continue
            d = rs.paired([a for a, _ in pairs], [b for _, b in pairs], confidence)
            rows.append(
                {
                    "kind": "difference",
                    "kpi": kpi,
                    "label": label,
                    "strategy": k,
                    "vs": base,
                    "n": d.n,
                    "mean": d.mean,
                    "half_width": d.half,
                    "significant": d.significant,
                }
            )
    return rows


def _fmt(mean: float, half: float, scale: float) -> str:
    if not math.isfinite(half):
        return f"{mean * scale:.2f}"
    return f"{mean * scale:.2f} +- {half * scale:.2f}"


def format_paired(rows: list[dict[str, Any]], confidence: float = 0.95) -> str:
    """The console table: strategies' means (+- half-width) per KPI, then the differences against the
    first strategy, each marked significant (``*``) or not."""
    scale = {k: s for k, _l, s in KPIS}
    strategies = list(dict.fromkeys(r["strategy"] for r in rows if r["kind"] == "mean"))
    kpis = list(dict.fromkeys((r["kpi"], r["label"]) for r in rows))
    width = 22
    out = [f"{'':<22}" + "".join(f"{s:>{width}}" for s in strategies)]
    for kpi, label in kpis:
        cells = []
        for s in strategies:
            r = next((x for x in rows if x["kind"] == "mean" and x["kpi"] == kpi and x["strategy"] == s), None)
            cells.append("-" if r is None else _fmt(r["mean"], r["half_width"], scale[kpi]))
        out.append(f"{label:<22}" + "".join(f"{c:>{width}}" for c in cells))
    diffs = [r for r in rows if r["kind"] == "difference"]
    if diffs:
        out.append(f"paired differences ({confidence:.0%} intervals, common random numbers; * significant):")
        for r in diffs:
            mark = "*" if r["significant"] else " "
            out.append(
                f"  {mark} {r['strategy']} - {r['vs']}: {r['label']:<20} "
                f"{_fmt(r['mean'], r['half_width'], scale[r['kpi']])}"
                f"{'' if r['significant'] else '  (not significant)'}"
            )
    return "\n".join(out)


def write_paired(
    rows: list[dict[str, Any]], out_dir: str | Path, meta: dict[str, Any], figure: bool = True
) -> list[Path]:
    """Write ``compare_paired.csv``, ``compare_paired.json`` (``meta`` plus the rows) and the figure."""
    from swapsim.results import owned_file

    out_dir = Path(out_dir)  # the comparison's own directory, written just before (swapsim owns it)
    paths = [out_dir / "compare_paired.csv", out_dir / "compare_paired.json"]
    cols = ["kind", "kpi", "label", "strategy", "vs", "n", "mean", "half_width", "significant"]
    with owned_file(paths[0]) as tmp, tmp.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)
    clean = [{k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in r.items()} for r in rows]
    with owned_file(paths[1]) as tmp:
        tmp.write_text(json.dumps({**meta, "rows": clean}, indent=2) + "\n", encoding="utf-8")
    if figure:
        paths.append(_draw(rows, out_dir / "compare_paired.png"))
    return paths


def _draw(rows: list[dict[str, Any]], path: Path) -> Path:
    import matplotlib

    with matplotlib.rc_context({"text.parse_math": False}):  # labels are text, never mathtext
        return _draw_plain(rows, path)


def _draw_plain(rows: list[dict[str, Any]], path: Path) -> Path:
    from matplotlib.figure import Figure

    diffs = [r for r in rows if r["kind"] == "difference" and math.isfinite(r["mean"])]
    kpis = list(dict.fromkeys((r["kpi"], r["label"]) for r in diffs))
    scale = {k: s for k, _l, s in KPIS}
    colours = ["#0072B2", "#D55E00", "#009E73", "#CC79A7"]
    fig = Figure(figsize=(3.0 * max(1, len(kpis)), 3.6), layout="constrained")
    axes = fig.subplots(1, max(1, len(kpis)), squeeze=False)[0]
    for ax, (kpi, label) in zip(axes, kpis):
        sel = [r for r in diffs if r["kpi"] == kpi]
        for i, r in enumerate(sel):
            c = colours[i % len(colours)]
            half = r["half_width"] if math.isfinite(r["half_width"]) else 0.0
            ax.errorbar(
                [i],
                [r["mean"] * scale[kpi]],
                yerr=[[half * scale[kpi]], [half * scale[kpi]]],
                fmt="o",
                color=c,
                mfc=c if r["significant"] else "white",
                capsize=4,
                ms=7,
            )
        ax.axhline(0.0, color="#000000", lw=0.8)
        ax.set_xticks(
            range(len(sel)),
            [f"{r['strategy']}\n- {r['vs']}" + ("\n(significant)" if r["significant"] else "\n(n.s.)") for r in sel],
            fontsize=7,
        )
        ax.set_title(label + (" (points)" if kpi == "fleet.utilisation" else ""), fontsize=9)
        ax.set_xlim(-0.6, len(sel) - 0.4)
        ax.grid(True, axis="y", alpha=0.3)
    fig.suptitle("paired differences with 95 % intervals (filled: significant)", fontsize=10)
    from swapsim.results import owned_file

    with owned_file(path) as tmp:
        fig.savefig(tmp, format="png", dpi=110)
    return path
