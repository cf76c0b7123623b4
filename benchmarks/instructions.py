"""Benchmark 1 counted in machine instructions: ``python -m benchmarks.instructions [--short D] [--long D]``.

Timings on a shared machine move with whatever else runs (on the 2-core machine of
docs/performance.md the same run varied by up to 2x within minutes). The number of instructions a
run executes does not: this tool runs benchmark 1's two models (swapsim on the M/M/3//20 queue
scenario, and the bare SimPy model) under Valgrind's callgrind, which counts every instruction
executed (``Ir``), at two horizons. The difference between the two horizons, divided by the
difference in swaps, is the cost of one more swap: start-up (imports, building the model, the
summary) cancels out. The ratio swapsim / bare of that marginal cost says how much more work swapsim
does per swap, whatever the machine's load. It is not the same as the time ratio: instructions differ
in cost (cache misses, mispredicted branches), and swapsim's larger working set runs at fewer
instructions per cycle than the tiny bare model.

``--scenario FILE`` (repeatable) counts a scenario file instead, the same way: the marginal
instructions per swap of ``simulate()`` with seed 1 and no warm-up, between the two horizons. That is
what users' runs cost per swap (docs/performance.md); ``--floor`` counts a bare-SimPy floor to divide by.

``--floor NAME`` (repeatable: ``factory``, ``warehouse``) counts the bare-SimPy floor of that shipped
scenario (:mod:`benchmarks.bare_factory`, :mod:`benchmarks.bare_warehouse`, as benchmark 5 runs them) the
same way; it runs on this interpreter whatever ``--python`` says (a floor imports no compiled code).

``--python PATH`` counts with that interpreter instead of the one running this tool, for instance
the compiled build's (``--python /tmp/cvenv/bin/python``, docs/performance.md): the child then imports
the swapsim *installed* in that interpreter (this checkout's ``benchmarks/`` is put last on its path, so
the checkout's ``swapsim/`` source does not shadow the install), and the table names the build it ran.

Needs the ``valgrind`` program on the PATH (a system tool, not a Python package); without it the
tool says so and exits with status 2. Each run is about 50 times slower under callgrind: the default
horizons (5 and 15 days) take about a minute in all for benchmark 1, two runs at a time. Scenario
files cost more per simulated day (the warehouse about 10 minutes for 5 and 15 days): shorter
horizons, such as ``--short 1 --long 3``, count the same marginal cost.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.bench_queue import SEED, QueueCase
from benchmarks.common import REPO, Table

__all__ = ["count", "marginal", "run_scenarios", "run_floors", "main"]

SCENARIO_SEED = 1
"""Seed of the scenario-file counts."""


def _scenario(path: str, days: float):
    """The scenario file at ``path`` run for ``days`` with no warm-up."""
    from swapsim.scenario import load_scenario
    return load_scenario(path, [f"horizon={days!r} d", "warmup=0 h"])


def _child(model: str, days: float) -> None:
    """Run one model (``swapsim``, ``bare`` or ``scenario=FILE``) for ``days`` and print its number of
    swaps (the process valgrind counts)."""
    case = QueueCase(horizon_h=days * 24.0)
    if model.startswith(("case=", "floor=")):  # a case of benchmark 5 (JSON), or its bare-SimPy floor
        from benchmarks.bench_scenarios import SEED as CASE_SEED
        from benchmarks.bench_scenarios import case_from_json, run_floor
        kind, spec = model.split("=", 1)
        bench_case = case_from_json(spec)
        scenario = bench_case.scenario(days)
        if kind == "floor":
            print(run_floor(bench_case, scenario, CASE_SEED).swaps)
        else:
            from swapsim.engine import simulate
            print(simulate(scenario, seed=CASE_SEED).summary["swaps"]["count"])
    elif model.startswith("scenario="):
        from swapsim.engine import simulate
        print(simulate(_scenario(model.split("=", 1)[1], days), seed=SCENARIO_SEED).summary["swaps"]["count"])
    elif model == "swapsim":
        from swapsim.engine import simulate
        print(simulate(case.scenario(), seed=SEED).summary["swaps"]["count"])
    else:
        from benchmarks.bare_mmcn import run_bare_mmcn
        print(run_bare_mmcn(case.n_robots, case.positions, case.think_h, case.swap_mean_h, case.horizon_h,
                            seed=SEED).swaps)


def _child_command(model: str, days: float, python: str | None) -> list[str]:
    """The child's command line: this interpreter as usual, or ``python`` running the swapsim installed in
    it (``-P``: the working directory, this checkout, is not put first on ``sys.path``; the checkout is
    appended last so that ``benchmarks`` imports)."""
    if python is None:
        return [sys.executable, "-m", "benchmarks.instructions", "--child", model, str(days)]
    code = (f"import sys; sys.path.append({str(REPO)!r}); from benchmarks.instructions import main; "
            f"sys.exit(main(['--child', {model!r}, {str(days)!r}]))")
    return [python, "-P", "-c", code]


def count(model: str, days: float, python: str | None = None) -> tuple[int, int]:
    """(swaps, instructions executed) of one run of ``model`` ("swapsim", "bare", "scenario=FILE", or
    "case=JSON" / "floor=JSON": a case of benchmark 5 or its bare-SimPy floor) under callgrind, run by
    this interpreter or by ``python`` (see :func:`_child_command`)."""
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={Path(tmp) / 'out'}",
             *_child_command(model, days, python)],
            cwd=REPO, capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": "0"})  # string hashing, hence dict layouts, fixed too
    swaps = int(proc.stdout.split()[-1])
    match = re.search(r"Collected\s*:\s*(\d+)", proc.stderr)
    if match is None:
        raise RuntimeError(f"no instruction count in valgrind's output:\n{proc.stderr[-2000:]}")
    return swaps, int(match.group(1))


def marginal(model: str, short_days: float, long_days: float, python: str | None = None) -> dict[str, float]:
    """Instructions per additional swap of ``model`` between the two horizons (two runs in parallel)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        (s1, i1), (s2, i2) = pool.map(lambda d: count(model, d, python), (short_days, long_days))
    return {"swaps_short": s1, "swaps_long": s2, "ir_short": i1, "ir_long": i2,
            "ir_per_swap": (i2 - i1) / (s2 - s1)}


