"""The comparison figures: the power strategies of a ``swapsim compare`` directory side by side.

Drawn from saved files only: :func:`plot_compare` writes ``compare.png`` from ``compare.csv`` and
``compare.json``, and, when the comparison was replicated, ``compare_paired.png`` from
``compare_paired.json`` (:func:`plot_compare_paired`). Strategies carry their display names
(:func:`swapsim.metrics.glossary.strategy_name`) and the report width (:data:`FIGURE_WIDTH_IN`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from swapsim.metrics import ROBOT_STATES
from swapsim.metrics.catalogue import entry_for
from swapsim.metrics.glossary import strategy_name
from swapsim.output.figures_common import save_figure, wrap_title
from swapsim.output.style import FIGURE_WIDTH_IN, MARK_COLOUR, OKABE_ITO, report_style
from swapsim.results import read_csv, read_json

__all__ = ["STRATEGY_COLOURS", "plot_compare", "plot_compare_paired"]

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
    compare_dir = Path(compare_dir)
    table = read_csv(compare_dir / "compare.csv")
    meta = read_json(compare_dir / "compare.json")
    kinds = [str(k) for k in table["strategy"]]
    labels = [strategy_name(k) for k in kinds]
    ticks = [lab.replace(" ", "\n") for lab in labels]  # two short lines under a narrow bar
    n = len(kinds)
    colours = [STRATEGY_COLOURS.get(k, OKABE_ITO[(i + 4) % 8]) for i, k in enumerate(kinds)]
    others = [
        s
        for s in ROBOT_STATES
        if s not in ("working", "off_duty") and s in table and any(float(v) > 5e-4 for v in table[s])
    ]
    days = (meta["horizon_h"] - meta["warmup_h"]) / 24.0
    tasks = "task_wait_min_p95" in table
    util = np.asarray(table["utilisation"], dtype=float) * 100
    with report_style():
        # the report width; task demand adds a row for the task waits
        fig = Figure(figsize=(FIGURE_WIDTH_IN, 9.0 if tasks else 5.4))
        layout: Any = [["u", "s"], ["t", "t"]] if tasks else [["u", "s"]]
        named = fig.subplot_mosaic(layout, gridspec_kw={"width_ratios": [1, 2.2]})
        ax_u, ax_s = named["u"], named["s"]
        bars = ax_u.bar(np.arange(n), util, color=colours, width=0.7)
        ax_u.bar_label(bars, labels=[f"{u:.1f} %" for u in util], padding=3, fontsize=9.5)
        ax_u.set_xticks(np.arange(n), ticks)
        ax_u.set_ylim(0, 110)
        ax_u.set_ylabel("working share of on-duty time (%)")
        ax_u.set_title("Utilisation")
        ax_u.grid(axis="x", visible=False)
        width = 0.8 / max(n, 1)
        x = np.arange(len(others))
        for i in range(len(kinds)):
            y = [float(table[s][i]) * 100 for s in others]
            ax_s.bar(
                x + (i - (n - 1) / 2) * width,
                y,
                width=width * 0.95,
                color=colours[i],
                label=labels[i],
            )
        ax_s.set_xticks(x, others, rotation=20 if len(others) > 4 else 0, ha="right" if len(others) > 4 else "center")
        ax_s.set_ylabel("share of on-duty time (%)")
        ax_s.set_title("Where the rest of on-duty time goes")
        ax_s.set_ylim(bottom=0)
        fig.legend(*ax_s.get_legend_handles_labels(), loc="outside lower center", ncol=min(n, 4), frameon=False)
        ax_s.grid(axis="x", visible=False)
        if tasks:
            ax_t = named["t"]
            p95 = np.asarray(table["task_wait_min_p95"], dtype=float)
            mean = np.asarray(table["task_wait_min_mean"], dtype=float)
            bars = ax_t.bar(np.arange(n), p95, color=colours, width=0.7, label="95th percentile")
            ax_t.plot(np.arange(n), mean, "D", color="#000000", ms=6, label="mean")
            ax_t.bar_label(bars, labels=[f"{v:.1f}" for v in p95], padding=3, fontsize=9.5)
            done = [float(v) / days if days > 0 else 0.0 for v in table["tasks_done"]]
            ax_t.set_xticks(np.arange(n), [f"{lab}\n{d:,.0f} tasks/d" for lab, d in zip(labels, done)], fontsize=10)
            ax_t.set_ylabel("task wait (min)")
            ax_t.set_ylim(0, max(1.0, float(p95.max())) * 1.18)
            ax_t.set_title("Task wait: p95 (bar), mean (diamond)")
            ax_t.grid(axis="x", visible=False)
        fig.suptitle(
            wrap_title(
                f"Power strategies compared: {meta['scenario']}, {days:.0f} d after warm-up, "
                f"seed {meta['seed']} (common random numbers)",
                FIGURE_WIDTH_IN,
                12,
            ),
            fontsize=12,
        )
        paths = [save_figure(fig, compare_dir, "compare", fmt)]
    if (compare_dir / "compare_paired.json").is_file():
        paths.append(plot_compare_paired(compare_dir, fmt))
    return paths


STATION_WAIT = ("station wait (swap or dock)", "min", 1.0)
"""compare_paired.json's ``station_wait_min``: the swap wait, or for plug-in the wait for a dock (no KPI
of its own in the catalogue)."""


def paired_units(kpi: str) -> tuple[str, str, float]:
    """(title, unit of the difference, display scale) of a KPI of compare_paired.json, from the catalogue:
    a share's difference is in percentage points."""
    if kpi == "station_wait_min":
        return STATION_WAIT
    e = entry_for(kpi)
    if e is None:
        return kpi, "", 1.0
    if e.is_share:
        return e.short or e.label, "% points", 100.0
    return e.short or e.label, e.unit, 1.0


