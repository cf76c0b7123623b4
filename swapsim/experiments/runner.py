"""Running a sweep: each (point, replication) on an executor, its record on disk, resume, the
sequential procedure, and the tables at the end.

:func:`run_sweep` turns a resolved :class:`~swapsim.experiments.sweep.Sweep` into :class:`RunTask` s,
maps :func:`execute_run` over them on an executor (:mod:`swapsim.experiments.executors`: local worker
processes, ``jobs`` of them, ``jobs=1`` in this process, or a Dask distributed cluster, the optional
``swapsim[dask]`` extra), and writes each finished run atomically to ``runs/<point>-<replication>.json``
in the sweep directory, next to ``sweep.json``. A resume (``resume=True``) first checks that the
directory holds the same sweep and keeps its finished runs (same point values and seed); with target
confidence intervals, points grow replication by replication until their Student-t half-widths
(:mod:`swapsim.experiments.stats`) are narrow enough. At the end the tables are rebuilt
(:func:`swapsim.experiments.tables.build_tables`). Whatever runs them, the tables are sorted by
(point, replication) and are identical row for row, wall time aside. Ctrl-C stops the workers and
raises :class:`SweepInterrupted`; the finished runs stay on disk for a resume.
"""

from __future__ import annotations

import os
import signal
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from swapsim._version import __version__
from swapsim.experiments.executors import make_executor
from swapsim.experiments.stats import mean_ci, replications_needed, target_met
from swapsim.experiments.sweep import Sweep, assignment_text, copy_plain
from swapsim.experiments.sweep_files import read_meta, run_file
from swapsim.experiments.tables import build_tables
from swapsim.scenario import ScenarioError, scenario_from_dict

__all__ = ["RunTask", "execute_run", "SweepInterrupted", "SweepReport", "run_sweep"]


# =============================================================================================
# One run


@dataclass(frozen=True)
class RunTask:
    """One run to do: a point's scenario data, the replication number and its seed."""

    point: int
    replication: int
    seed: int
    factors: dict[str, Any]
    scenario: dict[str, Any] = field(repr=False)


def execute_run(task: RunTask) -> dict[str, Any]:
    """Run one task and return its record (never raises for an error in the model).

    The record holds ``status`` ("ok" or "failed"), ``point``, ``replication``, ``seed``,
    ``factors``, and either ``kpis`` (summary flattened with dots) or ``error`` and ``traceback``;
    ``wall_time_s`` is the run's own time.
    """
    from swapsim.engine import simulate
    from swapsim.results import flatten

    started = time.perf_counter()
    record: dict[str, Any] = {
        "point": task.point,
        "replication": task.replication,
        "seed": task.seed,
        "factors": task.factors,
    }
    try:
        scenario = scenario_from_dict(task.scenario, f"point {task.point}")
        result = simulate(scenario, task.seed)
        record.update(status="ok", kpis=flatten(result.summary))
    except Exception as exc:  # a failed run is reported, it does not stop the sweep
        record.update(status="failed", error=f"{type(exc).__name__}: {exc}", traceback=traceback.format_exc())
    record["wall_time_s"] = time.perf_counter() - started
    record["swapsim_version"] = __version__
    return record


# =============================================================================================
# Running a sweep


class SweepInterrupted(Exception):
    """The user stopped the sweep (Ctrl-C); finished runs are on disk."""

    def __init__(self, out_dir: Path, finished: int, planned: int) -> None:
        super().__init__(f"interrupted: {finished} of {planned} runs finished and are kept in {out_dir}/runs/")
        self.out_dir = out_dir
        self.finished = finished
        self.planned = planned


@dataclass
class SweepReport:
    """What a sweep did."""

    out_dir: Path
    runs_planned: int
    runs_new: int
    runs_resumed: int
    failures: list[dict[str, Any]]
    replications: dict[int, int]
    """Replications used per point."""
    target_met: dict[int, bool]
    """With target_ci: whether each point reached every target."""
    wall_time_s: float
    executor: str
    tables: list[Path]
    broken: int = 0
    """Runs lost to a worker that died (infrastructure failure); a resume runs them."""


