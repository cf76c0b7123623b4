"""Battery-health figures of a run: pack health over time with its thresholds and alerts, and the run
month by month. Drawn from ``health.csv``, ``alerts.csv`` and ``monthly.csv`` when the run wrote them.

* ``pack_health.png``: health of the packs in service (mean, 10th percentile, range) with the warning
  and retire thresholds and each alert, and below it packs retired, quarantined and in stock;
* ``monthly.png`` (runs of two months or more): by 30-day month, utilisation, the time spent on swap
  trips and queueing, swaps per robot per day and mean pack health.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from swapsim.output.figures_common import save_figure, time_axis
from swapsim.output.style import FIGURE_WIDTH_IN, OKABE_ITO, STATE_COLOURS, report_style
from swapsim.results import read_csv

__all__ = ["ALERT_STYLE", "plot_pack_health", "plot_monthly", "plot_battery_health"]

ALERT_STYLE = {
    "warning": {"marker": "v", "color": "#E69F00", "label": "warning (replacement ordered)"},
    "retirement": {"marker": "X", "color": "#D55E00", "label": "retirement (quarantined)"},
    "fault": {"marker": "D", "color": "#000000", "label": "safety fault (quarantined)"},
}


def _health_thresholds(run_dir: Path) -> tuple[float | None, float | None]:
    """(warn, retire) thresholds from the run's resolved scenario, if present."""
    from swapsim.results.reader import read_yaml

    path = run_dir / "scenario.resolved.yaml"
    if not os.path.lexists(path):
        return None, None
    data = read_yaml(path) or {}
    if not isinstance(data, dict):
        return None, None
    health = data.get("health") or {}
    return health.get("warn_below"), health.get("retire_below")


