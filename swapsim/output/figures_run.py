"""Run figures: the files of one run directory drawn for the report (never by running a simulation).

:func:`plot_run` draws every run figure beside the files it reads:

* ``fleet_state.png``: robots in each state over time (stacked area), warm-up shaded;
* ``robot_breakdown.png``: the spread between robots: each robot's utilisation against the fleet's,
  and each robot's share of time in the other states, outliers named;
* ``stations.png``: per station, busy swap positions, queue length and green packs over time (bin
  means, and for queue and green packs a band from the smallest to the largest value within each bin),
  stock-outs as ticks, station outages shaded (:mod:`swapsim.output.figures_stations`);
* ``swap_waits.png``: histogram and empirical CDF of the swap waits (when there were swaps);
* ``pack_health.png`` and ``monthly.png`` when the run has their files
  (:mod:`swapsim.output.figures_health`).

Each figure is also a function of the tables already read (``plot_fleet_state(ts, summary, out_dir)``
and so on), for a notebook that holds them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from swapsim.metrics import ROBOT_STATES
from swapsim.output.figures_common import (
    duration_label,
    save_figure,
    shade_warmup,
    step_edges,
    time_frame,
)
from swapsim.output.figures_health import plot_battery_health
from swapsim.output.figures_stations import plot_stations
from swapsim.output.style import FIGURE_WIDTH_IN, MARK_COLOUR, OKABE_ITO, STATE_COLOURS, report_style
from swapsim.results import read_csv, read_json

__all__ = [
    "plot_run",
    "plot_fleet_state",
    "plot_robot_breakdown",
    "outlier_robots",
    "plot_stations",
    "plot_swap_waits",
    "swap_wait_cdf",
]


OFF_DUTY_FILL = "#E4E4E4"
"""Fill of the off-duty layer in the fleet-state figure (hatched): lighter than idle, so parked robots
do not dominate the working ones."""


def plot_fleet_state(ts: dict[str, list], summary: dict[str, Any], out_dir: Path, fmt: str = "png") -> Path:
    """Robots in each state over time: all states stacked (top) and the robots not working (bottom, zoomed)."""
    cols, width_h, scale, xlabel, x_end, warmup_h = time_frame(ts, summary)
    x = cols["time_h"] * scale
    states = [s for s in ROBOT_STATES if f"robots_{s}" in cols]
    states += [c[len("robots_") :] for c in cols if c.startswith("robots_") and c[len("robots_") :] not in states]
    ys = {s: cols[f"robots_{s}"] for s in states}
    shown = [s for s in states if np.any(ys[s] > 1e-9)]
    idle_like = [s for s in shown if s not in ("working", "off_duty")]  # on duty, not working
    colours = {s: STATE_COLOURS.get(s, OKABE_ITO[i % len(OKABE_ITO)]) for i, s in enumerate(states)}
    colours["off_duty"] = OFF_DUTY_FILL  # parked robots recede: a light fill, hatched, behind the work
    names = {s: s.replace("_", " ") for s in states}
    man = summary["manifest"]
    n_robots = summary["fleet"]["robots"]
    with report_style():
        fig = Figure(figsize=(FIGURE_WIDTH_IN, 6.0))
        ax, ax2 = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [1, 1]})
        xs, *stack = step_edges(x, x_end, *[ys[s] for s in shown])
        layers = ax.stackplot(
            xs, *stack, labels=[names[s] for s in shown], colors=[colours[s] for s in shown], step="post", lw=0
        )
        for s, layer in zip(shown, layers):
            if s == "off_duty":
                layer.set_hatch("..")
                layer.set_edgecolor("#9A9A9A")
        ax.set_ylim(0, n_robots)
        ax.set_ylabel("robots")
        ax.set_title(f"All {n_robots} robots by state (mean over {duration_label(width_h)} bins)", loc="left")
        if idle_like:
            xs, *stack = step_edges(x, x_end, *[ys[s] for s in idle_like])
            ax2.stackplot(xs, *stack, colors=[colours[s] for s in idle_like], step="post", lw=0)
            top = float(np.max(np.sum(stack, axis=0)))
            ax2.set_ylim(0, top * 1.08 if top > 0 else 1)
        ax2.set_ylabel("robots")
        ax2.set_title(
            "On-duty robots not working, by state (zoomed scale)"
            if "off_duty" in shown
            else "Robots not working, by state (zoomed scale)",
            loc="left",
        )
        for a in (ax, ax2):
            shade_warmup(a, warmup_h, scale)
            a.set_xlim(x[0], x_end)
            a.grid(axis="x", visible=False)
        ax2.set_xlabel(xlabel)
        handles, labels = ax.get_legend_handles_labels()
        order = [labels.index(names[s]) for s in reversed(shown)]
        order += [i for i, lab in enumerate(labels) if lab not in names.values()]
        fig.legend([handles[i] for i in order], [labels[i] for i in order], loc="outside right center")
        fig.suptitle(f"Fleet state over time: {man['scenario']}, {n_robots} robots, seed {man['seed']}")
        return save_figure(fig, out_dir, "fleet_state", fmt)


def outlier_robots(values: np.ndarray, k: float = 3.0, floor: float = 0.005) -> np.ndarray:
    """Indices of values more than ``k`` robust standard deviations (1.4826 x the median absolute
    deviation) and at least ``floor`` from the median: the robots worth naming."""
    values = np.asarray(values, dtype=float)
    if values.size < 3:
        return np.zeros(0, dtype=int)
    med = float(np.median(values))
    spread = 1.4826 * float(np.median(np.abs(values - med)))
    dev = np.abs(values - med)
    return np.flatnonzero(dev > max(k * spread, floor))


def plot_robot_breakdown(robots: dict[str, list], summary: dict[str, Any], out_dir: Path, fmt: str = "png") -> Path:
    """The spread between robots after warm-up (``robot_breakdown``).

    Left: each robot's utilisation minus the fleet's, in percentage points of on-duty time, robots
    sorted; the band is +-3 robust standard deviations. Right: each robot's share of on-duty time in
    every other state it was in (one dot per robot, a box for the middle half). Robots outside
    :func:`outlier_robots` are named.
    """
    states = [c[: -len("_fraction")] for c in robots if c.endswith("_fraction") and c != "off_duty_fraction"]
    fr = {s: np.asarray(robots[f"{s}_fraction"], dtype=float) for s in states}
    on_duty_h = sum(np.asarray(robots[f"{s}_h"], dtype=float) for s in states if f"{s}_h" in robots)
    keep = np.asarray(on_duty_h) > 0 if np.ndim(on_duty_h) else np.ones(len(fr["working"]), dtype=bool)
    ids = np.asarray(robots["robot"])[keep]
    fr = {s: v[keep] for s, v in fr.items()}
    others = [s for s in states if s != "working" and np.any(fr[s] > 1e-9)]
    man = summary["manifest"]
    fleet_u = float(summary["fleet"]["utilisation"])
    dev = (fr["working"] - fleet_u) * 100
    order = np.argsort(dev, kind="stable")
    n = len(ids)
    with report_style():
        fig = Figure(figsize=(FIGURE_WIDTH_IN, 4.8))
        ax, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.15, 1]})
        pos = np.arange(n)
        out_u = set(outlier_robots(fr["working"]).tolist())
        colours = [OKABE_ITO[3] if i in out_u else STATE_COLOURS["working"] for i in order]
        ax.vlines(pos, 0, dev[order], color=colours, lw=1.4)
        ax.scatter(pos, dev[order], color=colours, s=16, zorder=3)
        med = float(np.median(fr["working"]))
        spread = 1.4826 * float(np.median(np.abs(fr["working"] - med))) * 100
        ax.axhspan(
            (med - fleet_u) * 100 - 3 * spread,
            (med - fleet_u) * 100 + 3 * spread,
            color="#DDDDDD",
            lw=0,
            zorder=0,
            gid="background",
        )
        ax.axhline(0, color=MARK_COLOUR, lw=0.8)
        for j, i in enumerate(order):
            if i in out_u:
                left_half = j < n / 2  # name to the inside of the stem, clear of the axis and the edge
                ax.annotate(
                    f"robot {ids[i]}",
                    (j, dev[i]),
                    xytext=(6 if left_half else -6, 0),
                    textcoords="offset points",
                    ha="left" if left_half else "right",
                    va="center",
                    fontsize=8.5,
                    color=OKABE_ITO[3],
                )
        lim = max(float(np.max(np.abs(dev))) if n else 0.0, 3 * spread, 0.5) * 1.35
        ax.set_ylim(-lim, lim)
        ax.set_xlim(-1, n)
        ax.set_xticks([])
        ax.set_xlabel(f"{n} robots, sorted by utilisation")
        ax.set_ylabel("utilisation minus the fleet's\n(percentage points of on-duty time)")
        ax.set_title(
            f"Utilisation: {fr['working'].min():.1%} to {fr['working'].max():.1%}\n"
            f"(fleet {fleet_u:.1%}; grey: ±3 robust SD)",
            fontsize=10.5,
        )
        ax.grid(axis="x", visible=False)
        rng = np.random.default_rng(0)
        for k, s in enumerate(others):
            y = fr[s] * 100
            d = y - float(np.median(y))
            # drawn by hand: Axes.boxplot resolves the matplotlib backend, which drawing must leave alone
            q1, q2, q3 = np.quantile(d, [0.25, 0.5, 0.75])
            ax2.vlines(k, float(d.min()), float(d.max()), color="#777777", lw=1.0, zorder=2)
            ax2.bar(k, q3 - q1, bottom=q1, width=0.55, facecolor="white", edgecolor="#777777", lw=1.0, zorder=2)
            ax2.hlines(q2, k - 0.275, k + 0.275, color=MARK_COLOUR, lw=1.2, zorder=2)
            jitter = rng.uniform(-0.18, 0.18, size=len(y))
            ax2.scatter(k + jitter, d, s=10, color=STATE_COLOURS.get(s, "#999999"), alpha=0.85, zorder=3, lw=0)
            far = outlier_robots(fr[s])
            far = far[np.argsort(-np.abs(d[far]))][:3]
            for m, i in enumerate(far):
                ax2.annotate(
                    str(ids[i]),
                    (k + jitter[i], d[i]),
                    xytext=(6, 9 * m - 9 * (len(far) - 1) / 2),
                    textcoords="offset points",
                    fontsize=8,
                    va="center",
                    color=OKABE_ITO[3],
                )
        if others:
            ax2.set_xticks(
                range(len(others)), [f"{s.replace('_', ' ')}\n{np.median(fr[s]):.1%}" for s in others], fontsize=9
            )
            ax2.set_xlim(-0.6, len(others) - 0.4)
        ax2.axhline(0, color=MARK_COLOUR, lw=0.8)
        ax2.set_ylabel("robot's share minus the median\n(percentage points of on-duty time)")
        ax2.set_xlabel("state (median share of on-duty time)")
        ax2.set_title("Other states: one dot per robot\n(box: middle half; red: far from the rest)", fontsize=10.5)
        ax2.grid(axis="x", visible=False)
        if not out_u:
            ax.text(0.02, 0.97, "no robot stands out", transform=ax.transAxes, va="top", fontsize=9)
        fig.suptitle(f"Spread between robots after warm-up: {man['scenario']}, seed {man['seed']}", fontsize=12)
        return save_figure(fig, out_dir, "robot_breakdown", fmt)


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
        fig.suptitle(
            f"Swap waits after warm-up (arrival at a station to start of the swap): "
            f"{man['scenario']}, {int(total)} swaps, seed {man['seed']}",
            fontsize=12,
        )
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
            ax_h.bar(
                edges,
                bars / total * 100,
                width=width,
                align="edge",
                color=OKABE_ITO[0],
                lw=0,
                alpha=0.85,
                label="waits above zero",
            )
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
        h1, l1 = ax_h.get_legend_handles_labels()
        h2, l2 = ax_c.get_legend_handles_labels()
        keep = [i for i, lab in enumerate(l2) if lab not in l1]
        fig.legend(
            h1 + [h2[i] for i in keep], l1 + [l2[i] for i in keep], loc="outside lower center", ncol=4, frameon=False
        )
        return save_figure(fig, out_dir, "swap_waits", fmt)


def _read_scenario_data(run_dir: Path) -> dict[str, Any] | None:
    """The resolved scenario as plain data (no validation: figures only read it), or None."""
    from swapsim.results import ResultsError
    from swapsim.results.reader import read_yaml

    path = run_dir / "scenario.resolved.yaml"
    if not os.path.lexists(path):
        return None
    try:
        data = read_yaml(path)
    except ResultsError:
        return None
    return data if isinstance(data, dict) else None


def plot_run(run_dir: Path, fmt: str = "png") -> list[Path]:
    """Draw every run figure from the files in ``run_dir``; returns the paths written."""
    run_dir = Path(run_dir)
    summary = read_json(run_dir / "summary.json")
    ts = read_csv(run_dir / "timeseries.csv")
    robots = read_csv(run_dir / "robots.csv")
    paths = [
        plot_fleet_state(ts, summary, run_dir, fmt),
        plot_robot_breakdown(robots, summary, run_dir, fmt),
        plot_stations(ts, summary, run_dir, fmt, scenario=_read_scenario_data(run_dir)),
        *plot_battery_health(run_dir, summary, fmt),
    ]
    if os.path.lexists(run_dir / "swap_waits.csv"):
        waits = read_csv(run_dir / "swap_waits.csv")
        if sum(waits["count"]) > 0:  # no swaps at all (plug-in charging): no distribution to draw
            paths.append(plot_swap_waits(waits, summary, run_dir, fmt))
    return paths
