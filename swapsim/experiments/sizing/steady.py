"""How long must a run warm up before its KPIs are those of the steady state? The steady-state pilot of
``swapsim size``.

A run starts from an artificial state: packs staggered in charge, every robot at work. On a fleet
with regular swap cycles that state is *better* than the steady state: on the shipped factory the
staggered swaps take two to four weeks to drift into waves, so a run of a week or a month sees fewer
stock-outs (0.2 % over 28 days) than the same configuration settles to (about 3 % from the fifth week
on, with new packs; at once with packs at end of life). A replication's confidence interval covers
none of that. So, once the search has an answer, ``size`` runs it again as a pilot: ``n``
replications with no warm-up over a long horizon (:data:`PILOT_FACTOR` times the searched one), time series binned into :data:`PILOT_BINS` bins, and applies MSER-5
(:func:`swapsim.experiments.warmup.mser`) to the replication-averaged series that the service KPIs
follow: stock-outs per bin, robots queueing at the stations and (task scenarios) tasks waiting. The
utilisation and the green stock are left out: they drift with pack ageing over the whole life, so no
truncation settles them.

The warm-up the pilot finds (the longest truncation of the series, rounded up to a whole hour, to a
whole day past two days) replaces the scenario's when it is longer, and the search is run again at it
(:func:`swapsim.experiments.sizing.search.run_size`). A truncation at MSER's limit (half the pilot)
means the series has not settled within the pilot: the pilot is doubled once; if it still has not,
the KPIs trend (pack ageing, in the factory) and the answer is sized for the run length the horizon
check confirms, which the report says.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from swapsim.experiments.sweep import replication_seed
from swapsim.experiments.warmup import mser
from swapsim.scenario import scenario_from_dict
from swapsim.scenario.shortening import cap_horizon_data

if TYPE_CHECKING:
    from swapsim.experiments.sizing.runcache import Evaluated, RunCache
    from swapsim.experiments.sizing.spec import SizeSpec

__all__ = ["PILOT_FACTOR", "PILOT_BINS", "LENGTHEN", "Steady", "steady_pilot", "with_warmup"]

PILOT_FACTOR = 8.0
"""The pilot's horizon, in multiples of the searched horizon (warm-up plus measured span)."""
PILOT_BINS = 200
"""Time-series bins of a pilot run (40 batches of 5 for MSER-5)."""

LENGTHEN = 0.25
"""A warm-up longer by less than this share of the searched horizon does not call for a new search."""

SERIES = {
    "stockouts": "stock-outs per bin",
    "queue": "robots queueing at the stations",
    "tasks_waiting": "tasks waiting",
}


def with_warmup(data: dict[str, Any], warmup_h: float, span_h: float) -> dict[str, Any]:
    """``data`` with warm-up ``warmup_h`` and the measured span ``span_h`` after it (hours); cut by
    ``SWAPSIM_MAX_HORIZON`` (test suites only)."""
    out = dict(data)
    out["warmup"] = f"{warmup_h!r} h"
    out["horizon"] = f"{warmup_h + span_h!r} h"
    return cap_horizon_data(out, warmup_h + span_h, warmup_h)


@dataclass(frozen=True)
class Steady:
    """The pilot's finding on one configuration."""

    label: str
    n: int
    pilot_h: float
    """The pilot's horizon (h; no warm-up)."""
    truncation_h: dict[str, float]
    """MSER-5's truncation of each series (h); series that were zero throughout are left out."""
    settled: bool
    """Every series settled within the pilot (no truncation at MSER's limit)."""
    warmup_h: float
    """The warm-up the pilot suggests (h; 0 when nothing to cut)."""
    scenario_warmup_h: float
    """The warm-up the search ran with (h)."""
    span_h: float
    """The searched measured span (h)."""
    optimistic: bool = False
    """Every series the pilot cut was better (lower) before the cut than after it: runs with the shorter
    warm-up saw a better state than the steady one, so what failed in them fails after a longer warm-up
    too (what :func:`~swapsim.experiments.sizing.search.run_size` carries over to the next round)."""
    attempts: int = 1
    """Pilots run: 2 when the first had not settled and it was doubled (``n`` runs each)."""

    @property
    def lengthens(self) -> bool:
        """The pilot asks for a warm-up longer than the search had by more than :data:`LENGTHEN` of the
        searched horizon (else the search is not run again: MSER-5 cuts a little off a steady series too)."""
        return self.warmup_h > self.scenario_warmup_h + LENGTHEN * (self.scenario_warmup_h + self.span_h) + 1e-9

    def verdict(self) -> str:
        cuts = ", ".join(f"{k} {_dur(v)}" for k, v in self.truncation_h.items()) or "nothing moved"
        head = f"{self.label}, {self.n} replications of {_dur(self.pilot_h)} with no warm-up, MSER-5: {cuts}"
        if not self.settled:
            return (
                f"NOT STEADY ({head}): a KPI still trends at the end of the pilot (e.g. pack ageing); the "
                f"search runs with a warm-up of {_dur(max(self.warmup_h, self.scenario_warmup_h))} and the answer "
                "holds for the run length the horizon check confirms, not for a steady state"
            )
        if self.lengthens:
            side = "; the early state was better than the steady one" if self.optimistic else ""
            return f"warm-up lengthened from {_dur(self.scenario_warmup_h)} to {_dur(self.warmup_h)} ({head}{side})"
        return f"steady after the searched warm-up of {_dur(self.scenario_warmup_h)} ({head})"