def plot_pack_health(
    health: dict[str, list],
    alerts: dict[str, list] | None,
    summary: dict[str, Any],
    out_dir: Path,
    fmt: str = "png",
    thresholds: tuple[float | None, float | None] = (None, None),
) -> Path:
    """Health of the packs in service over time (mean, 10th percentile, min, max), the warning and
    retirement thresholds, each alert at its estimated health; below, packs retired and spare stock."""
    t_h = np.asarray(health["time_h"], dtype=float)
    x, xlabel = time_axis(t_h)
    scale = x[-1] / t_h[-1] if len(t_h) and t_h[-1] else 1.0
    man = summary["manifest"]
    warn, retire = thresholds
    with report_style():
        fig = Figure(figsize=(FIGURE_WIDTH_IN, 7))
        ax, ax2 = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1.3]})
        hmin = np.asarray(health["health_min"], dtype=float)
        hmax = np.asarray(health["health_max"], dtype=float)
        ax.fill_between(
            x, hmin * 100, hmax * 100, color=OKABE_ITO[4], alpha=0.25, lw=0, label="range of packs in service"
        )
        ax.plot(x, np.asarray(health["health_mean"], dtype=float) * 100, color=OKABE_ITO[0], lw=2, label="mean")
        ax.plot(
            x,
            np.asarray(health["health_p10"], dtype=float) * 100,
            color=OKABE_ITO[0],
            lw=1,
            ls="--",
            label="10th percentile",
        )
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
                    ax.scatter(
                        at[sel],
                        est[sel],
                        s=28,
                        marker=style["marker"],
                        color=style["color"],
                        edgecolor="white",
                        linewidth=0.4,
                        zorder=5,
                        label=f"{style['label']}: {int(sel.sum())}",
                    )
        if np.nanmax(hmax) > 1.0:
            ax.axhline(
                100,
                color="#555555",
                lw=0.9,
                ls=(0, (1, 3)),
                label="rated capacity: new packs vary\naround it, some start above 100 %",
            )
        lo = np.nanmin(hmin) if np.isfinite(hmin).any() else 0.8
        floor = min(lo, retire if retire is not None else lo) * 100
        ax.set_ylim(max(0.0, floor - 3), None)
        ax.set_ylabel("pack health (% of rated capacity;\nthe energy a full pack holds)")
        retired = int(health["retired"][-1]) if len(health["retired"]) else 0
        warned = int(health["warnings_total"][-1]) if len(health.get("warnings_total", [])) else 0
        ax.set_title(
            f"Pack health over time: {man['scenario']}, seed {man['seed']}\n"
            f"({retired} packs retired, {warned} warnings in the run)",
            loc="left",
        )
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        lower = [
            ("retired", OKABE_ITO[3], 1.5, "packs retired (cumulative)"),
            ("quarantined", OKABE_ITO[1], 1.2, "quarantined, awaiting technician"),
            ("spare_stock", OKABE_ITO[2], 1.2, "new packs in stock"),
        ]
        none = []
        for key, colour, lw, label in lower:
            y = np.asarray(health[key], dtype=float)
            if np.any(y > 0):
                ax2.step(x, y, where="post", color=colour, lw=lw, label=label)
            else:
                none.append(label.split(" (")[0].split(",")[0])
        if none:
            ax2.text(
                0.01,
                0.95,
                "zero throughout: " + ", ".join(none),
                transform=ax2.transAxes,
                va="top",
                fontsize=9,
                color="#444444",
            )
        ax2.set_ylim(0, max(1.0, float(np.max([np.max(np.asarray(health[k], dtype=float)) for k, *_ in lower]))) * 1.3)
        ax2.set_ylabel("packs")
        ax2.set_xlabel(xlabel)
        if ax2.get_lines():
            ax2.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        return save_figure(fig, out_dir, "pack_health", fmt)


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
        fig = Figure(figsize=(FIGURE_WIDTH_IN, 8.5))
        ax, axo, ax2 = fig.subplots(3, 1, sharex=True, gridspec_kw={"height_ratios": [1.2, 1, 1]})
        bars = ax.bar(months, util, color=STATE_COLOURS["working"], width=0.7)
        for b, u in zip(bars, util):
            ax.annotate(f"{u:.1f}", (b.get_x() + b.get_width() / 2, u), ha="center", va="bottom", fontsize=8)
        # bars start at zero (a bar's length is its value); the numbers on them show the differences
        ax.set_ylim(0.0, max(float(util.max()) if len(util) else 0.0, 1.0) * 1.15)
        ax.set_ylabel("utilisation\n(% of on-duty time)")
        ax.set_title(f"Month by month (30-day months): {man['scenario']}, seed {man['seed']}")
        ax.grid(axis="x", visible=False)
        trip = frac("travelling") + frac("swapping")
        axo.plot(
            months,
            trip,
            marker="o",
            color=STATE_COLOURS["swapping"],
            lw=1.5,
            label="swap trips (travelling + swapping)",
        )
        axo.plot(
            months,
            frac("queueing"),
            marker="^",
            color=STATE_COLOURS["queueing"],
            lw=1.5,
            label="queueing (position or green pack)",
        )
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
        return save_figure(fig, out_dir, "monthly", fmt)


def plot_battery_health(run_dir: Path, summary: dict[str, Any], fmt: str = "png") -> list[Path]:
    """The battery-health figures whose files exist in ``run_dir`` (health.csv; monthly.csv, 2+ months)."""
    out: list[Path] = []
    if os.path.lexists(run_dir / "health.csv"):
        health = read_csv(run_dir / "health.csv")
        if health.get("time_h"):
            alerts = read_csv(run_dir / "alerts.csv") if os.path.lexists(run_dir / "alerts.csv") else None
            out.append(plot_pack_health(health, alerts, summary, run_dir, fmt, _health_thresholds(run_dir)))
    if os.path.lexists(run_dir / "monthly.csv"):
        monthly = read_csv(run_dir / "monthly.csv")
        if len(monthly.get("month", [])) >= 2:
            out.append(plot_monthly(monthly, summary, run_dir, fmt))
    return out
