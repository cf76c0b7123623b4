"""Figures for reports, drawn only from saved result files (never by running a simulation).

One place sets the report style (:func:`report_style`): print-size fonts, the Okabe-Ito
colour-blind-safe palette, 200 dpi, headless Agg backend. Every axis carries its unit and every
title says what is shown.

Run figures (:func:`plot_run`):

* ``fleet_state.png``: robots in each state over time (stacked area), warm-up shaded;
* ``robot_breakdown.png``: each robot's share of time per state, robots sorted by utilisation;
* ``stations.png``: per station, busy swap positions, queue length and green packs over time, with
  station outages shaded;
* ``pack_health.png``: health of the packs in service with the warning and retire thresholds and the
  alerts, and packs retired, quarantined and in stock (when ``health.csv`` exists);
* ``monthly.png``: by 30-day month, utilisation, the time spent on swap trips and queueing, swaps per
  robot per day and mean pack health (when ``monthly.csv`` exists with two months or more).

Compare figure (:func:`plot_compare`): ``compare.png``, power strategies side by side.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from swapsim.metrics import ROBOT_STATES  # noqa: E402
from swapsim.style import (  # noqa: E402,F401  (re-exported: other modules import the style from here)
    DPI, FIGURE_WIDTH_IN, MARK_COLOUR, OKABE_ITO, REPORT_RC, STATE_COLOURS, report_style,
)

__all__ = ["OKABE_ITO", "STATE_COLOURS", "STRATEGY_COLOURS", "report_style", "plot_run", "time_axis",
           "plot_swap_waits", "plot_results", "coarsen", "swap_wait_cdf", "plot_compare"]

_STYLE = REPORT_RC  # the style now lives in swapsim.style; this name stays for older callers


def time_axis(hours: np.ndarray) -> tuple[np.ndarray, str]:
    """Times in hours, scaled to days for runs longer than two days; returns (values, axis label)."""
    hours = np.asarray(hours, dtype=float)
    if hours.size and hours.max() > 48:
        return hours / 24.0, "simulated time (days)"
    return hours, "simulated time (h)"


def _save(fig: plt.Figure, out_dir: Path, stem: str, fmt: str) -> Path:
    from swapsim.io import atomic_file, claim

    path = out_dir / f"{stem}.{fmt}"
    with atomic_file(path) as tmp:  # replaces a link of that name, never writes through it
        fig.savefig(tmp, format=fmt)
    plt.close(fig)
    claim(out_dir, [path])  # in a directory swapsim owns, the figure is swapsim's file
    return path


def _shade_warmup(ax: plt.Axes, warmup_h: float, scale: float) -> None:
    if warmup_h > 0:
        ax.axvspan(0, warmup_h * scale, color="#000000", alpha=0.10, lw=0, zorder=3,
                   label="warm-up (not in KPIs)")


_NICE_BIN_WIDTHS_H = (1 / 60, 5 / 60, 0.25, 0.5, 1.0, 2.0, 4.0, 6.0, 12.0, 24.0, 48.0, 168.0)
MAX_PLOTTED_BINS = 300
"""Time-series figures show at most this many bins: finer bins only alias at print resolution."""


def coarsen(ts: dict[str, list], horizon_h: float | None = None,
            max_bins: int = MAX_PLOTTED_BINS) -> tuple[dict[str, np.ndarray], float]:
    """Merge a time series' fixed-width bins into wider ones for drawing.

    Each merged bin holds the time-weighted mean of the bins it covers (the last stored bin may be
    shorter than the others when the horizon is not a multiple of the bin width). The new width is a
    multiple of the stored one, chosen from 1 min, 5 min, 15 min, 30 min, 1, 2, 4, 6, 12, 24, 48 h and
    1 week so that at most ``max_bins`` remain.

    Args:
        ts: columns as read from ``timeseries.csv``; ``time_h`` holds the bin starts (hours).
        horizon_h: end of the last bin (hours); defaults to one stored width after the last start.
        max_bins: most bins to keep.

    Returns:
        (columns with ``time_h`` = the new bin starts, the new bin width in hours).
    """
    t = np.asarray(ts["time_h"], dtype=float)
    n = len(t)
    w0 = float(t[1] - t[0]) if n > 1 else float((horizon_h or 1.0) - (t[0] if n else 0.0))
    cols = {k: np.asarray(v, dtype=float) for k, v in ts.items()}
    if n <= max_bins or w0 <= 0:
        return cols, w0
    end = horizon_h if horizon_h is not None and horizon_h > t[-1] else t[-1] + w0
    widths = np.diff(np.append(t, end))
    factor = 0
    for w in _NICE_BIN_WIDTHS_H:
        k = w / w0
        if k >= 1 and abs(k - round(k)) < 1e-6 and math.ceil(n / round(k)) <= max_bins:
            factor = int(round(k))
            break
    if not factor:
        factor = int(math.ceil(n / max_bins))
    groups = np.arange(n) // factor
    wsum = np.bincount(groups, weights=widths)
    out: dict[str, np.ndarray] = {"time_h": t[::factor]}
    for key, values in cols.items():
        if key != "time_h":
            out[key] = np.bincount(groups, weights=values * widths) / wsum
    return out, w0 * factor


def _duration_label(hours: float) -> str:
    """A bin width for a label: ``15 min``, ``2 h``, ``1 d``."""
    minutes = hours * 60.0
    if minutes < 59.5:
        return f"{minutes:.0f} min"
    if hours < 24 or abs(hours / 24 - round(hours / 24)) > 1e-6:
        return f"{hours:g} h"
    return f"{hours / 24:g} d"


def _steps(x: np.ndarray, end: float, *ys: np.ndarray) -> tuple[np.ndarray, ...]:
    """Append the end of the last bin so that ``step="post"`` draws every bin to its full width."""
    return (np.append(x, end), *[np.append(y, y[-1]) for y in ys])


def _time_frame(ts: dict[str, list], summary: dict[str, Any]) -> tuple[dict[str, np.ndarray], float, float,
                                                                          str, float, float]:
    """Coarsened series, bin width (h), time scale (axis units per hour), axis label, axis end, warm-up."""
    man = summary["manifest"]
    horizon_h = float(man.get("horizon_h") or 0.0) or None
    cols, width_h = coarsen(ts, horizon_h)
    t_h = cols["time_h"]
    _, xlabel = time_axis(np.append(t_h, horizon_h or t_h[-1]))
    scale = 1 / 24.0 if "days" in xlabel else 1.0
    end_h = horizon_h if horizon_h and horizon_h > t_h[-1] else t_h[-1] + width_h
    return cols, width_h, scale, xlabel, end_h * scale, float(man.get("warmup_h") or 0.0)


def plot_fleet_state(ts: dict[str, list], summary: dict[str, Any], out_dir: Path, fmt: str = "png") -> Path:
    """Robots in each state over time: all states stacked (top) and the robots not working (bottom, zoomed)."""
    cols, width_h, scale, xlabel, x_end, warmup_h = _time_frame(ts, summary)
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
        fig, (ax, ax2) = plt.subplots(2, 1, figsize=(FIGURE_WIDTH_IN, 6.0), sharex=True,
                                      gridspec_kw={"height_ratios": [1, 1]})
        xs, *stack = _steps(x, x_end, *[ys[s] for s in shown])
        ax.stackplot(xs, *stack, labels=shown, colors=[colours[s] for s in shown], step="post", lw=0)
        ax.set_ylim(0, n_robots)
        ax.set_ylabel("robots")
        ax.set_title(f"All {n_robots} robots by state (mean over {_duration_label(width_h)} bins)", loc="left")
        if idle_like:
            xs, *stack = _steps(x, x_end, *[ys[s] for s in idle_like])
            ax2.stackplot(xs, *stack, colors=[colours[s] for s in idle_like], step="post", lw=0)
            top = float(np.max(np.sum(stack, axis=0)))
            ax2.set_ylim(0, top * 1.08 if top > 0 else 1)
        ax2.set_ylabel("robots")
        ax2.set_title("Robots not working, by state (zoomed scale)", loc="left")
        for a in (ax, ax2):
            _shade_warmup(a, warmup_h, scale)
            a.set_xlim(x[0], x_end)
            a.grid(axis="x", visible=False)
        ax2.set_xlabel(xlabel)
        handles, labels = ax.get_legend_handles_labels()
        order = [labels.index(s) for s in reversed(shown)]
        order += [i for i, lab in enumerate(labels) if lab not in shown]
        fig.legend([handles[i] for i in order], [labels[i] for i in order], loc="outside right center")
        fig.suptitle(f"Fleet state over time: {man['scenario']}, {n_robots} robots, seed {man['seed']}")
        return _save(fig, out_dir, "fleet_state", fmt)


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
        fig, ax = plt.subplots(figsize=(FIGURE_WIDTH_IN, 4.8))
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
        return _save(fig, out_dir, "robot_breakdown", fmt)


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
    cols, width_h, scale, xlabel, x_end, warmup_h = _time_frame(ts, summary)
    x = cols["time_h"] * scale
    stations = summary["stations"]
    capacity = _station_capacities(scenario)
    man = summary["manifest"]
    panels = [("busy", "busy swap positions", "positions", "positions", OKABE_ITO[0]),
              ("queue", "robots queueing", "robots", None, OKABE_ITO[1]),
              ("green", "green (ready) packs", "packs", "bays", OKABE_ITO[2])]
    with report_style():
        fig = plt.figure(figsize=(FIGURE_WIDTH_IN, 0.6 + 2.5 * len(stations)))
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
                xs, ys = _steps(x, x_end, y)
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
                _shade_warmup(ax, warmup_h, scale)
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
                     f"(means over {_duration_label(width_h)} bins; warm-up (grey){outages} shaded)")
        return _save(fig, out_dir, "stations", fmt)


def _shade_outages(ax: plt.Axes, cols: dict[str, np.ndarray], station: str, x: np.ndarray,
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
        fig, (ax_h, ax_c) = plt.subplots(1, 2, figsize=(FIGURE_WIDTH_IN, 4.2))
        fig.suptitle(f"Swap waits after warm-up (arrival at a station to start of the swap): "
                     f"{man['scenario']}, {int(total)} swaps, seed {man['seed']}", fontsize=12)
        if total <= 0:
            for ax in (ax_h, ax_c):
                ax.text(0.5, 0.5, "no swaps after warm-up", ha="center", va="center", transform=ax.transAxes)
                ax.set_axis_off()
            return _save(fig, out_dir, "swap_waits", fmt)
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
        return _save(fig, out_dir, "swap_waits", fmt)


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
    from swapsim.io import read_csv

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


def plot_results(results_dir: Path, fmt: str = "png") -> list[Path]:
    """Redraw every figure of a run, sweep or comparison directory from its saved files.

    Never simulates. The kind of directory is told by its files (:func:`swapsim.io.results_kind`).

    Raises:
        swapsim.io.ResultsError: not a results directory, or a file it needs is missing or unreadable.
    """
    from swapsim.io import check_results_dir

    results_dir = Path(results_dir)
    plotter = {"run": plot_run, "sweep": plot_sweep, "compare": plot_compare}[check_results_dir(results_dir)]
    return plotter(results_dir, fmt)


# ---------------------------------------------------------------------------------------------
# Power strategies compared (``swapsim compare``)

STRATEGY_COLOURS = {"hot_swap": OKABE_ITO[0], "cold_swap": OKABE_ITO[1], "plug_in": OKABE_ITO[3]}
"""One colour per power strategy, from the Okabe-Ito palette."""


def plot_compare(compare_dir: Path, fmt: str = "png") -> list[Path]:
    """The strategies of a compare directory side by side: ``compare.<fmt>``.

    Left: utilisation (working share of on-duty time) per strategy, the value written on each bar.
    Middle: the rest of on-duty time, grouped by state, one bar per strategy. Right (task demand only):
    task waits per strategy (bar: 95th percentile; diamond: mean) and tasks done per day; under task
    demand utilisation is bound by the demand, so the waits show what a strategy costs.
    Read from ``compare.csv`` and ``compare.json`` only.
    """
    from swapsim.io import read_csv

    compare_dir = Path(compare_dir)
    table = read_csv(compare_dir / "compare.csv")
    meta = json.loads((compare_dir / "compare.json").read_text(encoding="utf-8"))
    kinds = [str(k) for k in table["strategy"]]
    labels = [k.replace("_", "-") for k in kinds]
    n = len(kinds)
    colours = [STRATEGY_COLOURS.get(k, OKABE_ITO[(i + 4) % 8]) for i, k in enumerate(kinds)]
    others = [s for s in ROBOT_STATES if s not in ("working", "off_duty") and s in table
              and any(float(v) > 5e-4 for v in table[s])]
    days = (meta["horizon_h"] - meta["warmup_h"]) / 24.0
    tasks = "task_wait_min_p95" in table
    util = np.asarray(table["utilisation"], dtype=float) * 100
    with report_style():
        ratios = [1, 2.4, 1.5] if tasks else [1, 2.6]
        fig, axes = plt.subplots(1, len(ratios), figsize=(15.5 if tasks else 11.5, 4.8),
                                 gridspec_kw={"width_ratios": ratios})
        ax_u, ax_s = axes[0], axes[1]
        bars = ax_u.bar(np.arange(n), util, color=colours, width=0.7)
        for i, b in enumerate(bars):
            ax_u.annotate(f"{util[i]:.1f} %", (b.get_x() + b.get_width() / 2, b.get_height()), xytext=(0, 3),
                          textcoords="offset points", ha="center", va="bottom", fontsize=9.5)
        ax_u.set_xticks(np.arange(n), labels)
        ax_u.set_ylim(0, 110)
        ax_u.set_ylabel("working share of on-duty time (%)")
        ax_u.set_title("Utilisation")
        ax_u.grid(axis="x", visible=False)
        width = 0.8 / max(n, 1)
        x = np.arange(len(others))
        for i, k in enumerate(kinds):
            y = [float(table[s][i]) * 100 for s in others]
            ax_s.bar(x + (i - (n - 1) / 2) * width, y, width=width * 0.95, color=colours[i],
                     label=f"{labels[i]} (utilisation {util[i]:.1f} %)")
        ax_s.set_xticks(x, others)
        ax_s.set_ylabel("share of on-duty time (%)")
        ax_s.set_title("Where the rest of on-duty time goes")
        ax_s.set_ylim(bottom=0)
        ax_s.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=min(n, 3), frameon=False)
        ax_s.grid(axis="x", visible=False)
        if tasks:
            ax_t = axes[2]
            p95 = np.asarray(table["task_wait_min_p95"], dtype=float)
            mean = np.asarray(table["task_wait_min_mean"], dtype=float)
            bars = ax_t.bar(np.arange(n), p95, color=colours, width=0.7, label="95th percentile")
            ax_t.plot(np.arange(n), mean, "D", color="#000000", ms=6, label="mean")
            for i, b in enumerate(bars):
                ax_t.annotate(f"{p95[i]:.1f}", (b.get_x() + b.get_width() / 2, b.get_height()), xytext=(0, 3),
                              textcoords="offset points", ha="center", va="bottom", fontsize=9.5)
            done = [float(v) / days if days > 0 else 0.0 for v in table["tasks_done"]]
            ax_t.set_xticks(np.arange(n), [f"{lab}\n{d:,.0f} tasks/d" for lab, d in zip(labels, done)], fontsize=9)
            ax_t.set_ylabel("task wait (min)")
            ax_t.set_ylim(0, max(1.0, float(p95.max())) * 1.18)
            ax_t.set_title("Task wait: p95 (bar), mean (diamond)")
            ax_t.grid(axis="x", visible=False)
        fig.suptitle(f"Power strategies compared: {meta['scenario']}, {days:.0f} d after warm-up, "
                     f"seed {meta['seed']} (common random numbers)", fontsize=12)
        return [_save(fig, compare_dir, "compare", fmt)]


# ---------------------------------------------------------------------------------------------
# Sweep figures (drawn from a sweep directory: sweep.json and points.csv; see swapsim.experiments)
#
# * ``sweep_<kpi>.png``: a KPI against the first varied parameter, mean and 95 % confidence band,
#   one line per value of the second parameter (panels for any further ones);
# * ``heatmap_<kpi>.png``: a KPI over two numeric parameters, each cell annotated mean +- half-width;
# * ``warmup.png`` (``swapsim warmup``): pilot series, batch means, MSER-5 statistic, truncation point.

import re  # noqa: E402

__all__ += ["SWEEP_KPIS", "kpi_label", "plot_sweep", "plot_sweep_kpi", "plot_sweep_heatmap", "plot_warmup"]

SWEEP_KPIS = ("fleet.utilisation", "swaps.wait_min.mean")
"""Headline KPIs drawn for every sweep (others with ``--kpi``)."""

_KPI_LABELS: dict[str, tuple[str, str, float]] = {
    "fleet.utilisation": ("fleet utilisation", "%", 100.0),
    "swaps.wait_min.mean": ("mean swap wait", "min", 1.0),
    "swaps.wait_min.p95": ("95th percentile of swap wait", "min", 1.0),
    "swaps.wait_min.max": ("longest swap wait", "min", 1.0),
    "swaps.per_robot_per_day": ("swaps per robot per day", "1/day", 1.0),
    "swaps.count": ("swaps after warm-up", "count", 1.0),
    "swaps.stockouts": ("stock-outs", "swaps without a green pack", 1.0),
    "fleet.strandings": ("strandings", "count", 1.0),
    "energy.grid_kwh": ("grid energy after warm-up", "kWh", 1.0),
}

_FACTOR_LABELS = {
    "fleet.robots": "robots in the fleet",
    "stations[*].positions": "swap positions per station",
    "stations[*].bays": "bays per station",
    "stations[*].charged_packs": "spare charged packs per station at start",
    "policy.swap_trigger": "swap trigger (state of charge)",
}

_QUANTITY = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([^\d\s].*?)\s*$")


def kpi_label(kpi: str) -> tuple[str, str, float]:
    """(readable name, unit, scale to apply to values) for a dotted KPI name."""
    if kpi in _KPI_LABELS:
        return _KPI_LABELS[kpi]
    if "utilisation" in kpi or ".state_fraction." in kpi:
        return kpi, "%", 100.0
    for part in reversed(kpi.split(".")):
        for suffix, unit in (("_min", "min"), ("_kwh", "kWh"), ("_h", "h"), ("_wh", "Wh")):
            if part.endswith(suffix):
                return kpi, unit, 1.0
    return kpi, "", 1.0


def _factor_axis(values: list[Any]) -> tuple[np.ndarray | None, str]:
    """Numeric positions of factor values and their unit ('' when plain numbers); None if categorical."""
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return np.asarray(values, dtype=float), ""
    if all(isinstance(v, str) for v in values):
        parsed = [_QUANTITY.match(v) for v in values]
        if all(parsed) and len({m.group(2) for m in parsed}) == 1:
            return np.asarray([float(m.group(1)) for m in parsed]), parsed[0].group(2)
    return None, ""


def _factor_label(name: str, unit: str) -> str:
    text = _FACTOR_LABELS.get(name, name)
    if name in _FACTOR_LABELS and text != name:
        text = f"{text} [{name}]"
    return f"{text} ({unit})" if unit else text


def _safe_stem(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")


def _sweep_layout(meta: dict[str, Any], pts: dict[str, list]) -> tuple[str, str | None, list[str]]:
    """(x factor, hue factor or None, facet factors) from the varied factors."""
    varied = [f for f in meta["factors"] if len({json.dumps(v) for v in meta["factors"][f]}) > 1]
    numeric = [f for f in varied if _factor_axis(sorted(set(pts[f]), key=str))[0] is not None]
    x = numeric[0] if numeric else varied[0]
    rest = [f for f in varied if f != x]
    if meta.get("design") == "zip":
        return x, None, []
    return x, (rest[0] if rest else None), rest[1:]


def _facets(pts: dict[str, list], facet_factors: list[str], limit: int = 6) -> list[dict[str, Any]]:
    if not facet_factors:
        return [{}]
    combos: list[dict[str, Any]] = []
    for i in range(len(pts["point"])):
        combo = {f: pts[f][i] for f in facet_factors}
        if combo not in combos:
            combos.append(combo)
    return combos[:limit]


def _rows(pts: dict[str, list], where: dict[str, Any]) -> list[int]:
    return [i for i in range(len(pts["point"])) if all(pts[f][i] == v for f, v in where.items())]


def _n_text(pts: dict[str, list]) -> str:
    ns = [n for n in pts["n"] if n]
    if not ns:
        return "no finished runs"
    return f"n = {ns[0]} replications" if min(ns) == max(ns) else f"n = {min(ns)}-{max(ns)} replications"


def _ordered(values: list[Any]) -> list[Any]:
    nums, _ = _factor_axis(values)
    if nums is not None:
        return [v for _, v in sorted(zip(nums, values), key=lambda t: t[0])]
    return list(values)


def plot_sweep_kpi(meta: dict[str, Any], pts: dict[str, list], kpi: str, out_dir: Path,
                   fmt: str = "png") -> Path:
    """A KPI against the first varied parameter with 95 % confidence bands, a line per second parameter."""
    label, unit, scale = kpi_label(kpi)
    x_f, hue_f, facet_fs = _sweep_layout(meta, pts)
    facets = _facets(pts, facet_fs)
    x_levels = _ordered(list(dict.fromkeys(pts[x_f])))
    x_num, x_unit = _factor_axis(x_levels)
    hue_levels = _ordered(list(dict.fromkeys(pts[hue_f]))) if hue_f else [None]
    with report_style():
        ncols = min(3, len(facets))
        nrows = math.ceil(len(facets) / ncols)
        fig, axes = plt.subplots(nrows, ncols, figsize=(6.4 * ncols, 4.4 * nrows), squeeze=False,
                                 sharey=True)
        for ax, where in zip(axes.flat, facets):
            for h, level in enumerate(hue_levels):
                sel = {**where, **({hue_f: level} if hue_f else {})}
                idx = _rows(pts, sel)
                pos = {v: i for i, v in enumerate(x_levels)}
                idx.sort(key=lambda i: pos[pts[x_f][i]])
                mean = np.asarray([pts[f"{kpi}.mean"][i] for i in idx], dtype=float) * scale
                half = np.asarray([pts[f"{kpi}.ci95"][i] for i in idx], dtype=float) * scale
                half = np.where(np.isfinite(half), half, 0.0)
                colour = OKABE_ITO[h % len(OKABE_ITO)]
                name = f"{level}" if hue_f else "mean"
                if x_num is not None:
                    xs = np.asarray([x_num[pos[pts[x_f][i]]] for i in idx])
                    ax.plot(xs, mean, "o-", color=colour, lw=1.8, ms=5, label=name)
                    ax.fill_between(xs, mean - half, mean + half, color=colour, alpha=0.2, lw=0)
                else:
                    offset = (h - (len(hue_levels) - 1) / 2) * 0.08
                    xs = np.asarray([pos[pts[x_f][i]] for i in idx]) + offset
                    ax.errorbar(xs, mean, yerr=half, fmt="o-", color=colour, capsize=4, lw=1.5, label=name)
            if x_num is None:
                ax.set_xticks(range(len(x_levels)), [str(v) for v in x_levels])
            else:
                ax.set_xticks(x_num)
            ax.set_xlabel(_factor_label(x_f, x_unit))
            if where:
                ax.set_title(", ".join(f"{f} = {v}" for f, v in where.items()), fontsize=10.5)
        for ax in axes[:, 0]:
            ax.set_ylabel(f"{label} ({unit})" if unit else label)
        for ax in list(axes.flat)[len(facets):]:
            ax.set_visible(False)
        if hue_f:
            hue_unit = _factor_axis(hue_levels)[1]
            title = _FACTOR_LABELS.get(hue_f, hue_f) + (f" ({hue_unit})" if hue_unit else "")
            axes.flat[0].legend(title=title, loc="best", frameon=True, framealpha=0.85)
        design = " (zipped factors)" if meta.get("design") == "zip" and len(meta["factors"]) > 1 else ""
        fig.suptitle(f"{label[:1].upper() + label[1:]} by {_FACTOR_LABELS.get(x_f, x_f)}{design}, "
                     f"{meta['base_name']} sweep\n"
                     f"mean and 95 % confidence band, {_n_text(pts)} per point, common random numbers",
                     fontsize=12)
        return _save(fig, out_dir, f"sweep_{_safe_stem(kpi)}", fmt)


def plot_sweep_heatmap(meta: dict[str, Any], pts: dict[str, list], kpi: str, x_f: str, y_f: str,
                       out_dir: Path, fmt: str = "png") -> Path:
    """A KPI's mean over two numeric parameters; each cell reads mean and +- 95 % half-width."""
    label, unit, scale = kpi_label(kpi)
    others = [f for f in meta["factors"] if f not in (x_f, y_f)
              and len({json.dumps(v) for v in meta["factors"][f]}) > 1]
    facets = _facets(pts, others)
    xs = _ordered(list(dict.fromkeys(pts[x_f])))
    ys = _ordered(list(dict.fromkeys(pts[y_f])))
    _, x_unit = _factor_axis(xs)
    _, y_unit = _factor_axis(ys)
    all_means = np.asarray(pts[f"{kpi}.mean"], dtype=float) * scale
    finite = all_means[np.isfinite(all_means)]
    vmin, vmax = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if vmin == vmax:
        vmin, vmax = vmin - 0.5, vmax + 0.5
    with report_style():
        ncols = min(3, len(facets))
        nrows = math.ceil(len(facets) / ncols)
        fig, axes = plt.subplots(nrows, ncols, figsize=(1.3 * len(xs) * ncols + 3.5, 1.0 * len(ys) * nrows + 2.6),
                                 squeeze=False)
        image = None
        for ax, where in zip(axes.flat, facets):
            grid = np.full((len(ys), len(xs)), np.nan)
            text = [[""] * len(xs) for _ in ys]
            for i in _rows(pts, where):
                r, c = ys.index(pts[y_f][i]), xs.index(pts[x_f][i])
                m = pts[f"{kpi}.mean"][i]
                h = pts[f"{kpi}.ci95"][i]
                grid[r, c] = m * scale
                fmt_v = "{:.1f}" if abs(m * scale) >= 10 else "{:.2f}"
                text[r][c] = fmt_v.format(m * scale) + ("\n±" + fmt_v.format(h * scale) if math.isfinite(h) else "")
            image = ax.imshow(grid, origin="lower", cmap="viridis", vmin=vmin, vmax=vmax, aspect="auto")
            for r in range(len(ys)):
                for c in range(len(xs)):
                    if text[r][c]:
                        shade = (grid[r, c] - vmin) / (vmax - vmin)
                        ax.text(c, r, text[r][c], ha="center", va="center", fontsize=9,
                                color="black" if shade > 0.55 else "white")
            ax.set_xticks(range(len(xs)), [str(v) for v in xs])
            ax.set_yticks(range(len(ys)), [str(v) for v in ys])
            ax.set_xlabel(_factor_label(x_f, x_unit))
            ax.set_ylabel(_factor_label(y_f, y_unit))
            ax.grid(False)
            if where:
                ax.set_title(", ".join(f"{f} = {v}" for f, v in where.items()), fontsize=10.5)
        for ax in list(axes.flat)[len(facets):]:
            ax.set_visible(False)
        bar = fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.9)
        bar.set_label(f"{label} ({unit})" if unit else label)
        fig.suptitle(f"{label[:1].upper() + label[1:]} over two parameters, {meta['base_name']} sweep\n"
                     f"cells: mean ± 95 % confidence half-width, {_n_text(pts)} per cell", fontsize=12)
        return _save(fig, out_dir, f"heatmap_{_safe_stem(kpi)}", fmt)