def available() -> bool:
    """Whether valgrind is on the PATH."""
    return shutil.which("valgrind") is not None


def run(quick: bool = False, repeats: int = 1, short_days: float | None = None,
        long_days: float | None = None, python: str | None = None) -> tuple[Table, dict]:
    """Count both models at two horizons (5 and 15 days; quick: 1 and 3); returns the table and the
    raw counts. Instruction counts do not vary between runs, so ``repeats`` is not used."""
    short_days = short_days if short_days is not None else (1.0 if quick else 5.0)
    long_days = long_days if long_days is not None else (3.0 if quick else 15.0)
    results = {m: marginal(m, short_days, long_days, python) for m in ("bare", "swapsim")}
    table = Table(title=f"Benchmark 1 in instructions: {QueueCase().label.rsplit(',', 1)[0]}, "
                        f"{short_days:g} and {long_days:g} days, seed {SEED}",
                  columns=["model", "swaps (short)", "swaps (long)", "instructions per swap"])
    for m in ("bare", "swapsim"):
        r = results[m]
        table.add("bare SimPy" if m == "bare" else f"swapsim ({build_of(python)})", f"{r['swaps_short']:,}", f"{r['swaps_long']:,}",
                  f"{r['ir_per_swap']:,.0f}")
    ratio = results["swapsim"]["ir_per_swap"] / results["bare"]["ir_per_swap"]
    table.notes.append(f"instructions per swap, swapsim / bare: {ratio:.2f}x (the marginal cost of one more "
                       f"swap between the two horizons, counted by valgrind --tool=callgrind: the same on a "
                       f"busy machine as on an idle one)")
    return table, {**results, "ratio": ratio, "short_days": short_days, "long_days": long_days}


