"""Does the sizing answer survive a longer run? The horizon check of ``swapsim size``.

The sequential test's confidence covers the replication noise *at the horizon the runs were given*, not
the horizon itself: swap timing can synchronise into waves over weeks, and a 95th-percentile wait per
run grows with the run's length. After the search, the recommended configuration and the next cheaper
one (the configuration just below it in static cost) are re-run with a measured span ``factor`` times
as long (same warm-up, replications 0..n-1 seeded as in the search, so paired with it) and every target
is decided again at the long horizon (one-sided Student-t, Bonferroni over targets; one look):

* the **decision stands** when the recommendation still meets every target and the next cheaper one
  still does not;
* the **answer changes with the horizon** when the recommendation misses a target, or is not shown to
  meet it, at the long horizon: it is then *not* feasible at the stated confidence, and is reported so;
* when the next cheaper configuration meets every target at the long horizon, the short runs
  over-sized the answer: reported too (the recommendation itself holds).

For each target the shift ``long - short`` of the mean (paired over common replications) says how much
the KPI moved with the run length.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from swapsim.experiments.sizing import rs
from swapsim.experiments.sizing.space import Config, Target
from swapsim.scenario import scenario_from_dict
from swapsim.scenario.shortening import cap_horizon_data

if TYPE_CHECKING:
    from swapsim.experiments.sizing.runcache import Evaluated, RunCache
    from swapsim.experiments.sizing.spec import SizeSpec

__all__ = [
    "TargetAtHorizon",
    "ConfigAtHorizon",
    "HorizonCheck",
    "check_horizon",
    "long_data",
    "span_h",
]


@dataclass(frozen=True)
class TargetAtHorizon:
    """One target at the long horizon: the short-horizon mean, the long one's bound and decision, and the
    paired shift (long minus short)."""

    target: Target
    short_mean: float
    long: rs.Bound
    decision: str
    shift: rs.PairedDiff

    @property
    def bound(self) -> float:
        """The bound on the bad side (upper for ``<=``)."""
        return self.long.upper if self.target.upper else self.long.lower


@dataclass(frozen=True)
class ConfigAtHorizon:
    """One configuration re-run at the long horizon."""

    role: str
    config: Config
    label: str
    n: int
    targets: tuple[TargetAtHorizon, ...]
    failed_runs: str = ""

    @property
    def holds(self) -> bool:
        """Every target holds at the long horizon."""
        return not self.failed_runs and all(t.decision == rs.HOLDS for t in self.targets)

    def missed(self) -> list[TargetAtHorizon]:
        return [t for t in self.targets if t.decision != rs.HOLDS]


@dataclass(frozen=True)
class HorizonCheck:
    """The recommendation and the next cheaper configuration at ``factor`` times the measured span."""

    factor: float
    span_h: float
    long_span_h: float
    replications: int
    alpha: float
    best: ConfigAtHorizon
    cheaper: ConfigAtHorizon | None

    @property
    def best_holds(self) -> bool:
        """The recommendation meets every target at the long horizon too."""
        return self.best.holds

    @property
    def stands(self) -> bool:
        """The decision is the same at the long horizon: the answer holds and the next cheaper one fails."""
        return self.best.holds and (self.cheaper is None or not self.cheaper.holds)

    def verdict(self) -> str:
        """One line for the terminal and ``size.json``."""
        x = f"{self.factor:g}x the horizon ({_days(self.long_span_h)} measured, {self.replications} replications)"
        if not self.best.holds:
            what = "; ".join(_miss(t) for t in self.best.missed()) or self.best.failed_runs
            return f"the answer CHANGES WITH THE HORIZON: at {x} the recommendation {what}"
        if self.cheaper is not None and self.cheaper.holds:
            return (
                f"the recommendation holds at {x}, but so does the next cheaper configuration "
                f"({self.cheaper.label}): the short runs over-sized the answer"
            )
        tail = (
            ""
            if self.cheaper is None
            else f", and the next cheaper one ({self.cheaper.label}) still misses "
            + (", ".join(str(t.target) for t in self.cheaper.missed()) or "(its runs failed)")
        )
        return f"the decision stands at {x}: the recommendation meets every target{tail}"


def _miss(t: TargetAtHorizon) -> str:
    word = "fails" if t.decision == rs.FAILS else "is not shown to meet"
    side = "upper" if t.target.upper else "lower"
    return (
        f"{word} {t.target} (mean {t.long.mean:.4g}, {side} bound {t.bound:.4g}; {t.short_mean:.4g} in the short runs)"
    )


def _days(hours: float) -> str:
    return f"{hours / 24:.3g} d" if hours >= 48 else f"{hours:.3g} h"


def span_h(data: dict[str, Any]) -> tuple[float, float]:
    """(warm-up, measured span) of a scenario's data, in hours."""
    sc = scenario_from_dict(data, "horizon check")
    return sc.warmup, sc.horizon - sc.warmup


