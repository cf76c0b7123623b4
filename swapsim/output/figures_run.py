"""Run figures: the files of one run directory drawn for the report (never by running a simulation).

:func:`plot_run` draws every run figure beside the files it reads:

* ``fleet_state.png``: robots in each state over time (stacked area), warm-up shaded;
* ``robot_breakdown.png``: each robot's share of time per state, robots sorted by utilisation;
* ``stations.png``: per station, busy swap positions, queue length and green packs over time, with
  station outages shaded;
* ``swap_waits.png``: histogram and empirical CDF of the swap waits (when there were swaps);
* ``pack_health.png`` and ``monthly.png`` when the run has their files
  (:mod:`swapsim.output.figures_health`).

Each figure is also a function of the tables already read (``plot_fleet_state(ts, summary, out_dir)``
and so on), for a notebook that holds them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from swapsim.results import read_csv
from swapsim.metrics import ROBOT_STATES
from swapsim.output.figures_common import duration_label, save_figure, shade_warmup, step_edges, time_frame
from swapsim.output.figures_health import plot_battery_health
from swapsim.output.style import FIGURE_WIDTH_IN, MARK_COLOUR, OKABE_ITO, STATE_COLOURS, report_style

__all__ = ["plot_run", "plot_fleet_state", "plot_robot_breakdown", "plot_stations", "plot_swap_waits",
           "swap_wait_cdf"]


def plot_fleet_state(ts: dict[str, list], summary: dict[str, Any], out_dir: Path, fmt: str = "png") -> Path:
    """Robots in each state over time: all states stacked (top) and the robots not working (bottom, zoomed)."""
    cols, width_h, scale, xlabel, x_end, warmup_h = time_frame(ts, summary)
    x = cols["time_h"] * scale
    states = [s for s in ROBOT_STATES if f"robots_{s}" in cols]
    states += [c[len("robots_"):] for c in cols if c.startswith("robots_") and c[len("robots_"):] not in states]
    ys = {s: cols[f"robots_{s}"] for s in states}
    shown = [s for s in states if np.any(ys[s] > 1e-9)]
    idle_like = [s for s in shown if s != "working"]
    colours = {s: STATE_COLOURS.get(s, OKABE_ITO[i % len(OKABE_ITO)]) for i, s in enumerate(states)}
    man = summary["manifest"]
    n_robots = summary["fleet"]["robots"]
    with report_style():
        fig = Figure(figsize=(FIGURE_WIDTH_IN, 6.0))
        ax, ax2 = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [1, 1]})
        xs, *stack = step_edges(x, x_end, *[ys[s] for s in shown])
        ax.stackplot(xs, *stack, labels=shown, colors=[colours[s] for s in shown], step="post", lw=0)
        ax.set_ylim(0, n_robots)
        ax.set_ylabel("robots")
        ax.set_title(f"All {n_robots} robots by state (mean over {duration_label(width_h)} bins)", loc="left")
        if idle_like:
            xs, *stack = step_edges(x, x_end, *[ys[s] for s in idle_like])
            ax2.stackplot(xs, *stack, colors=[colours[s] for s in idle_like], step="post", lw=0)
            top = float(np.max(np.sum(stack, axis=0)))
            ax2.set_ylim(0, top * 1.08 if top > 0 else 1)
        ax2.set_ylabel("robots")
        ax2.set_title("Robots not working, by state (zoomed scale)", loc="left")
        for a in (ax, ax2):
            shade_warmup(a, warmup_h, scale)
            a.set_xlim(x[0], x_end)
            a.grid(axis="x", visible=False)
        ax2.set_xlabel(xlabel)
        handles, labels = ax.get_legend_handles_labels()
        order = [labels.index(s) for s in reversed(shown)]
        order += [i for i, lab in enumerate(labels) if lab not in shown]
        fig.legend([handles[i] for i in order], [labels[i] for i in order], loc="outside right center")
        fig.suptitle(f"Fleet state over time: {man['scenario']}, {n_robots} robots, seed {man['seed']}")
        return save_figure(fig, out_dir, "fleet_state", fmt)


def plot_robot_breakdown(robots: dict[str, list], summary: dict[str, Any], out_dir: Path,
                         fmt: str = "png") -> Path:
    """Each robot's share of time in each state, sorted by utilisation (after warm-up)."""
    states = [c[: -len("_fraction")] for c in robots if c.endswith("_fraction") and c != "off_duty_fraction"]
    fr = {s: np.asarray(robots[f"{s}_fraction"], dtype=float) for s in states}
    on_duty_h = sum(np.asarray(robots[f"{s}_h"], dtype=float) for s in states if f"{s}_h" in robots)
    never = np.asarray(on_duty_h) <= 0 if np.ndim(on_duty_h) else np.zeros(len(fr["working"]), dtype=bool)
    order = np.array([i for i in np.argsort(-fr["working"], kind="stable") if not never[i]], dtype=int)
    ids = np.asarray(robots["robot"])[order]
    n = len(ids)
    man = summary["manifest"]
    utilisation = summary["fleet"]["utilisation"]
    with report_style():
        fig = Figure(figsize=(FIGURE_WIDTH_IN, 4.8))
        ax = fig.subplots()
        bottom = np.zeros(n)
        pos = np.arange(n)
        shown = []
        for s in states:
            y = fr[s][order] * 100
            if not np.any(y > 1e-9):
                continue
            ax.bar(pos, y, bottom=bottom, width=0.85 if n > 1 else 0.5, label=s,
                   color=STATE_COLOURS.get(s, "#999999"), lw=0)
            bottom += y
            shown.append(s)
        ax.axhline(utilisation * 100, color=MARK_COLOUR, ls="--", lw=1.0, zorder=4,
                   label=f"fleet utilisation\n({utilisation:.1%})")
        if n <= 40:
            ax.set_xticks(pos, [str(i) for i in ids], rotation=90 if n > 20 else 0)
            ax.set_xlabel("robot id (sorted by utilisation, highest first)")
        else:
            ax.set_xticks([])
            ax.set_xlabel(f"{n} robots, sorted by utilisation (highest first)")
        ax.set_xlim(-0.6, n - 0.4)
        ax.set_ylabel("share of on-duty time after warm-up (%)")
        ax.set_ylim(0, 100)
        ax.set_title(f"Time breakdown per robot: {man['scenario']}, {n} robots, seed {man['seed']}")
        handles, labels = ax.get_legend_handles_labels()
        legend_order = [labels.index(s) for s in reversed(shown)] + [labels.index(lab) for lab in labels
                                                                      if lab not in shown]
        ax.legend([handles[i] for i in legend_order], [labels[i] for i in legend_order],
                  loc="upper left", bbox_to_anchor=(1.01, 1.0))
        ax.grid(axis="x", visible=False)
        return save_figure(fig, out_dir, "robot_breakdown", fmt)


