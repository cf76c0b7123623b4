"""The ``swapsim`` command line: thin click commands over library functions.

User errors (a bad scenario file, a bad ``--set``, a bad flag) print one readable message and exit
with status 2, without a traceback. Results are written atomically (see :mod:`swapsim.io`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable

import click

from swapsim import __version__
from swapsim.config import ScenarioError, dump_scenario, load_scenario
from swapsim.units import format_duration

__all__ = ["main", "cli"]

EXIT_USAGE = 2


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def _user_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn ScenarioError into a message and exit status 2."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ScenarioError as exc:
            _fail(str(exc))

    return wrapper


set_option = click.option(
    "--set", "overrides", multiple=True, metavar="PATH=VALUE",
    help="Override a scenario field, e.g. --set fleet.robots=40 --set 'horizon=14 d' "
         "--set stations[0].bays=12. Repeatable; validated like the file.")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="swapsim")
def cli() -> None:
    """swapsim: simulate fleets of humanoid robots that hot-swap their own batteries.

    run: one scenario once. compare: one scenario under several power strategies. validate: check a file.
    """


def _headline(summary: dict[str, Any]) -> str:
    fleet = summary["fleet"]
    swaps = summary["swaps"]
    lines = [
        ("fleet utilisation (working / on duty)", f"{fleet['utilisation']:.1%}"),
        *[(f"  {state}", f"{frac:.1%}") for state, frac in fleet["state_fraction"].items() if frac > 0],
        ("swaps", f"{swaps['count']} ({swaps['per_robot_per_day']:.2f} per robot per day)"),
        ("swap wait, mean / p95 / max (min)",
         f"{swaps['wait_min']['mean']:.2f} / {swaps['wait_min']['p95']:.2f} / {swaps['wait_min']['max']:.2f}"),
        ("stock-outs (no green pack on arrival)", f"{swaps['stockouts']}"),
        ("strandings", f"{fleet['strandings']}"),
        ("grid energy (kWh)", f"{summary['energy']['grid_kwh']:.1f}"),
    ]
    lines += _realistic_work_lines(summary)
    for st in summary["stations"]:
        lines.append((f"station {st['name']}: positions busy / queue / green",
                      f"{st['swap_utilisation']:.1%} / {st['mean_queue_length']:.2f} / "
                      f"{st['charged_packs_mean']:.2f}"))
    width = max(len(k) for k, _ in lines)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in lines)


@cli.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Root seed (default: the scenario's).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Results directory (default: results/<scenario name>/).")
@set_option
@click.option("--figures/--no-figures", default=True, show_default=True, help="Draw the run figures.")
@click.option("--format", "fmt", type=click.Choice(["png", "svg", "pdf"]), default="png", show_default=True,
              help="Figure file format.")
@click.option("-q", "--quiet", is_flag=True, help="Print only where the results went.")
@_user_errors
def run(scenario: Path, seed: int | None, out: Path | None, overrides: tuple[str, ...], figures: bool,
        fmt: str, quiet: bool) -> None:
    """Run SCENARIO once and write its results and figures."""
    from swapsim.engine import simulate
    from swapsim.io import write_run

    sc = load_scenario(scenario, overrides)
    out = out or Path("results") / sc.name
    result = simulate(sc, seed)
    write_run(result, out, figures=figures, fmt=fmt)
    if not quiet:
        man = result.manifest
        click.echo(f"{sc.name}: {sc.fleet.robots} robots, {len(sc.stations)} station(s), "
                   f"{format_duration(man['horizon_h'])} simulated, statistics after "
                   f"{format_duration(man['warmup_h'])} of warm-up, "
                   f"seed {man['seed']} ({man['wall_time_s']:.2f} s)")
        click.echo(_headline(result.summary))
    click.echo(f"results written to {out}/")


def _realistic_work_lines(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """Headline lines for shifts, tasks, plug-in charging and faults (only those that apply)."""
    fleet = summary["fleet"]
    lines = []
    if fleet.get("off_duty_fraction", 0.0) > 0:
        lines.append(("off duty (share of all robot time)", f"{fleet['off_duty_fraction']:.1%} "
                      f"(mean {fleet['on_duty_mean']:.1f} robots on duty)"))
    tasks = summary.get("tasks")
    if tasks:
        lines += [
            ("tasks done", f"{tasks['done']} ({tasks['per_day']:.0f} per day)"),
            ("task wait, mean / p95 / max (min)",
             f"{tasks['wait_min']['mean']:.2f} / {tasks['wait_min']['p95']:.2f} / {tasks['wait_min']['max']:.2f}"),
            ("tasks waiting at the horizon", f"{tasks['waiting_at_horizon']}"),
        ]
    charging = summary.get("charging")
    if charging:
        lines += [
            ("plug-in charges", f"{charging['sessions']} ({charging['per_robot_per_day']:.2f} per robot per day, "
                                f"{charging['duration_min_mean']:.0f} min each)"),
            ("dock wait, mean / p95 (min)", f"{charging['wait_min']['mean']:.2f} / {charging['wait_min']['p95']:.2f}"),
        ]
    faults = summary.get("faults")
    if faults and any(faults[k] for k in ("estops", "breakdowns", "station_outages", "failed_swaps")):
        lines += [
            ("faults: e-stops / breakdowns / failed swaps", f"{faults['estops']} / {faults['breakdowns']} / "
                                                           f"{faults['failed_swaps']}"),
            ("station outages (hours down)", f"{faults['station_outages']} ({faults['station_down_h']:.1f} h)"),
            ("robot-hours down", f"{faults['down_h']:.1f}"),
        ]
    return lines


@cli.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--strategies", default="hot_swap,cold_swap,plug_in", show_default=True,
              help="Comma-separated power strategies to compare (hot_swap, cold_swap, plug_in).")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Root seed (default: the scenario's).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Compare directory (default: results/<scenario name>-compare/).")
@set_option
@click.option("--figures/--no-figures", default=True, show_default=True, help="Draw the figures.")
@click.option("--format", "fmt", type=click.Choice(["png", "svg", "pdf"]), default="png", show_default=True,
              help="Figure file format.")
@click.option("-q", "--quiet", is_flag=True, help="Print only where the results went.")
@_user_errors
def compare(scenario: Path, strategies: str, seed: int | None, out: Path | None, overrides: tuple[str, ...],
            figures: bool, fmt: str, quiet: bool) -> None:
    """Run SCENARIO under each power strategy with common random numbers and compare them."""
    from swapsim.compare import compare_rows, parse_strategies, run_compare, write_compare

    kinds = parse_strategies(strategies)
    sc = load_scenario(scenario, overrides)
    out = out or Path("results") / f"{sc.name}-compare"
    results = run_compare(sc, kinds, seed)
    write_compare(results, out, scenario_file=scenario, overrides=overrides, figures=figures, fmt=fmt)
    if not quiet:
        first = next(iter(results.values()))
        click.echo(f"{sc.name}: {sc.fleet.robots} robots, horizon {sc.horizon / 24:.1f} d after "
                   f"{sc.warmup:.1f} h warm-up, seed {first.seed}, common random numbers")
        rows = compare_rows(results)
        tasks = "tasks_done" in rows[0]
        head = f"{'strategy':<10} {'utilisation':>11} {'swaps/robot/d':>13} {'station wait':>12}"
        head += f" {'tasks done':>10} {'task p95':>9}" if tasks else ""
        click.echo(head + f" {'run time':>9}")
        for row in rows:
            line = (f"{row['strategy']:<10} {row['utilisation']:>11.1%} {row['swaps_per_robot_per_day']:>13.2f} "
                    f"{row['wait_min_mean']:>8.2f} min")
            if tasks:
                line += f" {row['tasks_done']:>10} {row['task_wait_min_p95']:>5.1f} min"
            click.echo(line + f" {row['wall_time_s']:>7.1f} s")
    click.echo(f"results written to {out}/")


@cli.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@set_option
@_user_errors
def validate(scenario: Path, overrides: tuple[str, ...]) -> None:
    """Check SCENARIO: print the resolved scenario (every default filled in), or the errors."""
    sc = load_scenario(scenario, overrides)
    click.echo(dump_scenario(sc), nl=False)


results_dir_argument = click.argument("results_dir", type=click.Path(path_type=Path))


@cli.command()
@results_dir_argument
@click.option("--format", "fmt", type=click.Choice(["png", "svg", "pdf"]), default="png", show_default=True,
              help="Figure file format.")
def plot(results_dir: Path, fmt: str) -> None:
    """Redraw every figure of a run, sweep or comparison in RESULTS_DIR from its saved files.

    Never simulates: the figures are drawn from summary.json and the CSV tables (or points.csv,
    compare.csv). The kind of directory is told by its files.
    """
    from swapsim.io import ResultsError
    from swapsim.plots import plot_results

    try:
        paths = plot_results(results_dir, fmt)
    except ResultsError as exc:
        _fail(str(exc))
    for path in paths:
        click.echo(f"wrote {path}")


@cli.command()
@results_dir_argument
@click.option("--redraw", is_flag=True,
              help="Redraw the figures (PNG) before embedding them, even when figure files exist.")
def report(results_dir: Path, redraw: bool) -> None:
    """Write RESULTS_DIR/report.html: one self-contained page with the KPI tables, figures, resolved
    scenario and manifest of a run, sweep or comparison.

    The page embeds its figures and links nothing outside itself, so it opens offline and can be sent
    as one file. Never simulates; figures missing from the directory are drawn from the saved files.
    """
    from swapsim.io import ResultsError
    from swapsim.report import write_report

    try:
        path = write_report(results_dir, redraw=redraw)
    except ResultsError as exc:
        _fail(str(exc))
    click.echo(f"report written to {path}")


def main() -> None:
    """Console entry point."""
    cli(prog_name="swapsim")


if __name__ == "__main__":  # pragma: no cover
    main()
