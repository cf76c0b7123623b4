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
    """swapsim: simulate fleets of humanoid robots that hot-swap their own batteries."""


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
                   f"horizon {man['horizon_h'] / 24:.1f} d after {man['warmup_h']:.1f} h warm-up, "
                   f"seed {man['seed']} ({man['wall_time_s']:.2f} s)")
        click.echo(_headline(result.summary))
    click.echo(f"results written to {out}/")


@cli.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@set_option
@_user_errors
def validate(scenario: Path, overrides: tuple[str, ...]) -> None:
    """Check SCENARIO: print the resolved scenario (every default filled in), or the errors."""
    sc = load_scenario(scenario, overrides)
    click.echo(dump_scenario(sc), nl=False)


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

    from swapsim.analytic import estimate, format_estimate

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
