"""Replications and their confidence intervals: what every validation experiment is made of.

:func:`replicate` runs a scenario over consecutive seeds and keeps only the numbers a comparison
needs (:func:`queue_metrics` for a station's queue); :func:`mean_ci` turns the replication values
into a mean with its Student-t interval (:class:`CI`), on :func:`swapsim.experiments.stats.mean_ci`,
the package's one statistics function (SciPy). Times in hours.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from swapsim.scenario import Scenario

__all__ = ["CI", "mean_ci", "replicate", "queue_metrics", "columns"]


@dataclass(frozen=True)
class CI:
    """A mean over replications with its Student-t confidence interval (``mean +- half_width``).

    ``sd`` is the sample standard deviation of the replication values (NaN if not known).
    """

    mean: float
    half_width: float
    n: int
    level: float
    sd: float = math.nan

    @property
    def low(self) -> float:
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        return self.mean + self.half_width

    @property
    def se(self) -> float:
        """Standard error of the mean, sd / sqrt(n)."""
        return self.sd / math.sqrt(self.n)

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    def fmt(self, digits: int = 3) -> str:
        return f"{self.mean:.{digits}f} ± {self.half_width:.{digits}f}"


def mean_ci(values: Sequence[float], level: float = 0.95) -> CI:
    """Mean of independent replication values and its two-sided Student-t interval at ``level``.

    Raises:
        ValueError: with fewer than 2 values.
    """
    from swapsim.experiments.stats import mean_ci as mean_sd_half

    n = len(values)
    if n < 2:
        raise ValueError("need at least 2 replications for a confidence interval")
    mean, sd, half = mean_sd_half(values, level)
    return CI(mean, half, n, level, sd)


def replicate(
    scenario: Scenario, replications: int, extract: Callable[[Any], dict[str, float]], first_seed: int = 1
) -> list[dict[str, float]]:
    """Run ``scenario`` with seeds ``first_seed .. first_seed + replications - 1``; keep ``extract(result)``.

    Replications are independent: each seed spawns its own named streams (:mod:`swapsim.streams`).
    """
    from swapsim.engine import simulate

    return [extract(simulate(scenario, seed)) for seed in range(first_seed, first_seed + replications)]


def queue_metrics(result: Any) -> dict[str, float]:
    """Station-0 queue statistics of one run after warm-up (times in hours).

    ``wait_h`` is the mean wait from arrival to swap start over swaps, ``swap_h`` the mean time spent
    swapping per swap (from the robots' state record), and ``p_wait`` is the share of
    swaps that waited at all. ``busy`` is the time-average number of busy positions and ``lq`` the
    time-average number waiting for a position. ``throughput_per_h`` counts swaps started per hour,
    and ``stockout_fraction`` is the share of swaps that found no green pack.
    """
    s = result.summary
    st = s["stations"][0]
    span = result.manifest["horizon_h"] - result.manifest["warmup_h"]
    _, _, zeros, _ = result.wait_histogram
    n = st["swaps"]
    swapping_h = s["fleet"]["state_fraction"]["swapping"] * result.scenario.fleet.robots * span
    return {
        "swap_h": swapping_h / n if n else 0.0,
        "swaps": float(n),
        "wait_h": s["swaps"]["wait_min"]["mean"] / 60.0,
        "p_wait": 1.0 - zeros / n if n else 0.0,
        "busy": st["swap_utilisation"] * result.scenario.stations[0].positions,
        "lq": st["mean_queue_length"],
        "throughput_per_h": n / span,
        "stockout_fraction": st["stockouts"] / n if n else 0.0,
    }


def columns(rows: Iterable[dict[str, float]], key: str) -> list[float]:
    return [r[key] for r in rows]
