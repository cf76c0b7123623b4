"""The indexed station choice along whole runs: the lazy scan's answer and side effects, few views per trip.

:mod:`swapsim.model.station_index` answers rule ``shortest_wait`` without a view of every station. Here
every choice of a run is checked against :func:`~swapsim.model.policies.choose_station_lazily` (same
station; the index builds only views the scan builds, among them every view that applies a due charge
milestone), and in the benchmark's 67-hall factory the views built per trip are counted: bounded by a
small constant, where the lazy scan builds about fifteen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from builders import PATCHES_THE_MODEL

from benchmarks.scenarios import factory_scaled_dict
from swapsim.engine import simulate
from swapsim.model.policies import choose_station_lazily
from swapsim.model.robot import Trip
from swapsim.model.station import Station
from swapsim.model.station_index import StationChoiceIndex
from swapsim.scenario import scenario_from_dict


@contextmanager
def patched(cls: type, name: str, wrap: Callable[[Any], Any]) -> Iterator[None]:
    original = getattr(cls, name)
    setattr(cls, name, wrap(original))
    try:
        yield
    finally:
        setattr(cls, name, original)


def factory(robots: int, hours: float, **changes: Any) -> dict[str, Any]:
    data = factory_scaled_dict(robots, 1.0)
    data["horizon"], data["warmup"] = f"{hours} h", "1 h"
    data.update(changes)
    return data


def checked_run(data: dict[str, Any]) -> dict[str, int]:
    """Run ``data``, checking every station choice against the lazy scan; returns counts."""
    built: list[tuple[int, bool]] = []
    counts = {"picks": 0, "indexed": 0, "applied": 0}

    def view(original: Callable[[Station], Any]) -> Callable[[Station], Any]:
        def noted(self: Station) -> Any:
            built.append((self.index, self.charger.next_milestone_h() <= self.env.now))
            return original(self)

        return noted

    def pick(original: Callable[..., Station]) -> Callable[..., Station]:
        def checked(self: Trip, avoid: Station | None = None) -> Station:
            built.clear()
            got = original(self, avoid)
            fast = list(built)
            cands = (
                [s for s in self.stations if s.up and s is not avoid]
                or [s for s in self.stations if s is not avoid]
                or list(self.stations)
            )
            built.clear()
            want = cands[
                choose_station_lazily(self.station_rule, [s.travel_h for s in cands], lambda i: cands[i].view())
            ]
            lazy = list(built)
            assert got is want
            seen = [i for i, _ in fast]
            assert seen == [i for i, _ in lazy if i in set(seen)]
            applied = {i for i, due in fast if due}
            assert not [i for i, due in lazy if due and i not in applied]
            counts["picks"] += 1
            counts["indexed"] += isinstance(self.stations[0].choice, StationChoiceIndex)
            counts["applied"] += len(applied)
            return got

        return checked

    with patched(Station, "view", view), patched(Trip, "pick_station", pick):
        simulate(scenario_from_dict(data), seed=3)
    return counts


@PATCHES_THE_MODEL
def test_every_choice_of_a_run_is_the_lazy_scans() -> None:
    """Ten halls, outages (re-routing, stations down), one hall under a power cap, go immediately."""
    data = factory(150, 20.0)
    data["faults"] = {"station_outage": {"rate_per_day": 2.0, "repair": "1 h"}}
    data["policy"]["go"] = "immediately"
    data["stations"][3]["power_cap"] = "600 W"
    counts = checked_run(data)
    assert counts["indexed"] == counts["picks"] > 500
    assert counts["applied"] > 50  # the index did apply due milestones where the scan would have


@PATCHES_THE_MODEL
def test_views_per_trip_stay_few_at_67_halls() -> None:
    """1000 robots, 67 halls at two walks (the benchmark fleet): the lazy scan builds about 15 views per
    trip there; the index about 2 (the stations whose due milestones the scan would apply, and a full
    scan of the nearer halls when all of them are busy)."""
    data = factory(1000, 8.0)
    views = {"n": 0}
    picks = {"n": 0}

    def view(original: Callable[[Station], Any]) -> Callable[[Station], Any]:
        def counted(self: Station) -> Any:
            views["n"] += 1
            return original(self)

        return counted

    def pick(original: Callable[..., Station]) -> Callable[..., Station]:
        def counted(self: Trip, avoid: Station | None = None) -> Station:
            picks["n"] += 1
            return original(self, avoid)

        return counted

    with patched(Station, "view", view), patched(Trip, "pick_station", pick):
        result = simulate(scenario_from_dict(data), seed=1)
    assert len(result.summary["stations"]) == 67
    assert picks["n"] > 1000
    assert views["n"] / picks["n"] < 3.0, f"{views['n'] / picks['n']:.2f} views per trip"


@PATCHES_THE_MODEL
@pytest.mark.parametrize(
    ("rule", "kind", "indexed"),
    [("nearest", "hot_swap", False), ("shortest_wait", "plug_in", False), ("shortest_wait", "cold_swap", True)],
)
def test_the_index_is_kept_only_where_it_applies(rule: str, kind: str, indexed: bool) -> None:
    """``nearest`` builds no view anyway; plug-in robots see docks (their own ``view_of``)."""
    data = factory(45, 3.0)
    data["policy"]["station_choice"] = rule
    data["strategy"] = {"kind": kind}
    counts = checked_run(data)
    assert counts["picks"] > 0
    assert counts["indexed"] == (counts["picks"] if indexed else 0)
