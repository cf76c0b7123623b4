"""The report style: one place that decides how every swapsim figure looks on paper.

Figures go into reports and papers, so they are drawn for print: one width for every figure
(:data:`FIGURE_WIDTH_IN`, so they line up in a report column), fonts that stay readable when a page
shrinks the figure to about 16 cm, the Okabe-Ito colour-blind-safe palette, fixed colours per robot
state (the same state has the same colour in every figure), 200 dpi PNG, and a layout engine that
keeps labels inside a fixed canvas (so the pixel size of a figure is known in advance). Units belong
on every axis; titles say what is shown. The figure modules of :mod:`swapsim.output` and any other
module that draws re-use :func:`report_style` and the constants here. Nothing here chooses a
matplotlib backend: the figures are :class:`matplotlib.figure.Figure` objects saved without pyplot.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import matplotlib
from matplotlib.rcsetup import cycler  # what matplotlib.cycler is (the stubs do not re-export it)

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

__all__ = [
    "OKABE_ITO",
    "STATE_COLOURS",
    "REPORT_RC",
    "DPI",
    "FIGURE_WIDTH_IN",
    "MARK_COLOUR",
    "report_style",
    "plain_text",
]

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
    "charging": "#F0E442",
}
"""One colour per robot state, the same in every figure (Okabe-Ito hues, grey for idle/off duty)."""

MARK_COLOUR = "#000000"
"""Colour of reference marks drawn over data (percentile lines, means, capacities)."""

DPI = 200
"""Resolution of PNG figures (dots per inch)."""

FIGURE_WIDTH_IN = 9.0
"""Width of every report figure (inches); at 200 dpi a PNG is 1800 px wide. Heights vary."""

REPORT_RC: dict[RcKeyType, Any] = {
    "figure.dpi": 100,
    "savefig.dpi": DPI,
    # A fixed canvas: the constrained layout keeps labels and outside legends inside it, so a figure's
    # pixel size is its figsize x dpi, which reports and tests rely on.
    "savefig.bbox": "standard",
    "figure.constrained_layout.use": True,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "font.family": "DejaVu Sans",
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.titleweight": "normal",
    "axes.labelsize": 11,
    "figure.titlesize": 13,
    "legend.fontsize": 10,
    "legend.frameon": False,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": cycler(color=OKABE_ITO),
    "lines.linewidth": 1.5,
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    # Names (scenarios, stations, factors) are text, never markup: a '$' is drawn as a '$'.
    "text.parse_math": False,
}
"""Matplotlib settings of the report style (see :func:`report_style`)."""


@contextmanager
def report_style() -> Iterator[None]:
    """Apply the report style inside a ``with`` block (restores the previous settings after it)."""
    with matplotlib.rc_context(REPORT_RC):
        yield


PLAIN_TEXT_RC: dict[RcKeyType, Any] = {"text.parse_math": False}
"""Text drawn as written: no mathtext (``$...$``), so a user's name can never break a figure."""


@contextmanager
def plain_text() -> Iterator[None]:
    """Draw every text created inside a ``with`` block as plain text (for figures outside :func:`report_style`)."""
    with matplotlib.rc_context(PLAIN_TEXT_RC):
        yield
