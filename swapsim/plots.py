"""Figures for reports, drawn only from saved result files (never by running a simulation).

One place sets the report style (:func:`report_style`): print-size fonts, the Okabe-Ito
colour-blind-safe palette, 200 dpi, headless Agg backend. Every axis carries its unit and every
title says what is shown.

Run figures (:func:`plot_run`):

* ``fleet_state.png``: robots in each state over time (stacked area), warm-up shaded;
* ``robot_breakdown.png``: each robot's share of time per state, robots sorted by utilisation;
* ``stations.png``: per station, busy swap positions, queue length and green packs over time.
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
    ]


# ---------------------------------------------------------------------------------------------
# Sweep figures (drawn from a sweep directory: sweep.json and points.csv; see swapsim.experiments)
#
# * ``sweep_<kpi>.png``: a KPI against the first varied parameter, mean and 95 % confidence band,
#   one line per value of the second parameter (panels for any further ones);
# * ``heatmap_<kpi>.png``: a KPI over two numeric parameters, each cell annotated mean +- half-width;
# * ``warmup.png`` (``swapsim warmup``): pilot series, batch means, MSER-5 statistic, truncation point.

import math  # noqa: E402
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
        fig.tight_layout()
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
        fig.tight_layout()
        return _save(fig, out_dir, "warmup", fmt)


SERIES_TITLES = {"utilisation": "Fleet utilisation (robots working / robots)",
                 "queue": "Robots queueing at swap stations",
                 "green": "Green (ready) packs in the stations' bays"}
