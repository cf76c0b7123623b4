"""The ``swapsim size`` command.

Thin: it parses the options into a :class:`~swapsim.experiments.sizing.spec.SizeSpec`, calls
:func:`~swapsim.experiments.sizing.search.run_size` and writes the outputs with :mod:`swapsim.experiments.sizing.report`.
Exit status: 0 an answer was found (and holds at the horizon check), 1 no configuration of the grid is
feasible or the answer does not hold at the longer horizon, 2 bad input,
130 interrupted (finished runs are kept; continue with ``--resume``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from swapsim.cli import (
    cli,
    executor_option,
    life_option,
    out_dir,
    scheduler_option,
    seed_option,
    set_option,
    user_errors,
    with_life,
)
from swapsim.scenario import load_scenario

__all__ = ["size_cmd"]


@cli.command("size", short_help="Find the cheapest configuration that meets every service target.")
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--search",
    "search",
    multiple=True,
    metavar="PATH=LO..HI[/STEP]",
    help="A field and its integer range, e.g. --search 'stations[*].positions=1..4' (every station "
    "together), --search stations[1].bays=10..20 (one station), --search fleet.robots=40..80/5. "
    "Repeatable.",
)
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="'KPI<=VALUE'",
    help="A service target on a KPI of summary.json, e.g. --target 'swaps.wait_min.p95<=5' "
    "--target 'fleet.utilisation>=0.85'. Repeatable; every one must hold.",
)
@click.option(
    "--objective",
    default="costs.total_per_year",
    show_default=True,
    help="The KPI to minimise among feasible configurations.",
)
@click.option(
    "--confidence",
    type=click.FloatRange(0.5, 1.0, max_open=True),
    default=0.95,
    show_default=True,
    help="Confidence that a configuration called feasible meets every target.",
)
@click.option(
    "--min-replications",
    type=click.IntRange(min=2),
    default=5,
    show_default=True,
    help="Replications at the first look.",
)
@click.option(
    "--max-replications",
    type=click.IntRange(min=2),
    default=40,
    show_default=True,
    help="Replications at the last look (a target still in doubt then is not shown to hold).",
)
@click.option(
    "--screen/--no-screen",
    default=True,
    show_default=True,
    help="Skip configurations the closed-form estimate puts far outside a target (activity-cycle "
    "hot-swap scenarios only).",
)
@click.option(
    "--horizon-check",
    "horizon_factor",
    type=click.FloatRange(min=0),
    default=4.0,
    show_default=True,
    metavar="FACTOR",
    help="Re-run the answer and the next cheaper configuration with a measured span FACTOR times as "
    "long and report whether the decision stands (0: off).",
)
@click.option(
    "--horizon-replications",
    type=click.IntRange(min=2),
    default=10,
    show_default=True,
    help="Replications of each configuration in the horizon check (at most --max-replications).",
)
@click.option(
    "--guards/--no-guards",
    default=True,
    show_default=True,
    help="Add guard targets swaps.wait_min.p95<=10 and swaps.stockout_share<=0.05 (plug-in: "
    "charging.wait_min.p95<=10) unless a --target names the same KPI.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: all cores); 1 runs in this process.",
)
@executor_option
@scheduler_option
@seed_option("Root seed; replication r of every configuration gets the same seed (default: the scenario's).")
@set_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output directory (default: results/<scenario name>-size/).",
)
@life_option(both=True)
@click.option("--resume", is_flag=True, help="Reuse the runs already in --out (same scenario, search and seed).")
@click.option("--figures/--no-figures", default=True, show_default=True, help="Draw size.png.")
@click.option("-q", "--quiet", is_flag=True, help="No progress lines.")
@user_errors
def size_cmd(
    scenario: Path,
    search: tuple[str, ...],
    targets: tuple[str, ...],
    objective: str,
    confidence: float,
    min_replications: int,
    max_replications: int,
    screen: bool,
    horizon_factor: float,
    horizon_replications: int,
    guards: bool,
    jobs: int | None,
    executor: str,
    scheduler: str | None,
    seed: int | None,
    overrides: tuple[str, ...],
    out: Path | None,
    resume: bool,
    figures: bool,
    quiet: bool,
    life: str = "new",
) -> None:
    """Find the cheapest configuration that meets every target at the stated confidence.

    Searches the grid given by --search in order of cost, skips configurations that monotonicity or the
    closed-form estimate rule out, and adds replications only while a configuration's feasibility is in
    doubt (docs/sizing.md). Writes DIR/size.json (recommendation, runner-up, margin, binding targets,
    cost breakdown, evidence), DIR/size.csv (every configuration, why), DIR/size.png, DIR/report.html and
    DIR/runs/.

    \b
    Example:
      swapsim size scenarios/factory.yaml --set "horizon=7 d" --search "stations[*].positions=1..3" --target "swaps.wait_min.p95<=5" --out results/factory-p95
    """
    from swapsim.experiments.sizing.report import format_summary, write_outputs
    from swapsim.experiments.sizing.search import run_size
    from swapsim.experiments.sizing.space import check_grid, parse_objective_target, parse_search
    from swapsim.experiments.sizing.spec import make_spec

    dims = [parse_search(s) for s in search]
    check_grid(dims)  # before anything is built
    tgts = [parse_objective_target(t) for t in targets]
    sc = load_scenario(scenario, with_life(overrides, life))
    from swapsim.scenario.shortening import cap_replications

    min_replications = cap_replications(min_replications, 2)
    max_replications = cap_replications(max_replications, min_replications)
    spec = make_spec(
        sc,
        str(scenario),
        dims,
        tgts,
        objective=objective,
        confidence=confidence,
        n_min=min_replications,
        n_max=max_replications,
        seed=seed,
        screen=screen,
        guards=guards,
        horizon_factor=horizon_factor,
        horizon_replications=horizon_replications,
        life="both" if life == "both" else "new",
    )
    out = out_dir(out, sc.name, "-size", marker="size-spec.json")  # checked before any run
    if not quiet:
        grid = 1
        for d in dims:
            grid *= len(d.values)
        click.echo(
            f"{sc.name} size: {grid} configuration(s), targets {', '.join(map(str, spec.targets))}, "
            f"{confidence:.0%} confidence, replications {min_replications}..{max_replications}, seed "
            f"{spec.seed}",
            err=True,
        )
    log = None if quiet else (lambda m: click.echo(m, err=True))
    try:
        res = run_size(spec, out, executor=executor, jobs=jobs, scheduler=scheduler, resume=resume, log=log)
    except KeyboardInterrupt:
        click.echo(
            f"\ninterrupted; finished runs are in {out}/runs/\nresume with: swapsim size {scenario} "
            f"... --out {out} --resume",
            err=True,
        )
        sys.exit(130)
    write_outputs(res, out, figure=figures)
    from swapsim.output.report_size import write_size_report

    write_size_report(out)
    click.echo(format_summary(res))
    click.echo(f"results written to {out}/ (size.json, size.csv{', size.png' if figures else ''}, report.html)")
    if not res.holds:
        sys.exit(1)
