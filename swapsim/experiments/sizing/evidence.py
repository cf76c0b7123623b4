"""The evidence a sizing answer rests on, computed from the simulated configurations only: which
targets bind, and where more resources did worse (monotonicity violations of what pruning assumes,
and observed non-monotone effects where nothing is assumed; docs/sizing.md, Method, step 5).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from swapsim.experiments.sizing import rs
from swapsim.experiments.sizing.space import Config, Target, differing, dominates

if TYPE_CHECKING:
    from swapsim.experiments.sizing.search import Evaluated
    from swapsim.experiments.sizing.spec import SizeSpec

__all__ = ["monotonicity", "binding_targets", "failed_targets", "violation_groups", "cheaper_failing"]


def failed_targets(spec: SizeSpec, ev: Evaluated) -> list[Target]:
    """The targets ``ev`` was shown to fail."""
    return [t for t in spec.targets if ev.decisions.get(str(t)) == rs.FAILS]


def monotonicity(spec: SizeSpec, evaluated: list[Evaluated]) -> tuple[list[str], int, dict[str, int]]:
    """Pairs of simulated configurations where more resources did significantly worse on a target KPI
    (paired, at the stated confidence), or a feasible configuration sits below one shown infeasible.

    Returns the *violations* (a KPI assumed monotone in the dimensions where the pair differs, see
    :data:`~swapsim.experiments.sizing.space.MONOTONE_KPIS`: the assumption pruning rests on is broken),
    the number of checks, and the *observed non-monotone effects* where no monotonicity is assumed,
    counted by ``KPI vs dimensions`` (expected mechanisms; never used for pruning)."""
    dims = list(spec.dims)
    sim = [e for e in evaluated if e.n >= 2 and e.status in ("feasible", "infeasible", "undecided")]
    violations: list[str] = []
    observed: dict[str, int] = {}
    checks = 0
    for a in sim:
        for b in sim:
            if not dominates(a.config, b.config, dims):
                continue
            more = "+".join(d.field for d in differing(a.config, b.config, dims))
            if a.status == "infeasible" and b.status == "feasible":
                assumed = [t for t in failed_targets(spec, a) if dominates(a.config, b.config, dims, t.kpi)]
                if assumed:
                    violations.append(
                        f"feasible below infeasible ({more}): #{a.config.index} ({a.config.label(dims)}) is "
                        f"infeasible but #{b.config.index} ({b.config.label(dims)}), with fewer resources, is feasible"
                    )
                else:
                    key = f"feasible below infeasible ({more})"
                    observed[key] = observed.get(key, 0) + 1
            common = sorted(set(a.runs) & set(b.runs))
            if len(common) < 2:
                continue
            for t in spec.targets:
                checks += 1
                d = rs.paired(
                    [float(a.runs[r][t.kpi]) for r in common],
                    [float(b.runs[r][t.kpi]) for r in common],
                    spec.confidence,
                )
                if not (d.low > 0 if t.upper else d.high < 0):
                    continue
                if dominates(a.config, b.config, dims, t.kpi):
                    violations.append(
                        f"{t.kpi} worse with more {more}: #{a.config.index} "
                        f"({a.config.label(dims)}) minus #{b.config.index} ({b.config.label(dims)}) "
                        f"= {d.mean:.4g} +- {d.half:.3g}"
                    )
                else:
                    key = f"{t.kpi} worse with more {more}"
                    observed[key] = observed.get(key, 0) + 1
    return violations, checks, observed


def violation_groups(violations: list[str]) -> dict[str, int]:
    """Violations counted by what broke (``KPI worse with more DIMENSIONS``, or ``feasible below
    infeasible (DIMENSIONS)``): one line per KPI and dimension in the report, most frequent first."""
    groups: dict[str, int] = {}
    for v in violations:
        key = v.split(": #", 1)[0]
        groups[key] = groups.get(key, 0) + 1
    return dict(sorted(groups.items(), key=lambda kv: (-kv[1], kv[0])))


def cheaper_failing(spec: SizeSpec, best: Evaluated, evaluated: list[Evaluated]) -> list[Evaluated]:
    """What a cheaper answer would miss: the simulated configurations one step below the recommendation
    in one dimension (fewer resources, the same elsewhere) that were shown infeasible or left undecided,
    cheapest first; without such a neighbour, the failing configuration just below it in static cost."""
    dims = list(spec.dims)
    key = (best.config.static_cost, best.config.values)
    failing = [
        e
        for e in evaluated
        if e is not best and e.status in ("infeasible", "undecided") and (e.config.static_cost, e.config.values) < key
    ]

    def one_step_below(e: Evaluated) -> bool:
        diff = [(d, x, y) for d, x, y in zip(dims, best.config.values, e.config.values) if x != y]
        return len(diff) == 1 and diff[0][2] == diff[0][1] - diff[0][0].step

    near = sorted((e for e in failing if one_step_below(e)), key=lambda e: (e.config.static_cost, e.config.values))
    if near:
        return near
    return [max(failing, key=lambda e: (e.config.static_cost, e.config.values))] if failing else []


def _below(a: Config, b: Config) -> bool:
    """``b`` has at most ``a``'s value in every dimension (and differs): fewer robots, positions, ..."""
    return a.values != b.values and all(y <= x for x, y in zip(a.values, b.values))


def binding_targets(spec: SizeSpec, best: Evaluated, evaluated: list[Evaluated]) -> list[str]:
    """Targets that configurations below the recommendation (at most its value in every dimension) failed;
    else the target with the least relative slack at the recommendation."""
    failed: list[str] = []
    for e in evaluated:
        if e.status == "infeasible" and _below(best.config, e.config):
            for t in spec.targets:
                if e.decisions.get(str(t)) == rs.FAILS and str(t) not in failed:
                    failed.append(str(t))
    if failed:
        return failed

    def slack(t: Target) -> float:
        m = best.mean(t.kpi)
        return abs(m - t.value) / max(abs(t.value), 1e-12)

    return [str(min(spec.targets, key=slack))]
