"""Sweep figures, drawn from a sweep directory (``sweep.json`` and ``points.csv``; see swapsim.experiments).

* ``sweep_<kpi>.png``: a KPI against the first varied parameter, mean and 95 % confidence band,
  one line per value of the second parameter (panels for any further ones);
* ``heatmap_<kpi>.png``: a KPI over two numeric parameters, each cell annotated mean +- half-width.

:func:`plot_sweep` draws :data:`SWEEP_KPIS` and any KPIs asked for; :func:`kpi_label` gives the readable
name, unit and scale of a dotted KPI name.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from swapsim.metrics.catalogue import entry_for
from swapsim.output.figures_common import save_figure, wrap_title
from swapsim.output.style import FIGURE_WIDTH_IN, OKABE_ITO, report_style
from swapsim.results import read_csv, read_json

__all__ = ["SWEEP_KPIS", "kpi_label", "heatmap_scale", "plot_sweep", "plot_sweep_kpi", "plot_sweep_heatmap"]

SWEEP_KPIS = ("fleet.utilisation", "swaps.wait_min.mean")
"""Headline KPIs drawn for every sweep (others with ``--kpi``)."""
TASK_SWEEP_KPIS = ("tasks.per_day", "tasks.wait_min.mean", "tasks.wait_min.p95")
"""Drawn first for a sweep of a task-demand scenario: under task demand, utilisation is set by the
demand, and what a setting changes shows in the tasks done and their waits."""

_FACTOR_LABELS = {
    "fleet.robots": "robots in the fleet",
    "stations[*].positions": "swap positions per station",
    "stations[*].bays": "bays per station",
    "stations[*].charged_packs": "spare charged packs per station at start",
    "policy.swap_trigger": "swap trigger (state of charge)",
}

_QUANTITY = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([^\d\s].*?)\s*$")


def kpi_label(kpi: str) -> tuple[str, str, float]:
    """(readable name, unit, scale to apply to values) for a dotted KPI name: the catalogue's short name
    and unit when it has the KPI (shares in % of what they are a share of)."""
    entry = entry_for(kpi)
    if entry is not None:
        name = entry.short or entry.label
        if entry.is_share:
            return name, f"% of {entry.of}", 100.0
        return name, "" if entry.unit == "count" else entry.unit, 1.0
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
        parsed = [m for m in (_QUANTITY.match(v) for v in values) if m is not None]
        if len(parsed) == len(values) and len({m.group(2) for m in parsed}) == 1:
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


def plot_sweep_kpi(meta: dict[str, Any], pts: dict[str, list], kpi: str, out_dir: Path, fmt: str = "png") -> Path:
    """A KPI against the first varied parameter with 95 % confidence bands, a line per second parameter."""
    label, unit, scale = kpi_label(kpi)
    x_f, hue_f, facet_fs = _sweep_layout(meta, pts)
    facets = _facets(pts, facet_fs)
    x_levels = _ordered(list(dict.fromkeys(pts[x_f])))
    x_num, x_unit = _factor_axis(x_levels)
    hue_levels = _ordered(list(dict.fromkeys(pts[hue_f]))) if hue_f else [None]
    with report_style():
        ncols = min(2, len(facets))  # the report width holds two facets side by side
        nrows = math.ceil(len(facets) / ncols)
        fig = Figure(figsize=(FIGURE_WIDTH_IN, (5.6 if ncols == 1 else 4.0) * nrows + 0.6))
        axes = fig.subplots(nrows, ncols, squeeze=False, sharey=True)
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
        for ax in list(axes.flat)[len(facets) :]:
            ax.set_visible(False)
        if hue_f:
            hue_unit = _factor_axis(hue_levels)[1]
            title = _FACTOR_LABELS.get(hue_f, hue_f) + (f" ({hue_unit})" if hue_unit else "")
            fig.legend(
                *axes.flat[0].get_legend_handles_labels(), title=title, loc="outside right center", frameon=False
            )
        design = " (zipped factors)" if meta.get("design") == "zip" and len(meta["factors"]) > 1 else ""
        fig.suptitle(
            wrap_title(
                f"{label[:1].upper() + label[1:]} by {_FACTOR_LABELS.get(x_f, x_f)}{design}, "
                f"{meta['base_name']} sweep\n"
                f"mean and 95 % confidence band (Student t), {_n_text(pts)} per point, common "
                f"random numbers",
                6.4 * ncols,
                12,
            ),
            fontsize=12,
        )
        return save_figure(fig, out_dir, f"sweep_{_safe_stem(kpi)}", fmt)


def plot_sweep_heatmap(
    meta: dict[str, Any], pts: dict[str, list], kpi: str, x_f: str, y_f: str, out_dir: Path, fmt: str = "png"
) -> Path:
    """A KPI's mean over two numeric parameters; each cell reads mean and +- 95 % half-width."""
    label, unit, scale = kpi_label(kpi)
    others = [
        f for f in meta["factors"] if f not in (x_f, y_f) and len({json.dumps(v) for v in meta["factors"][f]}) > 1
    ]
    facets = _facets(pts, others)
    xs = _ordered(list(dict.fromkeys(pts[x_f])))
    ys = _ordered(list(dict.fromkeys(pts[y_f])))
    _, x_unit = _factor_axis(xs)
    _, y_unit = _factor_axis(ys)
    all_means = np.asarray(pts[f"{kpi}.mean"], dtype=float) * scale
    halves = np.abs(np.asarray(pts[f"{kpi}.ci95"], dtype=float)) * scale
    finite = all_means[np.isfinite(all_means)]
    vmin, vmax, verdict = heatmap_scale(
        finite, halves[np.isfinite(halves)], nonnegative=bool(finite.size) and float(finite.min()) >= 0
    )  # KPIs of a run are waits, counts, shares, energy: none is negative
    with report_style():
        ncols = min(2, len(facets))  # the report width; cells grow taller with more rows of values
        nrows = math.ceil(len(facets) / ncols)
        fig = Figure(figsize=(FIGURE_WIDTH_IN, max(5.0, (0.75 * len(ys) + 1.6) * nrows + 2.0)))
        axes = fig.subplots(nrows, ncols, squeeze=False)
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
            image = ax.imshow(grid, origin="lower", cmap="PuOr_r", vmin=vmin, vmax=vmax, aspect="auto")
            for r in range(len(ys)):
                for c in range(len(xs)):
                    if text[r][c]:
                        shade = (grid[r, c] - vmin) / (vmax - vmin)
                        ax.text(
                            c,
                            r,
                            text[r][c],
                            ha="center",
                            va="center",
                            fontsize=9,
                            color="white" if abs(shade - 0.5) > 0.32 else "black",
                        )
            ax.set_xticks(range(len(xs)), [str(v) for v in xs])
            ax.set_yticks(range(len(ys)), [str(v) for v in ys])
            ax.set_xlabel(_factor_label(x_f, x_unit))
            ax.set_ylabel(_factor_label(y_f, y_unit))
            ax.grid(False)
            if where:
                ax.set_title(", ".join(f"{f} = {v}" for f, v in where.items()), fontsize=10.5)
        for ax in list(axes.flat)[len(facets) :]:
            ax.set_visible(False)
        assert image is not None, "every heatmap has a facet"
        bar = fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.9)
        bar.set_label(f"{label} ({unit})" if unit else label)
        bar.ax.ticklabel_format(useOffset=False)
        width_in = fig.get_size_inches()[0]
        fig.suptitle(
            wrap_title(
                f"{label[:1].upper() + label[1:]} over two parameters, {meta['base_name']} sweep\n"
                f"cells: mean ± 95 % confidence half-width, {_n_text(pts)} per cell; colours centred "
                f"on the mean of all cells, range at least ± 2 typical half-widths"
                f"{' (cut at zero)' if vmin == 0 else ''}\n{verdict}",
                width_in,
                11.5,
            ),
            fontsize=11.5,
        )
        return save_figure(fig, out_dir, f"heatmap_{_safe_stem(kpi)}", fmt)


