"""Commands on one scenario or one results directory: ``swapsim run``, ``validate``, ``plot``, ``report``
and ``estimate``.

Each parses its options, calls the library (:func:`swapsim.engine.simulate`, :func:`swapsim.results.write_run`,
:func:`swapsim.output.plot_results`, :func:`swapsim.output.write_report`, :func:`swapsim.analysis.estimate`)
and prints the text composed by :mod:`swapsim.output.console` or :mod:`swapsim.analysis.estimate_format`.
Heavy packages are imported inside the commands, so ``swapsim --help`` and ``swapsim estimate`` stay fast.
"""

from __future__ import annotations

from pathlib import Path

import click

from swapsim.cli import (
    cli,
    fail,
    figures_option,
    format_option,
    life_option,
    out_dir,
    quiet_option,
    seed_option,
    set_option,
    user_errors,
    with_life,
)
from swapsim.resources import check_memory, max_memory_option
from swapsim.scenario import Scenario, dump_scenario, load_scenario


@cli.command(short_help="Run a scenario once; write its results, figures and summary.")
@max_memory_option
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@seed_option()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Results directory (default: results/<scenario name>/). New, empty, or written by swapsim "
    "before (only its own files are replaced); any other non-empty directory is refused.",
)
@set_option
@life_option()
@figures_option("the run figures")
@format_option
@quiet_option()
@user_errors
def run(
    scenario: Path,
    seed: int | None,
    out: Path | None,
    overrides: tuple[str, ...],
    life: str,
    figures: bool,
    fmt: str,
    quiet: bool,
) -> None:
    """Run SCENARIO once and write its results and figures.

    \b
    Example:
      swapsim run scenarios/warehouse.yaml --seed 7 --set fleet.robots=40 --set "horizon=14 d" --out results/wh-40
    """
    from swapsim.engine import simulate
    from swapsim.results import write_run

    sc = load_scenario(scenario, with_life(overrides, life))
    check_memory(sc, source=str(scenario), figures=figures)  # the checks validate makes, before any output
    out = out_dir(out, sc.name)
    result = simulate(sc, seed, origin={"scenario_file": str(scenario), "overrides": list(overrides)})
    write_run(result, out)
    if figures:  # drawn from the files just written
        from swapsim.output import plot_run

        plot_run(out, fmt=fmt)
    if not quiet:
        from swapsim.output.console import headline, run_banner
        from swapsim.output.findings import run_epilogue

        click.echo(run_banner(result))
        click.echo(headline(result.summary))
        click.echo(run_epilogue(out))  # the run summary, the files written, the next command
    click.echo(f"results written to {out}/")


def _verdict(path: Path, sc: Scenario) -> str:
    """``scenarios/factory.yaml: valid (30 robots, 2 stations, 30 d)``: the file and what it holds."""
    robots = sc.fleet.robots
    stations = len(sc.stations)
    days = sc.horizon / 24.0
    span = f"{days:g} d" if days >= 1 else f"{sc.horizon:g} h"
    return (
        f"{path}: valid ({robots} robot{'s' if robots != 1 else ''}, {stations} "
        f"station{'s' if stations != 1 else ''}, {span})"
    )


@cli.command(short_help="Check a scenario file: a one-line verdict, or the errors.")
@max_memory_option
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@set_option
@click.option(
    "--show",
    is_flag=True,
    help="Print the resolved scenario (YAML, every default filled in) on stdout; the verdict then "
    "goes to stderr, so `--show > resolved.yaml` writes a file that loads back.",
)
@user_errors
def validate(scenario: Path, overrides: tuple[str, ...], show: bool) -> None:
    """Check SCENARIO: one line saying it is valid (robots, stations, horizon), or the errors (exit 2).

    Every check `swapsim run` makes before simulating is made here, the memory estimate (figures
    included) against --max-memory among them: a scenario that validates runs.

    \b
    Examples:
      swapsim validate scenarios/factory.yaml
      swapsim validate scenarios/warehouse.yaml --set fleet.robots=40 --show
    """
    sc = load_scenario(scenario, overrides)
    check_memory(sc, source=str(scenario), figures=True)
    if show:
        click.echo(dump_scenario(sc), nl=False)
    click.echo(_verdict(scenario, sc), err=show)


