"""The warm-up figure of ``swapsim warmup``: pilot series, batch means, the MSER-5 statistic and the
truncation point, drawn from ``warmup.json``, ``warmup_series.csv`` and ``warmup_mser.csv``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from swapsim.results import read_csv
from swapsim.output.figures_common import save_figure, time_axis
from swapsim.output.style import OKABE_ITO, report_style

__all__ = ["SERIES_TITLES", "plot_warmup"]


def plot_warmup(out_dir: Path, fmt: str = "png") -> Path:
    """Pilot series with batch means and the MSER-5 truncation point, and the MSER statistic."""
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
        fig = Figure(figsize=(13, 3.6 * len(rows) + 0.6))
        axes = fig.subplots(len(rows), 2, gridspec_kw={"width_ratios": [2.2, 1]}, squeeze=False)
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
        return save_figure(fig, out_dir, "warmup", fmt)


SERIES_TITLES = {"utilisation": "Fleet utilisation (robots working / robots)",
                 "queue": "Robots queueing at swap stations",
                 "green": "Green (ready) packs in the stations' bays"}
