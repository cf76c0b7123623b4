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
5. **Settle the warm-up** (with the horizon check on): the answer is run as a steady-state pilot from
   time 0 over a long horizon (:mod:`swapsim.experiments.sizing.steady`, MSER-5); when the steady state
   comes later than the scenario's warm-up, steps 2-4 are run again with the pilot's warm-up (the same
   measured span), at most :data:`MAX_ROUNDS` searches in all. When the pilot saw the early state better
   than the steady one, what failed with the shorter warm-up is carried over as failing, not run again.
6. **Check the horizon** (:mod:`swapsim.experiments.sizing.horizon`): the answer and the next cheaper
   configuration at ``horizon_factor`` x the measured span. An answer that misses a target there is
   marked infeasible and the walk goes on to the next answer (at most :data:`MAX_CONFIRMATIONS` tried),
   so that what is recommended holds at the long horizon.

Runs go through :func:`swapsim.experiments.execute_run` on the executors of ``swapsim sweep``; each
look's runs are submitted together and decisions are taken only once the look is complete, so the
answer does not depend on the executor or the number of jobs. Every run is kept as
``runs/c<config>-r<replication>.json`` (``w<k>c...`` in the k-th search, ``h4c...`` in the horizon check;
what ``--resume`` reads).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from swapsim.analysis.costs import static_costs
from swapsim.experiments.sizing import rs
from swapsim.experiments.sizing.equivalence import same_runs
from swapsim.experiments.sizing.evidence import binding_targets, monotonicity
from swapsim.experiments.sizing.horizon import HorizonCheck, check_horizon, span_h
from swapsim.experiments.sizing.runcache import Evaluated, RunCache
from swapsim.experiments.sizing.space import enumerate_configs
from swapsim.experiments.sizing.spec import SizeSpec
from swapsim.experiments.sizing.steady import PILOT_FACTOR, Steady, steady_pilot, with_warmup
from swapsim.experiments.sizing.walk import Walk
from swapsim.scenario import ScenarioError

__all__ = ["SizeResult", "run_size", "STATUSES", "Evaluated", "binding_targets", "monotonicity"]

MAX_ROUNDS = 2
"""Searches at most: at the scenario's warm-up, then at the warm-up the steady-state pilot finds (the
horizon check confirms the second's answer)."""
MAX_CONFIRMATIONS = 4
"""Answers tried at the horizon check: one rejected there, the walk goes on to the next."""

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
    pilot: Steady | None = None
    """The steady-state pilot on the answer (:mod:`swapsim.experiments.sizing.steady`; None: not run)."""
    searched_warmup_h: float = math.nan
    """The warm-up of the runs the answer was decided on (h): the scenario's, or the pilot's when longer."""
    rejected_at_horizon: list[str] = field(default_factory=list)
    """Answers of the walk that failed the horizon check, in order (the walk went on past each)."""
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
    runs = RunCache(spec, out_dir, executor, jobs, scheduler, resume)
    checked = spec.horizon_factor > 1 and not exhaustive
    warmup0, span = span_h(spec.base_data)
    warmup, pilot_runs, steady, piloted = warmup0, 0, None, set()
    prev: Walk | None = None
    try:
        for rnd in range(MAX_ROUNDS):
            # Round 0 at the scenario's warm-up; then at the warm-up the steady-state pilot found.
            evaluated = [
                Evaluated(c if rnd == 0 else replace(c, data=with_warmup(c.data, warmup, span))) for c in configs
            ]
            runs.prefix = "c" if rnd == 0 else f"w{rnd}c"
            state = Walk(spec, runs, evaluated, exhaustive, log)
            if prev is not None and steady is not None and steady.optimistic:
                state.carry_failures(prev.evaluated, steady.scenario_warmup_h)
            state.walk()
            res = _conclude(spec, state.evaluated, invalid, state.feasible, runs, started, exhaustive)
            if not checked or res.best is None or res.best.config.index in piloted or rnd == MAX_ROUNDS - 1:
                break
            piloted.add(res.best.config.index)
            base_h = max(PILOT_FACTOR * (warmup0 + span), 3 * warmup)
            log(f"[size] steady-state pilot: #{res.best.config.index} from time 0, {spec.n_min} runs")
            steady = steady_pilot(spec, runs, res.best, warmup, span, spec.n_min, base_h)
            pilot_runs += steady.n * steady.attempts
            log(f"[size] steady-state pilot: {steady.verdict()}")
            if not steady.lengthens:
                break
            warmup, prev = steady.warmup_h, state
        rejected: list[str] = []
        if checked and res.best is not None:
            n = min(spec.n_max, spec.horizon_replications)
            before = runs.total
            for _ in range(MAX_CONFIRMATIONS):
                assert res.best is not None
                log(
                    f"[size] horizon check: #{res.best.config.index} and next cheaper at {spec.horizon_factor:g}x, {n} runs each"
                )
                res.horizon = check_horizon(spec, runs, res.best, state.evaluated, spec.horizon_factor, n)
                if res.horizon.best_holds:
                    break
                # The answer fails at the long horizon: not feasible; walk on to the next candidate.
                failed = res.best
                failed.status = "infeasible"
                missed = ", ".join(str(t.target) for t in res.horizon.best.missed()) or "its runs"
                failed.reason = f"misses {missed} at {spec.horizon_factor:g}x the horizon (feasible in the search)"
                state.feasible.remove(failed)
                state.walk()
                new = _conclude(spec, state.evaluated, invalid, state.feasible, runs, started, exhaustive)
                if new.best is None:
                    break
                rejected.append(failed.config.label(dims))
                new.horizon, res = None, new
            res.horizon_runs = runs.total - before
        res.rejected_at_horizon = rejected
        res.pilot = steady
        res.pilot_runs += pilot_runs
        res.searched_warmup_h = warmup
        res.wall_time_s = time.perf_counter() - started
    except BaseException:
        runs.close(abort=True)
        raise
    runs.close()
    return res


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