def heatmap_scale(means: np.ndarray, halves: np.ndarray, nonnegative: bool = False) -> tuple[float, float, str]:
    """(vmin, vmax, verdict) of a heatmap's colour scale: centred on the mean of the cell means, spanning
    the means and at least +-2 typical (median) 95 % half-widths, so noise does not fill the colours.
    For a quantity that cannot be negative (``nonnegative``; a wait, a share) the scale starts at zero
    at the lowest, never at a negative wait.

    The verdict says whether the cells differ: not significantly when the range of the means is below
    the typical half-width (their intervals overlap), else how the range compares with it.
    """
    if not means.size:
        return 0.0, 1.0, "no cell has a value"
    centre = float(np.mean(means))
    typical = float(np.median(halves)) if halves.size else 0.0
    reach = max(float(np.max(np.abs(means - centre))), 2.0 * typical)
    if reach <= 0:
        reach = max(abs(centre) * 0.01, 0.5)
    spread = float(np.ptp(means))
    if halves.size and spread < typical:
        verdict = (
            f"The cells do not differ significantly: the means span {spread:.3g}, less than the typical "
            f"half-width {typical:.3g}."
        )
    elif halves.size:
        verdict = (
            f"The means span {spread:.3g}, {spread / typical:.1f} x the typical half-width {typical:.3g}."
            if typical > 0
            else f"The means span {spread:.3g} (no replication spread)."
        )
    else:
        verdict = "One replication per cell: no confidence intervals."
    low = centre - reach
    if nonnegative and low < 0:
        low = 0.0
    return low, centre + reach, verdict


def plot_sweep(sweep_dir: Path, fmt: str = "png", kpis: tuple[str, ...] | list[str] = ()) -> list[Path]:
    """Draw the sweep figures from ``sweep_dir`` (sweep.json, points.csv); returns the paths written.

    KPIs: :data:`TASK_SWEEP_KPIS` (task demand), :data:`SWEEP_KPIS` plus ``kpis``; names not in
    points.csv are skipped. Nothing is drawn
    when no factor takes two or more values.
    """
    sweep_dir = Path(sweep_dir)
    meta = read_json(sweep_dir / "sweep.json")
    pts = read_csv(sweep_dir / "points.csv")
    if not any(len({json.dumps(v) for v in vals}) > 1 for vals in meta["factors"].values()):
        return []
    wanted = [k for k in dict.fromkeys([*TASK_SWEEP_KPIS, *SWEEP_KPIS, *kpis]) if f"{k}.mean" in pts]
    paths = [plot_sweep_kpi(meta, pts, k, sweep_dir, fmt) for k in wanted]
    if meta.get("design") == "factorial":
        numeric = [
            f
            for f in meta["factors"]
            if len(meta["factors"][f]) > 1 and _factor_axis(list(dict.fromkeys(pts[f])))[0] is not None
        ]
        if len(numeric) >= 2:
            paths += [plot_sweep_heatmap(meta, pts, k, numeric[0], numeric[1], sweep_dir, fmt) for k in wanted]
    return paths