results_dir_argument = click.argument("results_dir", type=click.Path(path_type=Path))


def _damaged(results_dir: Path, exc: Exception) -> None:
    """A results folder whose files passed the checks but still do not fit together (exit 2)."""
    fail(
        f"{results_dir}: the saved files do not fit together ({type(exc).__name__}: {str(exc)[:120]}); "
        f"a file is damaged or was written by another version: write the results again"
    )


_DAMAGE = (KeyError, IndexError, ValueError, TypeError, StopIteration, ZeroDivisionError, AttributeError)
"""What reading a damaged results folder can raise past :func:`swapsim.results.check_results_dir`."""


@cli.command(short_help="Redraw the figures of a results directory from its saved files.")
@results_dir_argument
@format_option
@user_errors
def plot(results_dir: Path, fmt: str) -> None:
    """Redraw every figure of a run, sweep, comparison or size search in RESULTS_DIR from its saved files.

    Never simulates: the figures are drawn from summary.json and the CSV tables (or points.csv,
    compare.csv, size.json and size.csv). The kind of directory is told by its files.

    \b
    Example:
      swapsim plot results/wh-40 --format svg
    """
    from swapsim.output import plot_results
    from swapsim.results import ResultsError

    try:
        paths = plot_results(results_dir, fmt)
    except ResultsError as exc:
        fail(str(exc))
    except _DAMAGE as exc:
        _damaged(results_dir, exc)
    for path in paths:
        click.echo(f"wrote {path}")


@cli.command(short_help="Write one self-contained report.html for a results directory.")
@results_dir_argument
@click.option(
    "--redraw", is_flag=True, help="Redraw the figures (PNG) before embedding them, even when figure files exist."
)
@user_errors
def report(results_dir: Path, redraw: bool) -> None:
    """Write RESULTS_DIR/report.html: one self-contained page with the KPI tables, figures, resolved
    scenario and manifest of a run, sweep or comparison.

    The page embeds its figures and links nothing outside itself, so it opens offline and can be sent
    as one file. Never simulates; figures missing from the directory are drawn from the saved files.

    \b
    Example:
      swapsim report results/wh-40
    """
    from swapsim.output import write_report
    from swapsim.results import ResultsError

    try:
        path = write_report(results_dir, redraw=redraw)
    except ResultsError as exc:
        fail(str(exc))
    except _DAMAGE as exc:
        _damaged(results_dir, exc)
    click.echo(f"report written to {path}")


@cli.command("estimate", short_help="Closed-form steady-state KPIs in under a second, no simulation.")
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@set_option
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the estimate as JSON (infinite values, e.g. waits at an overloaded station, as null).",
)
@user_errors
def estimate_cmd(scenario: Path, overrides: tuple[str, ...], as_json: bool) -> None:
    """Closed-form estimates for SCENARIO in well under a second, without simulating.

    Swaps a day, waits at the stations, the chance that no charged pack is ready, grid energy,
    utilisation and state fractions in steady state, with the approximations that apply.
    How far they are from simulation: docs/validation.md.

    \b
    Examples:
      swapsim estimate scenarios/factory.yaml
      swapsim estimate scenarios/factory.yaml --json --set fleet.robots=40
    """
    from swapsim.analysis import estimate, format_estimate
    from swapsim.analysis.estimate_format import format_estimate_json

    sc = load_scenario(scenario, overrides)
    try:
        est = estimate(sc)
    except ValueError as exc:
        fail(f"{scenario}: {exc}")
    click.echo(format_estimate_json(est) if as_json else format_estimate(est))