def _station_capacities(scenario: dict[str, Any] | None) -> dict[str, dict[str, int]]:
    """Swap positions and bays per station name, from a resolved scenario read as plain YAML data."""
    out: dict[str, dict[str, int]] = {}
    for st in (scenario or {}).get("stations") or []:
        if isinstance(st, dict) and "name" in st:
            out[str(st["name"])] = {k: st[k] for k in ("positions", "bays") if isinstance(st.get(k), int)}
    return out


def plot_stations(ts: dict[str, list], summary: dict[str, Any], out_dir: Path, fmt: str = "png",
                  scenario: dict[str, Any] | None = None) -> Path:
    """Per station (one row each): busy swap positions, robots queueing and green packs over time.

    ``scenario`` (the resolved scenario as plain data, optional) adds the number of swap positions and
    of bays as dashed reference lines.
    """
    cols, width_h, scale, xlabel, x_end, warmup_h = time_frame(ts, summary)
    x = cols["time_h"] * scale
    stations = summary["stations"]
    capacity = _station_capacities(scenario)
    man = summary["manifest"]
    panels = [("busy", "busy swap positions", "positions", "positions", OKABE_ITO[0]),
              ("queue", "robots queueing", "robots", None, OKABE_ITO[1]),
              ("green", "green (ready) packs", "packs", "bays", OKABE_ITO[2])]
    with report_style():
        fig = Figure(figsize=(FIGURE_WIDTH_IN, 0.6 + 2.5 * len(stations)))
        subfigs = np.atleast_1d(fig.subfigures(len(stations), 1))
        last_axes = []
        for sub, st in zip(subfigs, stations):
            axes = sub.subplots(1, len(panels), sharex=True)
            cap = capacity.get(st["name"], {})
            for ax, (key, title, unit, cap_key, colour) in zip(axes, panels):
                y = cols.get(f"{st['name']}_{key}")
                if y is None:
                    ax.set_axis_off()
                    continue
                xs, ys = step_edges(x, x_end, y)
                ax.fill_between(xs, ys, step="post", color=colour, alpha=0.35, lw=0)
                ax.step(xs, ys, where="post", color=colour, lw=1.0)
                top = float(np.max(y)) if len(y) else 0.0
                if cap_key and cap_key in cap:
                    ax.axhline(cap[cap_key], color=MARK_COLOUR, ls="--", lw=0.9, zorder=4)
                    word = cap_key if cap[cap_key] != 1 else cap_key[:-1]
                    ax.annotate(f"{cap[cap_key]} {word}", (1.0, cap[cap_key]), xycoords=("axes fraction", "data"),
                                xytext=(0, 2), textcoords="offset points", ha="right", va="bottom", fontsize=9)
                    top = max(top, cap[cap_key])
                ax.set_ylim(0, top * 1.15 if top > 0 else 1)
                shade_warmup(ax, warmup_h, scale)
                _shade_outages(ax, cols, st["name"], x, x_end)
                ax.set_xlim(x[0], x_end)
                ax.set_title(title, fontsize=11)
                ax.set_ylabel(f"{unit} (bin mean)")
                ax.grid(axis="x", visible=False)
            last_axes = axes
            sub.suptitle(f"Station {st['name']}: swap positions busy {st['swap_utilisation']:.0%} of the time, "
                         f"mean queue {st['mean_queue_length']:.2f} robots, {st['stockouts']} stock-outs",
                         fontsize=11.5, x=0.01, ha="left")
        for ax in last_axes:
            ax.set_xlabel(xlabel)
        outages = " and station outages (orange)" if any(st.get("outages") for st in stations) else ""
        fig.suptitle(f"Swap stations over time: {man['scenario']}, seed {man['seed']} "
                     f"(means over {duration_label(width_h)} bins; warm-up (grey){outages} shaded)")
        return save_figure(fig, out_dir, "stations", fmt)


