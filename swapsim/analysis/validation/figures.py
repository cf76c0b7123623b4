"""The validation figures, drawn from the validation data only (never from a simulation).

:func:`draw_figures` writes the M/M/c//N parity plot, the stock-outs against spares and, when the
data keeps the factory's station series, the swap waves; :func:`figure_names` says which files it
draws, so the page can be written without drawing. Imports matplotlib when called; draws on ``matplotlib.figure.Figure`` objects (no backend, no pyplot).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from swapsim.analysis.validation.estimates import autocorrelation
from swapsim.analysis.validation.scenarios import JITTER_CV, OFFERED_PACK_LOAD

__all__ = ["FIGURES", "figure_names", "draw_figures"]

FIGURES = {"mmcn": "validation-mmcn.png", "stockouts": "validation-stockouts.png", "waves": "validation-waves.png"}
"""File name of each validation figure."""


def _series(data: Mapping[str, Any]) -> Any:
    """The station series kept for the swap-waves figure, or None."""
    return next((c["series"] for c in data["scenarios"] if c.get("series")), None)


def figure_names(data: Mapping[str, Any]) -> dict[str, str]:
    """{key: file name} of the figures :func:`draw_figures` draws for ``data``."""
    return {k: v for k, v in FIGURES.items() if k != "waves" or _series(data)}


def draw_figures(data: Mapping[str, Any], fig_dir: Path | str) -> dict[str, str]:
    """Draw the validation figures from ``data`` into ``fig_dir``; returns {key: file name}."""
    import numpy as np
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    from swapsim.output import OKABE_ITO, report_style
    from swapsim.output.style import FIGURE_WIDTH_IN

    fig_dir = Path(fig_dir)
    fig_dir.mkdir(parents=True, exist_ok=True)
    names: dict[str, str] = {}
    with report_style():
        # 1. M/M/c//N parity: simulated against exact mean wait
        fig = Figure(figsize=(FIGURE_WIDTH_IN, 4.6), layout="constrained")
        axes = fig.subplots(1, 2)
        colours = {c: OKABE_ITO[i] for i, c in enumerate(sorted({p["positions"] for p in data["mmcn"]}))}
        for ax, key, label in (
            (axes[0], "wait_min", "mean wait for a position (min)"),
            (axes[1], "utilisation", "swap-position utilisation"),
        ):
            top = 0.0
            for points, marker, fill in ((data["mmcn"], "o", True), (data["insensitivity"], "^", False)):
                for p in points:
                    m = p["measures"][key]
                    col = colours[p["positions"]]
                    ax.errorbar(
                        m["exact"],
                        m["mean"],
                        yerr=m["half_width"],
                        fmt=marker,
                        ms=5,
                        color=col,
                        mfc=col if fill else "white",
                        capsize=2,
                        lw=1,
                    )
                    top = max(top, m["exact"], m["mean"] + m["half_width"])
            ax.plot([0, top * 1.05], [0, top * 1.05], color="#555555", lw=1, ls="--", zorder=0)
            ax.set_xlabel(f"exact M/M/c//N: {label}")
            ax.set_ylabel(f"simulated: {label}")
        handles = [
            Line2D([], [], color=col, marker="s", ls="", label=f"c = {c} swap position{'s' if c > 1 else ''}")
            for c, col in colours.items()
        ]
        handles += [
            Line2D([], [], color="#333333", marker="o", ls="", label="fixed working time"),
            Line2D([], [], color="#333333", marker="^", mfc="white", ls="", label="exponential working time"),
        ]
        axes[0].legend(handles=handles, loc="upper left")
        level = data["mmcn"][0]["level"]
        fig.suptitle(f"Simulated vs exact finite-source queue (M/M/c//N), {int(level * 100)} % confidence intervals")
        fig.savefig(fig_dir / FIGURES["mmcn"])
        names["mmcn"] = FIGURES["mmcn"]

        # 2. Stock-outs against spares
        groups: dict[tuple[int, str], list[dict[str, Any]]] = {}
        for p in data["stockouts"]:
            groups.setdefault((p["robots"], p["work"]), []).append(p)
        ncols = 2 if len(groups) in (2, 4) else min(3, len(groups))
        nrows = -(-len(groups) // ncols)
        fig = Figure(figsize=(FIGURE_WIDTH_IN, 3.4 * nrows + 1.4), layout="constrained")
        grid = np.atleast_2d(fig.subplots(nrows, ncols, sharey=True, squeeze=False))
        axes = grid.ravel()
        for spare in axes[len(groups) :]:
            spare.set_visible(False)
        for ax, ((robots, work), pts) in zip(axes, groups.items()):
            s = [p["spares"] for p in pts]
            ax.errorbar(
                s,
                [p["sim"]["mean"] for p in pts],
                yerr=[p["sim"]["half_width"] for p in pts],
                fmt="o",
                color="#000000",
                capsize=3,
                label="simulated",
                zorder=5,
            )
            ax.plot(
                s,
                [p.get("palm_seen", p["palm"]) for p in pts],
                color=OKABE_ITO[1],
                lw=2,
                ls="--",
                marker="D",
                ms=4,
                label="Palm P(Poisson ≥ S), rate × (N−1)/N",
            )
            ax.plot(s, [p["palm"] for p in pts], color=OKABE_ITO[1], lw=1, ls=":", label="Palm at rate λ")
            ax.plot(
                s,
                [p["mds_seen"] for p in pts],
                color=OKABE_ITO[0],
                lw=2,
                marker="s",
                ms=4,
                label="M/D/S (packs held back), rate × (N−1)/N",
            )
            ax.plot(
                s,
                [p["periodic"] for p in pts],
                color=OKABE_ITO[2],
                lw=2,
                ls="-.",
                marker="v",
                ms=4,
                label="regular robots, random phases",
            )
            ax.set_xlabel("packs kept at the station S")
            ax.set_xticks(s)
            label = {"exponential": "exponential", "jitter": f"regular (CV {JITTER_CV:g})", "fixed": "fixed"}[work]
            ax.set_title(f"{robots} robots, {label} working time", fontsize=10)
            ax.set_ylim(-0.02, 1.02)
        for row in grid:
            row[0].set_ylabel("share of swaps finding no green pack")
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncol=2, frameon=False)
        fig.suptitle(f"Spare-pack stock-outs at offered pack load {OFFERED_PACK_LOAD:g} (swap rate × time to green)")
        fig.savefig(fig_dir / FIGURES["stockouts"])
        names["stockouts"] = FIGURES["stockouts"]

        # 3. Swap waves in the factory
        series = _series(data)
        if series:
            t = np.asarray(series["time_h"])
            y = np.asarray(series["at_station"])
            start = series["warmup_h"] + 48.0
            sel = (t >= start) & (t < start + 36.0)
            fig = Figure(figsize=(FIGURE_WIDTH_IN, 4.0), layout="constrained")
            axes = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.9, 1]})
            axes[0].step(t[sel] - start, y[sel], where="post", color=OKABE_ITO[0])
            axes[0].set_xlabel(f"hours from day {start / 24:.0f} of the run")
            axes[0].set_ylabel("robots at the station (mean per 15 min)")
            axes[0].set_title(f"factory, station {series['station']}: robots swapping or queueing", fontsize=10)
            after = y[t >= series["warmup_h"]]
            lags = 24
            ac = autocorrelation(after, lags)
            axes[1].bar(np.arange(1, lags + 1) * series["bin_h"], ac, width=0.8 * series["bin_h"], color=OKABE_ITO[1])
            axes[1].axhline(0, color="#555555", lw=1)
            axes[1].set_xlabel("lag (h)")
            axes[1].set_ylabel("autocorrelation")
            axes[1].set_title("it repeats every swap cycle", fontsize=10)
            fig.savefig(fig_dir / FIGURES["waves"])
            names["waves"] = FIGURES["waves"]
    return names
