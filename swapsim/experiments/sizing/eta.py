"""The time left in a ``swapsim size`` search, printed on its progress lines.

A run's own time is about proportional to its *work*, the robots times the simulated hours (events
are each robot's swaps, tasks and legs). The search records the work and the own time of every new
run, including the horizon check's at ``factor`` x the measured span (the steady-state pilot's runs,
which go through no cache, are not timed; the ETA does not foresee a second search), takes
the seconds per unit of work (:func:`fit_run_time`), and divides the run time left by the parallelism
so far (the runs' own seconds per second of wall time: the executor's workers and the machine's
load). The run time left:

* the configurations still in play, each at its own work per run, times the share of walked
  configurations that needed runs, times the replications a simulated configuration is expected to
  need (:func:`expected_replications`: the mean so far shrunk towards the geometric mean of the looks,
  since the walk goes from cheap configurations decided at the first look towards the feasibility
  boundary, where the test needs more looks);
* the horizon check: two configurations, ``replications`` runs each, at ``factor`` x the measured span
  (the warm-up once), with the work of the costliest configuration simulated so far.

The ETA used to count runs at the mean replications so far and the horizon check's runs at ``factor``
short runs each; docs/sizing.md (*The ETA*) has both measured against the time really left.
"""

from __future__ import annotations

import math
from typing import Any

from swapsim.scenario import scenario_from_dict

__all__ = ["run_work", "fit_run_time", "expected_replications", "eta_seconds", "fmt_seconds", "PRIOR_WEIGHT"]

PRIOR_WEIGHT = 10.0
"""How many configurations the prior on replications counts for (see :func:`expected_replications`)."""


def run_work(data: dict[str, Any]) -> float:
    """The work of one run of scenario ``data``: robots x horizon (robot-hours, warm-up included)."""
    try:
        sc = scenario_from_dict(data, "eta")
    except Exception:  # an estimate only: a configuration that does not validate runs nothing
        return 0.0
    return float(sc.fleet.robots) * float(sc.horizon)


def fit_run_time(samples: list[tuple[float, float]]) -> tuple[float, float]:
    """``(a, b)``: a run's own time ~ ``a + b x work`` (seconds, seconds per robot-hour) from the
    ``(work, seconds)`` of the runs so far. Taken as proportional (``a = 0``, ``b`` = seconds over work):
    on the factory (3-day runs) the horizon check's runs at 3x the work took 2.7x the CPU time of the
    search's, and a least-squares fixed part, fitted on own wall times that the machine's load moves,
    was noise (a fixed part of most of a run)."""
    work = sum(w for w, _ in samples)
    return 0.0, (sum(t for _, t in samples) / work if work > 0 else math.nan)


def expected_replications(simulated: list[int], looks: tuple[int, ...]) -> float:
    """Replications a configuration still to be simulated is expected to need: the mean over the
    configurations simulated so far, shrunk towards a prior, the geometric mean of the looks, worth
    :data:`PRIOR_WEIGHT` configurations. The walk starts with cheap configurations decided at the first
    look and moves towards the feasibility boundary, where the test needs more looks: on the factory
    (3-day runs) the first configurations took 5 each and the 29 left 14 on average."""
    prior = math.exp(sum(math.log(n) for n in looks) / len(looks)) if looks else 1.0
    return (sum(simulated) + PRIOR_WEIGHT * prior) / (len(simulated) + PRIOR_WEIGHT)


def eta_seconds(
    run_time: tuple[float, float],
    parallel: float,
    in_play_work: list[float],
    share_simulated: float,
    replications: float,
    horizon_runs: int,
    horizon_work: float,
) -> float:
    """Seconds left: the runs' own times (``run_time = (a, b)``: ``a + b x work`` each) for ``in_play_work``
    (the work of one run of each configuration still in play) x ``share_simulated`` x ``replications``,
    plus ``horizon_runs`` runs of ``horizon_work`` each, divided by ``parallel`` (the runs' own times per
    second of wall time so far: the executor's parallelism and the machine's load)."""
    a, b = run_time
    walk = sum(a + b * w for w in in_play_work) * share_simulated * replications
    return (walk + horizon_runs * (a + b * horizon_work)) / max(parallel, 1e-9)


def fmt_seconds(seconds: float) -> str:
    """``42 s``, ``17 min`` or ``?``."""
    if not math.isfinite(seconds):
        return "?"
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"
