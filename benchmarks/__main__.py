"""``python -m benchmarks [--quick] [--only queue,scaling,sweep,size,scenarios,instructions] [--repeats N]``: run and report.

``instructions`` (benchmark 1 counted in instructions under valgrind, :mod:`benchmarks.instructions`)
runs by default only when valgrind is installed; the other benchmarks always run.

Prints each benchmark's table as it finishes, then writes every table and the raw numbers (every
timing of every repeat, the machine, the command) to ``benchmarks/results/latest.json`` and the tables
as markdown to ``benchmarks/results/latest.md``. A quick or partial run writes ``latest-quick*`` or
``latest-<names>*`` instead, so it never overwrites a full measurement.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import bench_queue, bench_scaling, bench_scenarios, bench_size, bench_sweep, instructions
from benchmarks.common import RESULTS_DIR, machine_info

NAMES = ("queue", "scaling", "sweep", "size", "scenarios", "instructions")
DEFAULT_REPEATS = {"queue": 5, "scaling": 3, "sweep": 3, "size": 1, "scenarios": 5, "instructions": 1}
QUICK_REPEATS = {"queue": 2, "scaling": 1, "sweep": 1, "size": 1, "scenarios": 2, "instructions": 1}


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="tiny horizons and fleets, one or two repeats: a smoke test, not a measurement")
    parser.add_argument("--only", default=None,
                        help=f"comma-separated subset of {', '.join(NAMES)} (default: all; instructions "
                             f"only if valgrind is installed)")
    parser.add_argument("--repeats", type=int, default=None,
                        help="repeats per benchmark (default: queue 5, scaling 3, sweep 3, scenarios 5; "
                             "quick: 2, 1, 1, 2)")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="directory for latest.json and latest.md")
    args = parser.parse_args(argv)
    args.partial = args.only is not None
    if args.only is None:
        args.only = ",".join(n for n in NAMES if n != "instructions" or instructions.available())
    chosen = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = sorted(set(chosen) - set(NAMES))
    if unknown or not chosen:
        parser.error(f"--only: unknown benchmark(s) {', '.join(unknown) or '(none given)'}; "
                     f"choose from {', '.join(NAMES)}")
    if "instructions" in chosen and not instructions.available():
        parser.error("--only instructions: needs valgrind on the PATH (a system package); not found")
    if args.repeats is not None and args.repeats < 1:
        parser.error(f"--repeats: must be >= 1 (got {args.repeats})")
    args.only = chosen
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    machine = machine_info()
    print(f"machine: {machine['cpu']}, {machine['cores']} CPUs, Python {machine['python']}, "
          f"SimPy {machine['simpy']}, NumPy {machine['numpy']}; load average {machine['load_average_at_start']}")
    if args.quick:
        print("QUICK MODE: smoke test only; the numbers are not measurements")
    started = time.perf_counter()
    tables, raw = [], {}
    for name in args.only:
        repeats = args.repeats or (QUICK_REPEATS if args.quick else DEFAULT_REPEATS)[name]
        print(f"\n[{name}] running ({repeats} repeat(s)) ...", flush=True)
        if name == "queue":
            table, data = bench_queue.run(quick=args.quick, repeats=repeats)
        elif name == "scaling":
            table, data = bench_scaling.run(quick=args.quick, repeats=repeats, progress=_progress)
        elif name == "sweep":
            table, data = bench_sweep.run(quick=args.quick, repeats=repeats, progress=_progress)
        elif name == "size":
            table, data = bench_size.run(quick=args.quick, repeats=repeats, progress=_progress)
        elif name == "scenarios":
            table, data = bench_scenarios.run(quick=args.quick, repeats=repeats, progress=_progress)
        else:
            table, data = instructions.run(quick=args.quick, repeats=repeats)
        print()
        print(table.text(), flush=True)
        tables.append(table)
        raw[name] = data
    total = time.perf_counter() - started

    args.out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    report: dict[str, Any] = {
        "when_utc": stamp, "command": " ".join(["python -m benchmarks", *(argv if argv is not None else sys.argv[1:])]),
        "quick": args.quick, "total_wall_s": total, "machine": machine,
        "tables": [{"title": t.title, "columns": t.columns, "rows": t.rows, "notes": t.notes} for t in tables],
        "raw": raw,
    }
    # A smoke run or a partial run never overwrites a full measurement.
    stem = "latest" + ("-quick" if args.quick else "") + ("-" + "-".join(args.only) if args.partial else "")
    json_path, md_path = args.out / f"{stem}.json", args.out / f"{stem}.md"
    json_path.write_text(json.dumps(report, indent=2, default=_jsonable) + "\n")
    md = [f"# swapsim benchmarks ({stamp}{', QUICK MODE' if args.quick else ''})", "",
          f"Machine: {machine['cpu']}, {machine['cores']} CPUs, {machine['memory_gib']} GiB; "
          f"Python {machine['python']}, SimPy {machine['simpy']}, NumPy {machine['numpy']}, "
          f"swapsim {machine['swapsim']}; load average at start {machine['load_average_at_start']}.", ""]
    for t in tables:
        md += [t.markdown(), ""]
    md_path.write_text("\n".join(md))
    print(f"\nall benchmarks: {total:.0f} s; wrote {json_path} and {md_path}")
    return 0


def _progress(message: str) -> None:
    print(message, flush=True)


def _jsonable(x: Any) -> Any:
    if isinstance(x, tuple):
        return list(x)
    if hasattr(x, "item"):
        return x.item()
    return str(x)


if __name__ == "__main__":
    sys.exit(main())