def plot_compare_paired(compare_dir: Path, fmt: str = "png") -> Path:
    """``compare_paired.<fmt>``: each strategy's paired difference from the first one, per KPI, with
    its 95 % interval (filled marker: significant, the interval excludes zero). From
    ``compare_paired.json`` only."""
    compare_dir = Path(compare_dir)
    data = read_json(compare_dir / "compare_paired.json")
    rows: list[dict[str, Any]] = [
        r
        for r in data.get("rows") or []
        if r.get("kind") == "difference" and isinstance(r.get("mean"), (int, float)) and math.isfinite(r["mean"])
    ]
    kpis = list(dict.fromkeys(str(r["kpi"]) for r in rows)) or ["fleet.utilisation"]
    ncols = min(2, len(kpis))  # two panels across the report width
    nrows = math.ceil(len(kpis) / ncols)
    with report_style():
        fig = Figure(figsize=(FIGURE_WIDTH_IN, 1.0 + 3.1 * nrows))
        axes = fig.subplots(nrows, ncols, squeeze=False)
        for ax, kpi in zip(axes.flat, kpis):
            title, unit, scale = paired_units(kpi)
            sel = [r for r in rows if r["kpi"] == kpi]
            for i, r in enumerate(sel):
                colour = STRATEGY_COLOURS.get(str(r["strategy"]), OKABE_ITO[(i + 4) % 8])
                half = r.get("half_width")
                half = float(half) * scale if isinstance(half, (int, float)) and math.isfinite(half) else 0.0
                ax.errorbar(
                    [i],
                    [float(r["mean"]) * scale],
                    yerr=[[half], [half]],
                    fmt="o",
                    color=colour,
                    mfc=colour if r.get("significant") else "white",
                    capsize=5,
                    ms=8,
                    lw=1.6,
                )
            ax.axhline(0.0, color=MARK_COLOUR, lw=0.8)
            ax.set_xticks(
                range(len(sel)),
                [
                    f"{strategy_name(str(r['strategy']))}\n− {strategy_name(str(r['vs']))}"
                    + ("\nsignificant" if r.get("significant") else "\nnot significant")
                    for r in sel
                ],
                fontsize=9.5,
            )
            ax.set_xlim(-0.6, max(len(sel), 1) - 0.4)
            ax.set_title(title, fontsize=11)
            ax.set_ylabel(f"difference ({unit})" if unit else "difference")
            ax.grid(axis="x", visible=False)
        for ax in list(axes.flat)[len(kpis) :]:
            ax.remove()  # an empty slot, not a hidden axes whose tick labels still take room
        n = data.get("replications", "?")
        fig.suptitle(
            wrap_title(
                f"Paired differences between power strategies: {data.get('scenario', '')}, {n} replications "
                "(common random numbers); bars: 95 % interval, filled: significant",
                FIGURE_WIDTH_IN,
                12,
            ),
            fontsize=12,
        )
        return save_figure(fig, compare_dir, "compare_paired", fmt)
