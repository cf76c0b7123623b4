"""Figures and the HTML report, drawn only from saved results: nothing in this package runs a simulation.

Every function here reads a results directory (a run, a sweep, a comparison or a warm-up analysis, as
written by :mod:`swapsim.results`) and writes figure files or ``report.html`` beside it. :mod:`.style` sets
the look of every figure; the figures are split by the kind of results they draw (:mod:`.figures_run`,
:mod:`.figures_stations` and :mod:`.figures_health` for a run, :mod:`.figures_sweep`, :mod:`.figures_compare`,
:mod:`.figures_warmup`), and :func:`plot_results` (:mod:`.figures`) redraws a directory's figures by its
kind; :mod:`.report` writes the self-contained page, with :mod:`.report_tables` and :mod:`.report_html`.
:mod:`.console` composes the text the command line prints (imported on demand, not re-exported).
Figures are :class:`matplotlib.figure.Figure` objects saved without :mod:`matplotlib.pyplot`, so
importing this package or drawing a figure never selects or switches a matplotlib backend.
"""

from swapsim.output.figures import plot_results
from swapsim.output.figures_compare import plot_compare
from swapsim.output.figures_run import plot_run
from swapsim.output.figures_sweep import plot_sweep
from swapsim.output.figures_warmup import plot_warmup
from swapsim.output.report import build_report, write_report
from swapsim.output.style import OKABE_ITO, STATE_COLOURS, report_style

__all__ = [
    "plot_results",
    "plot_run",
    "plot_sweep",
    "plot_compare",
    "plot_warmup",
    "write_report",
    "build_report",
    "report_style",
    "OKABE_ITO",
    "STATE_COLOURS",
]