def _shade_outages(ax: Axes, cols: dict[str, np.ndarray], station: str, x: np.ndarray,
                   x_end: float) -> None:
    """Shade the time bins in which ``station`` was down for any part of the bin."""
    down = cols.get(f"{station}_down")
    if down is None or not np.any(down > 0):
        return
    edges = np.append(x, x_end)
    for i in np.flatnonzero(down > 0):
        ax.axvspan(edges[i], edges[i + 1], color=STATE_COLOURS["stranded"], alpha=0.25, lw=0)


def _wait_hist_bin(max_min: float) -> float:
    """A histogram bin width (minutes) giving about 20 to 60 bars up to ``max_min``."""
    for w in (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 240.0):
        if max_min / w <= 60:
            return w
    return max_min / 60


def swap_wait_cdf(waits: dict[str, list]) -> tuple[np.ndarray, np.ndarray]:
    """Empirical CDF of the swap waits in ``swap_waits.csv``: points (wait in min, share of swaps <= it).

    Exact at the histogram's bin edges and linear inside a bin, the same interpolation as the quantiles
    in ``summary.json`` (:meth:`swapsim.metrics.Tally.quantile`), so the curve crosses 0.95 at the p95
    KPI. Starts with the jump at zero (waits of exactly zero). Empty arrays when there were no swaps.
    """
    low = np.asarray(waits.get("wait_min_low", []), dtype=float)
    high = np.asarray(waits.get("wait_min_high", []), dtype=float)
    count = np.asarray(waits.get("count", []), dtype=float)
    total = float(count.sum())
    if total <= 0:
        return np.zeros(0), np.zeros(0)
    zero = float(count[high <= 0].sum())
    pos = high > 0
    order = np.argsort(low[pos], kind="stable")
    low, high, count = low[pos][order], high[pos][order], count[pos][order]
    if not len(count):  # every swap started at once
        return np.array([0.0, 0.0]), np.array([0.0, 1.0])
    before = zero + np.concatenate([[0.0], np.cumsum(count)[:-1]])
    after = before + count
    xs = np.concatenate([[0.0, 0.0], np.column_stack([low, high]).ravel()])
    ys = np.concatenate([[0.0, zero], np.column_stack([before, after]).ravel()]) / total
    return xs, ys


