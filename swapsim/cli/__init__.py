"""The ``swapsim`` command line: thin click commands over library functions.

This package holds the click group :func:`cli`, the console entry point :func:`main`, the error wrapper
and the options the commands share; the commands live by purpose in :mod:`swapsim.cli.run` (run,
validate, plot, report, estimate) and :mod:`swapsim.cli.experiment` (sweep, compare, warmup). A command
parses its options, calls library functions and prints; the text it prints is composed in
:mod:`swapsim.output.console` (and :func:`swapsim.analysis.format_estimate`).

User errors (a bad scenario file, a bad ``--set``, a bad flag, an output directory swapsim does not
own, a damaged results folder) print one readable message and exit with status 2, without a
traceback; an error of the operating system (read-only or full disk, a path below a file) is one
line and status 1. Results are written atomically and only into a new, empty or swapsim-owned
directory (see :mod:`swapsim.results.outdir`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from swapsim._version import __version__
from swapsim.scenario import ScenarioError

__all__ = ["main", "cli"]

EXIT_USAGE = 2


def _one_line(message: str) -> str:
    """``message`` on one line: a line break or other control character (in a path) shown escaped."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in message)


def fail(message: str) -> None:
    click.echo(f"error: {_one_line(message)}", err=True)
    sys.exit(EXIT_USAGE)


def user_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
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
            fail(str(exc))
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"error: {_one_line(f'{where}{exc.strerror or exc}')}", err=True)
            sys.exit(1)

    return wrapper


def out_dir(out: Path | None, name: str, suffix: str = "", marker: str | None = "summary.json") -> Path:
    """``--out`` as given, or ``results/<safe scenario name><suffix>`` (a scenario's name is a label,
    never a path: :func:`swapsim.results.outdir.safe_name`); unless ``marker`` is None, refused before any
    simulation when swapsim may not put that kind of result there (:func:`swapsim.results.outdir.resolve_target`)."""
    from swapsim.results.outdir import check_path, default_out, resolve_target

    path = check_path(out) if out is not None else default_out(name, suffix)
    if marker is not None:
        resolve_target(path, marker)
    return path


set_option = click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="PATH=VALUE",
    help="Override a scenario field, e.g. --set fleet.robots=40 --set 'horizon=14 d' "
    "--set stations[0].bays=12 (--set 'stations[*].bays=12': every station). Repeatable; validated like the file.",
)


def life_option(both: bool = False) -> Callable[..., Any]:
    """``--life``: the packs' life stage (``battery.life``); with ``both``, size checks the targets at both."""
    choices = ["new", "end", "both"] if both else ["new", "end"]
    extra = "; both: the targets must hold with new packs and at end of life (twice the runs)" if both else ""
    return click.option(
        "--life",
        type=click.Choice(choices),
        default="new",
        show_default=True,
        help="Life stage of the packs. new: packs start new and age; end: every pack starts at the state it "
        "reaches at the retirement threshold (capacity and resistance) and stays there (--set battery.life=end)"
        + extra
        + ".",
    )


def with_life(overrides: tuple[str, ...], life: str) -> tuple[str, ...]:
    """``overrides`` with ``battery.life=end`` appended when ``life`` is ``end``."""
    return (*overrides, "battery.life=end") if life == "end" else overrides


format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["png", "svg", "pdf"]),
    default="png",
    show_default=True,
    help="Figure file format.",
)


executor_option = click.option(
    "--executor",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="local: worker processes on this machine; dask: a Dask LocalCluster of --jobs workers (needs swapsim[dask]).",
)

scheduler_option = click.option(
    "--scheduler",
    metavar="tcp://HOST:PORT",
    default=None,
    help="Run on the Dask cluster whose scheduler is at this address (implies --executor dask).",
)


def seed_option(help_text: str = "Root seed (default: the scenario's).") -> Callable[..., Any]:
    """``--seed``: a root seed within the schema's bound on ``seed`` (0 to 2**63 - 1), so that the
    resolved scenario written with the results validates."""
    from swapsim.scenario.limits import MAX_SEED

    return click.option("--seed", type=click.IntRange(0, MAX_SEED), default=None, help=help_text)


def figures_option(what: str = "the figures") -> Callable[..., Any]:
    """``--figures/--no-figures``."""
    return click.option("--figures/--no-figures", default=True, show_default=True, help=f"Draw {what}.")


def quiet_option(help_text: str = "Print only where the results went.") -> Callable[..., Any]:
    """``-q/--quiet``."""
    return click.option("-q", "--quiet", is_flag=True, help=help_text)


_SESSION_ORDER = ("validate", "estimate", "run", "plot", "report", "compare", "sweep", "warmup", "size")


class _Commands(click.Group):
    """The group, listing its commands in the order of a session (check, estimate, run, look, experiment),
    not A to Z; a command missing from that order comes last."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        rank = {name: i for i, name in enumerate(_SESSION_ORDER)}
        return sorted(self.commands, key=lambda name: (rank.get(name, len(rank)), name))

    def main(
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Click's main, with a bad flag or value reported in one line (``error: swapsim run: Invalid value
        for '--seed': ... (see swapsim run --help)``, exit 2) instead of click's usage block."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:  # `swapsim` alone: the help, as click shows it
            exc.show()
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else "swapsim"
            text = " ".join(exc.format_message().split())
            click.echo(f"error: {where}: {text} (see {where} --help)", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            click.echo(f"error: {' '.join(exc.format_message().split())}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Refuse an argument holding a NUL character with one line (no path, value or name can hold one;
        click would otherwise fail later in ``os.stat`` with exit 1 and no message)."""
        for i, arg in enumerate(args, start=1):
            if "\0" in arg:
                from swapsim.scenario.limits import show

                fail(f"argument {i} ({show(arg, 60)}): contains a NUL character, which no path or value may hold")
        return super().parse_args(ctx, args)


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``swapsim --version``: the version and which build runs (the compiled model modules, or pure Python)."""
    if not value or ctx.resilient_parsing:
        return
    from swapsim._compiled import build_label

    click.echo(f"swapsim {__version__} ({build_label()})")
    ctx.exit()


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and which build runs (compiled model modules or pure Python), and exit.",
)
def cli() -> None:
    """swapsim: simulate fleets of humanoid robots that hot-swap their own batteries.

    Check a scenario, estimate it in closed form, run it once (run, plot, report), or run it many times:
    sweep parameters with confidence intervals, compare power strategies, suggest a warm-up, size the
    cheapest deployment that meets service targets. `swapsim COMMAND --help` shows a command's options
    and examples.

    \b
    A first session:
      swapsim validate scenarios/factory.yaml
      swapsim estimate scenarios/factory.yaml
      swapsim run scenarios/factory.yaml --out results/factory-first
      swapsim report results/factory-first
    """


def main() -> None:
    """Console entry point."""
    cli(prog_name="swapsim")


# The commands register themselves on ``cli`` when their modules are imported (after the names above).
from swapsim.cli import experiment, run, size  # noqa: E402, F401
