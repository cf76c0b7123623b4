"""The comparison figure: the power strategies of a ``swapsim compare`` directory side by side.

Drawn from ``compare.csv`` and ``compare.json`` only (:func:`plot_compare` writes ``compare.png``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from swapsim.metrics import ROBOT_STATES
from swapsim.output.figures_common import save_figure
from swapsim.output.style import OKABE_ITO, report_style
from swapsim.results import read_csv, read_json

__all__ = ["STRATEGY_COLOURS", "plot_compare"]

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
    labels = [k.replace("_", "-") for k in kinds]
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
        ratios = [1, 2.4, 1.5] if tasks else [1, 2.6]
        fig = Figure(figsize=(15.5 if tasks else 11.5, 4.8))
        axes = fig.subplots(1, len(ratios), gridspec_kw={"width_ratios": ratios})
        ax_u, ax_s = axes[0], axes[1]
        bars = ax_u.bar(np.arange(n), util, color=colours, width=0.7)
        ax_u.bar_label(bars, labels=[f"{u:.1f} %" for u in util], padding=3, fontsize=9.5)
        ax_u.set_xticks(np.arange(n), labels)
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
                label=f"{labels[i]} (utilisation {util[i]:.1f} %)",
            )
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
            ax_t.bar_label(bars, labels=[f"{v:.1f}" for v in p95], padding=3, fontsize=9.5)
            done = [float(v) / days if days > 0 else 0.0 for v in table["tasks_done"]]
            ax_t.set_xticks(np.arange(n), [f"{lab}\n{d:,.0f} tasks/d" for lab, d in zip(labels, done)], fontsize=9)
            ax_t.set_ylabel("task wait (min)")
            ax_t.set_ylim(0, max(1.0, float(p95.max())) * 1.18)
            ax_t.set_title("Task wait: p95 (bar), mean (diamond)")
            ax_t.grid(axis="x", visible=False)
        fig.suptitle(
            f"Power strategies compared: {meta['scenario']}, {days:.0f} d after warm-up, "
            f"seed {meta['seed']} (common random numbers)",
            fontsize=12,
        )
        return [save_figure(fig, compare_dir, "compare", fmt)]
