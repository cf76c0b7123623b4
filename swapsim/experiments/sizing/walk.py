"""The walk of ``swapsim size`` over its grid in order of static cost: dominance, screening by the
closed-form estimate, the sequential feasibility test, the stop rule and the progress lines
(the procedure: :mod:`swapsim.experiments.sizing.search`, docs/sizing.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from swapsim.experiments.sizing import rs
from swapsim.experiments.sizing.equivalence import merge_equivalent, same_runs
from swapsim.experiments.sizing.eta import eta_seconds, expected_replications, fit_run_time, fmt_seconds
from swapsim.experiments.sizing.evidence import failed_targets
from swapsim.experiments.sizing.horizon import span_h
from swapsim.experiments.sizing.runcache import Evaluated, RunCache
from swapsim.experiments.sizing.space import check_kpis, dominates
from swapsim.experiments.sizing.spec import SizeSpec
from swapsim.metrics.catalogue import estimate_name
from swapsim.scenario import scenario_from_dict

__all__ = ["Walk", "runner_up_mean"]


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


class Walk:
    """One walk over the grid at one warm-up (its configurations, the feasible and the infeasible so far);
    :meth:`walk` goes on from where it stopped when an answer is rejected at the long horizon."""

    def __init__(
        self, spec: SizeSpec, runs: RunCache, evaluated: list[Evaluated], exhaustive: bool, log: Callable[[str], None]
    ) -> None:
        self.spec, self.runs, self.evaluated, self.exhaustive, self.log = spec, runs, evaluated, exhaustive, log
        self.order = sorted(evaluated, key=lambda e: (e.config.static_cost, e.config.values))
        self.known_kpis: list[list[str]] = []
        self.shown_infeasible: list[Evaluated] = []
        self.feasible: list[Evaluated] = []
        self.stop_rule = spec.objective == "costs.total_per_year" and not exhaustive
        if not exhaustive:
            merge_equivalent(self.order, list(spec.dims))

    def carry_failures(self, before: list[Evaluated], warmup_h: float) -> None:
        """Configurations shown to fail a target with the warm-up ``warmup_h`` (or dominated by one that
        did) fail it with the longer one too, when the pilot saw the early state better than the steady
        one: they are not run again (their decisions carried over, their runs not)."""
        for old, ev in zip(before, self.evaluated):
            if old.status in ("infeasible", "dominated"):
                ev.status, ev.decisions, ev.bounds = old.status, dict(old.decisions), dict(old.bounds)
                ev.reason = f"{old.reason}, with a warm-up of {warmup_h:g} h, whose runs are optimistic"
                if old.status == "infeasible":
                    self.shown_infeasible.append(ev)

    def walk(self) -> None:
        spec, runs, order, dims = self.spec, self.runs, self.order, list(self.spec.dims)
        for pos, ev in enumerate(order):
            if ev.status != "not evaluated":
                continue
            second = runner_up_mean(spec, self.feasible) if self.stop_rule else math.nan
            if math.isfinite(second) and ev.config.static_cost >= second:
                for rest in order[pos:]:
                    if rest.status == "not evaluated":
                        rest.reason = "static cost already above the runner-up's total: cannot win"
                break
            if not self.exhaustive:
                above = next(
                    (
                        (z, t)
                        for z in self.shown_infeasible
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
            _evaluate(spec, runs, ev, self.known_kpis)
            if ev.status == "infeasible":
                self.shown_infeasible.append(ev)
            elif ev.status == "feasible":
                self.feasible.append(ev)
            left = [e for e in order[pos + 1 :] if e.status == "not evaluated"]
            in_play = len(left)
            second = runner_up_mean(spec, self.feasible) if self.stop_rule else math.nan
            if math.isfinite(second):  # what costs more than the runner-up will not be walked
                left = [e for e in left if e.config.static_cost < second]
            eta = _eta(spec, runs, order[: pos + 1], left)
            self.log(
                f"[size] #{ev.config.index} {ev.config.label(dims)}: {ev.status} ({ev.n} runs) | "
                f"{runs.total} runs done | {in_play} configuration(s) still in play | "
                f"ETA ~ {fmt_seconds(eta)}"
            )


def runner_up_mean(spec: SizeSpec, feasible: list[Evaluated]) -> float:
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
