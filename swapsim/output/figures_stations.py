"""The stations figure of a run (``stations.png``), drawn from the run's time series and summary.

:func:`plot_stations` draws one row per swap station: busy swap positions, robots queueing and green
packs over time (bin means, and for queue and green packs a band from the smallest to the largest value
within each bin), stock-outs as ticks, station outages shaded, and, when the main panels merged the
stored bins, a closer look at the stored resolution. :func:`swapsim.output.figures_run.plot_run` calls it
with the other run figures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from swapsim.output.figures_common import (
    duration_label,
    save_figure,
    shade_warmup,
    step_edges,
    time_frame,
    wrap_title,
)
from swapsim.output.style import FIGURE_WIDTH_IN, MARK_COLOUR, OKABE_ITO, STATE_COLOURS, report_style

__all__ = ["plot_stations"]


def _station_capacities(scenario: dict[str, Any] | None) -> dict[str, dict[str, int]]:
    """Swap positions and bays per station name, from a resolved scenario read as plain YAML data."""
    out: dict[str, dict[str, int]] = {}
    for st in (scenario or {}).get("stations") or []:
        if isinstance(st, dict) and "name" in st:
            caps = {k: st[k] for k in ("positions", "bays") if isinstance(st.get(k), int)}
            docks = st.get("docks")
            if isinstance(docks, int) or "bays" in caps:  # plug_in docks: as given, else bays // 2 (the schema's)
                caps["docks"] = docks if isinstance(docks, int) else max(1, caps["bays"] // 2)
            out[str(st["name"])] = caps
    return out


def plot_stations(
    ts: dict[str, list],
    summary: dict[str, Any],
    out_dir: Path,
    fmt: str = "png",
    scenario: dict[str, Any] | None = None,
) -> Path:
    """Per station (one row each): busy swap positions, robots queueing and green packs over time.

    ``scenario`` (the resolved scenario as plain data, optional) adds the number of swap positions and
    of bays as dashed reference lines.
    """
    cols, width_h, scale, xlabel, x_end, warmup_h = time_frame(ts, summary)
    x = cols["time_h"] * scale
    stations = summary["stations"]
    capacity = _station_capacities(scenario)
    man = summary["manifest"]
    docked = man.get("strategy") == "plug_in"  # robots charge at docks: no swap positions, no green packs
    if docked:
        panels = [
            ("busy", "busy charging docks", "docks", "docks", OKABE_ITO[0]),
            ("queue", "robots waiting for a dock", "robots", None, OKABE_ITO[1]),
        ]
    else:
        panels = [
            ("busy", "busy swap positions", "positions", "positions", OKABE_ITO[0]),
            ("queue", "robots queueing", "robots", None, OKABE_ITO[1]),
            ("green", "green (ready) packs", "packs", "bays", OKABE_ITO[2]),
        ]
    zoom = None if docked else _zoom_window(ts, summary, width_h)
    rows = len(stations) + (1 if zoom else 0)
    with report_style():
        fig = Figure(figsize=(FIGURE_WIDTH_IN, 0.9 + 2.6 * rows))
        subfigs = fig.subfigures(rows, 1, squeeze=False)[:, 0]
        last_axes = []
        if zoom:
            _zoom_row(subfigs[-1], ts, stations, zoom, capacity)
        for sub, st in zip(subfigs, stations):
            axes = sub.subplots(1, len(panels), sharex=True)
            cap = capacity.get(st["name"], {})
            for ax, (key, title, unit, cap_key, colour) in zip(axes, panels):
                y = cols.get(f"{st['name']}_{key}")
                if y is None:
                    ax.set_axis_off()
                    continue
                lo, hi = cols.get(f"{st['name']}_{key}_min"), cols.get(f"{st['name']}_{key}_max")
                xs, ys = step_edges(x, x_end, y)
                top = float(np.nanmax(y)) if len(y) else 0.0
                if lo is not None and hi is not None:
                    _, los, his = step_edges(x, x_end, np.nan_to_num(lo, nan=0.0), np.nan_to_num(hi, nan=0.0))
                    ax.fill_between(
                        xs, los, his, step="post", color=colour, alpha=0.28, lw=0, label="min-max within bin"
                    )
                    top = max(top, float(np.nanmax(hi)) if np.isfinite(hi).any() else 0.0)
                else:
                    ax.fill_between(xs, ys, step="post", color=colour, alpha=0.3, lw=0)
                ax.step(xs, ys, where="post", color=colour, lw=1.0, label="bin mean")
                if key == "green":
                    stock = cols.get(f"{st['name']}_stockouts")
                    if stock is not None and np.any(np.asarray(stock) > 0):
                        at = (x + np.append(np.diff(x), x_end - x[-1]) / 2)[np.asarray(stock) > 0]
                        ax.vlines(
                            at,
                            0.0,
                            0.07,
                            transform=ax.get_xaxis_transform(),
                            color=MARK_COLOUR,
                            lw=0.8,
                            zorder=5,
                            label="stock-outs in bin",
                        )
                        ax.text(
                            0.0,
                            1.0,
                            f"ticks: bins with stock-outs ({int(np.sum(stock))} in the whole run)",
                            transform=ax.transAxes,
                            ha="left",
                            va="bottom",
                            fontsize=8.5,
                        )
                limit = cap.get(cap_key) if cap_key else None
                if limit:  # the station's swap positions or bays, as a dashed reference line
                    ax.axhline(limit, color="#555555", ls="--", lw=0.9, label=f"{cap_key} ({limit})")
                    top = max(top, float(limit))
                ax.set_ylim(0, top * 1.15 if top > 0 else 1)
                if top <= 0:
                    ax.text(0.5, 0.5, "none in the whole run", transform=ax.transAxes, ha="center", color="#444444")
                shade_warmup(ax, warmup_h, scale)
                _shade_outages(ax, cols, st["name"], x, x_end)
                ax.set_xlim(x[0], x_end)
                ax.set_title(title, fontsize=11, pad=14 if key == "green" else 6)
                ax.set_ylabel(unit)
                ax.grid(axis="x", visible=False)
            last_axes = axes
            share = f" ({st['stockouts'] / st['swaps']:.1%} of its swaps)" if st.get("swaps") else ""
            what = (
                f"docks busy {st['swap_utilisation']:.0%}, mean queue {st['mean_queue_length']:.2f} robots"
                if docked
                else f"positions busy {st['swap_utilisation']:.0%}, mean queue "
                f"{st['mean_queue_length']:.2f} robots, {st['stockouts']:,} stock-outs{share}"
            )
            sub.suptitle(
                f"{st['name']} after warm-up: {what}",
                fontsize=11.5,
                x=0.01,
                ha="left",
            )
        for ax in last_axes:
            ax.set_xlabel(xlabel)
        outages = "; orange: station down" if any(st.get("outages") for st in stations) else ""
        fig.suptitle(
            wrap_title(
                f"{'Charging docks' if docked else 'Swap stations'} over time: {man['scenario']}, "
                f"seed {man['seed']}\n"
                f"line: mean per {duration_label(width_h)} bin; band: min to max within the bin; "
                f"hatched: warm-up; dashed: {'docks' if docked else 'swap positions and bays'}{outages}",
                FIGURE_WIDTH_IN,
                12,
            ),
            fontsize=12,
        )
        return save_figure(fig, out_dir, "stations", fmt)


def _zoom_window(ts: dict[str, list], summary: dict[str, Any], drawn_h: float) -> tuple[float, float, float] | None:
    """(start, end, stored bin width) in hours of a closer look at the stored resolution, when the main
    panels merged the stored bins (else None): a day (at most 96 stored bins) after warm-up, the one with
    the most stock-outs at the station with the most."""
    t = np.asarray(ts["time_h"], dtype=float)
    if len(t) < 2:
        return None
    w0 = float(t[1] - t[0])
    if drawn_h <= w0 * 1.5:
        return None
    man = summary["manifest"]
    start = float(man.get("warmup_h") or 0.0)
    horizon = float(man.get("horizon_h") or t[-1] + w0)
    span = min(24.0, 96 * w0)
    stations = summary.get("stations") or []
    worst = max(stations, key=lambda st: int(st.get("stockouts") or 0), default=None)
    stock = np.asarray(ts.get(f"{worst['name']}_stockouts", []) if worst else [], dtype=float)
    if stock.size == t.size and stock.sum() > 0:
        starts = np.arange(start, horizon - span + 1e-9, span)
        counts = [stock[(t >= a) & (t < a + span)].sum() for a in starts]
        if counts:
            start = float(starts[int(np.argmax(counts))])
    end = min(horizon, start + span)
    return (start, end, w0) if end - start >= 8 * w0 else None


def _zoom_row(
    sub: Any,
    ts: dict[str, list],
    stations: list[dict[str, Any]],
    window: tuple[float, float, float],
    capacity: dict[str, dict[str, int]],
) -> None:
    """Green packs of the (at most three) stations with the most stock-outs, at the stored resolution."""
    start, end, w0 = window
    t = np.asarray(ts["time_h"], dtype=float)
    sel = (t >= start - 1e-9) & (t < end - 1e-9)
    shown = sorted(stations, key=lambda st: -int(st.get("stockouts") or 0))[:3]
    axes = np.atleast_1d(sub.subplots(1, len(shown), sharey=True))
    x = t[sel]
    for ax, st in zip(axes, shown):
        name = st["name"]
        y = np.asarray(ts.get(f"{name}_green", []), dtype=float)
        if not len(y):
            ax.set_axis_off()
            continue
        xs, ys = step_edges(x, end, y[sel])
        lo, hi = ts.get(f"{name}_green_min"), ts.get(f"{name}_green_max")
        if lo is not None and hi is not None:
            _, los, his = step_edges(x, end, np.asarray(lo, dtype=float)[sel], np.asarray(hi, dtype=float)[sel])
            ax.fill_between(
                xs, np.nan_to_num(los), np.nan_to_num(his), step="post", color=OKABE_ITO[2], alpha=0.28, lw=0
            )
        ax.step(xs, ys, where="post", color=OKABE_ITO[2], lw=1.2)
        has_stock = f"{name}_stockouts" in ts
        stock = np.asarray(ts.get(f"{name}_stockouts", np.zeros(len(t))), dtype=float)[sel]
        if np.any(stock > 0):
            ax.vlines(x[stock > 0] + w0 / 2, 0.0, 0.07, transform=ax.get_xaxis_transform(), color=MARK_COLOUR, lw=0.9)
        bays = capacity.get(name, {}).get("bays")
        top = max(float(np.nanmax(his)) if lo is not None and hi is not None else float(np.max(ys)), bays or 0, 1.0)
        ax.set_ylim(0, top * 1.12)
        ax.set_xlim(start, end)
        ax.set_title(f"{name}: {int(np.sum(stock))} stock-outs here" if has_stock else name, fontsize=10.5)
        ax.set_xlabel("simulated time (h)")
        ax.grid(axis="x", visible=False)
    axes[0].set_ylabel("green packs")
    sub.suptitle(
        f"Closer look at {end - start:g} h, stored {duration_label(w0)} bins: green packs "
        "(band: min to max; ticks: stock-outs)",
        fontsize=11.5,
        x=0.01,
        ha="left",
    )


def _shade_outages(ax: Axes, cols: dict[str, np.ndarray], station: str, x: np.ndarray, x_end: float) -> None:
    """Shade the time bins in which ``station`` was down for any part of the bin."""
    down = cols.get(f"{station}_down")
    if down is None or not np.any(down > 0):
        return
    edges = np.append(x, x_end)
    for i in np.flatnonzero(down > 0):
        ax.axvspan(edges[i], edges[i + 1], color=STATE_COLOURS["stranded"], alpha=0.25, lw=0, gid="background")
