"""The warm-up figure of ``swapsim warmup``: pilot series, batch means, the MSER-5 statistic and the
truncation point, drawn from ``warmup.json``, ``warmup_series.csv`` and ``warmup_mser.csv``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from swapsim.output.figures_common import WARMUP_SPAN, save_figure, time_axis, wrap_title
from swapsim.output.style import FIGURE_WIDTH_IN, OKABE_ITO, report_style
from swapsim.results import read_csv, read_json

__all__ = ["SERIES_TITLES", "plot_warmup"]


def plot_warmup(out_dir: Path, fmt: str = "png") -> Path:
    """Pilot series with batch means and the MSER-5 truncation point, and the MSER statistic."""
    out_dir = Path(out_dir)
    info = read_json(out_dir / "warmup.json")
    ts = read_csv(out_dir / "warmup_series.csv")
    ms = read_csv(out_dir / "warmup_mser.csv")
    width = info["bin_width_h"]
    # The series panels show the start of the pilot, where the decision lies: twice the longer of
    # the suggestion and the scenario's warm-up, at least 12 h (the MSER panels cover the whole search).
    longest = max(
        [info["suggested_warmup_h"], info["scenario_warmup_h"], *[s["truncation_h"] for s in info["series"].values()]]
    )
    window_h = min(info["horizon_h"], max(12.0, 2.0 * longest))
    t_all = np.asarray(ts["time_h"], dtype=float)
    shown = t_all < window_h
    t_h = t_all[shown]
    x, xlabel = time_axis(t_h)
    scale = (x[1] / t_h[1]) if len(t_h) > 1 and t_h[1] else 1.0
    _, mser_xlabel = time_axis(np.asarray([0.0, info["horizon_h"] / 2]))
    mser_scale = 1 / 24 if "days" in mser_xlabel else 1.0
    rows = [
        ("utilisation", "fleet utilisation (%)", 100.0),
        ("queue", "robots queueing\n(all stations)", 1.0),
        ("green", "green packs\n(all stations)", 1.0),
    ]
    rows = [r for r in rows if r[0] in info["series"]]
    with report_style():
        fig = Figure(figsize=(FIGURE_WIDTH_IN, 3.4 * len(rows) + 0.8))
        axes = fig.subplots(len(rows), 2, gridspec_kw={"width_ratios": [2.2, 1]}, squeeze=False)
        for k, (name, ylabel, sc) in enumerate(rows):
            ax = axes[k][0]
            reps = [c for c in ts if c.startswith(f"{name}_r")]
            for j, c in enumerate(reps):
                ax.plot(
                    x,
                    np.asarray(ts[c], dtype=float)[shown] * sc,
                    color="#BBBBBB",
                    lw=0.5,
                    label="each pilot replication" if j == 0 else None,
                )
            ax.plot(
                x,
                np.asarray(ts[f"{name}_mean"], dtype=float)[shown] * sc,
                color=OKABE_ITO[0],
                lw=0.9,
                label=f"mean of {len(reps)} replications",
            )
            bm = np.asarray(ms[f"{name}_batch_mean"], dtype=float) * sc
            batch = int(info["method"].split("-")[1].split()[0])
            b_start_h = np.arange(len(bm)) * batch * width
            keep = b_start_h < window_h
            bm, b_start = bm[keep], b_start_h[keep] * scale
            ax.step(b_start, bm, where="post", color=OKABE_ITO[1], lw=1.4, label=f"batch means ({batch} bins)")
            trunc = info["series"][name]["truncation_h"] * scale
            if trunc > 0:
                ax.axvspan(0, trunc, zorder=3, gid="background", **WARMUP_SPAN)
            ax.axvline(trunc, color=OKABE_ITO[3], lw=1.6, ls="-", label=f"MSER-{batch} truncation point")
            cur = info["scenario_warmup_h"] * scale
            if cur > 0:
                ax.axvline(
                    cur,
                    color="#000000",
                    lw=1.2,
                    ls="--",
                    label=f"scenario's warm-up ({info['scenario_warmup_h']:.1f} h)",
                )
            ax.set_xlim(0, x[-1] + (x[1] - x[0] if len(x) > 1 else 0))
            ax.set_xlabel(xlabel)
            ax.set_ylabel(ylabel)
            ax.set_title(
                f"{SERIES_TITLES.get(name, name)}\nper {width * 60:.0f}-min bin: truncate "
                f"{info['series'][name]['truncation_h']:.1f} h",
                fontsize=11,
                loc="left",
            )
            if not np.any(np.asarray(ts[f"{name}_mean"], dtype=float)[shown]):
                ax.text(
                    0.5,
                    0.6,
                    "zero throughout the pilot runs",
                    transform=ax.transAxes,
                    ha="center",
                    fontsize=10,
                    color="#444444",
                )
            ax2 = axes[k][1]
            tr = np.asarray(ms["truncation_h"], dtype=float)
            stat = np.asarray(ms[f"{name}_mser"], dtype=float)
            ok = np.isfinite(stat)
            top = float(np.max(np.abs(stat[ok]))) if ok.any() else 0.0
            exp = int(np.floor(np.log10(top))) if top > 0 else 0
            exp = exp if exp < -2 or exp > 3 else 0  # scaled into the label: no offset text over the title
            ax2.plot(tr[ok] * mser_scale, stat[ok] / 10.0**exp, color=OKABE_ITO[2], lw=1.4)
            best = info["series"][name]["truncation_h"] * mser_scale
            ax2.axvline(best, color=OKABE_ITO[3], lw=1.6)
            ax2.set_xlabel(mser_xlabel.replace("simulated time", "time deleted"))
            unit = f" (unit: 1e{exp})" if exp else ""
            ax2.set_ylabel(f"squared std. error of the\ntruncated mean{unit}")
            ax2.set_title(f"MSER-{batch}\n(minimum: truncation point)", fontsize=10.5)
            if not info["series"][name]["reliable"]:
                ax2.text(
                    0.5,
                    0.9,
                    "minimum at the search limit:\nlengthen the pilot horizon",
                    transform=ax2.transAxes,
                    ha="center",
                    color=OKABE_ITO[3],
                    fontsize=9,
                )
        handles, labels = axes[0][0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncol=min(3, len(labels)), frameon=False)
        fig.suptitle(
            wrap_title(
                f"Warm-up analysis: {info['scenario']}, {info['replications']} pilot replications with no "
                f"warm-up, first {window_h:.0f} h of {info['horizon_h'] / 24:.0f} d; suggested warm-up "
                f"{info['suggested_warmup']} (hatched: deleted)",
                FIGURE_WIDTH_IN,
                12.5,
            ),
            fontsize=12.5,
        )
        return save_figure(fig, out_dir, "warmup", fmt)


SERIES_TITLES = {
    "utilisation": "Fleet utilisation (robots working / robots on duty)",
    "queue": "Robots queueing at swap stations",
    "green": "Green (ready) packs in the stations' bays",
}