def plot_sweep(sweep_dir: Path, fmt: str = "png", kpis: tuple[str, ...] | list[str] = ()) -> list[Path]:
    """Draw the sweep figures from ``sweep_dir`` (sweep.json, points.csv); returns the paths written.

    KPIs: :data:`SWEEP_KPIS` plus ``kpis``; names not in points.csv are skipped. Nothing is drawn
    when no factor takes two or more values.
    """
    from swapsim.io import read_csv

    sweep_dir = Path(sweep_dir)
    meta = json.loads((sweep_dir / "sweep.json").read_text(encoding="utf-8"))
    pts = read_csv(sweep_dir / "points.csv")
    if not any(len({json.dumps(v) for v in vals}) > 1 for vals in meta["factors"].values()):
        return []
    wanted = [k for k in dict.fromkeys([*SWEEP_KPIS, *kpis]) if f"{k}.mean" in pts]
    paths = [plot_sweep_kpi(meta, pts, k, sweep_dir, fmt) for k in wanted]
    if meta.get("design") == "factorial":
        numeric = [f for f in meta["factors"] if len(meta["factors"][f]) > 1
                   and _factor_axis(list(dict.fromkeys(pts[f])))[0] is not None]
        if len(numeric) >= 2:
            paths += [plot_sweep_heatmap(meta, pts, k, numeric[0], numeric[1], sweep_dir, fmt) for k in wanted]
    return paths


