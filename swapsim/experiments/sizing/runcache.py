"""The runs of ``swapsim size``: what is known of each configuration (:class:`Evaluated`) and the cache
that runs replications on an executor and keeps each one on disk (:class:`RunCache`).

A run is kept as ``runs/<prefix><config>-r<replication>.json``: ``c`` for the search at the scenario's
warm-up, ``w<k>c`` for the search of round k at the warm-up the steady-state pilot chose
(:mod:`swapsim.experiments.sizing.steady`), ``h<factor>c`` (or ``h<factor>w<k>c``) for the horizon check.
``--resume`` reads them back.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from swapsim.experiments.executors import make_executor
from swapsim.experiments.runner import RunTask, execute_run
from swapsim.experiments.sizing import rs
from swapsim.experiments.sizing.eta import run_work
from swapsim.experiments.sizing.space import Config
from swapsim.experiments.sizing.spec import SizeSpec
from swapsim.experiments.sweep import replication_seed
from swapsim.results.files import nan_for_null, strict_json
from swapsim.results.outdir import atomic_write_text, check_path, claim, read_manifest, resolve_target, write_manifest
from swapsim.results.reader import ResultsError, read_json
from swapsim.scenario import ScenarioError

__all__ = ["Evaluated", "RunCache"]


@dataclass
class Evaluated:
    """What is known of one configuration: status, why, runs (replication -> flat KPIs), decisions."""

    config: Config
    status: str = "not evaluated"
    reason: str = ""
    runs: dict[int, dict[str, Any]] = field(default_factory=dict, repr=False)
    bounds: dict[str, rs.Bound] = field(default_factory=dict)
    decisions: dict[str, str] = field(default_factory=dict)
    estimate: dict[str, float] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.runs)

    def kpi(self, name: str) -> list[float]:
        """The KPI in each replication, in replication order (NaN where a run has no value)."""
        out = []
        for r in sorted(self.runs):
            v = self.runs[r].get(name)
            out.append(float(v) if isinstance(v, (int, float)) else math.nan)
        return out

    def mean(self, name: str) -> float:
        v = self.kpi(name)
        return sum(v) / len(v) if v else math.nan


class RunCache:
    """Runs on an executor, cached on disk in ``out/runs``; one batch per look."""

    def __init__(
        self, spec: SizeSpec, out_dir: Path, executor: str, jobs: int | None, scheduler: str | None, resume: bool
    ) -> None:
        self.spec = spec
        self.dir = out_dir / "runs"
        self.ex = make_executor(executor, jobs, scheduler)
        self.jobs = getattr(self.ex, "jobs", 1)
        self.new = 0
        self.total = 0
        self.wall = 0.0
        self.times: list[tuple[float, float]] = []
        """(work, own seconds) of each new run (:mod:`swapsim.experiments.sizing.eta`)."""
        self.root = out_dir
        ident = out_dir / "size-spec.json"
        check_path(out_dir)
        resolve_target(out_dir, kind="size")  # new, empty or a sizing of swapsim's: never another kind
        if out_dir.exists() and any(out_dir.iterdir()):
            if not resume:
                raise ScenarioError(
                    f"--out {out_dir}: exists and is not empty (use --resume to continue, or a new directory)"
                )
            if not os.path.lexists(ident) or read_json(ident, out_dir) != json.loads(json.dumps(spec.identity())):
                raise ScenarioError(f"--resume {out_dir}: holds another sizing (scenario, search or seed differ)")
        if read_manifest(out_dir) is None:  # a new or empty folder: swapsim's from now on
            out_dir.mkdir(parents=True, exist_ok=True)
            write_manifest(out_dir, [], "size")
        claim(out_dir, [ident])  # a run file is entered before it is written, and read only when entered
        self.dir.mkdir(parents=True, exist_ok=True)
        atomic_write_text(ident, json.dumps(spec.identity(), indent=1))

    prefix = "c"
    """File prefix of the search's runs (``w<k>c`` in round k of :func:`~swapsim.experiments.sizing.search.run_size`)."""

    def _file(self, cfg: Config, rep: int, prefix: str = "c") -> Path:
        return self.dir / f"{prefix}{cfg.index}-r{rep}.json"

    def ensure(self, items: list[tuple[Evaluated, int]], prefix: str | None = None) -> None:
        """Make sure every (configuration, replication) of ``items`` has its run (from disk or new);
        ``prefix`` names the files (default :attr:`prefix`, the search's runs; ``h4c``: the horizon check's)."""
        prefix = self.prefix if prefix is None else prefix
        todo = []
        for ev, rep in items:
            path = self._file(ev.config, rep, prefix)
            if rep in ev.runs:
                continue
            if os.path.lexists(path):
                claim(self.root, [path])  # refused when it is not swapsim's
                rec = read_json(path, self.root)
                if not isinstance(rec.get("kpis"), dict):
                    raise ResultsError(f"{path}: damaged: no kpis object; move it away to run it again")
                ev.runs[rep] = nan_for_null(rec["kpis"])
                self.total += 1
                continue
            todo.append(
                RunTask(
                    ev.config.index,
                    rep,
                    replication_seed(self.spec.seed, rep),
                    dict(zip((d.path for d in self.spec.dims), ev.config.values)),
                    ev.config.data,
                )
            )
        by_index = {ev.config.index: ev for ev, _ in items}
        work = {i: run_work(ev.config.data) for i, ev in by_index.items()} if todo else {}
        started = time.perf_counter()
        fn: Callable[[RunTask], dict[str, Any]] = execute_run
        if self.spec.life == "both":  # a replication is two runs (swapsim.experiments.sizing.life)
            from swapsim.experiments.sizing import life

            fn = life.execute_both_lives
        for task, rec in self.ex.map_unordered(fn, todo):
            ev = by_index[task.point]
            if isinstance(rec, BaseException) or rec["status"] != "ok":
                err = rec if isinstance(rec, BaseException) else rec.get("error")
                ev.status, ev.reason = "failed", f"replication {task.replication} failed: {err}"
                continue
            path = self._file(ev.config, task.replication, prefix)
            claim(self.root, [path])  # the entry first, then the file (atomically)
            atomic_write_text(path, strict_json(rec))
            ev.runs[task.replication] = rec["kpis"]
            self.times.append((work[task.point], float(rec.get("wall_time_s") or 0.0)))
            self.new += 1
            self.total += 1
        self.wall += time.perf_counter() - started

    def close(self, abort: bool = False) -> None:
        self.ex.close(abort=abort)