def build_of(python: str | None) -> str:
    """``swapsim --version``'s name of the build that ``python`` (default: this interpreter) runs."""
    if python is None:
        from swapsim._compiled import build_label
        return build_label()
    return subprocess.run([python, "-P", "-c", "from swapsim._compiled import build_label; print(build_label())"],
                          cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()


def run_scenarios(paths: list[str], short_days: float, long_days: float, python: str | None = None) -> Table:
    """Count each scenario file at the two horizons (run by ``python``, default this interpreter); the table
    of instructions per swap."""
    table = Table(title=f"Instructions per swap of scenario files, {short_days:g} and {long_days:g} days, "
                        f"seed {SCENARIO_SEED}, no warm-up, swapsim {build_of(python)}",
                  columns=["scenario", "swaps (short)", "swaps (long)", "instructions per swap"])
    for path in paths:
        r = marginal(f"scenario={Path(path).resolve()}", short_days, long_days, python)
        table.add(path, f"{r['swaps_short']:,}", f"{r['swaps_long']:,}", f"{r['ir_per_swap']:,.0f}")
    table.notes.append("the marginal cost of one more swap between the two horizons (start-up excluded), counted "
                       "by valgrind --tool=callgrind with PYTHONHASHSEED=0")
    return table


def run_floors(names: list[str], short_days: float, long_days: float) -> Table:
    """Count the bare-SimPy floor of each shipped scenario in ``names`` at the two horizons; the table."""
    import dataclasses
    import json

    from benchmarks.bench_scenarios import Case

    table = Table(title=f"Instructions per swap of the bare-SimPy floors, {short_days:g} and {long_days:g} days, "
                        f"seed {SCENARIO_SEED}, no warm-up",
                  columns=["floor", "swaps (short)", "swaps (long)", "instructions per swap"])
    for name in names:
        case = Case(name, short_days, long_days, file=f"{name}.yaml", floor=name)
        r = marginal(f"floor={json.dumps(dataclasses.asdict(case))}", short_days, long_days)
        table.add(f"{name} floor", f"{r['swaps_short']:,}", f"{r['swaps_long']:,}", f"{r['ir_per_swap']:,.0f}")
    table.notes.append("the marginal cost of one more swap between the two horizons (start-up excluded), counted "
                       "by valgrind --tool=callgrind with PYTHONHASHSEED=0")
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.instructions", description=__doc__.splitlines()[0])
    parser.add_argument("--short", type=float, default=5.0, help="shorter horizon (days, default 5)")
    parser.add_argument("--long", type=float, default=15.0, help="longer horizon (days, default 15)")
    parser.add_argument("--scenario", action="append", metavar="FILE",
                        help="count this scenario file instead of benchmark 1 (repeatable)")
    parser.add_argument("--floor", action="append", choices=("factory", "warehouse"),
                        help="count this shipped scenario's bare-SimPy floor (repeatable)")
    parser.add_argument("--python", metavar="PATH",
                        help="count with this interpreter's installed swapsim (e.g. the compiled build's venv)")
    parser.add_argument("--child", nargs=2, metavar=("MODEL", "DAYS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child[0], float(args.child[1]))
        return 0
    if not 0 < args.short < args.long:
        parser.error(f"--short and --long: need 0 < short < long (got {args.short:g} and {args.long:g})")
    for path in args.scenario or []:
        from swapsim.scenario import ScenarioError
        try:
            _scenario(path, args.long)  # a bad file or horizon fails here, readably, not under valgrind
        except ScenarioError as err:
            parser.error(f"--scenario: {err}")
    if not available():
        print("benchmarks.instructions: needs valgrind on the PATH (a system package); not found", file=sys.stderr)
        return 2
    if args.scenario or args.floor:
        if args.scenario:
            print(run_scenarios(args.scenario, args.short, args.long, args.python).text())
        if args.floor:
            print(run_floors(args.floor, args.short, args.long).text())
        return 0
    table, _ = run(short_days=args.short, long_days=args.long, python=args.python)
    print(table.text())
    return 0

if __name__ == "__main__":
    sys.exit(main())