def plot_swap_waits(waits: dict[str, list], summary: dict[str, Any], out_dir: Path, fmt: str = "png") -> Path:
    """Distribution of swap waits after warm-up: histogram of the waits above zero and the empirical CDF.

    ``waits`` is ``swap_waits.csv`` (rows of ``wait_min_low``, ``wait_min_high``, ``count``; a first row
    0, 0 for waits of exactly zero; single values past the histogram range as low = high). The p95 and
    the mean wait (from ``summary.json``, so they agree with the KPI table) are marked on both panels.
    """
    low = np.asarray(waits.get("wait_min_low", []), dtype=float)
    high = np.asarray(waits.get("wait_min_high", []), dtype=float)
    count = np.asarray(waits.get("count", []), dtype=float)
    total = float(count.sum())
    zero = float(count[(high <= 0)].sum())
    pos = high > 0
    low, high, count = low[pos], high[pos], count[pos]
    man = summary["manifest"]
    wait = summary.get("swaps", {}).get("wait_min", {})
    p95 = wait.get("p95")
    mean = wait.get("mean")
    with report_style():
        fig = Figure(figsize=(FIGURE_WIDTH_IN, 4.2))
        ax_h, ax_c = fig.subplots(1, 2)
        fig.suptitle(f"Swap waits after warm-up (arrival at a station to start of the swap): "
                     f"{man['scenario']}, {int(total)} swaps, seed {man['seed']}", fontsize=12)
        if total <= 0:
            for ax in (ax_h, ax_c):
                ax.text(0.5, 0.5, "no swaps after warm-up", ha="center", va="center", transform=ax.transAxes)
                ax.set_axis_off()
            return save_figure(fig, out_dir, "swap_waits", fmt)
        x_max = float(max(high.max() if high.size else 0.0, p95 or 0.0, 1.0))
        width = _wait_hist_bin(x_max)
        if count.size:
            idx = np.floor(low / width + 1e-9).astype(int)
            bars = np.bincount(idx, weights=count)
            edges = np.arange(len(bars)) * width
            ax_h.bar(edges, bars / total * 100, width=width, align="edge", color=OKABE_ITO[0], lw=0,
                     alpha=0.85, label="waits above zero")
        ax_h.set_xlabel("swap wait (min)")
        ax_h.set_ylabel(f"share of all swaps (% per {width:g} min bin)")
        ax_h.set_title(f"Histogram: {zero / total:.0%} of swaps had no wait (not drawn)", fontsize=11)
        xs, ys = swap_wait_cdf(waits)
        xs, ys = np.append(xs, x_max * 1.03), np.append(ys, 1.0)
        ax_c.plot(xs, ys * 100, color=OKABE_ITO[0], lw=1.6, label="share of swaps waiting ≤ x")
        ax_c.axhline(95, color="#777777", lw=0.8, ls=":")
        ax_c.set_ylim(0, 101)
        ax_c.set_xlabel("swap wait (min)")
        ax_c.set_ylabel("swaps waiting at most this long (%)")
        ax_c.set_title("Empirical cumulative distribution", fontsize=11)
        for ax in (ax_h, ax_c):
            ax.set_xlim(0, x_max * 1.03)
            if p95 is not None:
                ax.axvline(p95, color=MARK_COLOUR, ls="--", lw=1.1, zorder=4, label=f"p95 = {p95:.1f} min")
            if mean is not None:
                ax.axvline(mean, color=OKABE_ITO[3], ls=":", lw=1.4, zorder=4, label=f"mean = {mean:.1f} min")
        ax_h.legend(loc="upper right")
        ax_c.legend(loc="lower right")
        return save_figure(fig, out_dir, "swap_waits", fmt)


def _read_scenario_data(run_dir: Path) -> dict[str, Any] | None:
    """The resolved scenario as plain data (no validation: figures only read it), or None."""
    path = run_dir / "scenario.resolved.yaml"
    if not path.exists():
        return None
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return None
    return data if isinstance(data, dict) else None


def plot_run(run_dir: Path, fmt: str = "png") -> list[Path]:
    """Draw every run figure from the files in ``run_dir``; returns the paths written."""
    run_dir = Path(run_dir)
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    ts = read_csv(run_dir / "timeseries.csv")
    robots = read_csv(run_dir / "robots.csv")
    paths = [
        plot_fleet_state(ts, summary, run_dir, fmt),
        plot_robot_breakdown(robots, summary, run_dir, fmt),
        plot_stations(ts, summary, run_dir, fmt, scenario=_read_scenario_data(run_dir)),
        *plot_battery_health(run_dir, summary, fmt),
    ]
    if (run_dir / "swap_waits.csv").exists():
        waits = read_csv(run_dir / "swap_waits.csv")
        if sum(waits["count"]) > 0:  # no swaps at all (plug-in charging): no distribution to draw
            paths.append(plot_swap_waits(waits, summary, run_dir, fmt))
    return paths