def plot_warmup(out_dir: Path, fmt: str = "png") -> Path:
    """Pilot series with batch means and the MSER-5 truncation point, and the MSER statistic."""
    from swapsim.io import read_csv

    out_dir = Path(out_dir)
    info = json.loads((out_dir / "warmup.json").read_text(encoding="utf-8"))
    ts = read_csv(out_dir / "warmup_series.csv")
    ms = read_csv(out_dir / "warmup_mser.csv")
    width = info["bin_width_h"]
    # The series panels show the start of the pilot, where the decision lies: twice the longer of
    # the suggestion and the scenario's warm-up, at least 12 h (the MSER panels cover the whole search).
    longest = max([info["suggested_warmup_h"], info["scenario_warmup_h"],
                   *[s["truncation_h"] for s in info["series"].values()]])
    window_h = min(info["horizon_h"], max(12.0, 2.0 * longest))
    t_all = np.asarray(ts["time_h"], dtype=float)
    shown = t_all < window_h
    t_h = t_all[shown]
    x, xlabel = time_axis(t_h)
    scale = (x[1] / t_h[1]) if len(t_h) > 1 and t_h[1] else 1.0
    _, mser_xlabel = time_axis(np.asarray([0.0, info["horizon_h"] / 2]))
    mser_scale = 1 / 24 if "days" in mser_xlabel else 1.0
    rows = [("utilisation", "fleet utilisation (%)", 100.0), ("queue", "robots queueing\n(all stations)", 1.0),
            ("green", "green packs\n(all stations)", 1.0)]
    rows = [r for r in rows if r[0] in info["series"]]
    with report_style():
        fig, axes = plt.subplots(len(rows), 2, figsize=(13, 3.6 * len(rows) + 0.6),
                                 gridspec_kw={"width_ratios": [2.2, 1]}, squeeze=False)
        for k, (name, ylabel, sc) in enumerate(rows):
            ax = axes[k][0]
            reps = [c for c in ts if c.startswith(f"{name}_r")]
            for j, c in enumerate(reps):
                ax.plot(x, np.asarray(ts[c], dtype=float)[shown] * sc, color="#BBBBBB", lw=0.5,
                        label="each pilot replication" if j == 0 else None)
            ax.plot(x, np.asarray(ts[f"{name}_mean"], dtype=float)[shown] * sc, color=OKABE_ITO[0], lw=0.9,
                    label=f"mean of {len(reps)} replications")
            bm = np.asarray(ms[f"{name}_batch_mean"], dtype=float) * sc
            batch = int(info["method"].split("-")[1].split()[0])
            b_start_h = np.arange(len(bm)) * batch * width
            keep = b_start_h < window_h
            bm, b_start = bm[keep], b_start_h[keep] * scale
            ax.step(b_start, bm, where="post", color=OKABE_ITO[1], lw=1.4, label=f"batch means ({batch} bins)")
            trunc = info["series"][name]["truncation_h"] * scale
            ax.axvspan(0, trunc, color="#000000", alpha=0.08, lw=0)
            ax.axvline(trunc, color=OKABE_ITO[3], lw=1.6, ls="-",
                       label=f"MSER-{batch} truncation: {info['series'][name]['truncation_h']:.1f} h")
            cur = info["scenario_warmup_h"] * scale
            if cur > 0:
                ax.axvline(cur, color="#000000", lw=1.2, ls="--",
                           label=f"scenario's warm-up: {info['scenario_warmup_h']:.1f} h")
            ax.set_xlim(0, x[-1] + (x[1] - x[0] if len(x) > 1 else 0))
            ax.set_xlabel(xlabel)
            ax.set_ylabel(ylabel)
            ax.set_title(f"{SERIES_TITLES.get(name, name)} per {width * 60:.0f}-min bin, first "
                         f"{window_h:.0f} h of {info['horizon_h'] / 24:.0f} d", fontsize=11)
            ax.legend(loc="best", fontsize=8.5, frameon=True, framealpha=0.85)
            ax2 = axes[k][1]
            tr = np.asarray(ms["truncation_h"], dtype=float)
            stat = np.asarray(ms[f"{name}_mser"], dtype=float)
            ok = np.isfinite(stat)
            ax2.plot(tr[ok] * mser_scale, stat[ok], color=OKABE_ITO[2], lw=1.4)
            best = info["series"][name]["truncation_h"] * mser_scale
            ax2.axvline(best, color=OKABE_ITO[3], lw=1.6)
            ax2.set_xlabel("truncation point: " + mser_xlabel.replace("simulated time", "simulated time deleted"))
            ax2.set_ylabel(f"MSER-{batch} statistic\n({'utilisation' if sc == 100 else name} squared)")
            ax2.set_title("MSER: squared std. error of the truncated mean", fontsize=10.5)
            ax2.ticklabel_format(axis="y", style="sci", scilimits=(-2, 3))
            if not info["series"][name]["reliable"]:
                ax2.text(0.5, 0.9, "minimum at the search limit:\nlengthen the pilot horizon",
                         transform=ax2.transAxes, ha="center", color=OKABE_ITO[3], fontsize=9)
        fig.suptitle(f"Warm-up analysis: {info['scenario']}, {info['replications']} pilot replications "
                     f"with no warm-up; suggested warm-up {info['suggested_warmup']}", fontsize=12.5)
        return _save(fig, out_dir, "warmup", fmt)


