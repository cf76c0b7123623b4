"""The time left in a ``swapsim size`` search, printed on its progress lines.

A run's cost grows with the simulated work: about proportional to the robots times the simulated
hours (events are swaps, tasks and legs, each robot's at a rate of its own). So the search counts
the *work* of every new run (:func:`run_work`, robot-hours), including the pilot's runs at 2x and
the horizon check's at ``factor`` x the measured span, and prices what is left at the wall time per
unit of work measured so far (the executor's parallelism is in that rate):

* the configurations still in play, each at its own work per run, times the share of walked
  configurations that needed runs, times the replications a simulated configuration is expected to
  need: the larger of the mean so far and the mean of the last three simulated (the walk goes from
  cheap, clearly infeasible configurations, decided at the first look, towards the feasibility
  boundary, where the test needs more looks);
* the horizon check: two configurations, ``replications`` runs each, at ``factor`` x the measured span
  (the warm-up once), with the work per run of the costliest configuration simulated so far.

Before this, the ETA counted replications, not work, left the horizon check's runs at ``factor`` x a
short run's time whatever the warm-up, and used the mean replications so far: on the factory it
under-estimated the time left by about half in the middle of the walk (docs/sizing.md, *Speed*).
"""

from __future__ import annotations

import math
from typing import Any

from swapsim.scenario import scenario_from_dict

__all__ = ["run_work", "expected_replications", "eta_seconds", "fmt_seconds"]


def run_work(data: dict[str, Any]) -> float:
    """The work of one run of scenario ``data``: robots x horizon (robot-hours, warm-up included)."""
    try:
        sc = scenario_from_dict(data, "eta")
    except Exception:  # an estimate only: a configuration that does not validate runs nothing
        return 0.0
    return float(sc.fleet.robots) * float(sc.horizon)


def expected_replications(simulated: list[int]) -> float:
    """Replications a configuration still to be simulated is expected to need: the larger of the mean
    over the configurations simulated so far (in walk order) and the mean of the last three."""
    if not simulated:
        return math.nan
    mean = sum(simulated) / len(simulated)
    tail = simulated[-3:]
    return max(mean, sum(tail) / len(tail))


def eta_seconds(
    seconds_per_work: float,
    in_play_work: list[float],
    share_simulated: float,
    replications: float,
    horizon_runs: int,
    horizon_work: float,
) -> float:
    """Seconds left: ``in_play_work`` (the work of one run of each configuration still in play) x
    ``share_simulated`` x ``replications``, plus ``horizon_runs`` runs of ``horizon_work`` each, at
    ``seconds_per_work``."""
    walk = sum(in_play_work) * share_simulated * replications
    return seconds_per_work * (walk + horizon_runs * horizon_work)


def fmt_seconds(seconds: float) -> str:
    """``42 s``, ``17 min`` or ``?``."""
    if not math.isfinite(seconds):
        return "?"
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"
