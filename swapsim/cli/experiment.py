"""Experiments over many runs: ``swapsim sweep``, ``compare`` and ``warmup``.

Each parses its options, calls :mod:`swapsim.experiments` (sweeps with replications and confidence
intervals on an executor, power strategies side by side with common random numbers, MSER-5 on pilot
runs) and prints the text composed by :mod:`swapsim.output.console`. What stays here is what belongs
to the command line: which flags go together, the exit status of a sweep (0 done, 1 some runs failed,
2 bad input, 130 interrupted) and the hints on how to resume it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from swapsim.cli import (
    cli,
    executor_option,
    figures_option,
    format_option,
    life_option,
    out_dir,
    quiet_option,
    scheduler_option,
    seed_option,
    set_option,
    user_errors,
    with_life,
)
from swapsim.resources import check_sweep_memory, max_memory_option
from swapsim.scenario import ScenarioError, load_scenario

EXIT_FAILED_RUNS = 1
EXIT_INTERRUPTED = 130


def _is_sweep_file(path: Path) -> bool:
    """A sweep file is a mapping with ``base`` or ``factors``; anything else is read as a scenario."""
    from swapsim.scenario import read_yaml

    data = read_yaml(path)
    return isinstance(data, dict) and ("factors" in data or "base" in data)


def _capped(sw: Any) -> Any:
    """The sweep with its replications capped by ``SWAPSIM_MAX_REPLICATIONS`` (test suites only)."""
    import dataclasses

    from swapsim.scenario.shortening import cap_replications

    floor = 3 if sw.target_ci else 1
    n = cap_replications(sw.replications, floor)
    n_max = cap_replications(sw.max_replications, n) if sw.target_ci else sw.max_replications
    if (n, n_max) == (sw.replications, sw.max_replications):
        return sw
    return dataclasses.replace(sw, replications=n, max_replications=n_max)


@cli.command(short_help="Sweep parameters with replications and 95 % confidence intervals.")
@max_memory_option
@click.argument("spec", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--vary",
    "vary",
    multiple=True,
    metavar="PATH=V1,V2,...",
    help="A factor and its values, e.g. --vary fleet.robots=20,40,60 --vary "
    "'stations[*].positions=1,2,3' ([*]: every station). Repeatable.",
)
@click.option(
    "--design",
    type=click.Choice(["factorial", "zip"]),
    default=None,
    help="factorial: every combination (default); zip: the i-th values of every factor together.",
)
@click.option(
    "-r",
    "--replications",
    type=click.IntRange(1, 100_000),
    default=None,
    help="Replications per point, 1 to 100000 (default 10; at least 3 with --target-ci).",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: all cores); 1 runs in this process. Never more than the runs "
    "to do nor twice the cores (at least 4); a larger number is lowered, with a message.",
)
@click.option(
    "--max-runs",
    type=click.IntRange(min=1),
    default=100_000,
    show_default=True,
    help="Refuse a sweep of more runs than this (points x replications; x --max-replications "
    "with --target-ci) before anything runs.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Sweep directory (default: results/<scenario name>-sweep/). New or empty, or this sweep "
    "with --resume; any other non-empty directory is refused.",
)
@seed_option("Root seed; replication r of every point gets the same seed derived from it (default: the scenario's).")
@set_option
@executor_option
@scheduler_option
@click.option("--resume", is_flag=True, help="Continue the sweep in --out: run only the runs missing from DIR/runs/.")
@click.option(
    "--target-ci",
    "target_ci",
    multiple=True,
    metavar="KPI=REL",
    help="Add replications until the KPI's 95 % half-width is within REL of |mean| at every point, "
    "e.g. --target-ci fleet.utilisation=0.02. Repeatable.",
)
@click.option(
    "--max-replications",
    type=click.IntRange(min=1),
    default=None,
    help="Cap of replications per point with --target-ci (default 100).",
)
@click.option(
    "--kpi",
    "kpis",
    multiple=True,
    metavar="KPI",
    help="Also draw this KPI (a dotted key of summary.json, e.g. swaps.stockouts). Repeatable.",
)
@figures_option("the sweep figures")
@format_option
@quiet_option("No progress bar; print only where the results went.")
@user_errors
def sweep(
    spec: Path,
    vary: tuple[str, ...],
    design: str | None,
    replications: int | None,
    jobs: int | None,
    out: Path | None,
    seed: int | None,
    overrides: tuple[str, ...],
    executor: str,
    scheduler: str | None,
    resume: bool,
    target_ci: tuple[str, ...],
    max_replications: int | None,
    kpis: tuple[str, ...],
    figures: bool,
    fmt: str,
    quiet: bool,
    max_runs: int,
) -> None:
    """Run a parameter sweep with replications and confidence intervals.

    SPEC is a scenario file (with --vary), a sweep file (base scenario, factors, design, replications,
    seed; see docs/experiments.md), or a sweep directory to resume. Writes DIR/runs.csv (one row per run),
    DIR/points.csv (mean, sd and 95 % Student-t half-width of every KPI per point), DIR/runs/ (one file
    per finished run, for --resume) and the sweep figures. Exit status: 0 done, 1 some runs failed,
    2 bad input, 130 interrupted (resume with --resume).

    \b
    Examples (sweep files: scenarios/sweeps/):
      swapsim sweep scenarios/warehouse.yaml --vary fleet.robots=20,40,60 --set "horizon=3 d" -r 5 --out results/wh-robots
      swapsim sweep results/wh-robots --resume
    """
    from swapsim import experiments as ex

    if scheduler is not None:
        ex.check_scheduler(scheduler)
    factors: dict[str, list[Any]] = {}
    for text in vary:
        path, values = ex.parse_vary(text)
        if path in factors:
            raise ScenarioError(f"--vary {path}: given twice")
        factors[path] = values
    targets = dict(ex.parse_target(t) for t in target_ci) or None
    if spec.is_dir():
        if vary or overrides:
            raise ScenarioError(
                f"{spec}: a sweep directory is resumed as it is; --vary and --set belong to a new sweep"
            )
        if out is not None and out.resolve() != spec.resolve():
            raise ScenarioError(f"{spec}: a sweep directory is resumed in place (got --out {out})")
        sw = ex.sweep_from_dir(
            spec,
            replications=replications,
            target_ci=targets,
            max_replications=max_replications,
            seed=seed,
            design=design,
            max_runs=max_runs,
        )
        out, resume = spec, True
    elif _is_sweep_file(spec):
        sw = ex.load_sweep_file(
            spec,
            extra_factors=factors,
            extra_overrides=overrides,
            design=design,
            replications=replications,
            seed=seed,
            target_ci=targets,
            max_replications=max_replications,
            max_runs=max_runs,
        )
    else:
        sw = ex.sweep_from_scenario(
            spec,
            factors,
            overrides=overrides,
            design=design or "factorial",
            replications=replications or 10,
            seed=seed,
            target_ci=targets,
            max_replications=max_replications or 100,
            max_runs=max_runs,
        )
    sw = _capped(sw)
    if kpis:
        known = ex.kpi_names(sw)
        for k in kpis:
            if k not in known:
                raise ScenarioError(ex.unknown_kpi_message(k, known, "--kpi"))
    check_sweep_memory(sw)
    out = out_dir(out, sw.name, "-sweep", marker="sweep.json")
    if not quiet:
        names = "; ".join(f"{f} {ex.show_value(v)}" for f, v in sw.factors.items()) or "no factors"
        click.echo(
            f"{sw.name} sweep: {len(sw.points)} point(s) x {sw.replications} replication(s) "
            f"({sw.design}: {names}); root seed {sw.seed}"
        )
    show_bar = not quiet and sys.stderr.isatty()
    try:
        report = ex.run_sweep(
            sw, out, executor=executor, jobs=jobs, scheduler=scheduler, resume=resume, progress=show_bar
        )
    except ex.SweepInterrupted as exc:
        click.echo(f"\n{exc}\nresume with: swapsim sweep {out} --resume", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except KeyboardInterrupt:
        click.echo(
            f"\ninterrupted; finished runs are in {out}/runs/\nresume with: swapsim sweep {out} --resume", err=True
        )
        sys.exit(EXIT_INTERRUPTED)
    figs: list[Path] = []
    if figures:
        from swapsim.output import plot_sweep

        try:
            figs = plot_sweep(out, fmt=fmt, kpis=kpis)
        except KeyboardInterrupt:
            click.echo(f"\ninterrupted while drawing the figures; the tables are complete in {out}/", err=True)
            sys.exit(EXIT_INTERRUPTED)
    if not quiet:
        from swapsim.output.console import sweep_summary

        click.echo(sweep_summary(out, report, sw.target_ci, sw.max_replications, figs))
    click.echo(f"results written to {out}/ (runs.csv, points.csv)")
    if report.failures or report.broken:
        n = len(report.failures) + report.broken
        click.echo(
            f"{n} run(s) did not finish ({len(report.failures)} failed in the model, listed in "
            f"{out}/failures.csv; {report.broken} lost with a worker); the tables hold the others. "
            f"`swapsim sweep {out} --resume` runs them again.",
            err=True,
        )
        sys.exit(EXIT_FAILED_RUNS)


@cli.command(short_help="Compare power strategies on one scenario (common random numbers).")
@max_memory_option
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--strategies",
    default="hot_swap,cold_swap,plug_in",
    show_default=True,
    help="Comma-separated power strategies to compare (hot_swap, cold_swap, plug_in).",
)
@seed_option()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Compare directory (default: results/<scenario name>-compare/). New, empty, or written by "
    "swapsim before; any other non-empty directory is refused.",
)
@set_option
@life_option()
@figures_option()
@format_option
@quiet_option()
@click.option(
    "-r",
    "--replications",
    type=click.IntRange(1, 1000),
    default=10,
    show_default=True,
    help="Replications per strategy (replication r: the same seed for every strategy); from 2, paired "
    "differences with 95 % intervals say which differences are significant (compare_paired.*).",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes for the replications (default: all cores).",
)
@user_errors
def compare(
    scenario: Path,
    strategies: str,
    seed: int | None,
    out: Path | None,
    overrides: tuple[str, ...],
    figures: bool,
    fmt: str,
    quiet: bool,
    replications: int = 10,
    jobs: int | None = None,
    life: str = "new",
) -> None:
    """Run SCENARIO under each power strategy with common random numbers and compare them.

    \b
    Example:
      swapsim compare scenarios/factory.yaml --strategies hot_swap,plug_in -r 5 --out results/factory-hot-vs-plug
    """
    from swapsim.experiments.compare import compare_rows, parse_strategies, run_compare, write_compare
    from swapsim.output.console import compare_banner, compare_table
    from swapsim.scenario.shortening import cap_replications

    kinds = parse_strategies(strategies)
    overrides = with_life(overrides, life)
    sc = load_scenario(scenario, overrides)
    replications = cap_replications(replications)
    out = out_dir(out, sc.name, "-compare", "compare.json")
    results = run_compare(sc, kinds, seed)
    write_compare(results, out, scenario_file=scenario, overrides=overrides, figures=figures, fmt=fmt)
    if not quiet:
        first = next(iter(results.values()))
        click.echo(compare_banner(sc, first.seed))
        click.echo(compare_table(compare_rows(results)))
    if replications >= 2:  # swapsim.experiments.paired: replications and paired intervals
        from swapsim.experiments.paired import format_paired, paired_rows, run_replicated, write_paired

        rows = paired_rows(run_replicated(sc, kinds, replications, seed, jobs=jobs))
        write_paired(
            rows,
            out,
            {
                "scenario": sc.name,
                "strategies": kinds,
                "replications": replications,
                "seed": sc.seed if seed is None else seed,
            },
            figure=figures,
        )
        if not quiet:
            click.echo(f"over {replications} replications (mean +- 95 % half-width):")
            click.echo(format_paired(rows))
    click.echo(f"results written to {out}/")


@cli.command(short_help="Suggest a warm-up length from pilot runs (MSER-5).")
@max_memory_option
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-r",
    "--replications",
    type=click.IntRange(1, 1000),
    default=5,
    show_default=True,
    help="Pilot replications, 1 to 1000 (averaged before MSER-5).",
)
@click.option(
    "--bin",
    "bin_width",
    default="5 min",
    show_default=True,
    help="Time-series bin of the pilot runs (a duration); the horizon must hold 40 to 100,000 bins.",
)
@seed_option("Root seed (default: the scenario's); the pilots use a sweep's replication seeds.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default: all cores).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output directory (default: results/<scenario name>-warmup/). New, empty, or written by "
    "swapsim before; any other non-empty directory is refused.",
)
@set_option
@figures_option("warmup.png")
@format_option
@user_errors
def warmup(
    scenario: Path,
    replications: int,
    bin_width: str,
    seed: int | None,
    jobs: int | None,
    out: Path | None,
    overrides: tuple[str, ...],
    figures: bool,
    fmt: str,
) -> None:
    """Suggest a warm-up length for SCENARIO from pilot runs (MSER-5).

    Runs the pilots over the scenario's horizon with no warm-up and a fine time series, applies
    MSER-5 to three series (replication means): the fleet utilisation, the robots queueing and the
    green packs in the bays (the slowest to settle); suggests the longest of their truncation points,
    rounded up to a whole hour; and writes warmup.json, warmup_series.csv, warmup_mser.csv and
    warmup.png.

    \b
    Example:
      swapsim warmup scenarios/warehouse.yaml --replications 5 --bin "5 min" --out results/wh-pilots
    """
    from swapsim.experiments.warmup import (
        advise_warmup,
        check_bin_width,
        parse_bin_width,
        pilot_series,
        write_warmup,
    )
    from swapsim.output.console import warmup_summary
    from swapsim.scenario.shortening import cap_replications

    bin_h = parse_bin_width(bin_width)
    sc = load_scenario(scenario, overrides)
    replications = cap_replications(replications)
    check_bin_width(bin_h, sc.horizon, bin_width)
    out = out_dir(out, sc.name, "-warmup", "warmup.json")
    series = pilot_series(sc, replications=replications, seed=seed, bin_width_h=bin_h, jobs=jobs)
    advice = advise_warmup(series)
    write_warmup(advice, out, source=str(scenario), figures=figures, fmt=fmt)
    click.echo(warmup_summary(advice, sc, replications))
    click.echo(f"results written to {out}/")