def _write_json_atomic(path: Path, data: Any) -> None:
    from swapsim.results import atomic_write_text, strict_json

    atomic_write_text(path, strict_json(data, indent=1) + "\n")


def _prepare_dir(out_dir: Path, sweep: Sweep, resume: bool, write: bool = True) -> None:
    """Check that ``out_dir`` may hold this sweep (new, empty, or this sweep with ``resume``) and, with
    ``write``, create it and write ``sweep.json`` and the manifest."""
    from swapsim.results.outdir import (
        MANIFEST,
        OutputError,
        claim,
        owned_files,
        prune,
        resolve_target,
        write_manifest,
    )

    runs_dir = out_dir / "runs"
    meta_path = out_dir / "sweep.json"
    resolve_target(out_dir, kind="sweep")  # new, empty, or swapsim's sweep (never another kind, never foreign)
    if out_dir.exists() and any(out_dir.iterdir()):
        if not meta_path.is_file():
            raise OutputError(
                f"{out_dir}: not empty and not a sweep directory (no sweep.json); swapsim writes "
                f"only into a new or empty directory or one it wrote before; choose another --out"
            )
        if not resume:
            raise ScenarioError(
                f"{out_dir}: already holds a sweep; add --resume to continue it, or choose another --out"
            )
        stored = read_meta(out_dir)
        mine = sweep.identity()
        theirs = {
            "base_scenario": stored.get("base_scenario"),
            "factors": stored.get("factors"),
            "design": stored.get("design"),
            "seed": stored.get("seed"),
        }
        if copy_plain(mine) != theirs:
            what = [k for k in mine if copy_plain(mine[k]) != theirs[k]]
            raise ScenarioError(
                f"{out_dir}: holds a different sweep ({', '.join(what)} differ); "
                f"a resume must use the same base scenario, factors, design and seed"
            )
    # every file the sweep may write is entered in the manifest before it exists; a user's file of
    # one of these names stops the sweep here, before anything is run or written (a temporary file
    # left by a killed writer, runs/.*.tmp, is never removed: swapsim cannot tell it from a user's)
    paths = [meta_path, *(out_dir / n for n in _TABLE_NAMES), *_planned_files(runs_dir, sweep)]
    has_manifest = os.path.lexists(out_dir / MANIFEST)
    owned = (owned_files(out_dir) or set()) if has_manifest else set()
    for path in paths:
        rel = os.path.relpath(path, out_dir).replace(os.sep, "/")
        if rel not in owned and os.path.lexists(path):
            raise OutputError(f"{path}: exists and was not written by swapsim; move it away to run the sweep here")
    if not write:
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    if not has_manifest:
        write_manifest(out_dir, [], "sweep")
    else:
        prune(out_dir)  # entries whose file is missing are not kept: only files swapsim writes now get one
    claim(out_dir, [meta_path, *paths[1 + len(_TABLE_NAMES) :]])  # the tables are entered as they are written
    runs_dir.mkdir(exist_ok=True)
    _write_json_atomic(meta_path, sweep.to_json())


_TABLE_NAMES = ("runs.csv", "points.csv", "runs.parquet", "points.parquet", "failures.csv")
"""The tables a sweep writes beside ``runs/``."""


def _planned_files(runs_dir: Path, sweep: Sweep) -> list[Path]:
    """Every run file the sweep may write (each point up to its largest number of replications)."""
    reps = max(sweep.replications, sweep.max_replications if sweep.target_ci else 0)
    return [run_file(runs_dir, p.index, r) for p in sweep.points for r in range(reps)]


