"""Every figure of a results directory, redrawn from its saved files: :func:`plot_results` tells the
kind of directory (run, sweep or comparison) by its files and calls the drawing module of that kind.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from swapsim.output.figures_compare import plot_compare
from swapsim.output.figures_run import plot_run
from swapsim.output.figures_sweep import plot_sweep
from swapsim.results import check_results_dir

__all__ = ["plot_results"]


def plot_results(results_dir: Path, fmt: str = "png") -> list[Path]:
    """Redraw every figure of a run, sweep, comparison or size directory from its saved files.

    Never simulates. The kind of directory is told by its files (:func:`swapsim.results.results_kind`).

    Raises:
        swapsim.results.ResultsError: not a results directory, or a file it needs is missing or unreadable.
    """
    results_dir = Path(results_dir)
    from swapsim.output.figures_size_files import is_size_dir, plot_size

    if is_size_dir(results_dir):  # swapsim size: size.png from size.json and size.csv
        return plot_size(results_dir, fmt)
    plotters: dict[str, Callable[[Path, str], list[Path]]] = {
        "run": plot_run,
        "sweep": plot_sweep,
        "compare": plot_compare,
    }
    plotter = plotters[check_results_dir(results_dir)]
    return plotter(results_dir, fmt)