SERIES_TITLES = {"utilisation": "Fleet utilisation (robots working / robots)",
                 "queue": "Robots queueing at swap stations",
                 "green": "Green (ready) packs in the stations' bays"}


# ---------------------------------------------------------------------------------------------
# Battery health over months: pack health with thresholds and alerts; utilisation month by month.

ALERT_STYLE = {
    "warning": {"marker": "v", "color": "#E69F00", "label": "warning (replacement ordered)"},
    "retirement": {"marker": "X", "color": "#D55E00", "label": "retirement (quarantined)"},
    "fault": {"marker": "D", "color": "#000000", "label": "safety fault (quarantined)"},
}


def _health_thresholds(run_dir: Path) -> tuple[float | None, float | None]:
    """(warn, retire) thresholds from the run's resolved scenario, if present."""
    import yaml

    path = run_dir / "scenario.resolved.yaml"
    if not path.exists():
        return None, None
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    health = data.get("health") or {}
    return health.get("warn_below"), health.get("retire_below")


def plot_pack_health(health: dict[str, list], alerts: dict[str, list] | None, summary: dict[str, Any],
                     out_dir: Path, fmt: str = "png", thresholds: tuple[float | None, float | None] = (None, None),
                     ) -> Path:
    """Health of the packs in service over time (mean, 10th percentile, min, max), the warning and
    retirement thresholds, each alert at its estimated health; below, packs retired and spare stock."""
    t_h = np.asarray(health["time_h"], dtype=float)
    x, xlabel = time_axis(t_h)
    scale = x[-1] / t_h[-1] if len(t_h) and t_h[-1] else 1.0
    man = summary["manifest"]
    warn, retire = thresholds
    with report_style():
        fig, (ax, ax2) = plt.subplots(2, 1, figsize=(9, 7), sharex=True, gridspec_kw={"height_ratios": [3, 1.3]})
        hmin = np.asarray(health["health_min"], dtype=float)
        hmax = np.asarray(health["health_max"], dtype=float)
        ax.fill_between(x, hmin * 100, hmax * 100, color=OKABE_ITO[4], alpha=0.25, lw=0,
                        label="range of packs in service")
        ax.plot(x, np.asarray(health["health_mean"], dtype=float) * 100, color=OKABE_ITO[0], lw=2, label="mean")
        ax.plot(x, np.asarray(health["health_p10"], dtype=float) * 100, color=OKABE_ITO[0], lw=1, ls="--",
                label="10th percentile")
        ax.plot(x, hmin * 100, color=OKABE_ITO[5], lw=1, label="lowest pack")
        if warn is not None:
            ax.axhline(warn * 100, color="#E69F00", lw=1.2, ls=":", label=f"warning threshold {warn:.0%}")
        if retire is not None:
            ax.axhline(retire * 100, color="#D55E00", lw=1.2, ls="-.", label=f"retire threshold {retire:.0%}")
        if alerts and alerts.get("time_h"):
            kinds = np.asarray(alerts["kind"])
            at = np.asarray(alerts["time_h"], dtype=float) * scale
            est = np.asarray(alerts["estimated_health"], dtype=float) * 100
            for kind, style in ALERT_STYLE.items():
                sel = kinds == kind
                if sel.any():
                    ax.scatter(at[sel], est[sel], s=28, marker=style["marker"], color=style["color"],
                               edgecolor="white", linewidth=0.4, zorder=5,
                               label=f"{style['label']}: {int(sel.sum())}")
        lo = np.nanmin(hmin) if np.isfinite(hmin).any() else 0.8
        floor = min(lo, retire if retire is not None else lo) * 100
        ax.set_ylim(max(0.0, floor - 3), None)
        ax.set_ylabel("pack health\n(% of rated capacity)")
        retired = int(health["retired"][-1]) if len(health["retired"]) else 0
        warned = int(health["warnings_total"][-1]) if len(health.get("warnings_total", [])) else 0
        ax.set_title(f"Pack health over time: {man['scenario']}, seed {man['seed']}\n"
                     f"({retired} packs retired, {warned} warnings in the run)", loc="left")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        ax2.step(x, np.asarray(health["retired"]), where="post", color=OKABE_ITO[3], lw=1.5,
                 label="packs retired (cumulative)")
        ax2.step(x, np.asarray(health["quarantined"]), where="post", color=OKABE_ITO[1], lw=1.2,
                 label="quarantined, awaiting technician")
        ax2.step(x, np.asarray(health["spare_stock"]), where="post", color=OKABE_ITO[2], lw=1.2,
                 label="new packs in stock")
        ax2.set_ylabel("packs")
        ax2.set_ylim(bottom=0)
        ax2.set_xlabel(xlabel)
        ax2.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        return _save(fig, out_dir, "pack_health", fmt)