def _load_runs(runs_dir: Path, sweep: Sweep) -> dict[tuple[int, int], dict[str, Any]]:
    """Finished runs on disk that belong to this sweep (same point values and seed), read through the
    guarded reader: only the sweep's own run files (by name) are read; a link or a non-regular file
    there is refused (ResultsError), a damaged one is simply run again (and replaced)."""
    from swapsim.results import nan_for_null
    from swapsim.results.reader import ResultsError, read_json, regular_file

    done: dict[tuple[int, int], dict[str, Any]] = {}
    points = {p.index: p for p in sweep.points}
    for path in _planned_files(runs_dir, sweep):
        if not os.path.lexists(path):
            continue
        if not regular_file(path, runs_dir.parent):
            raise ResultsError(f"{path}: is not a regular file (a link, FIFO or folder); move it away to resume")
        try:
            rec = read_json(path, runs_dir.parent)
            rec["kpis"] = nan_for_null(rec["kpis"])
            key = (int(rec["point"]), int(rec["replication"]))
        except (ResultsError, ValueError, KeyError, TypeError):
            continue  # damaged: the run is simply done again
        p = points.get(key[0])
        if (
            p is None
            or rec.get("status") != "ok"
            or rec.get("seed") != sweep.seed_for(key[1])
            or copy_plain(rec.get("factors")) != copy_plain(p.values)
        ):
            continue
        done[key] = rec
    return done


def run_sweep(
    sweep: Sweep,
    out_dir: str | Path,
    *,
    executor: str = "local",
    jobs: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: bool = False,
    on_run: Callable[[dict[str, Any]], None] | None = None,
    log: Callable[[str], None] | None = None,
) -> SweepReport:
    """Run every missing (point, replication) of ``sweep`` and write the sweep directory.

    Args:
        sweep: a resolved sweep (:func:`resolve_sweep` and friends).
        out_dir: the sweep directory; must be new or empty unless ``resume``.
        executor: ``"local"`` (processes) or ``"dask"``; ``scheduler`` connects to a running Dask cluster.
        jobs: worker processes (default: all cores); 1 runs in this process.
        resume: continue the sweep in ``out_dir``: only runs missing from ``out_dir/runs/`` are done.
        progress: show a progress bar with ETA on stderr.
        on_run: called with each finished run's record, after it is on disk.
        log: where to report failed runs (default: stderr).
    Raises:
        SweepInterrupted: on Ctrl-C, after stopping the workers; finished runs are kept.
        ScenarioError: a directory that does not fit (exists without --resume, holds another sweep).
    """
    from tqdm import tqdm

    out_dir = Path(out_dir)
    started = time.perf_counter()
    _prepare_dir(out_dir, sweep, resume, write=False)  # refuse a wrong directory before any worker starts
    runs_dir = out_dir / "runs"
    done = _load_runs(runs_dir, sweep) if runs_dir.is_dir() else {}
    resumed = len(done)
    plan = {p.index: sweep.replications for p in sweep.points}
    failures: dict[tuple[int, int], dict[str, Any]] = {}
    broken: set[tuple[int, int]] = set()
    by_index = {p.index: p for p in sweep.points}
    new = 0

    def report(message: str) -> None:
        if log is not None:
            log(message)
        else:
            tqdm.write(message, file=sys.stderr)

    missing = sum(1 for p, n in plan.items() for r in range(n) if (p, r) not in done)
    ex = make_executor(executor, jobs, scheduler, runs=missing, say=report)
    try:  # a cluster that cannot be reached leaves no directory behind
        _prepare_dir(out_dir, sweep, resume)
    except BaseException:
        ex.close(abort=True)
        raise
    description = ex.describe()
    bar = tqdm(
        total=sum(plan.values()),
        initial=sum(1 for k in done if k[1] < plan[k[0]]),
        disable=not progress,
        unit="run",
        desc=f"sweep {sweep.name}",
        file=sys.stderr,
        smoothing=0.1,
        **_bar_width(),
    )
    try:
        while True:
            todo = [
                RunTask(p, r, sweep.seed_for(r), by_index[p].values, by_index[p].scenario)
                for p in sorted(plan)
                for r in range(plan[p])
                if (p, r) not in done and (p, r) not in failures and (p, r) not in broken
            ]
            for task, rec in ex.map_unordered(execute_run, todo):
                key = (task.point, task.replication)
                if isinstance(rec, BaseException):
                    broken.add(key)
                    report(
                        f"run lost: point {task.point} ({assignment_text(task.factors)}), replication "
                        f"{task.replication}: the worker failed ({type(rec).__name__}: {rec})"
                    )
                elif rec["status"] == "ok":
                    _write_json_atomic(run_file(runs_dir, *key), rec)
                    done[key] = rec
                    new += 1
                else:
                    failures[key] = rec
                    report(
                        f"run failed: point {task.point} ({assignment_text(task.factors)}), replication "
                        f"{task.replication}, seed {task.seed}: {rec['error']}"
                    )
                bar.update(1)
                if failures or broken:
                    bar.set_postfix(failed=len(failures) + len(broken), refresh=False)
                if on_run is not None:
                    on_run(rec)
            if not sweep.target_ci:
                break
            grown = _extend_plan(sweep, plan, done, failures, broken)
            if grown == plan:
                break
            bar.total += sum(grown.values()) - sum(plan.values())
            bar.refresh()
            plan = grown
    except KeyboardInterrupt:
        # A second Ctrl-C (or the same signal sent to the whole process group) must not break the
        # clean-up: ignore SIGINT while the workers are stopped.
        previous = _mask_sigint()
        try:
            bar.close()
            ex.close(abort=True)
        finally:
            _restore_sigint(previous)
        raise SweepInterrupted(out_dir, len([k for k in done if k[1] < plan[k[0]]]), sum(plan.values())) from None
    except BaseException:
        bar.close()
        ex.close(abort=True)
        raise
    bar.close()
    ex.close()
    tables = build_tables(out_dir, counts=plan, failures=list(failures.values()))
    met = {}
    if sweep.target_ci:
        for p, n in plan.items():
            met[p] = all(
                target_met([done[(p, r)]["kpis"].get(k) for r in range(n) if (p, r) in done], rel)
                for k, rel in sweep.target_ci.items()
            )
    return SweepReport(
        out_dir=out_dir,
        runs_planned=sum(plan.values()),
        runs_new=new,
        runs_resumed=resumed,
        failures=[failures[k] for k in sorted(failures)],
        replications=dict(plan),
        target_met=met,
        wall_time_s=time.perf_counter() - started,
        executor=description,
        tables=tables,
        broken=len(broken),
    )