def _dur(h: float) -> str:
    return f"{h / 24:.3g} d" if h >= 48 else f"{h:.3g} h"


def _round_up(h: float) -> float:
    if h <= 0:
        return 0.0
    return 24.0 * math.ceil(h / 24 - 1e-9) if h > 48 else float(math.ceil(h - 1e-9))


def _series_run(args: tuple[dict[str, Any], int]) -> dict[str, list[float]]:
    from swapsim.engine import simulate

    data, seed = args
    sc = scenario_from_dict(data, "steady-state pilot")
    ts = simulate(sc, seed).timeseries
    zero = np.zeros_like(np.asarray(ts["time_h"], dtype=float))
    out = {
        "stockouts": sum((np.asarray(ts.get(f"{s.name}_stockouts", zero), float) for s in sc.stations), zero),
        "queue": sum((np.asarray(ts.get(f"{s.name}_queue", zero), float) for s in sc.stations), zero),
    }
    if "tasks_waiting" in ts:
        out["tasks_waiting"] = np.asarray(ts["tasks_waiting"], dtype=float)
    return {k: np.asarray(v, dtype=float).tolist() for k, v in out.items()}


def _series_task(item: tuple[int, tuple[dict[str, Any], int]]) -> dict[str, list[float]]:
    return _series_run(item[1])


def _pilot(
    spec: SizeSpec, runs: RunCache, data: dict[str, Any], pilot_h: float, n: int
) -> tuple[dict[str, np.ndarray], float]:
    """The replication-averaged series of ``n`` runs from time 0 over ``pilot_h``, and the horizon they
    ran (h; ``SWAPSIM_MAX_HORIZON`` may cut it)."""
    d = with_warmup(data, 0.0, pilot_h)
    horizon = scenario_from_dict(d, "steady-state pilot").horizon
    d["output"] = {**dict(d.get("output") or {}), "bin_width": f"{horizon / PILOT_BINS!r} h"}
    items = [(r, (d, replication_seed(spec.seed, r))) for r in range(n)]
    rows: dict[int, dict[str, list[float]]] = {}
    for (r, _), out in runs.ex.map_unordered(_series_task, items):
        if isinstance(out, BaseException):
            raise RuntimeError(f"steady-state pilot replication {r} was lost: {out}")
        rows[r] = out
    return {k: np.asarray([rows[r][k] for r in range(n)]).mean(axis=0) for k in rows[0]}, horizon


def steady_pilot(
    spec: SizeSpec, runs: RunCache, ev: Evaluated, warmup_h: float, span_h: float, n: int, pilot_h: float | None = None
) -> Steady:
    """Run ``ev``'s scenario ``n`` times with no warm-up over ``pilot_h`` (default :data:`PILOT_FACTOR` x
    (``warmup_h`` + ``span_h``); doubled once when a series has not settled) and find the warm-up by
    MSER-5. ``warmup_h`` is the warm-up the search ran with."""
    pilot_h = pilot_h or PILOT_FACTOR * (warmup_h + span_h)
    for attempt in range(2):
        series, horizon = _pilot(spec, runs, ev.config.data, pilot_h, n)
        bin_h = horizon / PILOT_BINS
        cuts: dict[str, float] = {}
        settled, optimistic = True, True
        for name, y in series.items():
            if not np.any(y):
                continue
            res = mser(y, 5)
            cuts[name] = res.truncation * bin_h
            settled = settled and res.reliable
            if res.truncation > 0:  # every series here is worse when higher
                optimistic = optimistic and float(np.mean(y[: res.truncation])) <= float(np.mean(y[res.truncation :]))
        if settled or attempt == 1:
            break
        pilot_h *= 2
    suggested = _round_up(max(cuts.values(), default=0.0))
    return Steady(
        label=ev.config.label(list(spec.dims)),
        n=n,
        pilot_h=bin_h * PILOT_BINS,
        truncation_h=cuts,
        settled=settled,
        warmup_h=suggested,
        scenario_warmup_h=warmup_h,
        span_h=span_h,
        optimistic=optimistic,
        attempts=attempt + 1,
    )
