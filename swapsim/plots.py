"""Figures for reports, drawn only from saved result files (never by running a simulation).

One place sets the report style (:func:`report_style`): print-size fonts, the Okabe-Ito
colour-blind-safe palette, 200 dpi, headless Agg backend. Every axis carries its unit and every
title says what is shown.

Run figures (:func:`plot_run`):

* ``fleet_state.png``: robots in each state over time (stacked area), warm-up shaded;
* ``robot_breakdown.png``: each robot's share of time per state, robots sorted by utilisation;
* ``stations.png``: per station, busy swap positions, queue length and green packs over time, with
  station outages shaded.

Compare figure (:func:`plot_compare`): ``compare.png``, power strategies side by side.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from swapsim.metrics import ROBOT_STATES  # noqa: E402

__all__ = ["OKABE_ITO", "STATE_COLOURS", "STRATEGY_COLOURS", "report_style", "plot_run", "time_axis",
           "plot_compare"]

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]
"""Okabe-Ito palette: distinguishable under the common colour-vision deficiencies."""

STATE_COLOURS = {
    "working": "#009E73",
    "idle": "#BBBBBB",
    "travelling": "#56B4E9",
    "queueing": "#E69F00",
    "swapping": "#0072B2",
    "stranded": "#D55E00",
    "down": "#CC79A7",
    "off_duty": "#666666",
    "charging": "#F0E442",
}

_STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 200,
    "savefig.bbox": "tight",
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 9.5,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=OKABE_ITO),
}


@contextmanager
def report_style() -> Iterator[None]:
    """Apply the report style inside a ``with`` block."""
    with plt.rc_context(_STYLE):
        yield


def time_axis(hours: np.ndarray) -> tuple[np.ndarray, str]:
    """Times in hours, scaled to days for runs longer than two days; returns (values, axis label)."""
    hours = np.asarray(hours, dtype=float)
    if hours.size and hours.max() > 48:
        return hours / 24.0, "simulated time (days)"
    return hours, "simulated time (h)"


def _save(fig: plt.Figure, out_dir: Path, stem: str, fmt: str) -> Path:
    path = out_dir / f"{stem}.{fmt}"
    fig.savefig(path, format=fmt)
    plt.close(fig)
    return path


def _shade_warmup(ax: plt.Axes, warmup_h: float, scale: float) -> None:
    if warmup_h > 0:
        ax.axvspan(0, warmup_h * scale, color="#000000", alpha=0.07, lw=0, label="warm-up (not in KPIs)")


def plot_fleet_state(ts: dict[str, list], summary: dict[str, Any], out_dir: Path, fmt: str = "png") -> Path:
    """Stacked area of the number of robots in each state over time."""
    t_h = np.asarray(ts["time_h"], dtype=float)
    x, xlabel = time_axis(t_h)
    scale = x[1] / t_h[1] if len(t_h) > 1 and t_h[1] else 1.0
    states = [s for s in ROBOT_STATES if f"robots_{s}" in ts]
    extra = [c[len("robots_"):] for c in ts if c.startswith("robots_") and c[len("robots_"):] not in states]
    states += extra
    ys = [np.asarray(ts[f"robots_{s}"], dtype=float) for s in states]
    keep = [i for i, y in enumerate(ys) if np.any(y > 1e-9)]
    man = summary["manifest"]
    with report_style():
        fig, ax = plt.subplots(figsize=(9, 4.5))
        ax.stackplot(x, *[ys[i] for i in keep], labels=[states[i] for i in keep],
                     colors=[STATE_COLOURS.get(states[i], OKABE_ITO[i % 8]) for i in keep], step="post",
                     alpha=0.9)
        _shade_warmup(ax, man["warmup_h"], scale)
        ax.set_xlim(x[0], x[-1] + (x[1] - x[0] if len(x) > 1 else 1))
        ax.set_ylim(0, summary["fleet"]["robots"])
        ax.set_xlabel(xlabel)
        ax.set_ylabel("robots (mean in bin)")
        ax.set_title(f"Fleet state over time: {man['scenario']}, {summary['fleet']['robots']} robots, "
                     f"seed {man['seed']}")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
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
    with report_style():
        fig, ax = plt.subplots(figsize=(max(6.0, min(14.0, 0.18 * n + 4)), 4.5))
        bottom = np.zeros(n)
        pos = np.arange(n)
        for s in states:
            y = fr[s][order] * 100
            if not np.any(y > 1e-9):
                continue
            ax.bar(pos, y, bottom=bottom, width=0.85, label=s, color=STATE_COLOURS.get(s, "#999999"), lw=0)
            bottom += y
        if n <= 40:
            ax.set_xticks(pos, [str(i) for i in ids], rotation=90 if n > 20 else 0)
        else:
            ax.set_xticks([])
        ax.set_xlabel("robot (sorted by utilisation)" + (" - ids on the axis" if n <= 40 else "")
                      + (f"; {int(never.sum())} never on duty, not shown" if never.any() else ""))
        ax.set_ylabel("share of on-duty time after warm-up (%)")
        ax.set_ylim(0, 100)
        ax.set_title(f"Time breakdown per robot: {man['scenario']} "
                     f"(fleet utilisation {summary['fleet']['utilisation']:.1%})")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        ax.grid(axis="x", visible=False)
        return _save(fig, out_dir, "robot_breakdown", fmt)


def plot_stations(ts: dict[str, list], summary: dict[str, Any], out_dir: Path, fmt: str = "png") -> Path:
    """Per station: busy swap positions, robots queueing and green packs over time."""
    t_h = np.asarray(ts["time_h"], dtype=float)
    x, xlabel = time_axis(t_h)
    scale = x[1] / t_h[1] if len(t_h) > 1 and t_h[1] else 1.0
    stations = summary["stations"]
    man = summary["manifest"]
    rows = [("busy", "busy swap positions"), ("queue", "robots queueing"), ("green", "green (ready) packs")]
    with report_style():
        fig, axes = plt.subplots(len(rows), len(stations), figsize=(max(7.0, 4.5 * len(stations)), 7.5),
                                 sharex=True, squeeze=False)
        for j, st in enumerate(stations):
            for i, (key, label) in enumerate(rows):
                ax = axes[i][j]
                y = np.asarray(ts[f"{st['name']}_{key}"], dtype=float)
                ax.step(x, y, where="post", color=OKABE_ITO[i], lw=1.2)
                ax.fill_between(x, y, step="post", color=OKABE_ITO[i], alpha=0.25, lw=0)
                _shade_warmup(ax, man["warmup_h"], scale)
                _shade_outages(ax, ts, st["name"], x)
                ax.set_ylim(bottom=0)
                if j == 0:
                    ax.set_ylabel(f"{label}\n(mean in bin)")
                if i == 0:
                    n_out = st.get("outages") or 0
                    outages = f", {n_out} outage{'s' if n_out != 1 else ''}" if n_out else ""
                    ax.set_title(f"{st['name']}: {st['swap_utilisation']:.0%} busy, "
                                 f"{st['stockouts']} stock-outs{outages}", fontsize=11)
            axes[-1][j].set_xlabel(xlabel)
        shaded = "; shaded: warm-up (grey), station down (orange)" if any(st.get("outages") for st in stations) \
            else ""
        fig.suptitle(f"Swap stations over time: {man['scenario']}, seed {man['seed']}{shaded}", fontsize=12)
        fig.tight_layout()
        return _save(fig, out_dir, "stations", fmt)


def _shade_outages(ax: plt.Axes, ts: dict[str, list], station: str, x: np.ndarray) -> None:
    """Shade the time bins in which ``station`` was down (any part of the bin)."""
    key = f"{station}_down"
    if key not in ts:
        return
    down = np.asarray(ts[key], dtype=float) > 0
    if down.any():
        step = x[1] - x[0] if len(x) > 1 else 1.0
        ax.fill_between(np.append(x, x[-1] + step), 0, 1, where=np.append(down, down[-1]), step="post",
                        transform=ax.get_xaxis_transform(), color=STATE_COLOURS["stranded"], alpha=0.3, lw=0,
                        label="station down")


def plot_run(run_dir: Path, fmt: str = "png") -> list[Path]:
    """Draw every run figure from the files in ``run_dir``; returns the paths written."""
    from swapsim.io import read_csv

    run_dir = Path(run_dir)
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    ts = read_csv(run_dir / "timeseries.csv")
    robots = read_csv(run_dir / "robots.csv")
    return [
        plot_fleet_state(ts, summary, run_dir, fmt),
        plot_robot_breakdown(robots, summary, run_dir, fmt),
        plot_stations(ts, summary, run_dir, fmt),
    ]


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
        fig.tight_layout()
        return [_save(fig, compare_dir, "compare", fmt)]
