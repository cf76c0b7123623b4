"""The ``swapsim`` command line: thin click commands over library functions.

User errors (a bad scenario file, a bad ``--set``, a bad flag, an output directory swapsim does not
own, a damaged results folder) print one readable message and exit with status 2, without a
traceback; an error of the operating system (read-only or full disk, a path below a file) is one
line and status 1. Results are written atomically and only into a new, empty or swapsim-owned
directory (see :mod:`swapsim.results.outdir`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable

import click

from swapsim._version import __version__
from swapsim.scenario import ScenarioError, dump_scenario, load_scenario
from swapsim.scenario.limits import check_sweep_memory, max_memory_option
from swapsim.scenario.units import format_duration

__all__ = ["main", "cli"]

EXIT_USAGE = 2


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def _user_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """One line on stderr instead of a traceback for what a user can cause: a bad file, flag or output
    directory, a damaged results folder (exit 2), or an operating-system error such as a read-only or
    full disk (exit 1)."""
    import functools

    from swapsim.results import OutputError, ResultsError

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (ScenarioError, ResultsError, OutputError) as exc:
            _fail(str(exc))
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"error: {where}{exc.strerror or exc}", err=True)
            sys.exit(1)

    return wrapper


def _out_dir(out: Path | None, name: str, suffix: str = "", marker: str | None = "summary.json") -> Path:
    """``--out`` as given, or ``results/<safe scenario name><suffix>`` (a scenario's name is a label,
    never a path: :func:`swapsim.results.outdir.safe_name`); unless ``marker`` is None, refused before any
    simulation when swapsim may not put that kind of result there (:func:`swapsim.results.outdir.resolve_target`)."""
    from swapsim.results.outdir import check_path, default_out, resolve_target

    path = check_path(out) if out is not None else default_out(name, suffix)
    if marker is not None:
        resolve_target(path, marker)
    return path


set_option = click.option(
    "--set", "overrides", multiple=True, metavar="PATH=VALUE",
    help="Override a scenario field, e.g. --set fleet.robots=40 --set 'horizon=14 d' "
         "--set stations[0].bays=12. Repeatable; validated like the file.")

format_option = click.option("--format", "fmt", type=click.Choice(["png", "svg", "pdf"]), default="png",
                             show_default=True, help="Figure file format.")


def seed_option(help_text: str = "Root seed (default: the scenario's).") -> Callable[..., Any]:
    """``--seed``: a non-negative root seed."""
    return click.option("--seed", type=click.IntRange(min=0), default=None, help=help_text)


def figures_option(what: str = "the figures") -> Callable[..., Any]:
    """``--figures/--no-figures``."""
    return click.option("--figures/--no-figures", default=True, show_default=True, help=f"Draw {what}.")


def quiet_option(help_text: str = "Print only where the results went.") -> Callable[..., Any]:
    """``-q/--quiet``."""
    return click.option("-q", "--quiet", is_flag=True, help=help_text)


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
    lines += _battery_headline(summary)
    width = max(len(k) for k, _ in lines)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in lines)


def _battery_headline(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """Pack health and technician lines of the headline (when the run has them)."""
    packs, alerts, tech = summary.get("packs", {}), summary.get("alerts"), summary.get("technicians")
    if alerts is None or tech is None or "mean_health_end" not in packs:
        return []
    mean, low = packs["mean_health_end"], packs["min_health_end"]
    return [
        ("pack health at the end, mean / min",
         f"{mean:.1%} / {low:.1%}" if mean is not None else "no pack in service"),
        ("packs retired / replaced", f"{packs['retired']} / {packs['replaced']}"),
        ("alerts: warnings / retirements / faults",
         f"{alerts['warnings']} / {alerts['retirements']} / {alerts['faults']}"),
        ("technicians: utilisation / jobs / mean response (min)",
         f"{tech['utilisation']:.1%} / {tech['jobs']} / {tech['mean_response_min']:.1f}"),
    ]


@cli.command()
@max_memory_option
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@seed_option()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Results directory (default: results/<scenario name>/). New, empty, or written by swapsim "
                   "before (only its own files are replaced); any other non-empty directory is refused.")
@set_option
@figures_option("the run figures")
@format_option
@quiet_option()
@_user_errors
def run(scenario: Path, seed: int | None, out: Path | None, overrides: tuple[str, ...], figures: bool,
        fmt: str, quiet: bool) -> None:
    """Run SCENARIO once and write its results and figures."""
    from swapsim.engine import simulate
    from swapsim.results import write_run

    sc = load_scenario(scenario, overrides)
    out = _out_dir(out, sc.name)
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
@max_memory_option
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--strategies", default="hot_swap,cold_swap,plug_in", show_default=True,
              help="Comma-separated power strategies to compare (hot_swap, cold_swap, plug_in).")
@seed_option()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Compare directory (default: results/<scenario name>-compare/). New, empty, or written by "
                   "swapsim before; any other non-empty directory is refused.")
@set_option
@figures_option()
@format_option
@quiet_option()
@_user_errors
def compare(scenario: Path, strategies: str, seed: int | None, out: Path | None, overrides: tuple[str, ...],
            figures: bool, fmt: str, quiet: bool) -> None:
    """Run SCENARIO under each power strategy with common random numbers and compare them."""
    from swapsim.experiments.compare import compare_rows, parse_strategies, run_compare, write_compare

    kinds = parse_strategies(strategies)
    sc = load_scenario(scenario, overrides)
    out = _out_dir(out, sc.name, "-compare", "compare.json")
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


def _damaged(results_dir: Path, exc: Exception) -> None:
    """A results folder whose files passed the checks but still do not fit together (exit 2)."""
    _fail(f"{results_dir}: the saved files do not fit together ({type(exc).__name__}: {str(exc)[:120]}); "
          f"a file is damaged or was written by another version: write the results again")


_DAMAGE = (KeyError, IndexError, ValueError, TypeError, StopIteration, ZeroDivisionError, AttributeError)
"""What reading a damaged results folder can raise past :func:`swapsim.results.check_results_dir`."""


@cli.command()
@results_dir_argument
@format_option
@_user_errors
def plot(results_dir: Path, fmt: str) -> None:
    """Redraw every figure of a run, sweep or comparison in RESULTS_DIR from its saved files.

    Never simulates: the figures are drawn from summary.json and the CSV tables (or points.csv,
    compare.csv). The kind of directory is told by its files.
    """
    from swapsim.results import ResultsError
    from swapsim.output import plot_results

    try:
        paths = plot_results(results_dir, fmt)
    except ResultsError as exc:
        _fail(str(exc))
    except _DAMAGE as exc:
        _damaged(results_dir, exc)
    for path in paths:
        click.echo(f"wrote {path}")


@cli.command()
@results_dir_argument
@click.option("--redraw", is_flag=True,
              help="Redraw the figures (PNG) before embedding them, even when figure files exist.")
@_user_errors
def report(results_dir: Path, redraw: bool) -> None:
    """Write RESULTS_DIR/report.html: one self-contained page with the KPI tables, figures, resolved
    scenario and manifest of a run, sweep or comparison.

    The page embeds its figures and links nothing outside itself, so it opens offline and can be sent
    as one file. Never simulates; figures missing from the directory are drawn from the saved files.
    """
    from swapsim.results import ResultsError
    from swapsim.output import write_report

    try:
        path = write_report(results_dir, redraw=redraw)
    except ResultsError as exc:
        _fail(str(exc))
    except _DAMAGE as exc:
        _damaged(results_dir, exc)
    click.echo(f"report written to {path}")
# ---------------------------------------------------------------------------------------------
# swapsim sweep / swapsim warmup: experiments at scale (swapsim.experiments, swapsim.experiments.warmup)

EXIT_FAILED_RUNS = 1
EXIT_INTERRUPTED = 130


def _is_sweep_file(path: Path) -> bool:
    """A sweep file is a mapping with ``base`` or ``factors``; anything else is read as a scenario."""
    from swapsim.scenario import read_yaml

    data = read_yaml(path)
    return isinstance(data, dict) and ("factors" in data or "base" in data)


def _fmt_ci(mean: float, half: float, scale: float = 1.0, digits: int = 2) -> str:
    import math

    if not math.isfinite(mean):
        return "-"
    text = f"{mean * scale:.{digits}f}"
    return text + (f" ± {half * scale:.{digits}f}" if math.isfinite(half) else "")


def _sweep_table(out: Path, targets: dict[str, float]) -> str:
    """Per point: factor values, n and the headline KPIs (mean ± 95 % half-width)."""
    import json

    from swapsim.results import read_csv

    meta = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    pts = read_csv(out / "points.csv")
    factors = list(meta["factors"])
    kpis = [("fleet.utilisation", "utilisation %", 100.0, 1), ("swaps.wait_min.mean", "wait min", 1.0, 2),
            ("swaps.per_robot_per_day", "swaps/robot/day", 1.0, 2)]
    kpis += [(k, k, 1.0, 4) for k in targets if k not in {x[0] for x in kpis}]
    kpis = [k for k in kpis if f"{k[0]}.mean" in pts]
    header = ["point", *factors, "n", *[k[1] for k in kpis]]
    rows = []
    for i in range(len(pts["point"])):
        rows.append([str(pts["point"][i]), *[str(pts[f][i]) for f in factors], str(pts["n"][i]),
                     *[_fmt_ci(pts[f"{k}.mean"][i], pts[f"{k}.ci95"][i], s, d) for k, _, s, d in kpis]])
    widths = [max(len(h), *(len(r[j]) for r in rows)) for j, h in enumerate(header)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(header, widths))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in rows]
    return "\n".join(lines)


@cli.command()
@max_memory_option
@click.argument("spec", type=click.Path(exists=True, path_type=Path))
@click.option("--vary", "vary", multiple=True, metavar="PATH=V1,V2,...",
              help="A factor and its values, e.g. --vary fleet.robots=20,40,60 --vary "
                   "'stations[*].positions=1,2,3' ([*]: every station). Repeatable.")
@click.option("--design", type=click.Choice(["factorial", "zip"]), default=None,
              help="factorial: every combination (default); zip: the i-th values of every factor together.")
@click.option("-r", "--replications", type=click.IntRange(1, 100_000), default=None,
              help="Replications per point, 1 to 100000 (default 10; at least 3 with --target-ci).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: all cores); 1 runs in this process. Never more than the runs "
                   "to do nor twice the cores (at least 4); a larger number is lowered, with a message.")
@click.option("--max-runs", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="Refuse a sweep of more runs than this (points x replications; x --max-replications "
                   "with --target-ci) before anything runs.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Sweep directory (default: results/<scenario name>-sweep/). New or empty, or this sweep "
                   "with --resume; any other non-empty directory is refused.")
@seed_option("Root seed; replication r of every point gets the same seed derived from it "
             "(default: the scenario's).")
@set_option
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: worker processes on this machine; dask: a Dask LocalCluster of --jobs workers "
                   "(needs swapsim[dask]).")
@click.option("--scheduler", metavar="tcp://HOST:PORT", default=None,
              help="Run on the Dask cluster whose scheduler is at this address (implies --executor dask).")
@click.option("--resume", is_flag=True,
              help="Continue the sweep in --out: run only the runs missing from DIR/runs/.")
@click.option("--target-ci", "target_ci", multiple=True, metavar="KPI=REL",
              help="Add replications until the KPI's 95 % half-width is within REL of |mean| at every point, "
                   "e.g. --target-ci fleet.utilisation=0.02. Repeatable.")
@click.option("--max-replications", type=click.IntRange(min=1), default=None,
              help="Cap of replications per point with --target-ci (default 100).")
@click.option("--kpi", "kpis", multiple=True, metavar="KPI",
              help="Also draw this KPI (a dotted key of summary.json, e.g. swaps.stockouts). Repeatable.")
@figures_option("the sweep figures")
@format_option
@quiet_option("No progress bar; print only where the results went.")
@_user_errors
def sweep(spec: Path, vary: tuple[str, ...], design: str | None, replications: int | None, jobs: int | None,
          out: Path | None, seed: int | None, overrides: tuple[str, ...], executor: str, scheduler: str | None,
          resume: bool, target_ci: tuple[str, ...], max_replications: int | None, kpis: tuple[str, ...],
          figures: bool, fmt: str, quiet: bool, max_runs: int) -> None:
    """Run a parameter sweep with replications and confidence intervals.

    SPEC is a scenario file (with --vary), a sweep file (base scenario, factors, design, replications,
    seed; see docs/experiments.md), or a sweep directory to resume. Writes DIR/runs.csv (one row per run),
    DIR/points.csv (mean, sd and 95 % Student-t half-width of every KPI per point), DIR/runs/ (one file
    per finished run, for --resume) and the sweep figures. Exit status: 0 done, 1 some runs failed,
    2 bad input, 130 interrupted (resume with --resume).
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
            raise ScenarioError(f"{spec}: a sweep directory is resumed as it is; --vary and --set "
                                f"belong to a new sweep")
        if out is not None and out.resolve() != spec.resolve():
            raise ScenarioError(f"{spec}: a sweep directory is resumed in place (got --out {out})")
        sw = ex.sweep_from_dir(spec, replications=replications, target_ci=targets,
                               max_replications=max_replications, seed=seed, design=design, max_runs=max_runs)
        out, resume = spec, True
    elif _is_sweep_file(spec):
        sw = ex.load_sweep_file(spec, extra_factors=factors, extra_overrides=overrides, design=design,
                                replications=replications, seed=seed, target_ci=targets,
                                max_replications=max_replications, max_runs=max_runs)
    else:
        sw = ex.sweep_from_scenario(spec, factors, overrides=overrides, design=design or "factorial",
                                    replications=replications or 10, seed=seed, target_ci=targets,
                                    max_replications=max_replications or 100, max_runs=max_runs)
    if kpis:
        known = ex.kpi_names(sw)
        for k in kpis:
            if k not in known:
                raise ScenarioError(ex.sweep._unknown_kpi(k, known, "--kpi"))
    check_sweep_memory(sw)
    out = _out_dir(out, sw.name, "-sweep", marker=None)
    if not quiet:
        names = "; ".join(f"{f} {ex.sweep._show_value(v)}" for f, v in sw.factors.items()) or "no factors"
        click.echo(f"{sw.name} sweep: {len(sw.points)} point(s) x {sw.replications} replication(s) "
                   f"({sw.design}: {names}); root seed {sw.seed}")
    show_bar = not quiet and sys.stderr.isatty()
    try:
        report = ex.run_sweep(sw, out, executor=executor, jobs=jobs, scheduler=scheduler, resume=resume,
                              progress=show_bar)
    except ex.SweepInterrupted as exc:
        click.echo(f"\n{exc}\nresume with: swapsim sweep {out} --resume", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except KeyboardInterrupt:
        click.echo(f"\ninterrupted; finished runs are in {out}/runs/\n"
                   f"resume with: swapsim sweep {out} --resume", err=True)
        sys.exit(EXIT_INTERRUPTED)
    figs = []
    if figures:
        from swapsim.output import plot_sweep

        try:
            figs = plot_sweep(out, fmt=fmt, kpis=kpis)
        except KeyboardInterrupt:
            click.echo(f"\ninterrupted while drawing the figures; the tables are complete in {out}/", err=True)
            sys.exit(EXIT_INTERRUPTED)
    if not quiet:
        click.echo(f"{report.runs_planned} runs ({report.runs_new} new, {report.runs_resumed} already on disk) "
                   f"in {report.wall_time_s:.1f} s {report.executor}")
        click.echo(_sweep_table(out, sw.target_ci))
        if sw.target_ci:
            goal = ", ".join(f"{k} within {v:.1%} of |mean|" for k, v in sw.target_ci.items())
            short = [p for p, ok in report.target_met.items() if not ok]
            click.echo(f"target: 95 % half-width of {goal}; replications per point: "
                       + ", ".join(f"{p}: {n}" for p, n in sorted(report.replications.items())))
            if short:
                click.echo(f"not reached at point(s) {', '.join(map(str, short))} "
                           f"(max {sw.max_replications} replications or failed runs)")
        click.echo("mean ± 95 % confidence half-width (Student t) over the replications")
        if figs:
            click.echo(f"figures: {', '.join(p.name for p in figs)}")
    click.echo(f"results written to {out}/ (runs.csv, points.csv)")
    if report.failures or report.broken:
        n = len(report.failures) + report.broken
        click.echo(f"{n} run(s) did not finish ({len(report.failures)} failed in the model, listed in "
                   f"{out}/failures.csv; {report.broken} lost with a worker); the tables hold the others. "
                   f"`swapsim sweep {out} --resume` runs them again.", err=True)
        sys.exit(EXIT_FAILED_RUNS)


@cli.command()
@max_memory_option
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-r", "--replications", type=click.IntRange(1, 1000), default=5, show_default=True,
              help="Pilot replications, 1 to 1000 (averaged before MSER-5).")