def long_data(data: dict[str, Any], factor: float) -> dict[str, Any]:
    """``data`` with its measured span ``factor`` times as long (same warm-up); cut, with a note, by
    ``SWAPSIM_MAX_HORIZON`` (test suites only: :mod:`swapsim.scenario.shortening`)."""
    warmup, span = span_h(data)
    out = dict(data)
    out["horizon"] = f"{warmup + factor * span!r} h"
    return cap_horizon_data(out, warmup + factor * span, warmup)


def _next_cheaper(best: Evaluated, evaluated: list[Evaluated]) -> Evaluated | None:
    """The configuration just below the recommendation in static cost (ties by grid order), not counting
    configurations that run as another (``equivalent``)."""
    key = (best.config.static_cost, best.config.values)
    below = [e for e in evaluated if e.status != "equivalent" and (e.config.static_cost, e.config.values) < key]
    return max(below, key=lambda e: (e.config.static_cost, e.config.values)) if below else None


def _at_long(spec: SizeSpec, runs: RunCache, short: Evaluated, role: str, factor: float, n: int) -> ConfigAtHorizon:
    cfg = replace(short.config, data=long_data(short.config.data, factor))
    ev = type(short)(cfg)  # an Evaluated of its own (search.py imports this module, not the reverse)
    runs.ensure([(ev, r) for r in range(n)], prefix=f"h{factor:g}{runs.prefix}")
    label = short.config.label(list(spec.dims))
    if ev.status == "failed":
        return ConfigAtHorizon(role, short.config, label, ev.n, (), ev.reason)
    alpha = rs.look_alpha(spec.confidence, len(spec.targets), 1)
    common = sorted(set(ev.runs) & set(short.runs))
    out = []
    for t in spec.targets:
        decision, bound = rs.decide(ev.kpi(t.kpi), t.value, t.upper, alpha)
        shift = rs.paired(
            [float(ev.runs[r].get(t.kpi, math.nan)) for r in common],
            [float(short.runs[r].get(t.kpi, math.nan)) for r in common],
            spec.confidence,
        )
        out.append(TargetAtHorizon(t, short.mean(t.kpi), bound, decision, shift))
    return ConfigAtHorizon(role, short.config, label, ev.n, tuple(out))


def check_horizon(
    spec: SizeSpec, runs: RunCache, best: Evaluated, evaluated: list[Evaluated], factor: float, n: int
) -> HorizonCheck:
    """Re-run ``best`` and the next cheaper configuration at ``factor`` x the measured span, ``n``
    replications each (kept as ``runs/h<factor>c<config>-r<rep>.json``), and decide every target again."""
    span = span_h(best.config.data)[1]
    long_span = span_h(long_data(best.config.data, factor))[1]
    cheaper = _next_cheaper(best, evaluated)
    at_best = _at_long(spec, runs, best, "recommendation", factor, n)
    at_cheaper = None if cheaper is None else _at_long(spec, runs, cheaper, "next cheaper", factor, n)
    return HorizonCheck(
        factor, span, long_span, n, rs.look_alpha(spec.confidence, len(spec.targets), 1), at_best, at_cheaper
    )