def _mask_sigint() -> Any:
    try:
        return signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: signals are not ours to handle
        return None


def _restore_sigint(previous: Any) -> None:
    if previous is not None:
        signal.signal(signal.SIGINT, previous)


def _bar_width() -> dict[str, Any]:
    """Follow the terminal's size; a terminal that reports none (0 x 0, as some pseudo-terminals
    do) gets a fixed 100-column bar rather than an invisible one."""
    try:
        size = os.get_terminal_size(sys.stderr.fileno())
        columns, lines = size.columns, size.lines
    except (OSError, ValueError, AttributeError):
        columns = lines = 0
    if columns > 0 and lines > 0:
        return {"dynamic_ncols": True}
    return {"ncols": columns or 100, "nrows": lines or 24}


def _extend_plan(sweep: Sweep, plan: dict[int, int], done: dict, failures: dict, broken: set) -> dict[int, int]:
    """Sequential procedure: the replications each point needs next to reach every target.

    A point whose runs are all in and whose half-width is above ``target x |mean|`` for some KPI
    grows to Law & Kelton's estimate of the replications needed (at least one more, at most double,
    at most ``max_replications``). Decisions depend only on finished runs, so a resumed sweep makes
    the same ones.
    """
    grown = dict(plan)
    for p, n in plan.items():
        keys = [(p, r) for r in range(n)]
        if any(k in failures or k in broken or k not in done for k in keys) or n >= sweep.max_replications:
            continue
        need = n
        for kpi, rel in sweep.target_ci.items():
            values = [done[k]["kpis"].get(kpi) for k in keys]
            if target_met(values, rel):
                continue
            mean, sd, _ = mean_ci(values)
            need = max(need, min(2 * n, replications_needed(n, mean, sd, rel, sweep.max_replications)))
        grown[p] = min(need, sweep.max_replications)
    return grown