@click.option("--bin", "bin_width", default="5 min", show_default=True,
              help="Time-series bin of the pilot runs (a duration); the horizon must hold 40 to 100,000 bins.")
@seed_option("Root seed (default: the scenario's); the pilots use a sweep's replication seeds.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default: all cores).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output directory (default: results/<scenario name>-warmup/). New, empty, or written by "
                   "swapsim before; any other non-empty directory is refused.")
@set_option
@figures_option("warmup.png")
@format_option
@_user_errors
def warmup(scenario: Path, replications: int, bin_width: str, seed: int | None, jobs: int | None,
           out: Path | None, overrides: tuple[str, ...], figures: bool, fmt: str) -> None:
    """Suggest a warm-up length for SCENARIO from pilot runs (MSER-5).

    Runs the pilots over the scenario's horizon with no warm-up and a fine time series, applies
    MSER-5 to the fleet utilisation and to the robots queueing (replication means), and writes
    warmup.json, warmup_series.csv, warmup_mser.csv and warmup.png.
    """
    from swapsim.scenario.units import UnitError, format_duration, parse_duration_h
    from swapsim.experiments.warmup import advise_warmup, pilot_series, write_warmup

    try:
        bin_h = parse_duration_h(bin_width)
    except UnitError as exc:
        raise ScenarioError(f"--bin {bin_width}: {exc}") from None
    if bin_h <= 0:
        raise ScenarioError(f"--bin {bin_width}: must be > 0")
    sc = load_scenario(scenario, overrides)
    if sc.horizon / bin_h > 100_000:
        raise ScenarioError(f"--bin {bin_width}: the horizon ({format_duration(sc.horizon)}) would hold "
                            f"{sc.horizon / bin_h:,.0f} bins per pilot; at most 100,000 (choose a wider bin)")
    if sc.horizon / bin_h < 40:
        raise ScenarioError(f"--bin {bin_width}: the horizon ({format_duration(sc.horizon)}) holds fewer than "
                            f"40 bins; MSER-5 needs a longer horizon or a finer bin")
    out = _out_dir(out, sc.name, "-warmup", "warmup.json")
    series = pilot_series(sc, replications=replications, seed=seed, bin_width_h=bin_h, jobs=jobs)
    advice = advise_warmup(series)
    write_warmup(advice, out, source=str(scenario), figures=figures, fmt=fmt)
    for name, res in advice.results.items():
        per = advice.per_replication_h[name]
        flag = "" if res.reliable else "  (minimum at the search limit: lengthen the horizon)"
        click.echo(f"MSER-5 on {name}: truncate {res.truncation * bin_h:.1f} h "
                   f"(per replication: {min(per):.1f} to {max(per):.1f} h){flag}")
    click.echo(f"suggested warm-up: {format_duration(advice.suggested_h) if advice.suggested_h else '0 h'} "
               f"(scenario has {format_duration(sc.warmup) if sc.warmup else '0 h'}); "
               f"{replications} pilot replications over {format_duration(sc.horizon)}")
    click.echo(f"results written to {out}/")
@cli.command("estimate")
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@set_option
@click.option("--json", "as_json", is_flag=True,
              help="Print the estimate as JSON (infinite values, e.g. waits at an overloaded station, as null).")
@_user_errors
def estimate_cmd(scenario: Path, overrides: tuple[str, ...], as_json: bool) -> None:
    """Closed-form estimates for SCENARIO in well under a second, without simulating.

    Swaps a day, waits at the stations, the chance that no charged pack is ready, grid energy,
    utilisation and state fractions in steady state, with the approximations that apply.
    How far they are from simulation: docs/validation.md.
    """
    import json
    import math

    from swapsim.analysis import estimate, format_estimate

    sc = load_scenario(scenario, overrides)
    try:
        est = estimate(sc)
    except ValueError as exc:
        _fail(f"{scenario}: {exc}")

    def finite(value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if isinstance(value, dict):
            return {k: finite(v) for k, v in value.items()}
        if isinstance(value, list):
            return [finite(v) for v in value]
        return value

    if as_json:
        click.echo(json.dumps(finite(est), indent=2))
    else:
        click.echo(format_estimate(est))


def main() -> None:
    """Console entry point."""
    cli(prog_name="swapsim")


if __name__ == "__main__":  # pragma: no cover
    main()