def plot_monthly(monthly: dict[str, list], summary: dict[str, Any], out_dir: Path, fmt: str = "png") -> Path:
    """Month by month: fleet utilisation (bars); where the rest of the time went (swap trips: travelling
    and swapping; queueing); swaps per robot per day and mean pack health."""
    months = np.asarray(monthly["month"], dtype=int)
    days = np.asarray(monthly["end_d"], dtype=float) - np.asarray(monthly["start_d"], dtype=float)
    labels = [f"{m}" if d >= 29.99 else f"{m}\n({d:g} d)" for m, d in zip(months, days)]
    util = np.asarray(monthly["utilisation"], dtype=float) * 100

    def frac(state: str) -> np.ndarray:
        col = monthly.get(f"{state}_fraction")
        return np.asarray(col, dtype=float) * 100 if col is not None else np.zeros(len(months))

    swaps = np.asarray(monthly["swaps_per_robot_per_day"], dtype=float)
    health = np.asarray([np.nan if v is None else v for v in monthly["health_mean"]], dtype=float) * 100
    man = summary["manifest"]
    with report_style():
        fig, (ax, axo, ax2) = plt.subplots(3, 1, figsize=(9, 8.5), sharex=True,
                                           gridspec_kw={"height_ratios": [1.2, 1, 1]})
        bars = ax.bar(months, util, color=STATE_COLOURS["working"], width=0.7)
        for b, u in zip(bars, util):
            ax.annotate(f"{u:.1f}", (b.get_x() + b.get_width() / 2, u), ha="center", va="bottom", fontsize=8)
        span = max(util.max() - util.min(), 1.0) if len(util) else 1.0
        ax.set_ylim(max(0.0, util.min() - 2 * span), min(100.0, util.max() + span))
        ax.set_ylabel("utilisation\n(% of on-duty time)")
        ax.set_title(f"Month by month (30-day months): {man['scenario']}, seed {man['seed']}")
        ax.grid(axis="x", visible=False)
        trip = frac("travelling") + frac("swapping")
        axo.plot(months, trip, marker="o", color=STATE_COLOURS["swapping"], lw=1.5,
                 label="swap trips (travelling + swapping)")
        axo.plot(months, frac("queueing"), marker="^", color=STATE_COLOURS["queueing"], lw=1.5,
                 label="queueing (position or green pack)")
        if np.any(frac("stranded") > 0):
            axo.plot(months, frac("stranded"), marker="x", color=STATE_COLOURS["stranded"], lw=1.2, label="stranded")
        axo.set_ylabel("share of on-duty\ntime (%)")
        top = max(float(np.max(trip)) if len(trip) else 0.0, float(np.max(frac("queueing"))) if len(trip) else 0.0)
        axo.set_ylim(0, max(top, 0.1) * 1.45)
        axo.legend(loc="upper left", frameon=False, fontsize=8.5, ncol=3)
        ax2.plot(months, swaps, marker="o", color=OKABE_ITO[0], lw=1.5, label="swaps per robot per day")
        ax2.set_ylabel("swaps per robot\nper day", color=OKABE_ITO[0])
        ax2.set_xlabel("month of the run (1 includes the warm-up)")
        ax3 = ax2.twinx()
        ax3.plot(months, health, marker="s", color=OKABE_ITO[3], lw=1.5, label="mean pack health")
        ax3.set_ylabel("mean pack\nhealth (%)", color=OKABE_ITO[3])
        ax3.grid(False)
        ax3.spines["right"].set_visible(True)
        lines = ax2.get_lines() + ax3.get_lines()
        ax2.legend(lines, [ln.get_label() for ln in lines], loc="center left", frameon=False, fontsize=8.5)
        ax2.set_xticks(months, labels)
        return _save(fig, out_dir, "monthly", fmt)


def plot_battery_health(run_dir: Path, summary: dict[str, Any], fmt: str = "png") -> list[Path]:
    """The battery-health figures whose files exist in ``run_dir`` (health.csv; monthly.csv, 2+ months)."""
    from swapsim.io import read_csv

    out: list[Path] = []
    if (run_dir / "health.csv").exists():
        health = read_csv(run_dir / "health.csv")
        if health.get("time_h"):
            alerts = read_csv(run_dir / "alerts.csv") if (run_dir / "alerts.csv").exists() else None
            out.append(plot_pack_health(health, alerts, summary, run_dir, fmt, _health_thresholds(run_dir)))
    if (run_dir / "monthly.csv").exists():
        monthly = read_csv(run_dir / "monthly.csv")
        if len(monthly.get("month", [])) >= 2:
            out.append(plot_monthly(monthly, summary, run_dir, fmt))
    return out
