"""``swapsim size``: the cheapest configuration of a grid that meets every service target at a stated
confidence, spending simulation only where it decides something.

The procedure (docs/sizing.md gives the reasoning and the guarantee):

1. **Enumerate and price.** Every configuration of the grid that validates as a scenario, with its
   *static cost* per year (capital, maintenance, labour; :func:`swapsim.analysis.costs.static_costs`),
   known before any run. The total cost adds energy, replaced packs and penalties, all >= 0, so the
   static cost is a lower bound on the total.
2. **Walk in order of static cost**, cheapest first. For each configuration:

   * **dominated**: some configuration already *shown infeasible* has at least its resources (positions,
     bays, charged packs, docks, technicians, spare packs), the same other values, and failed a target
     whose KPI is monotone in every dimension where the two differ
     (:data:`~swapsim.experiments.sizing.space.MONOTONE_KPIS`): it fails that target too, and is not
     simulated;
   * **screened**: activity-cycle hot-swap scenarios only, whose swap cycles are irregular enough for
     the closed-form estimate (:func:`swapsim.analysis.estimator.estimate`) to be trusted: a target
     that the estimate misses by more than ``screen_margin`` (relative) screens it out;
   * else **simulated** with the sequential feasibility test of :mod:`swapsim.experiments.sizing.rs`: replications
     in looks (n_min, 2 n_min, ... n_max), stopping as soon as every target holds or one fails.

   The walk stops once two configurations are feasible and the next static cost is at least the
   runner-up's mean total cost: nothing further can beat either.
3. **Answer**: the feasible configuration of least mean objective, the runner-up, and the paired
   difference between them (common random numbers: replication r has the same seed everywhere).
4. **Check monotonicity** on what was simulated: for every pair where one configuration has at least
   the other's resources, a target KPI significantly worse (paired interval) with more resources, or a
   feasible configuration below an infeasible one, is a violation in ``size.json`` where the KPI is
   assumed monotone, else counted as an observed non-monotone effect (grouped by KPI and dimension).
5. **Check the horizon** (:mod:`swapsim.experiments.sizing.horizon`).

Runs go through :func:`swapsim.experiments.execute_run` on the executors of ``swapsim sweep``; each
look's runs are submitted together and decisions are taken only once the look is complete, so the
answer does not depend on the executor or the number of jobs. Every run is kept as
``runs/c<config>-r<replication>.json`` (what ``--resume`` reads).
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

from swapsim.analysis.costs import static_costs
from swapsim.experiments.executors import make_executor
from swapsim.experiments.runner import RunTask, execute_run
from swapsim.experiments.sizing import rs
from swapsim.experiments.sizing.equivalence import merge_equivalent, same_runs
from swapsim.experiments.sizing.eta import eta_seconds, expected_replications, fit_run_time, fmt_seconds, run_work
from swapsim.experiments.sizing.evidence import binding_targets, failed_targets, monotonicity
from swapsim.experiments.sizing.horizon import HorizonCheck, PilotCheck, check_horizon, pilot_check, span_h
from swapsim.experiments.sizing.space import Config, check_kpis, dominates, enumerate_configs
from swapsim.experiments.sizing.spec import SizeSpec
from swapsim.experiments.sweep import replication_seed
from swapsim.metrics.catalogue import estimate_name
from swapsim.results.files import nan_for_null, strict_json
from swapsim.results.outdir import (
    atomic_write_text,
    check_path,
    claim,
    read_manifest,
    resolve_target,
    write_manifest,
)
from swapsim.results.reader import ResultsError, read_json
from swapsim.scenario import ScenarioError, scenario_from_dict

__all__ = ["SizeResult", "run_size", "STATUSES", "Evaluated", "binding_targets", "monotonicity"]

SIMULATED = ("feasible", "infeasible", "undecided", "failed")
"""Statuses of configurations the walk simulated (their runs are the search's ``runs_total``)."""

STATUSES = (
    "feasible",
    "infeasible",
    "undecided",
    "dominated",
    "screened",
    "equivalent",
    "not evaluated",
    "invalid",
    "failed",
)
"""Status of a configuration in ``size.csv``."""


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


@dataclass
class SizeResult:
    """The answer and its evidence."""

    spec: SizeSpec
    evaluated: list[Evaluated]
    invalid: list[tuple[tuple[int, ...], str]]
    best: Evaluated | None
    runner_up: Evaluated | None
    margin: rs.PairedDiff | None
    binding: list[str]
    runs_total: int
    runs_new: int
    wall_time_s: float
    violations: list[str]
    checks: int
    not_monotone: dict[str, int]
    executor: str
    exhaustive: bool = False
    pilot_runs: int = 0
    """Runs of the pilot not used by the walk (not in ``runs_total``)."""
    pilot: PilotCheck | None = None
    """Before the search: one configuration at the horizon and at 2x (is the horizon steady?)."""
    horizon_runs: int = 0
    """Runs of the horizon check (each ``factor`` times as long; not in ``runs_total``)."""
    horizon: HorizonCheck | None = None
    """The recommendation and the next cheaper configuration re-run at a longer horizon (None: not run)."""

    @property
    def holds(self) -> bool:
        """An answer was found and it holds at the horizon check (or no check was asked for)."""
        return self.best is not None and (self.horizon is None or self.horizon.best_holds)

    @property
    def exhaustive_fixed_runs(self) -> int:
        """Runs of a fixed-sample sweep of the whole grid at the same confidence (n_max each)."""
        return len(self.evaluated) * self.spec.n_max


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

    def _file(self, cfg: Config, rep: int, prefix: str = "c") -> Path:
        return self.dir / f"{prefix}{cfg.index}-r{rep}.json"

    def ensure(self, items: list[tuple[Evaluated, int]], prefix: str = "c") -> None:
        """Make sure every (configuration, replication) of ``items`` has its run (from disk or new);
        ``prefix`` names the files (``c``: the search's runs; ``h4c``: the horizon check's)."""
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


def _screen(spec: SizeSpec, ev: Evaluated) -> str | None:
    """The reason the closed-form estimate screens ``ev`` out, or None (also when it does not apply)."""
    from swapsim.analysis.estimator import estimate_kpis, faults_enabled

    sc = scenario_from_dict(ev.config.data, spec.source)
    if sc.workload.cycle is None or sc.strategy.kind != "hot_swap" or sc.shifts is not None or faults_enabled(sc):
        return None  # the estimate covers neither task demand, other strategies, shifts nor faults
    try:
        from swapsim.analysis.energy_balance import BalanceModel

        if BalanceModel(sc).interval_cv < 0.3:  # regular cycles can synchronise: the estimate is not trusted
            return None
        est = estimate_kpis(sc)
    except (ValueError, ZeroDivisionError):
        return None
    m = spec.screen_margin
    for t in spec.targets:
        name = estimate_name(t.kpi)  # the catalogue says whether, and under which name, the estimate gives it
        v = est.get(name) if name is not None else None
        if not isinstance(v, (int, float)):
            continue
        ev.estimate[t.kpi] = float(v)
        if t.upper and v > t.value * (1 + m) + 1e-12:
            return f"estimate {t.kpi} = {v:.4g} > {t.value:g} by more than {m:.0%}"
        if not t.upper and v < t.value * (1 - m) - 1e-12:
            return f"estimate {t.kpi} = {v:.4g} < {t.value:g} by more than {m:.0%}"
    return None


def _evaluate(spec: SizeSpec, runs: RunCache, ev: Evaluated, known_kpis: list[list[str]]) -> None:
    """The sequential feasibility test of :mod:`swapsim.experiments.sizing.rs` on one configuration."""
    alpha = spec.alpha
    for n in spec.looks:
        runs.ensure([(ev, r) for r in range(n)])
        if ev.status == "failed":
            return
        if not known_kpis:
            known = sorted(ev.runs[0])
            check_kpis([t.kpi for t in spec.targets], known, "--target")
            check_kpis([spec.objective], known, "--objective")
            known_kpis.append(known)
        fails = []
        doubt = []
        for t in spec.targets:
            decision, bound = rs.decide(ev.kpi(t.kpi), t.value, t.upper, alpha)
            ev.decisions[str(t)], ev.bounds[t.kpi] = decision, bound
            if decision == rs.FAILS:
                fails.append(t)
            elif decision == rs.DOUBT:
                doubt.append(t)
        if fails:
            t = fails[0]
            b = ev.bounds[t.kpi]
            ev.status = "infeasible"
            ev.reason = (
                f"fails {t}: mean {b.mean:.4g}, {'lower' if t.upper else 'upper'} bound "
                f"{b.lower if t.upper else b.upper:.4g} (n={n})"
            )
            return
        if not doubt:
            ev.status, ev.reason = "feasible", f"every target holds (n={n})"
            return
    ev.status = "undecided"
    ev.reason = f"{', '.join(str(t) for t in doubt)} still in doubt at n={spec.n_max}: not shown to hold"


def run_size(
    spec: SizeSpec,
    out_dir: str | Path,
    *,
    executor: str = "local",
    jobs: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    log: Callable[[str], None] | None = None,
    exhaustive: bool = False,
) -> SizeResult:
    """Answer the sizing question ``spec``; runs are kept in ``out_dir/runs``.

    ``exhaustive``: simulate every valid configuration with the same sequential test, without ordering,
    pruning, screening or stopping (the baseline of ``benchmarks/bench_size.py``).
    """
    out_dir = Path(out_dir)
    log = log or (lambda _m: None)
    started = time.perf_counter()
    dims = list(spec.dims)
    configs, invalid = enumerate_configs(
        spec.base_data, dims, spec.source, lambda sc: static_costs(sc)["static_per_year"]
    )
    if not configs:
        raise ScenarioError(
            f"--search: no configuration of the grid is a valid scenario; first problem: "
            f"{invalid[0][1] if invalid else '(empty grid)'}"
        )
    evaluated = [Evaluated(c) for c in configs]
    order = sorted(evaluated, key=lambda e: (e.config.static_cost, e.config.values))
    runs = RunCache(spec, out_dir, executor, jobs, scheduler, resume)
    known_kpis: list[list[str]] = []
    shown_infeasible: list[Evaluated] = []
    feasible: list[Evaluated] = []
    stop_rule = spec.objective == "costs.total_per_year" and not exhaustive
    pilot: PilotCheck | None = None
    if not exhaustive:
        merge_equivalent(order, dims)
    try:
        if spec.horizon_factor > 1 and not exhaustive:
            walkable = [e for e in order if e.status != "equivalent"]
            mid = walkable[len(walkable) // 2]  # a configuration of middling cost: its runs serve the walk too
            log(f"[size] pilot: #{mid.config.index} at the horizon and at 2x, {spec.n_min} runs each")
            pilot = pilot_check(spec, runs, mid, spec.n_min)
            log(f"[size] pilot: {pilot.verdict()}")
        for pos, ev in enumerate(order):
            second = _runner_up_mean(spec, feasible) if stop_rule else math.nan
            if math.isfinite(second):
                if ev.config.static_cost >= second:
                    for rest in order[pos:]:
                        if rest.status == "not evaluated":
                            rest.reason = "static cost already above the runner-up's total: cannot win"
                    break
            if ev.status == "equivalent":
                continue
            if not exhaustive:
                above = next(
                    (
                        (z, t)
                        for z in shown_infeasible
                        for t in failed_targets(spec, z)
                        if dominates(z.config, ev.config, dims, t.kpi)
                    ),
                    None,
                )
                if above is not None:
                    z, t = above
                    ev.status = "dominated"
                    ev.reason = (
                        f"has no more resources than #{z.config.index} ({z.config.label(dims)}), "
                        f"which fails {t}, monotone in them"
                    )
                    continue
                if spec.screen:
                    why = _screen(spec, ev)
                    if why is not None:
                        ev.status, ev.reason = "screened", why
                        continue
            _evaluate(spec, runs, ev, known_kpis)
            if ev.status == "infeasible":
                shown_infeasible.append(ev)
            elif ev.status == "feasible":
                feasible.append(ev)
            in_play = sum(1 for e in order[pos + 1 :] if e.status == "not evaluated")
            left = [e for e in order[pos + 1 :] if e.status == "not evaluated"]
            second = _runner_up_mean(spec, feasible) if stop_rule else math.nan
            if math.isfinite(second):  # what costs more than the runner-up will not be walked
                left = [e for e in left if e.config.static_cost < second]
            eta = _eta(spec, runs, order[: pos + 1], left)
            log(
                f"[size] #{ev.config.index} {ev.config.label(dims)}: {ev.status} ({ev.n} runs) | "
                f"{runs.total} runs done | {in_play} configuration(s) still in play | "
                f"ETA ~ {fmt_seconds(eta)}"
            )
        res = _conclude(spec, evaluated, invalid, feasible, runs, started, exhaustive)
        res.pilot = pilot
        if res.best is not None and spec.horizon_factor > 1 and not exhaustive:
            n = min(spec.n_max, spec.horizon_replications)
            log(f"[size] horizon check: recommendation and next cheaper at {spec.horizon_factor:g}x, {n} runs each")
            before = runs.total
            res.horizon = check_horizon(spec, runs, res.best, evaluated, spec.horizon_factor, n)
            res.horizon_runs = runs.total - before
            res.wall_time_s = time.perf_counter() - started
    except BaseException:
        runs.close(abort=True)
        raise
    runs.close()
    return res


def _runner_up_mean(spec: SizeSpec, feasible: list[Evaluated]) -> float:
    """Mean objective of the runner-up so far: the second cheapest feasible configuration whose runs are
    not identical to the cheapest's (NaN while there is none)."""
    ranked = sorted(feasible, key=lambda e: e.mean(spec.objective))
    rest = [e for e in ranked[1:] if not same_runs(e, ranked[0])]
    return rest[0].mean(spec.objective) if rest else math.nan


def _eta(spec: SizeSpec, runs: RunCache, walked: list[Evaluated], left: list[Evaluated]) -> float:
    """Seconds left: what is in play and the horizon check (:mod:`swapsim.experiments.sizing.eta`)."""
    sim = [e for e in walked if e.status in ("feasible", "infeasible", "undecided")]
    if not sim or not runs.times or runs.wall <= 0:
        return math.nan
    n_check, long_work = 0, 0.0
    if spec.horizon_factor > 1:
        n_check = 2 * min(spec.n_max, spec.horizon_replications)
        warmup, span = span_h(sim[0].config.data)
        heaviest = max(e.config.work for e in sim)
        long_work = heaviest * (warmup + spec.horizon_factor * span) / max(warmup + span, 1e-9)
    return eta_seconds(
        fit_run_time(runs.times),
        sum(t for _, t in runs.times) / runs.wall,
        [e.config.work for e in left],
        len(sim) / len(walked),
        expected_replications([e.n for e in sim], tuple(spec.looks)),
        n_check,
        long_work,
    )


def _conclude(
    spec: SizeSpec,
    evaluated: list[Evaluated],
    invalid,
    feasible: list[Evaluated],
    runs: RunCache,
    started: float,
    exhaustive: bool,
) -> SizeResult:
    ranked = sorted(feasible, key=lambda e: (e.mean(spec.objective), e.config.static_cost, e.config.values))
    best = ranked[0] if ranked else None
    twins = [e for e in ranked[1:] if best is not None and same_runs(e, best)]
    for e in twins:
        e.reason += f"; its runs are identical to #{ranked[0].config.index}'s (resources never used): not a runner-up"
    ranked = [e for e in ranked if all(e is not t for t in twins)]
    runner = ranked[1] if len(ranked) > 1 else None
    margin = None
    if best is not None and runner is not None:
        common = sorted(set(best.runs) & set(runner.runs))
        margin = rs.paired(
            [float(runner.runs[r][spec.objective]) for r in common],
            [float(best.runs[r][spec.objective]) for r in common],
            spec.confidence,
        )
    violations, checks, observed = monotonicity(spec, evaluated)
    binding = binding_targets(spec, best, evaluated) if best is not None else []
    return SizeResult(
        spec=spec,
        evaluated=evaluated,
        invalid=invalid,
        best=best,
        runner_up=runner,
        margin=margin,
        binding=binding,
        runs_total=sum(e.n for e in evaluated if e.status in SIMULATED),
        runs_new=runs.new,
        pilot_runs=runs.total - sum(e.n for e in evaluated if e.status in SIMULATED),
        wall_time_s=time.perf_counter() - started,
        violations=violations,
        checks=checks,
        not_monotone=observed,
        executor=runs.ex.describe(),
        exhaustive=exhaustive,
    )
