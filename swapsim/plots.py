"""Figures for reports, drawn only from saved result files (never by running a simulation).

One place sets the report style (:func:`report_style`): print-size fonts, the Okabe-Ito
colour-blind-safe palette, 200 dpi, headless Agg backend. Every axis carries its unit and every
title says what is shown.

Run figures (:func:`plot_run`):

* ``fleet_state.png``: robots in each state over time (stacked area), warm-up shaded;
* ``robot_breakdown.png``: each robot's share of time per state, robots sorted by utilisation;
* ``stations.png``: per station, busy swap positions, queue length and green packs over time;
* ``pack_health.png``: health of the packs in service with the warning and retire thresholds and the
  alerts, and packs retired, quarantined and in stock (when ``health.csv`` exists);
* ``monthly.png``: by 30-day month, utilisation, the time spent on swap trips and queueing, swaps per
  robot per day and mean pack health (when ``monthly.csv`` exists with two months or more).
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

__all__ = ["OKABE_ITO", "STATE_COLOURS", "report_style", "plot_run", "time_axis"]

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
    states = [c[: -len("_fraction")] for c in robots if c.endswith("_fraction")]
    fr = {s: np.asarray(robots[f"{s}_fraction"], dtype=float) for s in states}
    order = np.argsort(-fr["working"], kind="stable")
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
        ax.set_xlabel("robot (sorted by utilisation)" + (" - ids on the axis" if n <= 40 else ""))
        ax.set_ylabel("share of time after warm-up (%)")
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
                ax.set_ylim(bottom=0)
                if j == 0:
                    ax.set_ylabel(f"{label}\n(mean in bin)")
                if i == 0:
                    ax.set_title(f"station {st['name']}: utilisation {st['swap_utilisation']:.0%}, "
                                 f"{st['stockouts']} stock-outs", fontsize=11)
            axes[-1][j].set_xlabel(xlabel)
        fig.suptitle(f"Swap stations over time: {man['scenario']}, seed {man['seed']}", fontsize=12)
        fig.tight_layout()
        return _save(fig, out_dir, "stations", fmt)


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
        *plot_battery_health(run_dir, summary, fmt),
    ]


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
        ax.set_title(f"Pack health over time: {man['scenario']}, seed {man['seed']} "
                     f"({retired} packs retired, {warned} warnings in the run)")
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
        fig.tight_layout()
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
        fig.tight_layout()
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
