"""Scenarios the benchmarks run, built from the shipped scenario files with stated overrides.

:func:`factory_scaled` is scenarios/factory.yaml resized: ``robots`` robots for ``days`` days, and one
swap hall per :data:`ROBOTS_PER_HALL` robots (rounded up), so queueing stays as in the shipped file
(30 robots, two halls of 2 positions, 14 bays, 10 charged packs each). New halls copy hall-A and
hall-B in turn (40 m and 80 m away) and are named ``hall-1``, ``hall-2``, ... Everything else (power,
workload, policy: ``go: after_activity``, ``station_choice: shortest_wait``, 15-min time-series bins)
is the file's, except the warm-up when ``warmup`` is given (a duration such as ``"0 h"``).
"""

from __future__ import annotations

import copy
import math
from typing import Any

from benchmarks.common import REPO
from swapsim.scenario import Scenario, read_yaml, scenario_from_dict

__all__ = ["ROBOTS_PER_HALL", "FACTORY", "factory_scaled_dict", "factory_scaled"]

FACTORY = REPO / "scenarios" / "factory.yaml"
ROBOTS_PER_HALL = 15


def factory_scaled_dict(robots: int, days: float, warmup: str | None = None) -> dict[str, Any]:
    """The factory scenario as a mapping, resized to ``robots`` robots and a ``days``-day horizon
    (and the warm-up set to ``warmup``, if given)."""
    data = read_yaml(FACTORY)
    templates = data["stations"]
    halls = max(1, math.ceil(robots / ROBOTS_PER_HALL))
    stations = []
    for i in range(halls):
        hall = copy.deepcopy(templates[i % len(templates)])
        hall["name"] = f"hall-{i + 1}"
        stations.append(hall)
    data["name"] = f"factory-{robots}r-{days:g}d"
    data["fleet"]["robots"] = robots
    data["horizon"] = f"{days} d"
    data["stations"] = stations
    if warmup is not None:
        data["warmup"] = warmup
    return data


def factory_scaled(robots: int, days: float, warmup: str | None = None) -> Scenario:
    """:func:`factory_scaled_dict`, validated."""
    return scenario_from_dict(factory_scaled_dict(robots, days, warmup), source=f"{FACTORY} (benchmarks: resized)")
