"""What the figure modules share: the time axis, time bins merged for drawing, and saving a figure.

Figures are :class:`matplotlib.figure.Figure` objects, drawn and saved without :mod:`matplotlib.pyplot`:
drawing needs no backend and never switches the one a notebook user chose, and no figure is kept
anywhere once saved (:func:`save_figure`). Time-series figures read the fixed-width bins of
``timeseries.csv``; :func:`coarsen` merges them into at most :data:`MAX_PLOTTED_BINS` wider bins for
drawing and :func:`time_axis` picks hours or days for the axis.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = [
    "MAX_PLOTTED_BINS",
    "WARMUP_SPAN",
    "wrap_title",
    "coarsen",
    "duration_label",
    "PNG_COMPRESS_LEVEL",
    "lay_out_for_png",
    "save_figure",
    "shade_warmup",
    "step_edges",
    "time_axis",
    "time_frame",
]


def time_axis(hours: np.ndarray) -> tuple[np.ndarray, str]:
    """Times in hours, scaled to days for runs longer than two days; returns (values, axis label)."""
    hours = np.asarray(hours, dtype=float)
    if hours.size and hours.max() > 48:
        return hours / 24.0, "simulated time (days)"
    return hours, "simulated time (h)"


PNG_COMPRESS_LEVEL = 3
"""zlib level of PNG figures: encoding takes about 40 % less time than at the default 6, for files about
10 % larger (measured on the run figures); the pixels are the same."""


def lay_out_for_png(fig: Figure) -> None:
    """Run the figure's layout engine once, at the resolution the PNG is saved at, then switch it off.

    ``savefig`` with a layout engine draws the whole figure twice, once with drawing disabled to lay it
    out and once to render; laid out here, it draws once (about 10 % less time a figure, pixels
    identical: the layout is the same engine's at the same resolution). Vector formats are left to
    ``savefig``, which lays them out at their own resolution."""
    import matplotlib

    engine = fig.get_layout_engine()
    if engine is None:
        return
    dpi = matplotlib.rcParams["savefig.dpi"]  # what savefig uses ("figure": the figure's own)
    screen_dpi = fig.dpi
    if dpi != "figure":
        fig.dpi = float(dpi)
    try:
        engine.execute(fig)
    finally:
        fig.dpi = screen_dpi
    fig.set_layout_engine("none")


def save_figure(fig: Figure, out_dir: Path, stem: str, fmt: str) -> Path:
    """Write ``fig`` to ``out_dir/<stem>.<fmt>`` (the format's own canvas, no backend); returns the path."""
    from swapsim.results import owned_file

    path = out_dir / f"{stem}.{fmt}"
    options: dict[str, Any] = {}
    if fmt == "png":
        lay_out_for_png(fig)
        options["pil_kwargs"] = {"compress_level": PNG_COMPRESS_LEVEL}
    with owned_file(path) as tmp:  # never over a user's file; replaces a link of that name, never writes through it
        fig.savefig(tmp, format=fmt, **options)
    return path


WARMUP_SPAN: dict[str, Any] = {"facecolor": (1.0, 1.0, 1.0, 0.45), "edgecolor": "#A6A6A6", "hatch": "///", "lw": 0.0}
"""The warm-up span: a light wash with grey hatching drawn over the data, so the colours under it
pale instead of darkening and stay recognisable."""


def shade_warmup(ax: Axes, warmup_h: float, scale: float) -> None:
    """Mark the warm-up (``warmup_h`` hours; ``scale``: axis units per hour) with a light hatched span,
    labelled for the legend (gid ``background``: not data)."""
    if warmup_h > 0:
        span = ax.axvspan(0, warmup_h * scale, zorder=3, label="warm-up (not in KPIs)", **WARMUP_SPAN)
        span.set_gid("background")


_NICE_BIN_WIDTHS_H = (1 / 60, 5 / 60, 0.25, 0.5, 1.0, 2.0, 4.0, 6.0, 12.0, 24.0, 48.0, 168.0)
MAX_PLOTTED_BINS = 300
"""Time-series figures show at most this many bins: finer bins only alias at print resolution."""


def coarsen(
    ts: dict[str, list], horizon_h: float | None = None, max_bins: int = MAX_PLOTTED_BINS
) -> tuple[dict[str, np.ndarray], float]:
    """Merge a time series' fixed-width bins into wider ones for drawing.

    Each merged bin holds the time-weighted mean of the bins it covers (the last stored bin may be
    shorter than the others when the horizon is not a multiple of the bin width); columns ending in
    ``_min`` and ``_max`` (per-bin extremes) keep the smallest and largest, and ``_stockouts`` (counts)
    the sum. The new width is a
    multiple of the stored one, chosen from 1 min, 5 min, 15 min, 30 min, 1, 2, 4, 6, 12, 24, 48 h and
    1 week so that at most ``max_bins`` remain.

    Args:
        ts: columns as read from ``timeseries.csv``; ``time_h`` holds the bin starts (hours).
        horizon_h: end of the last bin (hours); defaults to one stored width after the last start.
        max_bins: most bins to keep.

    Returns:
        (columns with ``time_h`` = the new bin starts, the new bin width in hours).
    """
    t = np.asarray(ts["time_h"], dtype=float)
    n = len(t)
    w0 = float(t[1] - t[0]) if n > 1 else float((horizon_h or 1.0) - (t[0] if n else 0.0))
    cols = {k: np.asarray(v, dtype=float) for k, v in ts.items()}
    if n <= max_bins or w0 <= 0:
        return cols, w0
    end = horizon_h if horizon_h is not None and horizon_h > t[-1] else t[-1] + w0
    widths = np.diff(np.append(t, end))
    factor = 0
    for w in _NICE_BIN_WIDTHS_H:
        k = w / w0
        if k >= 1 and abs(k - round(k)) < 1e-6 and math.ceil(n / round(k)) <= max_bins:
            factor = int(round(k))
            break
    if not factor:
        factor = int(math.ceil(n / max_bins))
    groups = np.arange(n) // factor
    wsum = np.bincount(groups, weights=widths)
    out: dict[str, np.ndarray] = {"time_h": t[::factor]}
    starts = np.arange(0, n, factor)
    for key, values in cols.items():
        if key == "time_h":
            continue
        if key.endswith("_min"):
            out[key] = np.fmin.reduceat(values, starts)
        elif key.endswith("_max"):
            out[key] = np.fmax.reduceat(values, starts)
        elif key.endswith("_stockouts"):
            out[key] = np.add.reduceat(values, starts)
        else:
            out[key] = np.bincount(groups, weights=values * widths) / wsum
    return out, w0 * factor


def duration_label(hours: float) -> str:
    """A bin width for a label: ``15 min``, ``2 h``, ``1 d``."""
    minutes = hours * 60.0
    if minutes < 59.5:
        return f"{minutes:.0f} min"
    if hours < 24 or abs(hours / 24 - round(hours / 24)) > 1e-6:
        return f"{hours:g} h"
    return f"{hours / 24:g} d"


def step_edges(x: np.ndarray, end: float, *ys: np.ndarray) -> tuple[np.ndarray, ...]:
    """Append the end of the last bin so that ``step="post"`` draws every bin to its full width."""
    return (np.append(x, end), *[np.append(y, y[-1]) for y in ys])


def time_frame(
    ts: dict[str, list], summary: dict[str, Any]
) -> tuple[dict[str, np.ndarray], float, float, str, float, float]:
    """Coarsened series, bin width (h), time scale (axis units per hour), axis label, axis end, warm-up."""
    man = summary["manifest"]
    horizon_h = float(man.get("horizon_h") or 0.0) or None
    cols, width_h = coarsen(ts, horizon_h)
    t_h = cols["time_h"]
    _, xlabel = time_axis(np.append(t_h, horizon_h or t_h[-1]))
    scale = 1 / 24.0 if "days" in xlabel else 1.0
    end_h = horizon_h if horizon_h and horizon_h > t_h[-1] else t_h[-1] + width_h
    return cols, width_h, scale, xlabel, end_h * scale, float(man.get("warmup_h") or 0.0)


def wrap_title(text: str, width_in: float, fontsize: float) -> str:
    """``text`` wrapped to lines that fit ``width_in`` inches at ``fontsize`` points (DejaVu Sans runs about
    0.6 em per character); existing line breaks are kept."""
    import textwrap

    chars = max(20, int(width_in * 72 / (fontsize * 0.56)))
    return "\n".join(textwrap.fill(line, chars) for line in text.split("\n"))
